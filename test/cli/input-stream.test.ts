// openInput (what `pulse build` streams) against loadInput (everything in memory) on a generated
// folder with broken files added: the same days, sources, rejections and refusals, on one thread
// and on worker threads; and the worker's packed form of a day.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputPaths } from '../../functions/cli/args.ts';
import { autoWorkers, loadInput, openInput } from '../../functions/cli/input-folder.ts';
import { DayPacker, unpackDay } from '../../functions/cli/price-pool.ts';
import type { PriceDay, ShortInterestRecord } from '../../shared/domain.ts';
import {
  combineRevisions,
  mergeShortInterestRevisions,
  type ParsedShortInterest,
} from '../../shared/formats/finra-short-interest.ts';
import { buildSnapshot, startBatch } from '../../shared/methodology/index.ts';
import { generateSample } from '../../shared/sample/index.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulse-stream-'));
  const { files } = generateSample({ seed: 7, symbols: 300, from: '2025-03-03', to: '2025-05-30' });
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    writeFileSync(path.join(dir, f.path), f.content);
  }
  const prices = path.join(dir, 'prices');
  // A second file of one date (rule 2 rejects the later one), an HTML page and an empty body
  // (refused), a file that matches no pattern (ignored) and a broken short interest file.
  const gz = files.find((f) => f.path === 'prices/2025-03-04.json.gz')?.content as Uint8Array;
  writeFileSync(path.join(prices, '2025-03-04.json'), gunzipSync(gz));
  writeFileSync(path.join(prices, '2025-03-05.json'), '<html><body>Access Denied</body></html>');
  writeFileSync(path.join(prices, '2025-03-06.json'), '');
  writeFileSync(path.join(prices, 'notes.txt'), 'not a snapshot');
  writeFileSync(path.join(dir, 'short-interest', 'shrt20250314x.csv'), 'garbage\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function drain(days: AsyncIterable<PriceDay>): Promise<PriceDay[]> {
  const out: PriceDay[] = [];
  for await (const d of days) out.push(d);
  return out;
}

describe('openInput', () => {
  it.each([0, 1, 2])('gives what loadInput gives, with %i worker thread(s)', async (workers) => {
    const paths = inputPaths({ input: dir });
    const loaded = loadInput(paths);
    const opened = openInput(paths, { workers });
    expect(opened.shortInterest).toEqual(loaded.shortInterest);
    expect(opened.splits).toEqual(loaded.splits);
    expect(opened.shortVolume).toEqual(loaded.shortVolume);
    expect(opened.ignored).toEqual([path.join(dir, 'prices', 'notes.txt')]);
    const days = await drain(opened.priceDays());
    expect(days).toEqual(loaded.priceDays);
    const files = opened.files();
    expect(files.sources).toEqual(loaded.sources);
    expect(files.rejections).toEqual(loaded.rejections);
    expect(files.refusals).toEqual(loaded.refusals);
    // The broken files are there: two refused price files, one refused short interest file.
    expect(files.refusals.map((r) => `${r.kind} ${r.file}`)).toEqual([
      'prices 2025-03-05.json',
      'prices 2025-03-06.json',
      'short-interest shrt20250314x.csv',
    ]);
    expect(files.sources.find((s) => s.file === '2025-03-06.json')?.sha256).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', // sha256 of 0 bytes
    );
  });

  it('folded one day at a time, gives the snapshot buildSnapshot gives on the loaded days', async () => {
    const paths = inputPaths({ input: dir });
    const loaded = loadInput(paths);
    const whole = buildSnapshot({ days: loaded.priceDays, shortInterest: loaded.shortInterest, splits: loaded.splits });
    const opened = openInput(paths, { workers: 1 });
    const fold = startBatch({ shortInterest: opened.shortInterest, splits: opened.splits });
    for await (const d of opened.priceDays()) fold.add(d);
    const streamed = fold.finish();
    expect(streamed.body).toEqual(whole.body);
    expect(streamed.history).toEqual(whole.history);
    expect(streamed.body.dataQuality.rejectedDays.map((r) => r.file)).toContain('2025-03-04.json.gz');
  });

  it('can be left early (the workers stop) and reads its days only once', async () => {
    const opened = openInput(inputPaths({ input: dir }), { workers: 2 });
    let n = 0;
    for await (const _ of opened.priceDays()) if (++n === 3) break;
    expect(n).toBe(3);
    expect(() => opened.files()).toThrow('files() before the price days were read');
    await expect(drain(opened.priceDays())).rejects.toThrow('can be read only once');
  });

  it('uses worker threads only for 20 price files or more on more than one core, at most 2', () => {
    expect(autoWorkers(19, 8)).toBe(0);
    expect(autoWorkers(252, 1)).toBe(0);
    expect(autoWorkers(252, 2)).toBe(2);
    expect(autoWorkers(252, 16)).toBe(2);
  });
});

describe('a day packed by a worker', () => {
  const row = (symbol: string, name: string, marketCap: number | null, volume: number | null) => ({
    symbol,
    name,
    price: 12.5,
    marketCap,
    volume,
    sector: 'Technology',
    industry: '',
  });

  it('comes back with the same rows, null market caps and volumes included', () => {
    const packer = new DayPacker();
    const d1: PriceDay = {
      date: '2025-03-03',
      file: '2025-03-03.json.gz',
      rows: [row('AAA', 'Aaa Inc.', 1e9, 0), row('BBB', 'Bbb Corp.', null, null)],
    };
    const d2: PriceDay = {
      date: '2025-03-04',
      file: '2025-03-04.json.gz',
      rows: [row('BBB', 'Bbb Corp.', 2e9, 5), row('CCC', 'Aaa Inc.', null, 7)],
    };
    const dictionary: string[] = [];
    const p1 = packer.pack(d1).packed;
    // Every distinct string once, in first-seen order: symbol, name, sector, industry per row.
    expect(p1.strings).toEqual(['AAA', 'Aaa Inc.', 'Technology', '', 'BBB', 'Bbb Corp.']);
    dictionary.push(...p1.strings);
    expect(unpackDay(p1, dictionary)).toEqual(d1);
    const p2 = packer.pack(d2).packed;
    // The second day sends only the string the receiver has not had.
    expect(p2.strings).toEqual(['CCC']);
    dictionary.push(...p2.strings);
    expect(unpackDay(p2, dictionary)).toEqual(d2);
  });
});

describe('short interest files merged one at a time', () => {
  const parsed = (file: string, settlementDate: string, rows: [string, number][]): ParsedShortInterest => ({
    file,
    settlementDate,
    rejections: [],
    records: rows.map(
      ([symbol, shares]): ShortInterestRecord => ({ symbol, issueName: '', shares, settlementDate, revision: false }),
    ),
  });

  it('give what merging every parsed file at once gives, revisions in their numeric order', () => {
    const files = [
      parsed('shrt20250715-r10.csv', '2025-07-15', [['BBB', 10]]),
      parsed('shrt20250715-r2.csv', '2025-07-15', [
        ['BBB', 2],
        ['DDD', 2],
      ]),
      parsed('shrt20250715.csv', '2025-07-15', [
        ['AAA', 1],
        ['BBB', 1],
        ['CCC', 1],
        ['AAA', 5],
      ]),
      parsed('shrt20250630.csv', '2025-06-30', [['AAA', 7]]),
    ];
    const combined = combineRevisions(files.flatMap((f) => mergeShortInterestRevisions([f])));
    const whole = mergeShortInterestRevisions(files);
    expect(combined).toEqual(whole);
    // By hand: base file (AAA's later row wins), then -r2, then -r10 (10 after 2, unlike string order).
    const july = combined[1];
    expect(july?.files).toEqual(['shrt20250715.csv', 'shrt20250715-r2.csv', 'shrt20250715-r10.csv']);
    expect([...(july?.shares ?? [])]).toEqual([
      ['AAA', 5],
      ['BBB', 10],
      ['CCC', 1],
      ['DDD', 2],
    ]);
    expect([...(july?.shares ?? [])]).toEqual([...(whole[1]?.shares ?? [])]);
    expect(combined.map((f) => f.settlementDate)).toEqual(['2025-06-30', '2025-07-15']);
  });
});
