/**
 * The Nasdaq split calendar and securities.csv through the pipeline, against dynalite and s3rver (real wire
 * protocol): ingested like splits.csv (raw archive as received, ledger, derived record, row rejections with
 * file, line and field), and used by compute as `pulse build` uses them — the calendar's entries merged after
 * splits.csv's rows (a splits.csv row wins), the security types passed to the engine (rule 12).
 *
 * The hand-made market of compute.test.ts: SPL (10M shares, 1M short) halves on D[2] while its share count
 * only doubles on D[5], so without help rule 3(b) holds it pending until D[5]. Here the calendar of D[2] says
 * "2 : 1": applied on the day (rule 3c). The calendar of D[3] gives MIDB and MIDC a ratio of 7 on a day they
 * move ×0.98 (rule 11c quarantines both); splits.csv gives MIDC the same ratio, so MIDC's quarantine names
 * splits.csv and MIDB's the calendar file. securities.csv makes MIDA a fund: out of every figure (rule 12).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputPaths } from '../../functions/cli/args.ts';
import { loadInput } from '../../functions/cli/input-folder.ts';
import { objectCreatedEvent } from '../../functions/local/lambda.ts';
import { runDaySteps } from '../../functions/local/runner.ts';
import type { PipelineDeps } from '../../functions/pipeline/deps.ts';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { SITE_LATEST_KEY } from '../../functions/pipeline/keys.ts';
import { folderProviders } from '../../functions/providers/folder.ts';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { tempDir, writeMarket } from '../local/helpers/market.ts';
import { expectClose } from '../methodology/helpers.ts';
import { emulatorDeps, fakeProvider, file } from './helpers/deps.ts';
import { SCREENER_2024_06_10 } from './helpers/fixtures.ts';
import { asPublished } from './helpers/publish.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws.stop();
});

const D = ['2025-06-02', '2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06', '2025-06-09'];
const MIDS = Array.from({ length: 20 }, (_, i) => `MID${String.fromCharCode(65 + i)}`);
const us = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;

/** A day of the API's answer, rows as Nasdaq writes them. */
function calendarDay(rows: { symbol: string; ratio: string; executionDate: string }[]): string {
  return JSON.stringify({
    data: {
      headers: { symbol: 'SYMBOL', name: 'COMPANY', ratio: 'RATIO', executionDate: 'EX-DATE' },
      rows: rows.map((r) => ({ name: `${r.symbol} Inc.`, payableDate: 'N/A', announcedDate: 'N/A', ...r })),
    },
    message: null,
    status: { rCode: 200, bCodeMessage: null, developerMessage: null },
  });
}

const CAL_D2 = `splits-${D[2]}.json`;
const CAL_D3 = `splits-${D[3]}.json`;

function market(dir: string): string {
  writeMarket(
    dir,
    D,
    [
      { symbol: 'SPL', prices: [100, 102, 51.51, 52, 52.5, 53], shares: [10e6, 10e6, 10e6, 10e6, 10e6, 20e6] },
      ...MIDS.map((symbol) => ({ symbol, prices: [50, 50.5, 51, 50, 50.5, 51], shares: 100e6 })),
      { symbol: 'MV1', prices: [1, 1.01, 1.02, 1.03, 1.04, 1.05], shares: null },
      { symbol: 'MV2', prices: [2, 2.01, 2.02, 2.03, 2.04, 2.05], shares: null },
      { symbol: 'MV3', prices: [3, 3.01, 3.02, 3.03, 3.04, 3.05], shares: null },
    ],
    { '2025-05-30': { SPL: 1_000_000, ...Object.fromEntries(MIDS.map((m) => [m, 2_000_000])) } },
  );
  const calendar = path.join(dir, 'split-calendar');
  mkdirSync(calendar, { recursive: true });
  writeFileSync(
    path.join(calendar, CAL_D2),
    calendarDay([
      { symbol: 'SPL', ratio: '2 : 1', executionDate: us(D[2] as string) },
      // An announcement of a later day: not used from this file.
      { symbol: 'MIDE', ratio: '3 : 1', executionDate: '07/01/2025' },
    ]),
  );
  writeFileSync(
    path.join(calendar, CAL_D3),
    calendarDay([
      { symbol: 'MIDB', ratio: '7 : 1', executionDate: us(D[3] as string) },
      { symbol: 'MIDC', ratio: '7 : 1', executionDate: us(D[3] as string) },
      { symbol: 'MIDD', ratio: '1-for-10', executionDate: us(D[3] as string) },
    ]),
  );
  writeFileSync(path.join(dir, 'splits.csv'), `symbol,date,ratio\nMIDC,${D[3]},7\n`);
  writeFileSync(path.join(dir, 'securities.csv'), 'symbol,type\nMIDA,fund\nMIDF,bond\n');
  return dir;
}

async function pipeline(dir: string): Promise<PipelineDeps> {
  const deps = await emulatorDeps(aws, {
    providers: folderProviders({ dir, publicationLag: 3 }),
    now: '2025-06-09T23:30:00Z',
  });
  return { ...deps, config: { ...deps.config, ledgerOverlapMs: 0 } };
}

async function latestOf(deps: PipelineDeps): Promise<string> {
  const o = await deps.site.get(SITE_LATEST_KEY);
  if (!o) throw new Error('no latest.json');
  return Buffer.from(o.bytes).toString('utf8');
}

describe('the split calendar and securities.csv from the input folder, day by day', () => {
  let dir: string;
  let deps: PipelineDeps;
  beforeAll(async () => {
    dir = market(tempDir('split-inputs'));
    deps = await pipeline(dir);
    for (const date of D) await runDaySteps(deps, { date }, { runId: `run-${date}` });
  }, 120_000);

  it('archives each file as received, records it in the ledger and stores its entries with file, line and field errors', async () => {
    const raw = await deps.raw.get(`raw/split-calendar/${D[3]}/${CAL_D3}`);
    expect(Buffer.from(raw?.bytes as Uint8Array).toString('utf8')).toBe(
      readFileSync(path.join(dir, 'split-calendar', CAL_D3), 'utf8'),
    );
    // securities.csv is about no day: archived under the day it arrived (the first day run).
    expect(await deps.raw.head(`raw/securities/${D[0]}/securities.csv`)).toBeDefined();

    const [calendar] = await deps.table.listFileVersions('split-calendar', CAL_D3);
    expect(calendar).toMatchObject({ status: 'accepted', date: D[3], rows: 2, rejectedRows: 1 });
    expect(calendar?.rejections).toEqual([
      {
        file: CAL_D3,
        line: 3,
        field: 'ratio',
        reason: '"1-for-10" is not a split ratio ("new : old" such as "10 : 1" or "1 : 10", or a stock dividend "P%")',
      },
    ]);
    const [securities] = await deps.table.listFileVersions('securities', 'securities.csv');
    expect(securities).toMatchObject({ status: 'accepted', date: D[0], rows: 1, rejectedRows: 1 });
    expect(securities?.rejections).toEqual([
      {
        file: 'securities.csv',
        line: 3,
        field: 'type',
        reason: expect.stringMatching(/^"bond" is not one of common, adr, /),
      },
    ]);

    expect(await deps.derived.getSplitCalendarDay(D[2] as string, CAL_D2)).toMatchObject({
      date: D[2],
      file: CAL_D2,
      overrides: [{ symbol: 'SPL', date: D[2], ratio: 2, file: CAL_D2 }],
    });
    expect((await deps.derived.getSecurities())?.overrides).toEqual([{ symbol: 'MIDA', type: 'fund' }]);
  });

  it('applies the calendar (rule 3c) and the security types (rule 12); a splits.csv row wins over the calendar', async () => {
    const latest = JSON.parse(await latestOf(deps)) as Snapshot;
    expect(latest.asOf).toBe(D[5]);
    // SPL's split is the calendar's, on its day: never pending.
    expect(latest.dataQuality.splits).toEqual([{ symbol: 'SPL', date: D[2], factor: 2, rule: '3c' }]);
    expect(latest.dataQuality.pendingSplits).toEqual([]);
    expect(latest.dataQuality.quarantined.map((q) => [q.symbol, q.date, q.file, q.rule])).toEqual([
      ['MIDB', D[3], CAL_D3, '11c'],
      ['MIDC', D[3], 'splits.csv', '11c'],
    ]);
    // MIDA is a fund: 19 mid caps and SPL count. 1d on D[5]: each mid cap 2M · 50.5 · (51/50.5 − 1) → −$1M;
    // SPL (2M shares after the split, rule 4) · (53 − 52.5) → −$1M.
    expect(latest.windows['1d'].groups.total.symbols).toBe(20);
    expectClose(latest.windows['1d'].groups.mid.pnlUsd, -19e6);
    expectClose(latest.windows['1d'].groups.small.pnlUsd, -1e6);
    // Every file counts among the sources, as in `pulse build` (the next test compares the whole snapshot).
    expect(latest.sources.map((s) => s.file).filter((f) => !f.startsWith('2025-'))).toEqual([
      'securities.csv',
      'shrt20250530.csv',
      CAL_D2,
      CAL_D3,
      'splits.csv',
    ]);
  });

  it('the latest snapshot is byte for byte what pulse build computes for the folder, apart from generatedAt', async () => {
    const text = await latestOf(deps);
    const loaded = loadInput(inputPaths({ input: dir }));
    expect(loaded.securities.get('MIDA')).toBe('fund');
    const { body } = buildSnapshot({
      days: loaded.priceDays,
      shortInterest: loaded.shortInterest,
      splits: loaded.splits,
      securities: loaded.securities,
    });
    const { generatedAt, publishedAt } = JSON.parse(text) as Snapshot;
    const expected = assembleSnapshot(body, {
      generatedAt,
      sample: false,
      sources: loaded.sources,
      rejections: loaded.rejections,
    });
    expect(text).toBe(JSON.stringify(asPublished(expected, publishedAt)));
  });
});

describe('ingest of the new sources', () => {
  it('a calendar whose name carries another day than the one it was fetched for is refused, archived as received', async () => {
    const body = JSON.stringify({ data: { rows: [] } });
    const deps = await emulatorDeps(aws, {
      providers: [
        fakeProvider('prices', { '2024-06-10': [file('2024-06-10.json', SCREENER_2024_06_10)] }),
        fakeProvider('split-calendar', { '2024-06-10': [file('splits-2024-06-11.json', body)] }),
      ],
    });
    const result = await runIngest(deps, { kind: 'day', date: '2024-06-10', sources: ['prices', 'split-calendar'] });
    expect(result.files.find((f) => f.source === 'split-calendar')).toMatchObject({
      file: 'splits-2024-06-11.json',
      status: 'rejected',
      reason: "the file name's day 2024-06-11 is not the day it was received for, 2024-06-10",
    });
    expect(result.rejections).toContainEqual({
      file: 'splits-2024-06-11.json',
      line: 0,
      field: '*',
      reason: "the file name's day 2024-06-11 is not the day it was received for, 2024-06-10",
    });
    const raw = await deps.raw.get('raw/split-calendar/2024-06-10/splits-2024-06-11.json');
    expect(Buffer.from(raw?.bytes as Uint8Array).toString('utf8')).toBe(body);
  });

  it('dropped files: a calendar restates from its day, a securities.csv that changes a type from the first stored day', async () => {
    const deps = await emulatorDeps(aws, { now: '2024-06-15T14:00:00Z' });
    const drop = async (name: string, body: string) => {
      await deps.raw.put(`incoming/${name}`, new TextEncoder().encode(body), { contentType: 'text/plain' });
      return runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: `incoming/${name}` });
    };
    const prices = await drop('2024-06-10.json', SCREENER_2024_06_10);
    expect(prices).toMatchObject({ date: '2024-06-10', pricesReady: true });
    await deps.table.advanceCursor('lastComputed', '2024-06-10');

    const calendar = await drop(
      'splits-2024-06-10.json',
      calendarDay([{ symbol: 'NVDA', ratio: '10 : 1', executionDate: '06/10/2024' }]),
    );
    expect(calendar).toMatchObject({ skipped: false, restateFrom: '2024-06-10' });
    expect(calendar.files).toEqual([
      expect.objectContaining({ source: 'split-calendar', date: '2024-06-10', status: 'accepted', rows: 1 }),
    ]);

    const first = await drop('securities.csv', 'symbol,type\nBRK/B,other\nABR^D,preferred\n');
    expect(first).toMatchObject({ skipped: false, restateFrom: '2024-06-10' });
    // Archived under the Saturday it arrived.
    expect(await deps.raw.head('raw/securities/2024-06-15/securities.csv')).toBeDefined();
    // The same types in another order and with a note column: nothing to restate.
    const same = await drop('securities.csv', 'type,symbol,note\npreferred,ABR-PD,x\nother,BRK.B,y\n');
    expect(same).toMatchObject({ skipped: false, restateFrom: null });
    expect(await deps.raw.list('raw/securities/2024-06-15/')).toHaveLength(2);
    const changed = await drop('securities.csv', 'symbol,type\nBRK.B,common\n');
    expect(changed.restateFrom).toBe('2024-06-10');
    expect((await deps.derived.getSecurities())?.overrides).toEqual([{ symbol: 'BRK.B', type: 'common' }]);
  });

  it('a compute run reads a calendar file once, then keeps its entries in its journal', async () => {
    const dir = market(tempDir('split-inputs-io'));
    const deps = await pipeline(dir);
    for (const date of D.slice(0, 4)) await runDaySteps(deps, { date }, { runId: `run-${date}` });
    const reads: string[] = [];
    const counted: PipelineDeps = {
      ...deps,
      derived: {
        ...deps.derived,
        getSplitCalendarDay: (date, name) => {
          reads.push(name);
          return deps.derived.getSplitCalendarDay(date, name);
        },
        getSecurities: () => {
          reads.push('securities');
          return deps.derived.getSecurities();
        },
      },
    };
    for (const date of D.slice(4)) await runDaySteps(counted, { date }, { runId: `run-${date}` });
    expect(reads).toEqual([]);
    // A calendar of D[5] dropped late: ingest looks for an earlier content of it (none), compute reads it
    // once, and D[5] is folded again with it.
    const late = `splits-${D[5]}.json`;
    await deps.raw.put(
      `incoming/${late}`,
      new TextEncoder().encode(calendarDay([{ symbol: 'MIDE', ratio: '7 : 1', executionDate: us(D[5] as string) }])),
      { contentType: 'application/json' },
    );
    const walk = await runDaySteps(counted, objectCreatedEvent(deps.raw.bucket, `incoming/${late}`), {
      runId: 'late-calendar',
    });
    expect(reads).toEqual([late, late]);
    expect(walk.outputs.compute).toMatchObject({ replayedFrom: D[5], dates: [D[5]] });
    const latest = JSON.parse(await latestOf(deps)) as Snapshot;
    // MIDE ×1.0099 (50.5 → 51) and "7 : 1", off rule 3(b)'s list: quarantined (rule 11c) under the late file.
    expect(latest.dataQuality.quarantined.map((q) => [q.symbol, q.file])).toContainEqual(['MIDE', late]);
  });
});
