/**
 * Issue 18, "AWS backfill that works", on the emulators: a year of history in the input layout goes into the
 * raw archive (`pulse upload-history`), ONE backfill execution `{ from, to }` plans only the days whose prices
 * are archived (a day without them is reported, never waited for), ingests each from the archive, computes
 * once and publishes every day; what it publishes is what `pulse build` computes from the same folder.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators } from '../../functions/local/emulators.ts';
import { type RunEvent, runLocal } from '../../functions/local/runner.ts';
import { type UploadLocalResult, uploadHistoryLocal } from '../../functions/local/upload-history.ts';
import { createAwsDeps, DEFAULT_PIPELINE_CONFIG } from '../../functions/pipeline/deps.ts';
import { tradingDays } from '../../shared/calendar.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { expectedLatestJson, tempDir, writeSample } from './helpers/market.ts';

const FROM = '2025-01-02';
const TO = '2025-12-31';
/** A night the archive missed: its prices are never uploaded. */
const MISSING = '2025-07-15';

let input: string;
let state: string;
let result: UploadLocalResult;

beforeAll(async () => {
  input = tempDir('upload-input');
  writeSample(input, { symbols: 300, from: FROM, to: TO, gzip: true, seed: 18 });
  rmSync(path.join(input, 'prices', `${MISSING}.json.gz`));
  state = tempDir('upload-state');
  result = await uploadHistoryLocal({ inputDir: input, stateDir: state, site: false });
}, 600_000);

afterAll(() => {
  for (const dir of [input, state]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pulse upload-history on the emulators: a year of history, one backfill execution', () => {
  it('archives every input file under raw/<source>/<date>/, none through incoming/', () => {
    const inFolder = (sub: string) => readdirSync(path.join(input, sub)).length;
    // The sample's folders, and its splits.csv (sample-manifest.json is not an input file).
    const expected = inFolder('prices') + inFolder('short-interest') + inFolder('short-volume') + 1;
    expect(result.upload.outcomes).toHaveLength(expected);
    // splits.csv is dated by arrival: archived under the history's first day, so the backfill applies it
    // from the start (dated today, no past day would read it; the sample's TSS split is decided by it).
    expect(result.upload.outcomes.find((o) => o.rel === 'splits.csv')).toMatchObject({
      key: `raw/splits/${FROM}/splits.csv`,
    });
    expect(result.upload.outcomes.every((o) => o.status === 'archived')).toBe(true);
    expect(result.upload.outcomes.find((o) => o.rel === `prices/${TO}.json.gz`)).toMatchObject({
      key: `raw/prices/${TO}/${TO}.json.gz`,
    });
    expect(result.upload).toMatchObject({ from: FROM, to: TO });
  });

  it('plans only the days with archived prices and reports the missing night', () => {
    const execution = result.execution;
    if (!execution) throw new Error('no backfill ran');
    const year = tradingDays(FROM, TO);
    expect(execution.plan.missing).toEqual([MISSING]);
    // The sample's weekend snapshot (2025-11-01) is archived too: replayed, for rule 2 to refuse it.
    expect(execution.plan.dates).toEqual([...year.filter((d) => d !== MISSING), '2025-11-01'].sort());
    expect(execution.ingests).toHaveLength(year.length);
    expect(execution.ingests.every((r) => r.pricesReady && !r.skipped)).toBe(true);
    // Then compute and publish on the plan's summary, in chunks of half a year (issue 20 item 3: compute folds at
    // most `computeChunkDays` price days an invocation, publish hands back `more`): every day published in that one
    // execution.
    const chunks = Math.ceil((year.length + 1) / DEFAULT_PIPELINE_CONFIG.computeChunkDays);
    expect(chunks).toBe(2);
    expect(execution.steps.ran).toEqual(['ingest', ...Array(chunks).fill(['compute', 'publish']).flat()]);
    const published = execution.steps.outputs.publish?.published ?? [];
    expect(published.at(-1)).toBe(TO);
    // Every archived trading day (the year less the missing night) but the stale and partial days rule 2 refuses.
    expect(published).toHaveLength(year.length - 1 - 2);
  });

  it('publishes what pulse build computes from the same folder (latest.json, byte for byte) and a year of history', async () => {
    const emulators = await startEmulators({ dir: path.join(state, 'emulators') });
    try {
      const deps = createAwsDeps({ ...emulators.env, PROVIDERS: 'none' });
      const text = Buffer.from((await deps.site.get('data/latest.json'))?.bytes ?? []).toString('utf8');
      const published = JSON.parse(text) as Snapshot;
      expect(published.asOf).toBe(TO);
      expect(text).toBe(expectedLatestJson(input, published));
      const history = JSON.parse(
        Buffer.from((await deps.site.get('data/history.json'))?.bytes ?? []).toString('utf8'),
      ) as { rows: { date: string }[] };
      const rows = history.rows.map((r) => r.date);
      expect(rows.at(-1)).toBe(TO);
      expect(rows).not.toContain(MISSING);
      expect(rows.length).toBeGreaterThan(240);
    } finally {
      await emulators.stop();
    }
  });

  it('pulse run on the same state afterwards redoes no day the backfill published', async () => {
    const events: RunEvent[] = [];
    const run = await runLocal({
      inputDir: input,
      stateDir: state,
      serve: false,
      site: false,
      onProgress: (e) => events.push(e),
    });
    await run.stop();
    const plan = events.find((e) => e.kind === 'plan');
    const published = result.execution?.steps.outputs.publish?.published.length ?? 0;
    expect(plan).toMatchObject({ kind: 'plan', done: published });
    // What is left are the days rule 2 refused in the backfill (the sample's stale and partial days): not redone
    // as failures, skipped.
    expect(run.reports.every((r) => r.outcome !== 'failed' && r.published.length === 0)).toBe(true);
  }, 120_000);

  it('a second upload finds every file already archived and the backfill publishes the same', async () => {
    const again = await uploadHistoryLocal({ inputDir: input, stateDir: state, site: false, backfill: false });
    expect(again.upload.outcomes.every((o) => o.status === 'present')).toBe(true);
    expect(again.execution).toBeNull();
  });
});
