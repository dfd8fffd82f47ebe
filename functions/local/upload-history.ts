/**
 * `pulse upload-history` (issue 18, docs/operations.md "Onboarding: a year of history"): a folder of history in
 * the input layout (what `pulse fetch --prices-from-git` writes) goes into a deployment's raw archive, then ONE
 * backfill execution `{ from, to }` ingests it from there, computes once and publishes every day.
 *
 * Into `raw/` directly (ingest's `archiveUpload`: same keys, metadata and never-overwrite rule as a received
 * file), not under `incoming/`, where each of the ~1,000 files of a year would start an execution of its own.
 * Two targets: a deployed stack (S3 + Step Functions `StartExecution`) or a local state folder (the emulators,
 * with the state machine's backfill route walked by `runExecution`).
 */
import './powertools-env.ts';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { IsoDate } from '../../shared/domain.ts';
import { SPLIT_CALENDAR_FILE } from '../../shared/formats/nasdaq-split-calendar.ts';
import { SAMPLE_MANIFEST_FILE } from '../../shared/sample/index.ts';
import { createS3Client } from '../adapters/aws-clients.ts';
import type { Log } from '../adapters/ports.ts';
import { createS3ObjectStore } from '../adapters/s3-object-store.ts';
import { listFolder, PRICE_FILE, SHORT_INTEREST_FILE, SHORT_VOLUME_FILE } from '../lib/input-names.ts';
import { DEFAULT_PIPELINE_CONFIG, type PipelineDeps } from '../pipeline/deps.ts';
import { archiveUpload, type UploadOutcome } from '../pipeline/ingest.ts';
import type { SourceName } from '../pipeline/keys.ts';
import { offlineDeps } from './backfill.ts';
import { startEmulators } from './emulators.ts';
import { type BackfillWalk, LOCAL_RUN_ID, runExecution } from './runner.ts';
import { buildLocalSite, type SiteBuildResult } from './site.ts';

/** The input layout's folders and the source each holds (docs/data-formats.md, "Input folder"). */
const FOLDERS: { folder: string; source: SourceName; pattern: RegExp }[] = [
  { folder: 'prices', source: 'prices', pattern: PRICE_FILE },
  { folder: 'short-interest', source: 'short-interest', pattern: SHORT_INTEREST_FILE },
  { folder: 'short-volume', source: 'short-volume', pattern: SHORT_VOLUME_FILE },
  { folder: 'split-calendar', source: 'split-calendar', pattern: SPLIT_CALENDAR_FILE },
];
const OPERATOR_FILES: { file: string; source: SourceName }[] = [
  { file: 'splits.csv', source: 'splits' },
  { file: 'securities.csv', source: 'securities' },
];

export interface HistoryFile {
  /** Path relative to the input folder (for reports). */
  rel: string;
  abs: string;
  name: string;
  source: SourceName;
}

/** The files of a history folder the pipeline reads, in upload order; the others go to `ignored`. */
export function historyFiles(inputDir: string): { files: HistoryFile[]; ignored: string[] } {
  const files: HistoryFile[] = [];
  const ignored: string[] = [];
  for (const { folder, source, pattern } of FOLDERS) {
    const dir = path.join(inputDir, folder);
    const listing = listFolder(dir);
    for (const name of listing.files) {
      if (pattern.test(name)) files.push({ rel: `${folder}/${name}`, abs: path.join(dir, name), name, source });
      else ignored.push(`${folder}/${name}`);
    }
    ignored.push(...listing.broken.map((b) => `${folder}/${b}`));
  }
  for (const { file, source } of OPERATOR_FILES) {
    const abs = path.join(inputDir, file);
    try {
      if (statSync(abs).isFile()) files.push({ rel: file, abs, name: file, source });
    } catch {
      // absent: nothing to upload
    }
  }
  return { files, ignored };
}

export interface UploadReport {
  outcomes: (UploadOutcome & { rel: string })[];
  ignored: string[];
  /** First and last day with prices among the files (the backfill's default range). */
  from: IsoDate | null;
  to: IsoDate | null;
}

/** Archives every file of the folder (sequential: one object in flight, as a polite client to S3 too). */
export async function uploadFolder(
  deps: Pick<PipelineDeps, 'raw' | 'log' | 'clock' | 'config'>,
  inputDir: string,
  onFile?: (outcome: UploadOutcome & { rel: string }, index: number, total: number) => void,
): Promise<UploadReport> {
  const { files, ignored } = historyFiles(inputDir);
  // splits.csv and securities.csv are dated by arrival: archived under the history's first day, so that
  // the backfill's first day replays them and every day after sees them (as `pulse build` applies them).
  const firstDay = files
    .filter((f) => f.source === 'prices')
    .map((f) => PRICE_FILE.exec(f.name)?.[1] ?? '')
    .sort()[0];
  const outcomes: UploadReport['outcomes'] = [];
  let index = 0;
  for (const f of files) {
    index += 1;
    const outcome = {
      ...(await archiveUpload(deps, f.name, readFileSync(f.abs), `file://${f.abs}`, f.source, firstDay)),
      rel: f.rel,
    };
    outcomes.push(outcome);
    onFile?.(outcome, index, files.length);
  }
  const days = outcomes
    .filter((o) => o.status !== 'refused' && o.source === 'prices')
    .map((o) => (o.status === 'refused' ? '' : o.date))
    .sort();
  return { outcomes, ignored, from: days[0] ?? null, to: days.at(-1) ?? null };
}

export interface UploadLocalOptions {
  inputDir: string;
  stateDir: string;
  from?: IsoDate;
  to?: IsoDate;
  /** Start the backfill execution after the upload (default true). */
  backfill?: boolean;
  site?: boolean;
  siteUrl?: string;
  log?: Log;
  onFile?: (outcome: UploadOutcome & { rel: string }, index: number, total: number) => void;
  /** Test hook: e.g. a fixed clock. */
  wrapDeps?: (deps: PipelineDeps) => PipelineDeps;
}

export interface UploadLocalResult {
  upload: UploadReport;
  execution: BackfillWalk | null;
  site: SiteBuildResult | null;
}

/** The local target: the emulators of a state folder, the backfill route walked as the state machine walks it. */
export async function uploadHistoryLocal(options: UploadLocalOptions): Promise<UploadLocalResult> {
  const stateDir = path.resolve(options.stateDir);
  const emulators = await startEmulators({ dir: path.join(stateDir, 'emulators') });
  try {
    const siteUrl = options.siteUrl ?? 'http://localhost:4321';
    const sample = statIsFile(path.join(options.inputDir, SAMPLE_MANIFEST_FILE));
    const local = offlineDeps(emulators.env, { siteUrl, sample, ...(options.log ? { log: options.log } : {}) });
    const deps = options.wrapDeps ? options.wrapDeps(local) : local;
    const upload = await uploadFolder(deps, options.inputDir, options.onFile);
    const from = options.from ?? upload.from;
    const to = options.to ?? upload.to;
    if (options.backfill === false || from === null || to === null) return { upload, execution: null, site: null };
    const run = await runExecution(deps, { from, to }, { runId: LOCAL_RUN_ID });
    if (run.plan === null) throw new Error('a backfill { from, to } returned no plan');
    const { days: _, ...execution } = run;
    const site = options.site === false ? null : await buildLocalSite({ site: deps.site, stateDir, siteUrl });
    return { upload, execution, site };
  } finally {
    await emulators.stop();
  }
}

export interface UploadAwsOptions {
  inputDir: string;
  /** The deployment's raw bucket (stack output `RawBucketName`). */
  bucket: string;
  /** The pipeline's state machine (stack output `StateMachineArn`); omitted: upload only. */
  stateMachineArn?: string;
  region?: string;
  from?: IsoDate;
  to?: IsoDate;
  log: Log;
  onFile?: (outcome: UploadOutcome & { rel: string }, index: number, total: number) => void;
}

/** The AWS target: the files into the raw bucket, then one `StartExecution` with `{ from, to }`. */
export async function uploadHistoryAws(
  options: UploadAwsOptions,
): Promise<{ upload: UploadReport; executionArn: string | null; input: { from: IsoDate; to: IsoDate } | null }> {
  const client = createS3Client(options.region ? { region: options.region } : {});
  const deps = {
    raw: createS3ObjectStore({ client, bucket: options.bucket }),
    log: options.log,
    clock: () => new Date(),
    config: DEFAULT_PIPELINE_CONFIG,
  };
  const upload = await uploadFolder(deps, options.inputDir, options.onFile);
  const from = options.from ?? upload.from;
  const to = options.to ?? upload.to;
  if (options.stateMachineArn === undefined || from === null || to === null) {
    return { upload, executionArn: null, input: null };
  }
  const sfn = new SFNClient(options.region ? { region: options.region } : {});
  const input = { from, to };
  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: options.stateMachineArn,
      name: `backfill-${from}-${to}-${Date.now()}`,
      input: JSON.stringify(input),
    }),
  );
  return { upload, executionArn: started.executionArn ?? null, input };
}

function statIsFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
