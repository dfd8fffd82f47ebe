/**
 * Compute against dynalite and s3rver (real wire protocol) on a hand-made market written in the real
 * formats, driven day by day through the state machine's steps (ingest → compute → publish) as the
 * local runner does. Every expected figure below is computed by hand from the prices and positions.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/adapters/ports.ts';
import { inputPaths } from '../../functions/cli/args.ts';
import { loadInput } from '../../functions/cli/input-folder.ts';
import { parseStepEvent, publishEventSchema } from '../../functions/lib/events.ts';
import { objectCreatedEvent } from '../../functions/local/lambda.ts';
import { runDaySteps } from '../../functions/local/runner.ts';
import { type ComputeResult, ComputeStateError, runCompute } from '../../functions/pipeline/compute.ts';
import type { PipelineDeps } from '../../functions/pipeline/deps.ts';
import { DayIncompleteError } from '../../functions/pipeline/ingest.ts';
import { derivedStateKey, SITE_HISTORY_KEY, SITE_LATEST_KEY } from '../../functions/pipeline/keys.ts';
import { runPublish } from '../../functions/pipeline/publish.ts';
import { folderProviders } from '../../functions/providers/folder.ts';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';
import type { History, Snapshot } from '../../shared/snapshot/schema.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { tempDir, writeMarket } from '../local/helpers/market.ts';
import { expectClose } from '../methodology/helpers.ts';
import { emulatorDeps } from './helpers/deps.ts';
import { asPublished } from './helpers/publish.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws.stop();
});

const D = ['2025-06-02', '2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06', '2025-06-09', '2025-06-10'];

/** Twenty mid caps without events (100M shares, 2M sold short each), so one held-out symbol is a small share. */
const MIDS = Array.from({ length: 20 }, (_, i) => `MID${String.fromCharCode(65 + i)}`);

/**
 * SPL (small cap, 10M shares) splits 2-for-1 on D[2] (price 102 → 51.51, +1% adjusted), but the
 * screener's share count only doubles on D[5]: rule 3(b) holds the split pending until then. The mid
 * caps move together (50 → 50.5 → 51 → 50 …). MV1–3 move every day without a market cap (they keep
 * days from looking stale and stay out of every figure). Short interest settled 2025-05-30 (SPL 1M,
 * each mid cap 2M shares) is published 3 trading days later, on D[2]: D[0] and D[1] are computed
 * without it, then restated.
 */
function market(dir: string): string {
  return writeMarket(
    dir,
    D,
    [
      {
        symbol: 'SPL',
        prices: [100, 102, 51.51, 52, 52.5, 53, 53.5],
        shares: [10e6, 10e6, 10e6, 10e6, 10e6, 20e6, 20e6],
      },
      ...MIDS.map((symbol) => ({ symbol, prices: [50, 50.5, 51, 50, 50.5, 51, 51.5], shares: 100e6 })),
      { symbol: 'MV1', prices: [1, 1.01, 1.02, 1.03, 1.04, 1.05, 1.06], shares: null },
      { symbol: 'MV2', prices: [2, 2.01, 2.02, 2.03, 2.04, 2.05, 2.06], shares: null },
      { symbol: 'MV3', prices: [3, 3.01, 3.02, 3.03, 3.04, 3.05, 3.06], shares: null },
    ],
    { '2025-05-30': { SPL: 1_000_000, ...Object.fromEntries(MIDS.map((m) => [m, 2_000_000])) } },
  );
}

async function pipeline(dir: string): Promise<PipelineDeps> {
  const deps = await emulatorDeps(aws, {
    providers: folderProviders({ dir, publicationLag: 3 }),
    now: '2025-06-10T23:30:00Z',
  });
  return { ...deps, config: { ...deps.config, ledgerOverlapMs: 0 } };
}

async function readJson<T>(store: ObjectStore, key: string): Promise<T> {
  const o = await store.get(key);
  if (!o) throw new Error(`${key} missing`);
  return JSON.parse(Buffer.from(o.bytes).toString('utf8')) as T;
}

const siteSnapshot = (deps: PipelineDeps, date: string) => readJson<Snapshot>(deps.site, `data/snapshots/${date}.json`);

async function everyObject(store: ObjectStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { key } of await store.list('')) {
    const o = await store.get(key);
    out[key] = createHash('sha256')
      .update(o?.bytes ?? new Uint8Array())
      .digest('hex');
  }
  return out;
}

describe('restatement: a late short interest file and a pending split', () => {
  it('restates the days before the file arrives, then the held days once the split is confirmed', async () => {
    const deps = await pipeline(market(tempDir('compute-restate')));
    const seen = new Map<string, Snapshot>();
    const results: Record<string, { dates?: string[]; restated?: string[] }> = {};
    for (const date of D.slice(0, 6)) {
      const walk = await runDaySteps(deps, { date }, { runId: `run-${date}` });
      expect(walk.ran).toEqual(['ingest', 'compute', 'publish']);
      results[date] = walk.outputs.compute as { dates?: string[]; restated?: string[] };
      seen.set(date, await siteSnapshot(deps, date));
    }

    // D[1] as first published: no short interest file yet, so no exposure.
    const firstD1 = seen.get(D[1] as string) as Snapshot;
    expect(firstD1.restated).toBe(false);
    expect(firstD1.windows['1d'].groups.total.avgShortInterestUsd).toBe(0);

    // D[2]: the 2025-05-30 file is published; D[0] and D[1] are restated on D[2].
    expect(results[D[2] as string]).toMatchObject({ dates: [D[0], D[1], D[2]], restated: [D[0], D[1]] });
    const d1 = await siteSnapshot(deps, D[1] as string);
    expect(d1).toMatchObject({ restated: true, restatedOn: D[2] });
    // SPL: E = 1M · 100 = $100M, R = 102/100 − 1 = 2% → −$2M; each mid cap: 2M · 50 = $100M, R = 1% → −$1M.
    expectClose(d1.windows['1d'].groups.small.pnlUsd, -2e6);
    expectClose(d1.windows['1d'].groups.mid.pnlUsd, -20e6);
    expectClose(d1.windows['1d'].groups.total.avgShortInterestUsd, 1e8 + 20 * 1e8);
    expect(d1.windows['1d'].groups.total.symbols).toBe(21);
    expect(d1.dataQuality.shortInterestSettlementDate).toBe('2025-05-30');

    // D[2] as first published: SPL's halving is a pending split, SPL held out of every figure.
    const firstD2 = seen.get(D[2] as string) as Snapshot;
    expect(firstD2.dataQuality.pendingSplits.map((p) => [p.symbol, p.date])).toEqual([['SPL', D[2]]]);
    expect(firstD2.windows['1d'].groups.small.pnlUsd).toBe(0);
    expect(firstD2.windows['1d'].groups.small.symbols).toBe(0);
    // The mid caps alone: 20 · 2M · 50.5 · (51/50.5 − 1) = 20 · 2M · 0.5.
    expectClose(firstD2.windows['1d'].groups.total.pnlUsd, -20e6);
    expect(firstD2.windows['1d'].groups.total.symbols).toBe(20);

    // D[5]: the share count doubles, the split is confirmed (rule 3b) and D[2]–D[4] are restated on D[5].
    expect(results[D[5] as string]).toMatchObject({ dates: [D[2], D[3], D[4], D[5]], restated: [D[2], D[3], D[4]] });
    const d2 = await siteSnapshot(deps, D[2] as string);
    expect(d2).toMatchObject({ restated: true, restatedOn: D[5] });
    expect(d2.dataQuality.pendingSplits).toEqual([]);
    expect(d2.dataQuality.splits).toEqual([{ symbol: 'SPL', date: D[2], factor: 2, rule: '3b' }]);
    // E = 1M · 102, adjusted growth (51.51/102) · 2 = 1.01 → −1M · (103.02 − 102) = −$1.02M.
    expectClose(d2.windows['1d'].groups.small.pnlUsd, -1.02e6);
    expect(d2.windows['1d'].groups.small.symbols).toBe(1);
    // From D[3] on SPL's position counts 2M shares (rule 4: split after the settlement date).
    const d3 = await siteSnapshot(deps, D[3] as string);
    expect(d3).toMatchObject({ restated: true, restatedOn: D[5] });
    expectClose(d3.windows['1d'].groups.small.pnlUsd, -2e6 * (52 - 51.51));
    const d4 = await siteSnapshot(deps, D[4] as string);
    expectClose(d4.windows['1d'].groups.small.pnlUsd, -2e6 * (52.5 - 52));
    const d5 = await siteSnapshot(deps, D[5] as string);
    expect(d5).toMatchObject({ restated: false, restatedOn: null });
    expectClose(d5.windows['1d'].groups.small.pnlUsd, -2e6 * (53 - 52.5));
    // Month to date (D[0] is June's first day but the first accepted one: not counted): D[1]…D[5].
    expectClose(d5.windows.mtd.groups.small.pnlUsd, -2e6 - 1.02e6 - 0.98e6 - 1e6 - 1e6);
    expect(d5.dataQuality.splits).toEqual([{ symbol: 'SPL', date: D[2], factor: 2, rule: '3b' }]);

    // history.json follows the restated snapshots.
    const history = await readJson<History>(deps.site, SITE_HISTORY_KEY);
    const row = (date: string) => history.rows.find((r) => r.date === date);
    expect(history.rows.map((r) => [r.date, r.restated])).toEqual([
      [D[0], true],
      [D[1], true],
      [D[2], true],
      [D[3], true],
      [D[4], true],
      [D[5], false],
    ]);
    expectClose(row(D[2] as string)?.['1d'].small.pnlUsd, -1.02e6);
    expectClose(row(D[2] as string)?.['1d'].small.avgShortInterestUsd, 1.02e8);
  });
});

describe('late arrivals in any order', () => {
  it('a price day that arrives after the days following it is folded into place: the result is the batch', async () => {
    const dir = market(tempDir('compute-order'));
    const late = D[2] as string;
    const lateFile = path.join(dir, 'prices', `${late}.json`);
    const bytes = readFileSync(lateFile);
    rmSync(lateFile);
    const deps = await pipeline(dir);
    for (const date of D) {
      const walk = await runDaySteps(deps, { date }, { runId: `run-${date}` }).catch((e: unknown) => e);
      if (date === late) expect(walk).toBeInstanceOf(DayIncompleteError);
    }
    expect(await deps.site.get(`data/snapshots/${late}.json`)).toBeUndefined();

    // The screener file of D[2] is dropped four days late: ingest marks D[2] to restate, compute folds
    // D[2]…D[6] again from D[1]'s checkpoint.
    writeFileSync(lateFile, bytes);
    await deps.raw.put(`incoming/${late}.json`, bytes, { contentType: 'application/json' });
    const drop = await runDaySteps(deps, objectCreatedEvent(deps.raw.bucket, `incoming/${late}.json`), {
      runId: 'drop',
    });
    expect(drop.outputs.compute).toMatchObject({ replayedFrom: late, dates: D.slice(2), through: D[6] });

    const loaded = loadInput(inputPaths({ input: dir }));
    const { body } = buildSnapshot({
      days: loaded.priceDays,
      shortInterest: loaded.shortInterest,
      splits: loaded.splits,
    });
    const latest = await deps.site.get(SITE_LATEST_KEY);
    const text = Buffer.from(latest?.bytes as Uint8Array).toString('utf8');
    const { generatedAt, publishedAt } = JSON.parse(text) as Snapshot;
    const expected = assembleSnapshot(body, { generatedAt, sample: false, sources: loaded.sources, rejections: [] });
    expect(text).toBe(JSON.stringify(asPublished(expected, publishedAt)));
    // The late day's first snapshot counts SPL's split, confirmed by then (look-ahead to D[5]).
    const d2 = await siteSnapshot(deps, late);
    expect(d2.dataQuality.splits).toEqual([{ symbol: 'SPL', date: late, factor: 2, rule: '3b' }]);
    expectClose(d2.windows['1d'].groups.small.pnlUsd, -1.02e6);
  });
});

describe('idempotency', () => {
  it('computing and publishing the same day again, or dropping the same file twice, changes nothing', async () => {
    const dir = market(tempDir('compute-idem'));
    const deps = await pipeline(dir);
    for (const date of D) await runDaySteps(deps, { date }, { runId: `run-${date}` });
    const before = { raw: await everyObject(deps.raw), site: await everyObject(deps.site) };
    const cursor = await deps.table.getCursor();

    const again = await runDaySteps(deps, { date: D[6] as string }, { runId: 'again' });
    expect(again.outputs.ingest).toMatchObject({ skipped: false, rows: 0 });
    expect(again.outputs.compute).toMatchObject({ dates: [D[6]], replayedFrom: null, restated: [] });
    expect(again.outputs.publish).toMatchObject({ published: [D[6]] });

    // An earlier day run again (a backfill over published days) republishes its latest snapshot — D[2]'s
    // as restated on D[5]: compute answers with the batch its journal names — not the one first computed for it.
    const old = await runDaySteps(deps, { date: D[2] as string }, { runId: 'again-old' });
    expect(old.outputs.compute).toMatchObject({ dates: [D[2]], replayedFrom: null, restated: [] });
    expect(Object.keys((old.outputs.compute as ComputeResult).snapshotKeys ?? {})).toEqual([D[2]]);
    expect(old.outputs.publish).toMatchObject({ published: [D[2]], latest: null });
    // A publish re-run by hand is given compute's result (the Publish state's input of the execution), never
    // compute's journal: compute run again for the day answers with the batch of its latest snapshot.
    const computed = await runCompute(deps, { date: D[4] as string, runId: 'by-hand' });
    expect(computed).toMatchObject({ dates: [D[4]], replayedFrom: null });
    const byHand = await runPublish(deps, parseStepEvent('publish', publishEventSchema, { ...computed }));
    expect(byHand).toMatchObject({ published: [D[4]], latest: null });

    // The same short interest file dropped twice: archived once, ingested once, nothing downstream.
    const bytes = (await deps.raw.get('raw/short-interest/2025-05-30/shrt20250530.csv'))?.bytes as Uint8Array;
    for (const attempt of [1, 2]) {
      await deps.raw.put('incoming/shrt20250530.csv', bytes, { contentType: 'text/plain' });
      const drop = await runDaySteps(deps, objectCreatedEvent(deps.raw.bucket, 'incoming/shrt20250530.csv'), {
        runId: `drop-${attempt}`,
      });
      expect(drop.ran).toEqual(['ingest']);
      expect(drop.outputs.ingest).toMatchObject({ skipped: true, reason: 'already ingested' });
    }
    await deps.raw.delete('incoming/shrt20250530.csv');

    expect(await everyObject(deps.site)).toEqual(before.site);
    expect(await everyObject(deps.raw)).toEqual(before.raw);
    expect(await deps.table.getCursor()).toEqual(cursor);
  });
});

describe('refusals', () => {
  it('another run holding the day: compute throws the retryable DayLockedError and writes nothing', async () => {
    const deps = await pipeline(market(tempDir('compute-lock')));
    await runDaySteps(deps, { date: D[0] as string }, { runId: 'first' });
    const before = await everyObject(deps.raw);
    const now = Date.parse('2025-06-10T23:30:00Z');
    expect((await deps.table.acquireDayLock(D[0] as string, 'someone-else', now + 60_000, now)).acquired).toBe(true);
    const refused = runCompute(deps, { date: D[0] as string, runId: 'second' });
    await expect(refused).rejects.toMatchObject({
      name: 'DayLockedError',
      message: `compute: day ${D[0]} is being processed by someone-else until ${new Date(now + 60_000).toISOString()}; retried until the lock is released or expires`,
    });
    expect(await everyObject(deps.raw)).toEqual(before);
  });

  it('a checkpoint that is not what compute wrote fails the run naming the key and field', async () => {
    const deps = await pipeline(market(tempDir('compute-bad-state')));
    await runDaySteps(deps, { date: D[0] as string }, { runId: 'first' });
    await deps.derived.putCheckpoint(D[0] as string, { v: 1, date: D[0], state: { version: 1, dayCount: 'one' } });
    // The next day starts from D[0]'s checkpoint.
    const error = await runDaySteps(deps, { date: D[1] as string }, { runId: 'second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComputeStateError);
    expect(error).toMatchObject({ key: derivedStateKey(D[0] as string), field: 'state.dayCount' });
  });
});
