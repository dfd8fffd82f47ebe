/**
 * One contract, two implementations: the same assertions run against the in-memory fakes (used by the
 * service unit tests) and against the AWS SDK adapters talking to s3rver and dynalite over the real wire
 * protocol. A fake that drifts from the real thing fails here.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPipelineTable } from '../../functions/adapters/dynamo-pipeline-table.ts';
import { createMemoryObjectStore } from '../../functions/adapters/memory-object-store.ts';
import { createMemoryPipelineTable } from '../../functions/adapters/memory-pipeline-table.ts';
import {
  type LedgerEntry,
  ObjectChangedError,
  type ObjectStore,
  type PipelineTable,
} from '../../functions/adapters/ports.ts';
import { createS3ObjectStore } from '../../functions/adapters/s3-object-store.ts';
import { type LocalAws, startLocalAws } from './helpers/local-aws.ts';

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const bytes = (s: string) => new TextEncoder().encode(s);

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

const objectStores: [string, () => Promise<ObjectStore>][] = [
  ['memory', async () => createMemoryObjectStore('memory-bucket')],
  // Two keys a page, so every listing below crosses pages.
  ['s3 (s3rver)', async () => createS3ObjectStore({ client: aws.s3, bucket: await aws.newBucket(), listPageSize: 2 })],
];

describe.each(objectStores)('ObjectStore contract: %s', (_name, make) => {
  it('puts bytes with sha256, content type and cache control, and reads them back byte-exact', async () => {
    const store = await make();
    // Every byte value, CR/LF and a BOM: nothing may be re-encoded on the way.
    const body = new Uint8Array([0xef, 0xbb, 0xbf, 0x0d, 0x0a, ...Array.from({ length: 256 }, (_, i) => i)]);
    const info = await store.put('raw/prices/2024-06-10/2024-06-10.json', body, {
      contentType: 'application/json',
      cacheControl: 'public, max-age=60',
      metadata: { source: 'prices' },
    });
    expect(info.sha256).toBe(sha(body));
    expect(info.size).toBe(261);

    const got = await store.get('raw/prices/2024-06-10/2024-06-10.json');
    expect(got).toBeDefined();
    expect(Buffer.from(got!.bytes).equals(Buffer.from(body))).toBe(true);
    expect(got!.sha256).toBe(sha(body));
    expect(got!.contentType).toBe('application/json');
    expect(got!.cacheControl).toBe('public, max-age=60');
    expect(got!.metadata.source).toBe('prices');

    const head = await store.head('raw/prices/2024-06-10/2024-06-10.json');
    expect(head).toMatchObject({ size: 261, sha256: sha(body), contentType: 'application/json' });
  });

  it('answers undefined for an absent key, and deleting an absent key is fine', async () => {
    const store = await make();
    expect(await store.get('nope/missing.json')).toBeUndefined();
    expect(await store.head('nope/missing.json')).toBeUndefined();
    await expect(store.delete('nope/missing.json')).resolves.toBeUndefined();
  });

  it('putIfAbsent writes once and then reports the existing object without changing it', async () => {
    const store = await make();
    const first = await store.putIfAbsent('raw/a.txt', bytes('first'), { contentType: 'text/plain' });
    expect(first.created).toBe(true);
    const second = await store.putIfAbsent('raw/a.txt', bytes('second'), { contentType: 'text/plain' });
    expect(second.created).toBe(false);
    expect(second.created ? undefined : second.existing.sha256).toBe(sha('first'));
    expect(Buffer.from((await store.get('raw/a.txt'))!.bytes).toString()).toBe('first');
  });

  it('put replaces; delete removes', async () => {
    const store = await make();
    await store.put('data/latest.json', bytes('{"v":1}'), { contentType: 'application/json' });
    await store.put('data/latest.json', bytes('{"v":2}'), { contentType: 'application/json' });
    expect(Buffer.from((await store.get('data/latest.json'))!.bytes).toString()).toBe('{"v":2}');
    await store.delete('data/latest.json');
    expect(await store.head('data/latest.json')).toBeUndefined();
  });

  it('lists every key under a prefix, in key order, with sizes', async () => {
    const store = await make();
    for (const key of ['raw/b/2.txt', 'raw/a/1.txt', 'raw/a/0.txt', 'derived/x.json']) {
      await store.put(key, bytes(key), { contentType: 'text/plain' });
    }
    expect(await store.list('raw/a/')).toEqual([
      { key: 'raw/a/0.txt', size: 11 },
      { key: 'raw/a/1.txt', size: 11 },
    ]);
    expect((await store.list('raw/')).map((o) => o.key)).toEqual(['raw/a/0.txt', 'raw/a/1.txt', 'raw/b/2.txt']);
    expect(await store.list('nothing/')).toEqual([]);
  });

  it('lists past one page', async () => {
    const store = await make();
    const keys = Array.from({ length: 7 }, (_, i) => `page/${String(i).padStart(2, '0')}`);
    await Promise.all(keys.map((k) => store.put(k, bytes('x'), { contentType: 'text/plain' })));
    expect((await store.list('page/')).map((o) => o.key)).toEqual(keys);
  });
});

const tables: [string, () => Promise<PipelineTable>][] = [
  ['memory', async () => createMemoryPipelineTable()],
  [
    'dynamodb (dynalite)',
    async () => createDynamoPipelineTable({ client: aws.dynamo, tableName: await aws.newTable() }),
  ],
];

function ledgerEntry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    source: 'short-interest',
    file: 'shrt20240131.csv',
    sha256: sha('a'),
    size: 1234,
    receivedAt: '2024-02-09T23:00:00.000Z',
    origin: 'fetch',
    rawKey: 'raw/short-interest/2024-01-31/shrt20240131.csv',
    date: '2024-01-31',
    status: 'accepted',
    rows: 3,
    rejectedRows: 1,
    rejections: [
      { file: 'shrt20240131.csv', line: 4, field: 'currentShortPositionQuantity', reason: '"-5" is negative' },
    ],
    derivedKey: 'derived/short-interest/2024-01-31/shrt20240131.csv.json',
    ...overrides,
  };
}

/**
 * Conditional writes (issue 20 item 1): what the memory store enforces, the S3 adapter enforces with a HEAD
 * where the store ignores If-Match (s3rver, `conditionalWrites: false`); with `conditionalWrites` on (AWS) the
 * condition travels as If-Match / If-None-Match headers, checked below on the requests s3rver receives.
 */
const conditionalStores: [string, () => Promise<ObjectStore>][] = [
  ['memory', async () => createMemoryObjectStore('memory-bucket')],
  [
    's3 (s3rver, checked by HEAD)',
    async () => createS3ObjectStore({ client: aws.s3, bucket: await aws.newBucket(), conditionalWrites: false }),
  ],
];

describe.each(conditionalStores)('ObjectStore conditional writes: %s', (_name, make) => {
  it('writes over the version it read, refuses a changed or newly created object and leaves it as it is', async () => {
    const store = await make();
    const json = { contentType: 'application/json' };
    // Absent when read: written only while still absent.
    const first = await store.put('data/history.json', bytes('{"v":1}'), { ...json, onlyIf: 'absent' });
    expect(first.etag).toEqual(expect.any(String));
    await expect(store.put('data/history.json', bytes('{"v":9}'), { ...json, onlyIf: 'absent' })).rejects.toThrow(
      ObjectChangedError,
    );
    // Read by two runs; the first writes, the second (still holding the first version) is refused.
    const read = await store.get('data/history.json');
    expect(read?.etag).toBe(first.etag);
    const second = await store.put('data/history.json', bytes('{"v":2}'), { ...json, onlyIf: { etag: read!.etag! } });
    expect(second.etag).not.toBe(first.etag);
    const stale = store.put('data/history.json', bytes('{"v":3}'), { ...json, onlyIf: { etag: read!.etag! } });
    await expect(stale).rejects.toMatchObject({ name: 'ObjectChangedError', key: 'data/history.json' });
    expect(Buffer.from((await store.get('data/history.json'))!.bytes).toString()).toBe('{"v":2}');
    expect((await store.head('data/history.json'))?.etag).toBe(second.etag);
    // A plain put still replaces whatever is there.
    await store.put('data/history.json', bytes('{"v":4}'), json);
    expect(Buffer.from((await store.get('data/history.json'))!.bytes).toString()).toBe('{"v":4}');
  });
});

describe('ObjectStore conditional writes on AWS: the condition travels with the PUT', () => {
  it('sends If-Match with the ETag read, If-None-Match: * for an object read as absent, neither on a plain put', async () => {
    const client = aws.s3;
    const seen: Record<string, string | undefined>[] = [];
    const name = `capture-conditions-${Math.random()}`;
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
        if ((args.input as { Body?: unknown }).Body !== undefined) {
          seen.push({ ifMatch: headers['if-match'], ifNoneMatch: headers['if-none-match'] });
        }
        return next(args);
      },
      { step: 'finalizeRequest', name },
    );
    try {
      const store = createS3ObjectStore({ client, bucket: await aws.newBucket() });
      const json = { contentType: 'application/json' };
      const created = await store.put('data/latest.json', bytes('{"v":1}'), { ...json, onlyIf: 'absent' });
      await store.put('data/latest.json', bytes('{"v":2}'), { ...json, onlyIf: { etag: created.etag! } });
      await store.put('data/latest.json', bytes('{"v":3}'), json);
      expect(seen).toEqual([
        { ifMatch: undefined, ifNoneMatch: '*' },
        { ifMatch: created.etag, ifNoneMatch: undefined },
        { ifMatch: undefined, ifNoneMatch: undefined },
      ]);
    } finally {
      client.middlewareStack.remove(name);
    }
  });
});

describe.each(tables)('PipelineTable contract: %s', (_name, make) => {
  it('records a file once; the same content again is a duplicate and changes nothing', async () => {
    const table = await make();
    const entry = ledgerEntry();
    expect(await table.recordFile(entry)).toBe('recorded');
    expect(await table.recordFile({ ...entry, status: 'rejected', rows: 0 })).toBe('duplicate');
    expect(await table.getFile('short-interest', 'shrt20240131.csv', sha('a'))).toEqual(entry);
    expect(await table.getFile('short-interest', 'shrt20240131.csv', sha('b'))).toBeUndefined();
  });

  it('keeps every content received under one name, oldest first', async () => {
    const table = await make();
    await table.recordFile(ledgerEntry({ sha256: sha('v2'), receivedAt: '2024-02-10T00:00:00.000Z' }));
    await table.recordFile(
      ledgerEntry({ sha256: sha('v1'), receivedAt: '2024-02-09T00:00:00.000Z', status: 'rejected' }),
    );
    await table.recordFile(ledgerEntry({ file: 'shrt20240215.csv', sha256: sha('other') }));
    const versions = await table.listFileVersions('short-interest', 'shrt20240131.csv');
    expect(versions.map((v) => [v.sha256, v.status])).toEqual([
      [sha('v1'), 'rejected'],
      [sha('v2'), 'accepted'],
    ]);
  });

  it('caps the rejections kept in the ledger at 100 (as many as a snapshot lists)', async () => {
    const table = await make();
    const rejections = Array.from({ length: 130 }, (_, i) => ({
      file: 'f.txt',
      line: i + 2,
      field: 'Symbol',
      reason: 'empty',
    }));
    await table.recordFile(ledgerEntry({ rejections, rejectedRows: 130 }));
    const got = await table.getFile('short-interest', 'shrt20240131.csv', sha('a'));
    expect(got?.rejections).toHaveLength(100);
    expect(got?.rejections.at(-1)?.line).toBe(101);
    expect(got?.rejectedRows).toBe(130);
  });

  it('ledger index: entries in the order recorded, read from a position on, duplicates repeated', async () => {
    const table = await make();
    await table.recordFile(ledgerEntry({ file: 'shrt20240131.csv', sha256: sha('1') }));
    await table.recordFile(ledgerEntry({ file: 'shrt20240215.csv', sha256: sha('2'), status: 'rejected' }));
    const all = await table.listRecordedAfter(null);
    expect(all.map((e) => [e.file, e.status])).toEqual([
      ['shrt20240131.csv', 'accepted'],
      ['shrt20240215.csv', 'rejected'],
    ]);
    expect(all[0]).toMatchObject(ledgerEntry({ file: 'shrt20240131.csv', sha256: sha('1') }));
    expect((all[0]?.position ?? '') < (all[1]?.position ?? '')).toBe(true);
    // Later entries only: a reader resumes after the last position it saw.
    await table.recordFile(ledgerEntry({ file: 'shrt20240131.csv', sha256: sha('1') }));
    await table.recordFile(ledgerEntry({ file: 'shrt20240229.csv', sha256: sha('3') }));
    const later = await table.listRecordedAfter(all[1]?.position ?? null);
    expect(later.map((e) => e.file)).toEqual(['shrt20240131.csv', 'shrt20240229.csv']);
    expect(await table.listRecordedAfter(later[1]?.position ?? null)).toEqual([]);
  });

  it('day lock: one owner at a time, re-entrant for its owner, free again after release or expiry', async () => {
    const table = await make();
    const day = '2024-06-10';
    expect(await table.acquireDayLock(day, 'run-a', 1_000, 0)).toEqual({
      acquired: true,
      lock: { owner: 'run-a', expiresAt: 1_000 },
    });
    expect(await table.acquireDayLock(day, 'run-b', 1_500, 500)).toEqual({
      acquired: false,
      heldBy: { owner: 'run-a', expiresAt: 1_000 },
    });
    expect((await table.acquireDayLock(day, 'run-a', 2_000, 600)).acquired).toBe(true);
    expect(await table.releaseDayLock(day, 'run-b')).toBe(false);
    expect(await table.releaseDayLock(day, 'run-a')).toBe(true);
    expect((await table.acquireDayLock(day, 'run-b', 3_000, 700)).acquired).toBe(true);
    // run-b crashed: its lock expired at 3,000, so at 3,001 run-c takes over.
    expect((await table.acquireDayLock(day, 'run-c', 9_000, 3_001)).acquired).toBe(true);
    expect((await table.getDay(day))?.lock).toEqual({ owner: 'run-c', expiresAt: 9_000 });
  });

  it('day lock under contention: of ten simultaneous runs exactly one wins', async () => {
    const table = await make();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => table.acquireDayLock('2024-06-11', `run-${i}`, 10_000, 0)),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });

  it('run lock (issue 20 item 1): one execution at a time, compared as ISO times, re-entrant, released by its owner only', async () => {
    const table = await make();
    const t = (s: string) => `2024-06-10T${s}.000Z`;
    expect(await table.acquireRunLock('exec-a', t('23:30:00'), t('11:30:00'))).toEqual({
      acquired: true,
      lock: { owner: 'exec-a', expiresAt: t('23:30:00') },
    });
    expect(await table.acquireRunLock('exec-b', t('23:35:00'), t('11:35:00'))).toEqual({
      acquired: false,
      heldBy: { owner: 'exec-a', expiresAt: t('23:30:00') },
    });
    // The holder's own steps (the local runner's backfill) re-enter it.
    expect((await table.acquireRunLock('exec-a', t('23:30:00'), t('12:00:00'))).acquired).toBe(true);
    expect(await table.releaseRunLock('exec-b')).toBe(false);
    expect(await table.releaseRunLock('exec-a')).toBe(true);
    expect(await table.releaseRunLock('exec-a')).toBe(false);
    expect((await table.acquireRunLock('exec-b', t('23:40:00'), t('11:40:00'))).acquired).toBe(true);
    // exec-b was stopped from outside: at its expiry (its execution's timeout) exec-c takes over, not before.
    expect((await table.acquireRunLock('exec-c', t('23:59:00'), t('23:40:00'))).acquired).toBe(false);
    expect((await table.acquireRunLock('exec-c', t('23:59:00'), '2024-06-10T23:40:00.001Z')).acquired).toBe(true);
    // The day lock is another item: the run lock does not hold any day.
    expect((await table.acquireDayLock('2024-06-10', 'exec-d', 10_000, 0)).acquired).toBe(true);
  });

  it('run lock under contention: of ten executions started together exactly one runs', async () => {
    const table = await make();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        table.acquireRunLock(`exec-${i}`, '2024-06-11T11:30:00.000Z', '2024-06-10T23:30:00.000Z'),
      ),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const winner = results.findIndex((r) => r.acquired);
    for (const r of results.filter((x) => !x.acquired)) {
      expect(r).toEqual({
        acquired: false,
        heldBy: { owner: `exec-${winner}`, expiresAt: '2024-06-11T11:30:00.000Z' },
      });
    }
  });

  it('step statuses are kept per day and step', async () => {
    const table = await make();
    expect(await table.getDay('2024-06-12')).toBeUndefined();
    await table.setStepStatus('2024-06-12', 'ingest', {
      state: 'done',
      at: '2024-06-12T23:00:00.000Z',
      runId: 'r1',
      detail: '3 files',
    });
    await table.setStepStatus('2024-06-12', 'publish', {
      state: 'refused',
      at: '2024-06-12T23:05:00.000Z',
      runId: 'r1',
    });
    expect(await table.getDay('2024-06-12')).toEqual({
      date: '2024-06-12',
      steps: {
        ingest: { state: 'done', at: '2024-06-12T23:00:00.000Z', runId: 'r1', detail: '3 files' },
        publish: { state: 'refused', at: '2024-06-12T23:05:00.000Z', runId: 'r1' },
      },
      lock: null,
    });
  });

  it('cursor: fields only move forward; restateFrom keeps the earliest and clears only if unchanged', async () => {
    const table = await make();
    expect(await table.getCursor()).toEqual({
      lastIngested: null,
      lastComputed: null,
      lastPublished: null,
      restateFrom: null,
    });
    await table.advanceCursor('lastIngested', '2024-06-11');
    await table.advanceCursor('lastIngested', '2024-06-10');
    await table.advanceCursor('lastComputed', '2024-06-10');
    await table.markRestateFrom('2024-06-05');
    await table.markRestateFrom('2024-06-07');
    await table.markRestateFrom('2024-05-31');
    expect(await table.getCursor()).toEqual({
      lastIngested: '2024-06-11',
      lastComputed: '2024-06-10',
      lastPublished: null,
      restateFrom: '2024-05-31',
    });
    expect(await table.clearRestateFrom('2024-06-05')).toBe(false);
    expect(await table.clearRestateFrom('2024-05-31')).toBe(true);
    expect((await table.getCursor()).restateFrom).toBeNull();
  });
});
