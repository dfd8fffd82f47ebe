/**
 * Pipeline deps for the service tests: on the emulators (real wire protocol) or on the in-memory fakes,
 * with a fixed clock, deterministic run ids and a logger that keeps what it was told.
 */
import { createDynamoPipelineTable } from '../../../functions/adapters/dynamo-pipeline-table.ts';
import { createMemoryObjectStore, type MemoryObjectStore } from '../../../functions/adapters/memory-object-store.ts';
import { createMemoryPipelineTable } from '../../../functions/adapters/memory-pipeline-table.ts';
import type { Log, ObjectStore, PipelineTable } from '../../../functions/adapters/ports.ts';
import { createS3ObjectStore } from '../../../functions/adapters/s3-object-store.ts';
import { createPipelineDeps, type PipelineDeps } from '../../../functions/pipeline/deps.ts';
import type { SourceName } from '../../../functions/pipeline/keys.ts';
import type { FetchResult, ReceivedFile, SourceProvider } from '../../../functions/providers/source-provider.ts';
import type { LocalAws } from '../../adapters/helpers/local-aws.ts';

export interface RecordingLog extends Log {
  entries: { level: string; message: string; extra: Record<string, unknown>[] }[];
}

export function recordingLog(): RecordingLog {
  const entries: RecordingLog['entries'] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      entries.push({ level, message, extra });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TestDeps extends PipelineDeps {
  log: RecordingLog;
}

interface Options {
  providers?: SourceProvider[];
  /** Default 2024-06-10T23:30:00Z (19:30 in New York). */
  now?: string;
  runIds?: string[];
}

function build(raw: ObjectStore, site: ObjectStore, table: PipelineTable, options: Options): TestDeps {
  let n = 0;
  const ids = options.runIds ?? [];
  const log = recordingLog();
  const deps = createPipelineDeps({
    raw,
    site,
    table,
    providers: options.providers ?? [],
    clock: () => new Date(options.now ?? '2024-06-10T23:30:00Z'),
    log,
    newRunId: () => ids[n++] ?? `run-${n}`,
    config: { siteUrl: 'https://shortpulse.example' },
  });
  return { ...deps, log };
}

export async function emulatorDeps(
  aws: LocalAws,
  options: Options = {},
): Promise<TestDeps & { rawBucket: string; tableName: string }> {
  const rawBucket = await aws.newBucket('raw');
  const siteBucket = await aws.newBucket('site');
  const tableName = await aws.newTable('pulse');
  const deps = build(
    createS3ObjectStore({ client: aws.s3, bucket: rawBucket }),
    createS3ObjectStore({ client: aws.s3, bucket: siteBucket }),
    createDynamoPipelineTable({ client: aws.dynamo, tableName }),
    options,
  );
  return { ...deps, rawBucket, tableName };
}

export function memoryDeps(options: Options = {}): TestDeps & { raw: MemoryObjectStore; site: MemoryObjectStore } {
  const raw = createMemoryObjectStore('memory-raw');
  const site = createMemoryObjectStore('memory-site');
  const deps = build(raw, site, createMemoryPipelineTable(), options);
  return { ...deps, raw, site };
}

/** A provider fake (the port, for service tests): files per file date, or "not yet". */
export function fakeProvider(
  source: SourceName,
  files: Record<string, ReceivedFile[] | 'not-yet'>,
  options: {
    datesFor?: (d: string) => string[];
    expected?: (d: string) => string[];
    /** fetch() waits for it (to hold a run inside its download). */
    gate?: Promise<void>;
    /** Called when fetch() starts. */
    onFetch?: () => void;
  } = {},
): SourceProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    id: `fake-${source}`,
    source,
    calls,
    datesFor: options.datesFor ?? ((d) => [d]),
    ...(options.expected ? { expectedFiles: options.expected } : {}),
    async fetch(date): Promise<FetchResult> {
      calls.push(date);
      options.onFetch?.();
      await options.gate;
      const f = files[date];
      if (f === undefined || f === 'not-yet')
        return { status: 'not-yet-available', location: `fake://${source}/${date}`, reason: 'HTTP 404' };
      return { status: 'available', files: f };
    },
  };
}

export const file = (name: string, body: string | Uint8Array): ReceivedFile => ({
  name,
  bytes: typeof body === 'string' ? new TextEncoder().encode(body) : body,
  location: `fake://${name}`,
});
