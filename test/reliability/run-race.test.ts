/**
 * Overlapping runs (issue 20 item 1). Three consecutive trading days, each its own execution (ingest → compute →
 * publish, each step its Lambda handler, each execution with its own adapters as separate Lambdas would have),
 * are started together on dynalite + s3rver, in many interleavings: each seed delays the executions' starts and
 * every call each one makes to DynamoDB and S3 by its own pseudo-random amounts. Without the run lock the three
 * read the same journal, history.json and latest.json and write over one another (the issue saw `latest.json` a
 * day behind and a `history.json` row lost in 3 of 30 seeded runs, each execution "successful").
 *
 * With it (functions/pipeline/run-lock.ts, taken by the runner as the state machine takes it) every run must end
 * in the state a sequential run of the same three executions, in the order they got the lock, leaves: every
 * table item, every object of the raw and site buckets, byte for byte. Which order is the lock's: a run that
 * waits may get it before an earlier day's (the waiting is not a queue), and the final state is then the one
 * that order gives when run one after another — never a mix.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPipelineTable } from '../../functions/adapters/dynamo-pipeline-table.ts';
import type { ObjectStore, PipelineTable } from '../../functions/adapters/ports.ts';
import { createS3ObjectStore } from '../../functions/adapters/s3-object-store.ts';
import { runDaySteps } from '../../functions/local/runner.ts';
import { createPipelineDeps, type PipelineDeps } from '../../functions/pipeline/deps.ts';
import { SITE_HISTORY_KEY, SITE_LATEST_KEY } from '../../functions/pipeline/keys.ts';
import { folderProviders } from '../../functions/providers/folder.ts';
import { tradingDays } from '../../shared/calendar.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { mulberry32 } from '../helpers/random.ts';
import { tempDir, writeSample } from '../local/helpers/market.ts';
import { recordingLog } from '../pipeline/helpers/deps.ts';
import { captureState, diffStates, restoreState, type StoreState, type Stores } from './helpers/store-state.ts';

const FROM = '2025-01-02';
const DAYS = tradingDays(FROM, '2025-01-17');
/** Run one after another before the race (the published history the three runs build on). */
const BEFORE = DAYS.slice(0, -3);
const RACE = DAYS.slice(-3);
/** Seeds of the interleavings tried (each a different pattern of delays); PULSE_RACE_SEEDS=30 tries more. */
const SEEDS = Array.from({ length: Number(process.env.PULSE_RACE_SEEDS ?? 8) }, (_, i) => 1_000 + i);
/**
 * PULSE_RACE_NO_LOCK=1: the control experiment, every execution told it holds the run lock (as before issue 20
 * item 1); the interleavings then end in states no sequential run gives, and the test fails listing them.
 */
const NO_LOCK = process.env.PULSE_RACE_NO_LOCK === '1';
const CLOCK = `${RACE.at(-1)}T23:30:00Z`;

let aws: LocalAws;
let sample: string;
let stores: Stores;
let base: StoreState;
const references = new Map<string, StoreState>();

const random = mulberry32;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every method of `target` awaits a delay drawn from `next` before it runs: the interleaving of one seed. */
function delayed<T extends object>(target: T, next: () => number): T {
  return new Proxy(target, {
    get(object, name, receiver) {
      const value = Reflect.get(object, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await pause(Math.floor(next() * 4));
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

/**
 * The ledger index orders entries by the time the table records them (`recordedAt`, in the index's key). Each
 * execution's table gets a clock that stands still at a second of its own, the n-th execution to get the run
 * lock at CLOCK + n s, so a sequential run in the same order records the same seconds; within one execution the
 * table adds a millisecond per entry in the order its concurrent writes happen to land, which no run relies on
 * (entries are read back by position after the journal's) and which `sameSecond` leaves out of the comparison.
 */
function executionClock(): { clock: () => Date; start: (ordinal: number) => void } {
  let at = Date.parse(CLOCK);
  return { clock: () => new Date(at), start: (ordinal) => (at = Date.parse(CLOCK) + 1_000 * (ordinal + 1)) };
}

/** A table item's id and JSON with the ledger index's times cut to the second (see executionClock). */
function sameSecond(state: StoreState): StoreState {
  const cut = (text: string) => text.replace(/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d{3}Z/g, '$1Z');
  const table = new Map(
    [...state.table].map(([id, json]) => (id.startsWith('LEDGER|') ? [cut(id), cut(json)] : [id, json])),
  );
  return { ...state, table };
}

/** One execution's adapters and services, as its own Lambdas would have them. */
function executionDeps(clock: () => Date, next: (() => number) | null): PipelineDeps {
  const wrap = <T extends object>(x: T): T => (next ? delayed(x, next) : x);
  const dynamo = createDynamoPipelineTable({ client: aws.dynamo, tableName: stores.tableName, clock });
  const table: PipelineTable = NO_LOCK
    ? { ...dynamo, acquireRunLock: async (owner, expiresAt) => ({ acquired: true, lock: { owner, expiresAt } }) }
    : dynamo;
  const raw: ObjectStore = createS3ObjectStore({ client: aws.s3, bucket: stores.rawBucket });
  const site: ObjectStore = createS3ObjectStore({ client: aws.s3, bucket: stores.siteBucket });
  return createPipelineDeps({
    raw: wrap(raw),
    site: wrap(site),
    table: wrap(table),
    providers: folderProviders({ dir: sample, publicationLag: 0 }),
    clock: () => new Date(CLOCK),
    log: recordingLog(),
    config: { siteUrl: 'https://shortpulse.example', ledgerOverlapMs: 0 },
  });
}

const runId = (date: string) => `exec-${date}`;

/** The three executions one after another in `order`, from the base state. */
async function sequential(order: string[]): Promise<StoreState> {
  const key = order.join(',');
  const known = references.get(key);
  if (known) return known;
  await restoreState(aws, stores, base);
  for (const [n, date] of order.entries()) {
    const time = executionClock();
    time.start(BEFORE.length + n);
    await runDaySteps(executionDeps(time.clock, null), { date }, { runId: runId(date), withStocks: false });
  }
  const state = sameSecond(await captureState(aws, stores));
  references.set(key, state);
  return state;
}

/** The three executions started together under one seed; the order they got the run lock in. */
async function race(seed: number): Promise<{ order: string[]; state: StoreState }> {
  await restoreState(aws, stores, base);
  const next = random(seed);
  const order: string[] = [];
  await Promise.all(
    RACE.map(async (date) => {
      const time = executionClock();
      const deps = executionDeps(time.clock, random(Math.floor(next() * 2 ** 31)));
      await pause(Math.floor(next() * 12));
      const onLock = () => {
        time.start(BEFORE.length + order.length);
        order.push(date);
      };
      await runDaySteps(deps, { date }, { runId: runId(date), runLock: { waitMs: 3 }, onLock, withStocks: false });
    }),
  );
  return { order, state: sameSecond(await captureState(aws, stores)) };
}

beforeAll(async () => {
  aws = await startLocalAws();
  sample = tempDir('race-sample');
  writeSample(sample, { symbols: 300, from: FROM, to: '2025-03-31', gzip: false });
  stores = {
    tableName: await aws.newTable('race'),
    rawBucket: await aws.newBucket('race-raw'),
    siteBucket: await aws.newBucket('race-site'),
  };
  for (const [n, date] of BEFORE.entries()) {
    const time = executionClock();
    time.start(n);
    await runDaySteps(executionDeps(time.clock, null), { date }, { runId: runId(date) });
  }
  base = await captureState(aws, stores);
}, 300_000);

afterAll(async () => {
  await aws?.stop();
  if (sample) rmSync(sample, { recursive: true, force: true });
});

describe('three consecutive days started together (issue 20 item 1)', () => {
  it('the sequential run publishes the three days: latest.json is the last, history.json has every row', async () => {
    const state = await sequential(RACE);
    const latest = JSON.parse(Buffer.from(state.site.get(SITE_LATEST_KEY)?.bytes ?? []).toString('utf8'));
    expect(latest.asOf).toBe(RACE.at(-1));
    const history = JSON.parse(Buffer.from(state.site.get(SITE_HISTORY_KEY)?.bytes ?? []).toString('utf8'));
    const dates = (history.rows as { date: string }[]).map((r) => r.date);
    for (const d of RACE) expect(dates).toContain(d);
    // Nothing left behind: the run lock is free.
    expect(state.table.get('PIPELINE|RUN')).toBe(JSON.stringify({ pk: 'PIPELINE', sk: 'RUN' }));
  }, 120_000);

  it("every seeded interleaving ends in the state of the sequential run in the lock's order, byte for byte", async () => {
    const orders = new Set<string>();
    const differences: string[] = [];
    for (const seed of SEEDS) {
      const { order, state } = await race(seed);
      expect(order.slice().sort(), `seed ${seed}: each execution took the lock once`).toEqual(RACE);
      orders.add(order.join(','));
      const diff = diffStates(await sequential(order), state);
      if (diff.length > 0) differences.push(`seed ${seed}, order ${order.join(' → ')}: ${diff.join('; ')}`);
    }
    expect(differences).toEqual([]);
    // The seeds did interleave: the lock was taken in more than one order.
    expect(orders.size).toBeGreaterThan(1);
  }, 600_000);
});
