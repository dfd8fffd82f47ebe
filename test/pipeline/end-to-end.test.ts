/**
 * The whole pipeline day by day on a generated sample (300 listings, 2025-01-02 … 2025-03-31: every
 * trap of docs/sample-data.md, late short interest files, splits confirmed days later), run by the local
 * runner against dynalite and s3rver, with the I/O of each step counted on the ports. Compared with
 * `pulse build` (buildSnapshot + assembleSnapshot) on the same folder.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/adapters/ports.ts';
import { inputPaths } from '../../functions/cli/args.ts';
import { loadInput } from '../../functions/cli/input-folder.ts';
import { type DayReport, type LocalRun, type RunEvent, runLocal } from '../../functions/local/runner.ts';
import { SITE_LATEST_KEY } from '../../functions/pipeline/keys.ts';
import { addTradingDays } from '../../shared/calendar.ts';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import type { SampleManifest } from '../../shared/sample/index.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { countingDeps, type IoCounts, snapshotCounts, subtract, zeroCounts } from '../local/helpers/counting.ts';
import { tempDir, writeSample } from '../local/helpers/market.ts';
import { asPublished } from './helpers/publish.ts';

let input: string;
let state: string;
let manifest: SampleManifest;
let run: LocalRun;
const events: RunEvent[] = [];
/** I/O of each step, by `<day or file>|<step>`. */
const io = new Map<string, IoCounts>();

beforeAll(async () => {
  input = tempDir('e2e-input');
  state = tempDir('e2e-state');
  manifest = writeSample(input, { symbols: 300, from: '2025-01-02', to: '2025-03-31', gzip: false });
  const counts = zeroCounts();
  let open: { key: string; at: IoCounts } | null = null;
  const close = () => {
    if (open) io.set(open.key, subtract(counts, open.at));
    open = null;
  };
  run = await runLocal({
    inputDir: input,
    stateDir: state,
    site: false,
    keepEmulators: true,
    wrapDeps: (deps) => countingDeps(deps, counts),
    onProgress: (event) => {
      events.push(event);
      if (event.kind === 'step') {
        close();
        open = { key: `${event.label}|${event.step}`, at: snapshotCounts(counts) };
      } else if (event.kind === 'day') close();
    },
  });
}, 300_000);

afterAll(async () => {
  await run?.stop();
  rmSync(input, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

async function json<T>(store: ObjectStore, key: string): Promise<T> {
  const o = await store.get(key);
  if (!o) throw new Error(`${key} missing`);
  return JSON.parse(Buffer.from(o.bytes).toString('utf8')) as T;
}

const reportOf = (label: string) => run.reports.find((r) => r.label === label) as DayReport;

function batch(asOf?: string) {
  const loaded = loadInput(inputPaths({ input }));
  const { body } = buildSnapshot({
    days: loaded.priceDays,
    shortInterest: loaded.shortInterest,
    splits: loaded.splits,
    ...(asOf ? { asOf } : {}),
  });
  return { body, loaded };
}

describe('day by day on a generated sample', () => {
  it('runs every trading day, refuses the stale, partial and weekend files by rule 2, drops the late files', () => {
    expect(run.reports.filter((r) => r.kind === 'day')).toHaveLength(manifest.tradingDays);
    const refused = run.reports.filter((r) => r.outcome === 'refused').map((r) => r.label);
    expect(refused).toEqual([
      ...manifest.staleDays,
      ...manifest.partialDays,
      ...manifest.weekendFiles.map((d) => `${d}.json`),
    ]);
    expect(reportOf(manifest.staleDays[0] as string).problems).toEqual([
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}\.json \[day\] refused by rule 2: stale: /),
    ]);
    expect(run.reports.filter((r) => r.outcome === 'failed')).toEqual([]);
    // Settled 03-31 = the last day: FINRA would publish it in April, so it arrives as a drop after the last day.
    const last = manifest.settlementDates.at(-1) as string;
    expect(reportOf(`shrt${last.replaceAll('-', '')}.csv`)).toMatchObject({ kind: 'drop', outcome: 'published' });
  });

  it('the latest snapshot is byte for byte what pulse build writes for the folder, apart from generatedAt', async () => {
    const latest = await run.deps.site.get(SITE_LATEST_KEY);
    const published = JSON.parse(Buffer.from(latest?.bytes as Uint8Array).toString('utf8')) as Snapshot;
    const { body, loaded } = batch();
    const expected = assembleSnapshot(body, {
      generatedAt: published.generatedAt,
      sample: true,
      sources: loaded.sources,
      rejections: loaded.rejections,
    });
    // publish adds when the day was first published (issue 21 item 12), right after generatedAt.
    expect(published.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(Buffer.from(latest?.bytes as Uint8Array).toString('utf8')).toBe(
      JSON.stringify(asPublished(expected, published.publishedAt)),
    );
    expect(published).toMatchObject({ asOf: '2025-03-31', sample: true, restated: false, restatedOn: null });
    // v3: a 3(b) split whose cycle's FINRA file flags it S (the generator flags every split) is decided
    // by rule 3(d) once that file is known, before any share count confirms it.
    expect(published.dataQuality.splits.some((s) => s.rule === '3d')).toBe(true);
    expect(published.dataQuality.splits.map((s) => [s.symbol, s.date, s.rule === '3d' ? '3b' : s.rule])).toEqual(
      manifest.splits.map((s) => [s.symbol, s.date, s.kind === 'override' ? '3c' : s.kind]),
    );
  });

  it('the stock files (issue 19) are those pulse build writes for the folder, apart from generatedAt', async () => {
    const loaded = loadInput(inputPaths({ input }));
    const { stocks } = buildSnapshot({
      days: loaded.priceDays,
      shortInterest: loaded.shortInterest,
      splits: loaded.splits,
      stocks: true,
    });
    if (!stocks) throw new Error('no stock output');
    expect(stocks.stocks.length).toBeGreaterThan(100);
    const index = await json<{ asOf: string; stocks: unknown[] }>(run.deps.site, 'data/stocks/index.json');
    expect(index.asOf).toBe('2025-03-31');
    expect(index.stocks).toEqual(JSON.parse(JSON.stringify(stocks.index)));
    const manifest = await json<Record<string, string>>(run.deps.site, 'data/stocks/manifest.json');
    expect(Object.keys(manifest).sort()).toEqual(stocks.stocks.map((x) => x.symbol).sort());
    for (const expected of stocks.stocks) {
      const { generatedAt, sample, ...published } = await json<Record<string, unknown>>(
        run.deps.site,
        `data/stocks/${expected.symbol}.json`,
      );
      expect(sample).toBe(true);
      expect(typeof generatedAt).toBe('string');
      expect(published).toEqual(JSON.parse(JSON.stringify(expected)));
    }
  });

  it('a short interest file published 7 trading days after settlement restates the days computed before it', async () => {
    // 2024-12-31's file is out on 2025-01-13 (7 trading days later; 2025-01-09 was a closure).
    const release = addTradingDays('2024-12-31', 7);
    expect(release).toBe('2025-01-13');
    const report = reportOf(release);
    const before = ['2025-01-02', '2025-01-03', '2025-01-06', '2025-01-07', '2025-01-08', '2025-01-10'];
    expect(report.restated).toEqual(before);
    expect(report.published).toEqual([...before, release]);
    for (const day of before) {
      const s = await json<Snapshot>(run.deps.site, `data/snapshots/${day}.json`);
      expect(s).toMatchObject({ restated: true, restatedOn: release });
      expect(s.dataQuality.shortInterestSettlementDate).toBe('2024-12-31');
      // The restated day is what a batch as of that day computes with the file.
      const { body } = batch(day);
      expect(JSON.parse(JSON.stringify(s.windows))).toEqual(JSON.parse(JSON.stringify(body.windows)));
      expect(JSON.parse(JSON.stringify(s.crowded))).toEqual(JSON.parse(JSON.stringify(body.crowded)));
    }
  });

  it('a split confirmed days later (rule 3b) restates the held days with the split counted', async () => {
    const late = manifest.splits.find((s) => s.kind === '3b' && s.sharesLagDays === 3) as SampleManifest['splits'][0];
    const confirmed = addTradingDays(late.date, 3);
    const held = [late.date, addTradingDays(late.date, 1), addTradingDays(late.date, 2)];
    expect(reportOf(confirmed).restated).toEqual(expect.arrayContaining(held));
    for (const day of held) {
      const s = await json<Snapshot>(run.deps.site, `data/snapshots/${day}.json`);
      // Restated when the share count confirmed it, and again (v3, rule 3(d)) when the cycle's FINRA file
      // arrived with its S flag: the split stands, decided by the flag.
      expect(s.restated).toBe(true);
      expect(s.restatedOn !== null && s.restatedOn >= confirmed).toBe(true);
      const split = s.dataQuality.splits.find((x) => x.symbol === late.symbol && x.date === late.date);
      expect(split?.factor).toBe(2);
      expect(['3b', '3d']).toContain(split?.rule);
      expect(s.dataQuality.pendingSplits.map((p) => p.symbol)).not.toContain(late.symbol);
    }
    const history = await json<{ rows: { date: string; restated: boolean }[] }>(run.deps.site, 'data/history.json');
    for (const day of held) expect(history.rows.find((r) => r.date === day)?.restated).toBe(true);
  });

  it('incremental: an ordinary day late in the run reads what one early in the run does', () => {
    const ordinary = run.reports.filter(
      (r) => r.kind === 'day' && r.published.length === 1 && r.published[0] === r.date && r.restated.length === 0,
    );
    // Early: once the engine's ring of 24 days is full. Late: before the last days, which also get a
    // Reg SHO file (one more ledger entry to read).
    const early = ordinary.find((r) => r.date >= '2025-02-07') as DayReport;
    const late = ordinary.filter((r) => r.date < (manifest.shortVolumeDates[0] as string)).at(-1) as DayReport;
    const a = io.get(`${early.date}|compute`) as IoCounts;
    const b = io.get(`${late.date}|compute`) as IoCounts;
    const days = run.reports.filter((r) => r.kind === 'day' && r.date > early.date && r.date <= late.date).length;
    expect(days).toBeGreaterThan(25);
    // The same requests: the journal, the previous day's checkpoint, the day's prices, no short interest file;
    // and (issue 19) the year's final days of the per-stock series, which the stock files are made of: one
    // object, one day bigger for each day later in the year (its bytes: below).
    const { 'derived/stocks': stockDaysA = 0, ...restA } = a.getsByPrefix;
    const { 'derived/stocks': stockDaysB = 0, ...restB } = b.getsByPrefix;
    expect(restA).toEqual({ 'derived/journal': 1, 'derived/state': 1, 'derived/prices': 1 });
    expect(restB).toEqual(restA);
    expect(stockDaysA).toBeGreaterThan(0);
    const accepted = run.reports.filter(
      (r) => r.kind === 'day' && r.date > early.date && r.date <= late.date && r.published.includes(r.date),
    ).length;
    expect(accepted).toBeLessThan(days); // rule 2 refused some of them: they are no stock day
    expect(stockDaysA).toBe(1);
    expect(stockDaysB).toBe(1);
    expect(b.s3Requests - b.s3Gets).toBe(a.s3Requests - a.s3Gets);
    expect(b.tableItemsRead).toBe(a.tableItemsRead);
    expect(b.tableRequests).toBe(a.tableRequests);
    // The day's price file is the same size late as early (±10%: listings come and go).
    const bytes = (c: IoCounts, family: string) => c.bytesByPrefix[family] as number;
    expect(Math.abs(bytes(b, 'derived/prices') - bytes(a, 'derived/prices'))).toBeLessThan(
      0.1 * bytes(a, 'derived/prices'),
    );
    // What grows with the days: the year's per-day group sums in the checkpoint (windows need them;
    // dropped each January) and the journal's list of files (snapshot `sources` list every file).
    // A few hundred bytes a day, nothing per symbol-day or per file read.
    const growth = (family: string) => (bytes(b, family) - bytes(a, family)) / days;
    expect(growth('derived/state')).toBeLessThan(1500);
    expect(growth('derived/journal')).toBeLessThan(500);
    const stockDayBytes = (c: IoCounts) => bytes(c, 'derived/stocks') ?? 0;
    expect(b.s3BytesRead - stockDayBytes(b)).toBeLessThan(a.s3BytesRead - stockDayBytes(a) + days * 2000);
    // A stored stock day is four float64 columns, gzip'd: under 32 bytes a symbol (300 listings here), and the
    // year object grows by that for each accepted day.
    const perDay = (stockDayBytes(b) - stockDayBytes(a)) / accepted;
    expect(perDay).toBeGreaterThan(0);
    expect(perDay).toBeLessThan(300 * 32 + 200);
    console.info('compute I/O on an ordinary day', { early: early.date, a, late: late.date, b, days });
  });

  it('a second run on the same state resumes: no day is run again, nothing derived is read', async () => {
    const latest = (await run.deps.site.get(SITE_LATEST_KEY))?.bytes;
    await run.stop();
    const counts = zeroCounts();
    const again: RunEvent[] = [];
    const second = await runLocal({
      inputDir: input,
      stateDir: state,
      site: false,
      keepEmulators: true,
      wrapDeps: (deps) => countingDeps(deps, counts),
      onProgress: (e) => {
        again.push(e);
      },
    });
    run = second;
    expect(second.reports).toEqual([]);
    expect(second.resumed).toBe(manifest.tradingDays);
    expect(again.filter((e) => e.kind === 'step')).toEqual([]);
    expect(again.find((e) => e.kind === 'plan')).toMatchObject({ toRun: 0, drops: 0, done: manifest.tradingDays });
    expect(counts.s3Gets).toBe(0);
    // The emulators' data survived the restart: the same latest snapshot is there.
    expect((await second.deps.site.get(SITE_LATEST_KEY))?.bytes).toEqual(latest);
  });
});
