/**
 * Counting middleware for the SDK clients the pipeline uses, so the daily-step benchmark reports what
 * AWS would bill: S3 requests by operation and bucket with the bytes sent and received, DynamoDB
 * requests with items read and written and the capacity units DynamoDB itself reports (every item call
 * asks for `ReturnConsumedCapacity: TOTAL`; dynalite computes units like DynamoDB: 1 per KB written,
 * 0.5 per 4 KB read eventually consistent). Only the meter sees these figures; the pipeline's own
 * code paths and outputs are unchanged.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface S3Meter {
  requests: number;
  byOperation: Record<string, number>;
  byBucket: Record<string, { requests: number; bytesSent: number; bytesReceived: number }>;
  /** `Operation folder/` (the key's first two segments, dates dropped): which objects the requests touch. */
  byPrefix: Record<string, number>;
  bytesSent: number;
  bytesReceived: number;
}

export interface DynamoMeter {
  requests: number;
  byOperation: Record<string, number>;
  itemsRead: number;
  itemsWritten: number;
  readUnits: number;
  writeUnits: number;
}

export interface AwsMeter {
  s3: S3Meter;
  dynamo: DynamoMeter;
}

export function emptyMeter(): AwsMeter {
  return {
    s3: { requests: 0, byOperation: {}, byBucket: {}, byPrefix: {}, bytesSent: 0, bytesReceived: 0 },
    dynamo: { requests: 0, byOperation: {}, itemsRead: 0, itemsWritten: 0, readUnits: 0, writeUnits: 0 },
  };
}

export function addMeters(a: AwsMeter, b: AwsMeter): AwsMeter {
  const out = emptyMeter();
  for (const m of [a, b]) {
    out.s3.requests += m.s3.requests;
    out.s3.bytesSent += m.s3.bytesSent;
    out.s3.bytesReceived += m.s3.bytesReceived;
    for (const [k, v] of Object.entries(m.s3.byOperation)) out.s3.byOperation[k] = (out.s3.byOperation[k] ?? 0) + v;
    for (const [k, v] of Object.entries(m.s3.byPrefix ?? {})) out.s3.byPrefix[k] = (out.s3.byPrefix[k] ?? 0) + v;
    for (const [k, v] of Object.entries(m.s3.byBucket)) {
      const t = out.s3.byBucket[k] ?? { requests: 0, bytesSent: 0, bytesReceived: 0 };
      out.s3.byBucket[k] = t;
      t.requests += v.requests;
      t.bytesSent += v.bytesSent;
      t.bytesReceived += v.bytesReceived;
    }
    out.dynamo.requests += m.dynamo.requests;
    out.dynamo.itemsRead += m.dynamo.itemsRead;
    out.dynamo.itemsWritten += m.dynamo.itemsWritten;
    out.dynamo.readUnits += m.dynamo.readUnits;
    out.dynamo.writeUnits += m.dynamo.writeUnits;
    for (const [k, v] of Object.entries(m.dynamo.byOperation)) {
      out.dynamo.byOperation[k] = (out.dynamo.byOperation[k] ?? 0) + v;
    }
  }
  return out;
}

type Headers = Record<string, string | undefined>;
interface HttpLike {
  headers?: Headers;
  body?: unknown;
  statusCode?: number;
}

function header(h: Headers | undefined, name: string): number {
  if (!h) return 0;
  const key = Object.keys(h).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : h[key];
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

function bodyLength(body: unknown): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}

/** A key with its dates and hashes replaced (`derived/snapshots/2024-02-05.json` → `derived/snapshots/<date>.json`). */
export function keyGroup(key: string): string {
  // Issue 19: one key per stock file (about 5,400 a day) is one family.
  const stock = /^data\/stocks\/(?!index\.json$|manifest\.json$)[^/]+\.json$/;
  return key
    .replace(stock, 'data/stocks/<SYMBOL>.json')
    .replace(/(\d{4}-\d{2}-\d{2})-[0-9a-f]{16}\./g, '$1-<hex>.')
    .replace(/\d{4}-\d{2}-\d{2}/g, '<date>')
    .replace(/\d{8}/g, '<date>')
    .replace(/sha256-[0-9a-f]{64}/g, 'sha256-<hex>');
}

const op = (commandName: unknown) => String(commandName ?? 'unknown').replace(/Command$/, '');

/** Counts every request the client sends (also failed ones, e.g. a HEAD answered 404). */
export function meterS3(client: S3Client, meter: () => AwsMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = (args as { request?: HttpLike }).request;
      const { Bucket, Key, Prefix } = args.input as { Bucket?: string; Key?: string; Prefix?: string };
      const bucket = String(Bucket ?? '(none)');
      const group = keyGroup(Key ?? Prefix ?? '');
      const sent = header(request?.headers, 'content-length') || bodyLength(request?.body);
      const count = (response: HttpLike | undefined) => {
        const m = meter().s3;
        const name = op(context.commandName);
        m.requests += 1;
        m.byOperation[name] = (m.byOperation[name] ?? 0) + 1;
        m.byPrefix[`${name} ${group}`] = (m.byPrefix[`${name} ${group}`] ?? 0) + 1;
        const received = header(response?.headers, 'content-length');
        m.bytesSent += sent;
        m.bytesReceived += received;
        const b = m.byBucket[bucket] ?? { requests: 0, bytesSent: 0, bytesReceived: 0 };
        m.byBucket[bucket] = b;
        b.requests += 1;
        b.bytesSent += sent;
        b.bytesReceived += received;
      };
      try {
        const result = await next(args);
        count((result as { response?: HttpLike }).response);
        return result;
      } catch (error) {
        count((error as { $response?: HttpLike }).$response);
        throw error;
      }
    },
    { step: 'deserialize', name: 'benchS3Meter', priority: 'high' },
  );
}

const ITEM_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
]);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

function units(consumed: unknown): { total: number; read: number; write: number } {
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Capacity[];
  let total = 0;
  let read = 0;
  let write = 0;
  for (const c of list) {
    total += c.CapacityUnits ?? 0;
    read += c.ReadCapacityUnits ?? 0;
    write += c.WriteCapacityUnits ?? 0;
  }
  return { total, read, write };
}

function countValues(map: unknown): number {
  if (!map || typeof map !== 'object') return 0;
  return Object.values(map as Record<string, unknown>).reduce<number>(
    (n, v) =>
      n +
      (Array.isArray(v)
        ? v.length
        : Array.isArray((v as { Keys?: unknown[] })?.Keys)
          ? (v as { Keys: unknown[] }).Keys.length
          : 0),
    0,
  );
}

/** Counts DynamoDB calls, items and the capacity units DynamoDB (here dynalite) reports for each. */
export function meterDynamo(client: DynamoDBDocumentClient, meter: () => AwsMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = op(context.commandName);
      const input = args.input as Record<string, unknown>;
      if (ITEM_OPERATIONS.has(name) && input.ReturnConsumedCapacity === undefined) {
        input.ReturnConsumedCapacity = 'TOTAL';
      }
      const isWrite = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'].includes(name);
      const m = meter().dynamo;
      m.requests += 1;
      m.byOperation[name] = (m.byOperation[name] ?? 0) + 1;
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        // A refused conditional write (a lock already held) is still billed: at least one unit.
        if (isWrite) m.writeUnits += 1;
        else if (ITEM_OPERATIONS.has(name)) m.readUnits += 0.5;
        throw error;
      }
      const output = (result as { output?: Record<string, unknown> }).output ?? {};
      const u = units(output.ConsumedCapacity);
      if (isWrite) {
        m.writeUnits += u.write || u.total;
        if (name === 'BatchWriteItem') {
          m.itemsWritten += countValues(input.RequestItems) - countValues(output.UnprocessedItems);
        } else if (name === 'TransactWriteItems') {
          m.itemsWritten += Array.isArray(input.TransactItems) ? input.TransactItems.length : 0;
        } else {
          m.itemsWritten += 1;
        }
      } else if (ITEM_OPERATIONS.has(name)) {
        m.readUnits += u.read || u.total;
        if (name === 'GetItem') m.itemsRead += output.Item ? 1 : 0;
        else if (name === 'BatchGetItem') m.itemsRead += countValues(output.Responses);
        else if (name === 'Query' || name === 'Scan') m.itemsRead += Number(output.Count ?? 0);
        else if (name === 'TransactGetItems')
          m.itemsRead += Array.isArray(output.Responses) ? output.Responses.length : 0;
      }
      return result;
    },
    { step: 'initialize', name: 'benchDynamoMeter', priority: 'high' },
  );
}
