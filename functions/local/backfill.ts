/**
 * Recovery on one machine (`pulse backfill`, docs/operations.md "Recovery"): the raw archive is the
 * source of truth. With the table and `derived/` gone (deleted, or a fresh state folder holding only the
 * raw bucket), the state machine's day steps run once over the whole archive — ingest `{ kind: 'archive' }`
 * (the service: no Step Functions event asks for it) ingests every archived file offline (no provider),
 * then the compute and publish handlers: compute folds every stored day through the newest,
 * publish writes every snapshot, `history.json`, the feed, `rss.xml` and `latest.json` — then the site is
 * built as `pulse run` builds it.
 */
import './powertools-env.ts';
import path from 'node:path';
import type { Log } from '../adapters/ports.ts';
import type { ComputeResult, IngestResult } from '../lib/events.ts';
import { createAwsDeps, type PipelineDeps } from '../pipeline/deps.ts';
import { runIngest } from '../pipeline/ingest.ts';
import type { PublishResult } from '../pipeline/publish.ts';
import { startEmulators } from './emulators.ts';
import { createDayInvokers, type DayInvokers } from './lambda.ts';
import { LOCAL_RUN_ID, runDaySteps } from './runner.ts';
import { buildLocalSite, type SiteBuildResult } from './site.ts';

export interface BackfillOptions {
  stateDir: string;
  /** Absolute origin for the RSS links (default http://localhost:4321, as `pulse run`). */
  siteUrl?: string;
  /** Run the site build afterwards (default true). */
  site?: boolean;
  /** Generated sample data: every snapshot says `sample: true`. */
  sample?: boolean;
  log?: Log;
  /** Test hook: e.g. a fixed clock. */
  wrapDeps?: (deps: PipelineDeps) => PipelineDeps;
}

export interface BackfillResult {
  ingest: IngestResult;
  compute: ComputeResult | undefined;
  publish: PublishResult | undefined;
  site: SiteBuildResult | null;
}

/**
 * The pipeline's dependencies on the emulators with no provider (everything comes from the raw archive), only
 * warnings and errors logged, and no ledger overlap (one process: no clock skew between writers). What the
 * local recoveries (`pulse backfill`, `pulse upload-history --state`) run the handlers with.
 */
export function offlineDeps(
  env: Readonly<Record<string, string>>,
  options: { siteUrl: string; sample: boolean; log?: Log },
): PipelineDeps {
  const base = createAwsDeps({
    ...env,
    PROVIDERS: 'none',
    SITE_URL: options.siteUrl,
    SAMPLE_DATA: options.sample ? 'true' : 'false',
  });
  const quiet: Log = {
    debug() {},
    info() {},
    warn: (m, ...x) => options.log?.warn(m, ...x),
    error: (m, ...x) => options.log?.error(m, ...x),
  };
  return { ...base, log: quiet, config: { ...base.config, ledgerOverlapMs: 0 } };
}

export async function backfillLocal(options: BackfillOptions): Promise<BackfillResult> {
  const stateDir = path.resolve(options.stateDir);
  const emulators = await startEmulators({ dir: path.join(stateDir, 'emulators') });
  try {
    const siteUrl = options.siteUrl ?? 'http://localhost:4321';
    const local = offlineDeps(emulators.env, {
      siteUrl,
      sample: options.sample === true,
      ...(options.log ? { log: options.log } : {}),
    });
    const deps = options.wrapDeps ? options.wrapDeps(local) : local;
    // Compute and publish are their Lambda handlers; ingest of the whole archive has no Step Functions
    // event (docs/operations.md "Recovery": on AWS the recovery is a backfill { from, to }), so it is the
    // service, called with its own typed input.
    // The local runs' one owner (runner.ts LOCAL_RUN_ID): a stopped run's locks are re-entered, not waited for.
    const runId = LOCAL_RUN_ID;
    const invokers: DayInvokers = {
      ...createDayInvokers(deps),
      ingest: () => runIngest(deps, { kind: 'archive', runId }),
    };
    const walk = await runDaySteps(deps, null, { invokers, runId });
    const { ingest } = walk.outputs;
    if (!ingest) throw new Error('backfill: ingest returned nothing');
    const site = options.site === false ? null : await buildLocalSite({ site: deps.site, stateDir, siteUrl });
    return { ingest, compute: walk.outputs.compute, publish: walk.outputs.publish, site };
  } finally {
    await emulators.stop();
  }
}
