/**
 * The three Lambda handlers, invoked as Lambda invokes them: the exported middy chain (built by
 * functions/<step>/create-handler.ts, as each handler.ts builds it at init) with the raw event Step
 * Functions passes, against dynalite and s3rver. Each step's result is the next one's event; a malformed
 * event is refused by the handler's schema before any work.
 */
import '../../functions/local/powertools-env.ts';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComputeHandler } from '../../functions/compute/create-handler.ts';
import { createIngestHandler } from '../../functions/ingest/create-handler.ts';
import { type ComputeResult, EventValidationError, type IngestResult } from '../../functions/lib/events.ts';
import { rawEventHandler } from '../../functions/lib/middy.ts';
import { type Emulators, startEmulators } from '../../functions/local/emulators.ts';
import { localLambdaContext, objectCreatedEvent } from '../../functions/local/lambda.ts';
import { runExecution } from '../../functions/local/runner.ts';
import { createAwsDeps, type PipelineDeps } from '../../functions/pipeline/deps.ts';
import { archiveUpload } from '../../functions/pipeline/ingest.ts';
import { createPublishHandler } from '../../functions/publish/create-handler.ts';
import { tempDir, writeSample } from './helpers/market.ts';

const DAY = '2025-01-02';
const NEXT = '2025-01-03';

let input: string;
let state: string;
let emulators: Emulators;
let deps: PipelineDeps;

beforeAll(async () => {
  input = tempDir('handlers-input');
  writeSample(input, { symbols: 300, from: DAY, to: '2025-03-31', gzip: false });
  state = tempDir('handlers-state');
  emulators = await startEmulators({ dir: path.join(state, 'emulators') });
  // What handler.ts does at init, with the emulators' environment instead of Lambda's.
  deps = createAwsDeps({ ...emulators.env, PROVIDERS: 'folder', INPUT_DIR: input, SHORT_INTEREST_LAG_DAYS: '7' });
}, 120_000);

afterAll(async () => {
  await emulators?.stop();
  for (const dir of [input, state]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const invoke = <R>(handler: (event: never, context: never) => Promise<R>, event: unknown) =>
  rawEventHandler(handler)(event, localLambdaContext('test'));

describe('the Lambda handlers on the emulators, with Step Functions events', () => {
  let ingested: IngestResult;
  let computed: ComputeResult;

  it('ingest, given { date }, archives and parses the day and returns compute’s event', async () => {
    const result = await invoke(createIngestHandler(deps), { date: DAY });
    expect(result).toMatchObject({ date: DAY, skipped: false, pricesReady: true });
    ingested = result as IngestResult;
    expect(ingested.files).toContainEqual(expect.objectContaining({ source: 'prices', status: 'accepted' }));
    expect(ingested.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await deps.raw.list('raw/prices/')).length).toBeGreaterThan(0);
  });

  it('compute, given ingest’s result, writes the snapshot batch and returns publish’s event', async () => {
    computed = await invoke(createComputeHandler(deps), ingested);
    expect(computed).toMatchObject({ date: DAY, skipped: false, through: DAY, runId: ingested.runId });
    expect(computed.dates).toContain(DAY);
    const key = computed.snapshotKeys[DAY];
    expect(key).toMatch(/^derived\/snapshots\/runs\//);
    expect(await deps.raw.get(key as string)).toBeDefined();
  });

  it('publish, given compute’s result, writes the day’s snapshot and latest.json', async () => {
    const result = await invoke(createPublishHandler(deps), computed);
    expect(result).toMatchObject({ date: DAY, skipped: false });
    expect(result.published).toContain(DAY);
    expect(await deps.site.get(`data/snapshots/${DAY}.json`)).toBeDefined();
    expect(await deps.site.get('data/latest.json')).toBeDefined();
  });

  it('ingest, given a backfill { from, to }, plans the days whose prices are archived; the execution ingests them from the archive, then computes and publishes once', async () => {
    // DAY is archived (ingested above); NEXT and 2025-01-06 are not: missing, never planned (issue 18).
    const plan = await invoke(createIngestHandler(deps), { from: DAY, to: '2025-01-06' });
    expect(plan).toMatchObject({ dates: [DAY], missing: [NEXT, '2025-01-06'], summary: { date: DAY, skipped: false } });
    // Uploaded into the raw archive (pulse upload-history), not dropped under incoming/: no execution per file.
    const file = `${NEXT}.json`;
    const uploaded = await archiveUpload(deps, file, readFileSync(path.join(input, 'prices', file)), `file://${file}`);
    expect(uploaded).toMatchObject({
      status: 'archived',
      source: 'prices',
      date: NEXT,
      key: `raw/prices/${NEXT}/${file}`,
    });
    const run = await runExecution(deps, { from: NEXT, to: NEXT });
    expect(run.plan).toMatchObject({ dates: [NEXT], missing: [] });
    if (run.plan === null) throw new Error('a backfill has a plan');
    expect(run.ingests.map((r) => [r.date, r.pricesReady])).toEqual([[NEXT, true]]);
    // From the archive only: no provider was asked (the folder provider would have read NEXT's other files).
    expect(run.ingests[0]?.files.filter((f) => f.source === 'prices')).toEqual([
      expect.objectContaining({ file, status: 'accepted' }),
    ]);
    expect(run.steps.ran).toEqual(['ingest', 'compute', 'publish']);
    expect(run.steps.outputs.publish?.published).toContain(NEXT);
  });

  it('ingest, given the S3 "Object Created" event of a drop, ingests the dropped file', async () => {
    const key = 'incoming/2025-01-07.json';
    await deps.raw.put(key, readFileSync(path.join(input, 'prices', '2025-01-07.json')), {
      contentType: 'application/json',
    });
    const result = (await invoke(createIngestHandler(deps), objectCreatedEvent(deps.raw.bucket, key))) as IngestResult;
    expect(result.files).toEqual([
      expect.objectContaining({ source: 'prices', file: '2025-01-07.json', status: 'accepted' }),
    ]);
  });

  it('refuses a malformed event in each handler, naming the field, before any work', async () => {
    const refused = async (p: Promise<unknown>) => {
      const error = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EventValidationError);
      return (error as Error).message;
    };
    expect(await refused(invoke(createIngestHandler(deps), { date: '2025-02-30' }))).toMatch(
      /^ingest: invalid event: date: expected a calendar date/,
    );
    expect(await refused(invoke(createIngestHandler(deps), { date: DAY, runId: 'mine' }))).toContain(
      'runId: unexpected field',
    );
    expect(await refused(invoke(createComputeHandler(deps), { ...ingested, snapshots: [] }))).toContain(
      'compute: invalid event: snapshots: unexpected field',
    );
    expect(await refused(invoke(createPublishHandler(deps), { ...computed, snapshotKeys: {} }))).toContain(
      `publish: invalid event: snapshotKeys: no snapshot batch for ${DAY}`,
    );
  });
});
