/**
 * A Lambda killed mid-way — after N of the M writes of its step, not before the first — and the step run
 * again (issue 6, "Faults"). 28 trading days of generated sample data (300 listings, 2025-01-02 to
 * 2025-02-12) are ingested on dynalite + s3rver; compute then folds the 28 days in one run, which makes every
 * kind of write it has: 28 checkpoints, one batch of 27 snapshots (the sample's 2025-02-10 is refused by
 * rule 2), the journal, the cursor, the day's status. The kill (helpers/kill-switch.ts) lets N writes
 * land and fails every command after them, the step's own clean-up included; the re-run (the same
 * execution retried: same run id, same clock) must leave every table item, every object of the raw
 * bucket and every published file exactly as a run that was never killed — no snapshot written twice
 * under another name, no day missing from the site.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPipelineTable } from '../../functions/adapters/dynamo-pipeline-table.ts';
import { createS3ObjectStore } from '../../functions/adapters/s3-object-store.ts';
import { type ComputeResult, runCompute } from '../../functions/pipeline/compute.ts';
import { createPipelineDeps, type PipelineDeps } from '../../functions/pipeline/deps.ts';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { runPublish } from '../../functions/pipeline/publish.ts';
import { folderProviders } from '../../functions/providers/folder.ts';
import { tradingDays } from '../../shared/calendar.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { tempDir, writeSample } from '../local/helpers/market.ts';
import { recordingLog } from '../pipeline/helpers/deps.ts';
import { type KillSwitch, killSwitch, LambdaKilledError } from './helpers/kill-switch.ts';
import { captureState, diffStates, restoreState, type StoreState, type Stores } from './helpers/store-state.ts';

const FROM = '2025-01-02';
const TO = '2025-02-12';
const DAYS = tradingDays(FROM, TO);

let aws: LocalAws;
let sample: string;
let kill: KillSwitch;
let stores: Stores;
let deps: PipelineDeps;
/** After ingest, before compute. */
let ingested: StoreState;
let clean: ComputeResult;
let computeWrites: string[];
/** After the clean compute. */
let computed: StoreState;
/** After the clean compute and the publish of every day but the last. */
let publishedBefore: StoreState;
let publishWrites: string[];
/** After the clean compute and both publishes. */
let published: StoreState;

const LAST = DAYS.at(-1) as string;
const REFUSED = '2025-02-10';
const computeInput = { date: LAST, runId: 'day-run' };

/** Compute's hand-over for some of its days: those days and the batch of each (publish reads nothing else). */
function handOver(result: ComputeResult, dates: string[]) {
  return { dates, snapshotKeys: Object.fromEntries(dates.map((d) => [d, result.snapshotKeys[d] as string])) };
}
async function publishBefore(result: ComputeResult) {
  const dates = result.dates.slice(0, -1);
  await runPublish(deps, { date: dates.at(-1) as string, ...handOver(result, dates), runId: 'publish-before' });
}
// Publish runs under the run id compute returns, as the state machine passes it on.
const publishLast = (result: ComputeResult) =>
  runPublish(deps, { date: LAST, ...handOver(result, [LAST]), runId: 'day-run' });

beforeAll(async () => {
  aws = await startLocalAws();
  sample = tempDir('killed-sample');
  // The generator needs 60 days; the run ingests the first 27 (the folder provider serves by date).
  writeSample(sample, { symbols: 300, from: FROM, to: '2025-03-31', gzip: false });
  kill = killSwitch(aws);
  stores = {
    tableName: await aws.newTable('killed'),
    rawBucket: await aws.newBucket('killed-raw'),
    siteBucket: await aws.newBucket('killed-site'),
  };
  deps = createPipelineDeps({
    raw: createS3ObjectStore({ client: kill.s3, bucket: stores.rawBucket }),
    site: createS3ObjectStore({ client: kill.s3, bucket: stores.siteBucket }),
    table: createDynamoPipelineTable({ client: kill.dynamo, tableName: stores.tableName }),
    providers: folderProviders({ dir: sample, publicationLag: 0 }),
    clock: () => new Date(`${TO}T23:30:00Z`),
    log: recordingLog(),
    config: { siteUrl: 'https://shortpulse.example', ledgerOverlapMs: 0 },
  });
  kill.arm(null);
  for (const date of DAYS) await runIngest(deps, { date, runId: `ingest-${date}` });
  ingested = await captureState(aws, stores);

  kill.arm(null);
  clean = await runCompute(deps, computeInput);
  computeWrites = [...kill.writes];
  computed = await captureState(aws, stores);
  await publishBefore(clean);
  publishedBefore = await captureState(aws, stores);
  kill.arm(null);
  await publishLast(clean);
  publishWrites = [...kill.writes];
  published = await captureState(aws, stores);
}, 600_000);

afterAll(async () => {
  kill?.destroy();
  await aws?.stop();
  if (sample) rmSync(sample, { recursive: true, force: true });
});

const isCheckpoint = (w: string) => /^PutObjectCommand derived\/state\/\d{4}-\d{2}-\d{2}\.json\.gz$/.test(w);
const isSnapshot = (w: string) => w.startsWith('PutObjectCommand derived/snapshots/');

describe('the clean compute of 28 days (the run the killed ones are compared with)', () => {
  it('writes a checkpoint a day, one snapshot batch, then the journal and cursor', () => {
    expect(DAYS).toHaveLength(28);
    // The sample plants a stale day (rule 2): folded and checkpointed, but no snapshot.
    expect(clean.rejectedDays.map((r) => r.date)).toEqual([REFUSED]);
    expect(clean.dates).toEqual(DAYS.filter((d) => d !== REFUSED));
    expect(computeWrites.filter(isCheckpoint)).toHaveLength(28);
    expect(computeWrites.filter(isSnapshot)).toHaveLength(1);
    // The table gets no batch writes and no AGG# items (issue 12: nothing read them).
    expect(computeWrites.filter((w) => w.startsWith('BatchWriteCommand'))).toEqual([]);
    expect([...computed.table.keys()].filter((k) => k.startsWith('AGG#'))).toEqual([]);
    const journal = computeWrites.indexOf('PutObjectCommand derived/state/journal.json.gz');
    expect(journal).toBeGreaterThan(computeWrites.findIndex(isSnapshot));
    expect(computeWrites.indexOf('UpdateCommand PIPELINE/CURSOR', journal)).toBeGreaterThan(journal);
    console.log(`clean compute: ${computeWrites.length} writes: ${summarise(computeWrites)}`);
  });
});

/** `UpdateCommand DAY#… ×1, PutObjectCommand derived/state/… ×27, …` in order of first appearance. */
function summarise(writes: string[]): string {
  const kinds = new Map<string, number>();
  for (const w of writes) {
    const kind = w.replace(/\d{4}-\d{2}-\d{2}/, '…').replace(/\d+ item\(s\)/, 'n item(s)');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${k} ×${n}`).join(', ');
}

/** Where to kill, from the clean run's write sequence: the number of writes that land first. */
const COMPUTE_KILLS: [string, (w: string[]) => number][] = [
  ['after the first checkpoint', (w) => w.findIndex(isCheckpoint) + 1],
  ['half-way through the checkpoints', (w) => w.indexOf(w.filter(isCheckpoint)[13] as string) + 1],
  ['after the last checkpoint, before any snapshot', (w) => w.indexOf(w.filter(isCheckpoint)[27] as string) + 1],
  ['after the snapshot batch', (w) => w.findIndex(isSnapshot) + 1],
  ['after the journal, before the cursor', (w) => w.indexOf('PutObjectCommand derived/state/journal.json.gz') + 1],
  ['before its last write (the lock release)', (w) => w.length - 1],
];

describe('compute killed after N of its M writes, then run again', () => {
  it.each(COMPUTE_KILLS)(
    'killed %s: the re-run leaves the state, the snapshots and the site as a clean run',
    async (label, at) => {
      const n = at(computeWrites);
      const m = computeWrites.length;
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(m);
      await restoreState(aws, stores, ingested);

      kill.arm(n);
      await expect(runCompute(deps, computeInput)).rejects.toBeInstanceOf(LambdaKilledError);
      const landed = kill.writes.length;
      const lastLanded = kill.writes.at(-1);
      // The killed run did change something: that is what the re-run has to absorb.
      expect(diffStates(ingested, await captureState(aws, stores)).length).toBeGreaterThan(0);

      kill.arm(null);
      const rerun = await runCompute(deps, computeInput);
      const rerunWrites = kill.writes.length;
      expect(rerun.dates).toEqual(clean.dates);
      expect(rerun.restated).toEqual(clean.restated);
      const after = await captureState(aws, stores);
      expect(diffStates(computed, after)).toEqual([]);

      // What the state machine does next with the re-run's output.
      await publishBefore(rerun);
      await publishLast(rerun);
      expect(diffStates(published, await captureState(aws, stores))).toEqual([]);
      console.log(
        `compute killed ${label}: ${landed} of ${m} writes landed (last: ${lastLanded}); ` +
          `the re-run made ${rerunWrites} writes; state, ${clean.dates.length} snapshots and the site equal the clean run's`,
      );
    },
  );
});

describe('publish killed after N of its M writes, then run again', () => {
  it('for every N: latest.json switches last, the re-run publishes exactly what a clean run does', async () => {
    const m = publishWrites.length;
    console.log(`clean publish of ${LAST}: ${m} writes: ${publishWrites.join(', ')}`);
    const latestAt = publishWrites.indexOf('PutObjectCommand data/latest.json') + 1;
    expect(latestAt).toBeGreaterThan(0);
    // Every other site write comes before latest.json.
    const siteWrites = publishWrites.filter((w) => /PutObjectCommand (data\/|rss\.xml)/.test(w));
    expect(siteWrites.at(-1)).toBe('PutObjectCommand data/latest.json');
    const previousLatest = publishedBefore.site.get('data/latest.json')?.bytes;
    const newLatest = published.site.get('data/latest.json')?.bytes;
    expect(previousLatest).toBeDefined();
    expect(Buffer.from(newLatest as Uint8Array).equals(Buffer.from(previousLatest as Uint8Array))).toBe(false);

    const seen: string[] = [];
    for (let n = 1; n < m; n++) {
      await restoreState(aws, stores, publishedBefore);
      kill.arm(n);
      await expect(publishLast(clean)).rejects.toBeInstanceOf(LambdaKilledError);
      const killedState = await captureState(aws, stores);
      const latest = killedState.site.get('data/latest.json')?.bytes as Uint8Array;
      // Readers see yesterday's day until latest.json itself has landed.
      expect(Buffer.from(latest).equals(Buffer.from((n < latestAt ? previousLatest : newLatest) as Uint8Array))).toBe(
        true,
      );
      kill.arm(null);
      await publishLast(clean);
      expect(diffStates(published, await captureState(aws, stores)), `killed after ${n} writes`).toEqual([]);
      seen.push(`${n}: ${publishWrites[n - 1]}`);
    }
    expect(seen).toHaveLength(m - 1);
    console.log(`publish killed after each of 1..${m - 1} writes, each re-run equal to the clean publish`);
  });
});
