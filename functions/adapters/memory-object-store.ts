/** In-memory ObjectStore for unit tests of the services; passes the same contract suite as the S3 adapter. */
import { createHash } from 'node:crypto';
import {
  type ListedObject,
  ObjectChangedError,
  type ObjectInfo,
  type ObjectStore,
  type PutObjectOptions,
  type StoredObject,
} from './ports.ts';

export interface MemoryObjectStore extends ObjectStore {
  /** Every key, sorted (for assertions). */
  keys(): string[];
  /** Counts of calls by operation (for request-budget assertions). */
  readonly calls: Record<
    'put' | 'putIfAbsent' | 'get' | 'head' | 'list' | 'delete' | 'digest' | 'copyIfAbsent',
    number
  >;
}

export function createMemoryObjectStore(bucket = 'memory-bucket'): MemoryObjectStore {
  const objects = new Map<string, StoredObject>();
  const calls = { put: 0, putIfAbsent: 0, get: 0, head: 0, list: 0, delete: 0, digest: 0, copyIfAbsent: 0 };

  let versions = 0;
  function write(key: string, bytes: Uint8Array, opts: PutObjectOptions): ObjectInfo {
    const { onlyIf } = opts;
    if (onlyIf !== undefined) {
      const current = objects.get(key);
      if (onlyIf === 'absent' ? current !== undefined : current?.etag !== onlyIf.etag)
        throw new ObjectChangedError(key);
    }
    const copy = new Uint8Array(bytes);
    const metadata = { ...(opts.metadata ?? {}), sha256: createHash('sha256').update(copy).digest('hex') };
    const stored: StoredObject = {
      key,
      size: copy.byteLength,
      sha256: metadata.sha256,
      contentType: opts.contentType,
      cacheControl: opts.cacheControl,
      contentEncoding: opts.contentEncoding,
      metadata,
      bytes: copy,
      etag: `"v${++versions}"`,
    };
    objects.set(key, stored);
    return describe(stored);
  }

  function describe(o: StoredObject): ObjectInfo {
    const { bytes: _bytes, ...rest } = o;
    return { ...rest, metadata: { ...o.metadata } };
  }

  return {
    bucket,
    calls,
    keys: () => [...objects.keys()].sort(),
    async put(key, bytes, opts) {
      calls.put++;
      return write(key, bytes, opts);
    },
    async putIfAbsent(key, bytes, opts) {
      calls.putIfAbsent++;
      const existing = objects.get(key);
      if (existing) return { created: false, existing: describe(existing) };
      return { created: true, info: write(key, bytes, opts) };
    },
    async get(key) {
      calls.get++;
      const o = objects.get(key);
      return o ? { ...describe(o), bytes: new Uint8Array(o.bytes) } : undefined;
    },
    async head(key) {
      calls.head++;
      const o = objects.get(key);
      return o ? describe(o) : undefined;
    },
    async digest(key) {
      calls.digest++;
      const o = objects.get(key);
      return o ? { size: o.size, sha256: createHash('sha256').update(o.bytes).digest('hex') } : undefined;
    },
    async copyIfAbsent(from, to, opts) {
      calls.copyIfAbsent++;
      const existing = objects.get(to);
      if (existing) return { created: false, existing: describe(existing) };
      const source = objects.get(from);
      if (!source) throw new Error(`copyIfAbsent: no object ${from}`);
      const { sha256: _given, ...options } = opts;
      return { created: true, info: write(to, source.bytes, options) };
    },
    async list(prefix): Promise<ListedObject[]> {
      calls.list++;
      return [...objects.values()]
        .filter((o) => o.key.startsWith(prefix))
        .map((o) => ({ key: o.key, size: o.size }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async delete(key) {
      calls.delete++;
      objects.delete(key);
    },
  };
}
