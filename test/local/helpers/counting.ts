/**
 * Counting wrappers around the ports (the I/O a step does, measured on the real adapters): S3 requests
 * by operation and bytes read by key prefix, DynamoDB items read and requests made.
 */
import { createDerivedRepository } from '../../../functions/adapters/derived-repository.ts';
import type { ObjectStore, PipelineTable } from '../../../functions/adapters/ports.ts';
import type { PipelineDeps } from '../../../functions/pipeline/deps.ts';

export interface IoCounts {
  s3Requests: number;
  s3Gets: number;
  s3BytesRead: number;
  /** Bytes read by key family: `derived/prices`, `derived/state`, `derived/short-interest`, … */
  bytesByPrefix: Record<string, number>;
  getsByPrefix: Record<string, number>;
  tableItemsRead: number;
  tableRequests: number;
}

export const zeroCounts = (): IoCounts => ({
  s3Requests: 0,
  s3Gets: 0,
  s3BytesRead: 0,
  bytesByPrefix: {},
  getsByPrefix: {},
  tableItemsRead: 0,
  tableRequests: 0,
});

/** What happened between two snapshots of the counters (families with no change are left out). */
export function subtract(a: IoCounts, b: IoCounts): IoCounts {
  const delta = (x: Record<string, number>, y: Record<string, number>) =>
    Object.fromEntries(
      [...new Set([...Object.keys(x), ...Object.keys(y)])]
        .map((k) => [k, (x[k] ?? 0) - (y[k] ?? 0)] as const)
        .filter(([, v]) => v !== 0),
    );
  return {
    s3Requests: a.s3Requests - b.s3Requests,
    s3Gets: a.s3Gets - b.s3Gets,
    s3BytesRead: a.s3BytesRead - b.s3BytesRead,
    bytesByPrefix: delta(a.bytesByPrefix, b.bytesByPrefix),
    getsByPrefix: delta(a.getsByPrefix, b.getsByPrefix),
    tableItemsRead: a.tableItemsRead - b.tableItemsRead,
    tableRequests: a.tableRequests - b.tableRequests,
  };
}

/** `derived/state/2025-01-02.json.gz` → `derived/state`; compute's journal apart (`derived/journal`). */
const family = (key: string) =>
  key.endsWith('/journal.json.gz') ? 'derived/journal' : key.split('/').slice(0, 2).join('/');

function countingStore(store: ObjectStore, counts: IoCounts): ObjectStore {
  return {
    bucket: store.bucket,
    async put(key, bytes, options) {
      counts.s3Requests++;
      return store.put(key, bytes, options);
    },
    async putIfAbsent(key, bytes, options) {
      counts.s3Requests += 2;
      return store.putIfAbsent(key, bytes, options);
    },
    async get(key) {
      counts.s3Requests++;
      counts.s3Gets++;
      const o = await store.get(key);
      const f = family(key);
      counts.getsByPrefix[f] = (counts.getsByPrefix[f] ?? 0) + 1;
      if (o) {
        counts.s3BytesRead += o.bytes.byteLength;
        counts.bytesByPrefix[f] = (counts.bytesByPrefix[f] ?? 0) + o.bytes.byteLength;
      }
      return o;
    },
    async head(key) {
      counts.s3Requests++;
      return store.head(key);
    },
    async list(prefix) {
      counts.s3Requests++;
      return store.list(prefix);
    },
    async digest(key) {
      counts.s3Requests++;
      return store.digest(key);
    },
    async copyIfAbsent(from, to, options) {
      counts.s3Requests += 3;
      return store.copyIfAbsent(from, to, options);
    },
    async delete(key) {
      counts.s3Requests++;
      return store.delete(key);
    },
  };
}

function countingTable(table: PipelineTable, counts: IoCounts): PipelineTable {
  const read =
    <T>(items: (v: T) => number) =>
    async (p: Promise<T>) => {
      counts.tableRequests++;
      const v = await p;
      counts.tableItemsRead += items(v);
      return v;
    };
  const write = async <T>(p: Promise<T>) => {
    counts.tableRequests++;
    return p;
  };
  return {
    recordFile: (e) => write(table.recordFile(e)),
    getFile: (s, f, h) =>
      read<unknown>((v) => (v ? 1 : 0))(table.getFile(s, f, h)) as ReturnType<PipelineTable['getFile']>,
    listFileVersions: (s, f) =>
      read<unknown[]>((v) => v.length)(table.listFileVersions(s, f)) as ReturnType<PipelineTable['listFileVersions']>,
    listRecordedAfter: (p) =>
      read<unknown[]>((v) => v.length)(table.listRecordedAfter(p)) as ReturnType<PipelineTable['listRecordedAfter']>,
    getDay: (d) => read<unknown>((v) => (v ? 1 : 0))(table.getDay(d)) as ReturnType<PipelineTable['getDay']>,
    setStepStatus: (d, s, st) => write(table.setStepStatus(d, s, st)),
    acquireDayLock: (d, o, e, n) => write(table.acquireDayLock(d, o, e, n)),
    releaseDayLock: (d, o) => write(table.releaseDayLock(d, o)),
    acquireRunLock: (o, e, n) => write(table.acquireRunLock(o, e, n)),
    releaseRunLock: (o) => write(table.releaseRunLock(o)),
    getCursor: () => read<unknown>(() => 1)(table.getCursor()) as ReturnType<PipelineTable['getCursor']>,
    advanceCursor: (f, d) => write(table.advanceCursor(f, d)),
    markRestateFrom: (d) => write(table.markRestateFrom(d)),
    clearRestateFrom: (d) => write(table.clearRestateFrom(d)),
  };
}

/** Deps whose raw/derived bucket and table count into `counts` (the site bucket is publish's, not counted). */
export function countingDeps(deps: PipelineDeps, counts: IoCounts): PipelineDeps {
  const raw = countingStore(deps.raw, counts);
  return { ...deps, raw, derived: createDerivedRepository(raw), table: countingTable(deps.table, counts) };
}

export const snapshotCounts = (c: IoCounts): IoCounts => structuredClone(c);
