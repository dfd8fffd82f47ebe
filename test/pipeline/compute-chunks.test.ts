/**
 * A long run folded in chunks (issue 20 item 3) publishes what the same run folded at once publishes, byte for
 * byte. Two pipelines on the in-memory stores get the same generated sample (300 listings, 2025-01-02 …
 * 2025-03-31: late short interest files, splits confirmed days later, a stale day) ingested day by day, then
 * one compute → publish run over every day (a backfill's shape): pipeline A in one invocation, pipeline B
 * with chunks of 11 price days (the least: a chunk must be longer than the 10-day look-ahead), compute and publish called again while publish answers `more`, as the state
 * machine's loop and the local runner do. Then a restatement from the fifth day (a late file's mark on the
 * cursor) is run the same way on both. Every site object, every checkpoint, the stock files and the cursor must
 * be equal.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../functions/lib/events.ts';
import { createDayInvokers } from '../../functions/local/lambda.ts';
import { runDaySteps } from '../../functions/local/runner.ts';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { folderProviders } from '../../functions/providers/folder.ts';
import { tradingDays } from '../../shared/calendar.ts';
import { tempDir, writeMarket, writeSample } from '../local/helpers/market.ts';
import { memoryDeps, type TestDeps } from './helpers/deps.ts';

const FROM = '2025-01-02';
const TO = '2025-03-31';
const DAYS = tradingDays(FROM, TO);

let sample: string;

/** A pipeline on the in-memory stores with every day ingested; `chunkDays` price days per compute invocation. */
async function pipeline(chunkDays: number, dir = sample, days = DAYS) {
  const base = memoryDeps({ now: `${days.at(-1)}T23:30:00Z` });
  const deps: TestDeps = {
    ...base,
    providers: folderProviders({ dir, publicationLag: 0 }),
    config: { ...base.config, computeChunkDays: chunkDays, ledgerOverlapMs: 0 },
  };
  let last: IngestResult | undefined;
  for (const date of days) last = await runIngest(deps, { date, runId: 'backfill' });
  return { deps, raw: base.raw, site: base.site, last: last as IngestResult };
}

/** One run of compute → publish (and again while publish answers `more`), from ingest's result `event`. */
function run(deps: TestDeps, event: IngestResult) {
  return runDaySteps(deps, null, {
    runId: event.runId,
    invokers: { ...createDayInvokers(deps), ingest: async () => event },
  });
}

type Stores = Awaited<ReturnType<typeof pipeline>>;

function objects(store: Stores['site'], keep: (key: string) => boolean) {
  return Object.fromEntries(
    store
      .keys()
      .filter(keep)
      .map((k) => [k, store.get(k)]),
  );
}

async function contents(p: Stores, keep: (key: string) => boolean, bucket: 'raw' | 'site') {
  const store = bucket === 'raw' ? p.raw : p.site;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(objects(store, keep)))
    out[k] = Buffer.from((await v)?.bytes ?? []).toString('base64');
  return out;
}

const checkpoint = (k: string) => /^derived\/state\/\d{4}-\d{2}-\d{2}\.json\.gz$/.test(k);
const stockFiles = (k: string) => k.startsWith('derived/stocks/years/') || k.startsWith('derived/stocks/runs/');

let whole: Stores;
let chunked: Stores;
let wholeWalk: Awaited<ReturnType<typeof run>>;
let chunkedWalk: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
  sample = tempDir('chunks-sample');
  writeSample(sample, { symbols: 300, from: FROM, to: TO, gzip: false });
  whole = await pipeline(126);
  chunked = await pipeline(11);
  wholeWalk = await run(whole.deps, whole.last);
  chunkedWalk = await run(chunked.deps, chunked.last);
}, 600_000);

afterAll(() => {
  if (sample) rmSync(sample, { recursive: true, force: true });
});

describe('a run folded in chunks (issue 20 item 3)', () => {
  it('computes and publishes in chunks, each no longer than its limit plus its look-ahead days', () => {
    expect(wholeWalk.ran.filter((s) => s === 'compute')).toHaveLength(1);
    const computes = chunkedWalk.ran.filter((s) => s === 'compute').length;
    // 60 trading days, chunks of 11: a chunk ends only when 10 accepted days (its look-ahead) and one more follow
    // its end, so chunks end at days 11, 22, 33 and 44, and the last takes the remaining 16.
    expect(DAYS).toHaveLength(60);
    expect(computes).toBe(5);
    expect(chunkedWalk.ran.filter((s) => s === 'publish')).toHaveLength(computes);
    // Every day with a snapshot was published by one of the chunks, as by the whole run.
    expect([...new Set(chunkedWalk.outputs.publish?.published)].sort()).toEqual(
      [...new Set(wholeWalk.outputs.publish?.published)].sort(),
    );
    expect(chunkedWalk.outputs.publish?.more).toBeUndefined();
  });

  it('leaves the site, the checkpoints, the stock files and the cursor as the run folded at once', async () => {
    expect(await contents(chunked, () => true, 'site')).toEqual(await contents(whole, () => true, 'site'));
    expect(await contents(chunked, checkpoint, 'raw')).toEqual(await contents(whole, checkpoint, 'raw'));
    expect(await contents(chunked, stockFiles, 'raw')).toEqual(await contents(whole, stockFiles, 'raw'));
    expect(await chunked.deps.table.getCursor()).toEqual(await whole.deps.table.getCursor());
    // The look-ahead fold's state was saved between chunks (what the next chunk resumed from).
    expect(chunked.raw.keys().filter((k) => k.startsWith('derived/state/side/')).length).toBeGreaterThan(0);
  });

  it('restates from an early day in chunks as at once: the same snapshots, restated on the same day', async () => {
    const early = DAYS[4] as string;
    for (const p of [whole, chunked]) await p.deps.table.markRestateFrom(early);
    const again = { ...whole.last, runId: 'restatement' };
    const w = await run(whole.deps, again);
    const c = await run(chunked.deps, { ...again });
    expect(c.ran.filter((s) => s === 'compute').length).toBeGreaterThan(1);
    expect([...new Set(c.outputs.publish?.published)].sort()).toEqual(
      [...new Set(w.outputs.publish?.published)].sort(),
    );
    expect(w.outputs.publish?.published).toContain(early);
    expect(await contents(chunked, () => true, 'site')).toEqual(await contents(whole, () => true, 'site'));
    expect(await contents(chunked, checkpoint, 'raw')).toEqual(await contents(whole, checkpoint, 'raw'));
    expect(await chunked.deps.table.getCursor()).toEqual(await whole.deps.table.getCursor());
    expect((await chunked.deps.table.getCursor()).restateFrom).toBeNull();
  });
});

/**
 * A split at a chunk's end: SPL splits 2-for-1 on the eleventh day (102 → 51.51), but the screener's share count
 * doubles only on the fourteenth, so rule 3(b) holds it pending three days. In chunks of 11, the first chunk ends on
 * the split day: its snapshot must show the split as the whole run's look-ahead fold does, which it does only
 * because the chunk folds on to give its end its look-ahead days (without that, this test fails: checked). The
 * next chunk's look-ahead fold goes on from the state the previous one saved, the whole run's very fold; here
 * restarting it from the main fold's checkpoint would give the same snapshots too (checked: the look-ahead
 * decides the held split again), so that part rests on the fold being the same one, not on this case.
 */
describe('a pending split at a chunk’s end', () => {
  const D = tradingDays('2025-06-02', '2025-07-03');
  const MIDS = Array.from({ length: 20 }, (_, i) => `MID${String.fromCharCode(65 + i)}`);
  const path = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  let dir: string;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the same snapshots in chunks of 11 as at once', async () => {
    dir = tempDir('chunks-split');
    const n = D.length;
    writeMarket(
      dir,
      D,
      [
        {
          symbol: 'SPL',
          prices: path(n, (i) => (i < 10 ? 100 + 0.2 * i : 51.51 + 0.5 * (i - 10))),
          shares: path(n, (i) => (i < 13 ? 10e6 : 20e6)),
        },
        ...MIDS.map((symbol) => ({ symbol, prices: path(n, (i) => 50 + (i % 3) * 0.5), shares: 100e6 })),
        { symbol: 'MV1', prices: path(n, (i) => 1 + i / 100), shares: null },
        { symbol: 'MV2', prices: path(n, (i) => 2 + i / 100), shares: null },
        { symbol: 'MV3', prices: path(n, (i) => 3 + i / 100), shares: null },
      ],
      { '2025-05-30': { SPL: 1_000_000, ...Object.fromEntries(MIDS.map((m) => [m, 2_000_000])) } },
    );
    const whole = await pipeline(126, dir, D);
    const chunked = await pipeline(11, dir, D);
    await run(whole.deps, whole.last);
    const c = await run(chunked.deps, chunked.last);
    // 23 days: the first chunk ends on the split day, the eleventh; the second takes the rest.
    expect(D).toHaveLength(23);
    expect(c.ran.filter((s) => s === 'compute')).toHaveLength(2);
    const spl = async (p: Stores, day: string) => {
      const o = await p.site.get(`data/snapshots/${day}.json`);
      return JSON.parse(Buffer.from(o?.bytes ?? []).toString('utf8')) as { dataQuality: { pendingSplits: unknown[] } };
    };
    // The whole run's look-ahead shows the split on its day; so must the chunk that ends there.
    expect((await spl(whole, D[10] as string)).dataQuality.pendingSplits).toEqual([]);
    expect(await contents(chunked, () => true, 'site')).toEqual(await contents(whole, () => true, 'site'));
    expect(await contents(chunked, checkpoint, 'raw')).toEqual(await contents(whole, checkpoint, 'raw'));
  });
});
