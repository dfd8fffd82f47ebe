/**
 * Everything a pipeline run leaves behind on the emulators — every table item and every object of the
 * raw and site buckets, byte for byte with its content type and cache control — captured, compared and
 * put back, so one ingested input can be computed again and again from the same starting point.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createS3ObjectStore } from '../../../functions/adapters/s3-object-store.ts';
import type { LocalAws } from '../../adapters/helpers/local-aws.ts';

export interface StoredCopy {
  bytes: Uint8Array;
  contentType: string | undefined;
  cacheControl: string | undefined;
  metadata: Record<string, string>;
}

export interface StoreState {
  /** `pk|sk` → the item as JSON with sorted keys. */
  table: Map<string, string>;
  raw: Map<string, StoredCopy>;
  site: Map<string, StoredCopy>;
}

export interface Stores {
  tableName: string;
  rawBucket: string;
  siteBucket: string;
}

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

async function scan(aws: LocalAws, tableName: string): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await aws.dynamo.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.set(`${item.pk}|${item.sk}`, JSON.stringify(stable(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function objects(aws: LocalAws, bucket: string): Promise<Map<string, StoredCopy>> {
  const store = createS3ObjectStore({ client: aws.s3, bucket });
  const out = new Map<string, StoredCopy>();
  for (const { key } of await store.list('')) {
    const o = await store.get(key);
    if (!o) continue;
    out.set(key, {
      bytes: o.bytes,
      contentType: o.contentType,
      cacheControl: o.cacheControl,
      metadata: o.metadata,
    });
  }
  return out;
}

export async function captureState(aws: LocalAws, stores: Stores): Promise<StoreState> {
  const [table, raw, site] = await Promise.all([
    scan(aws, stores.tableName),
    objects(aws, stores.rawBucket),
    objects(aws, stores.siteBucket),
  ]);
  return { table, raw, site };
}

const digest = (o: StoredCopy) =>
  `${createHash('sha256').update(o.bytes).digest('hex')} ${o.contentType ?? '-'} ${o.cacheControl ?? '-'}`;

/** One line per difference (`+` only in `b`, `-` only in `a`, `~` different), empty when equal. */
export function diffStates(a: StoreState, b: StoreState, ignoreKey: (key: string) => boolean = () => false): string[] {
  const lines: string[] = [];
  const compare = <T>(what: string, x: Map<string, T>, y: Map<string, T>, same: (p: T, q: T) => boolean) => {
    for (const [k, v] of x) {
      if (ignoreKey(k)) continue;
      const w = y.get(k);
      if (w === undefined) lines.push(`- ${what} ${k}`);
      else if (!same(v, w)) lines.push(`~ ${what} ${k}`);
    }
    for (const k of y.keys()) if (!x.has(k) && !ignoreKey(k)) lines.push(`+ ${what} ${k}`);
  };
  compare('table', a.table, b.table, (p, q) => p === q);
  compare('raw', a.raw, b.raw, (p, q) => digest(p) === digest(q));
  compare('site', a.site, b.site, (p, q) => digest(p) === digest(q));
  return lines;
}

/** Puts the emulators back to `target`: extra items and objects deleted, changed ones rewritten. */
export async function restoreState(aws: LocalAws, stores: Stores, target: StoreState): Promise<void> {
  const now = await captureState(aws, stores);
  for (const [id, json] of now.table) {
    if (target.table.get(id) === json) continue;
    if (!target.table.has(id)) {
      const item = JSON.parse(json) as { pk: string; sk: string };
      await aws.dynamo.send(new DeleteCommand({ TableName: stores.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
  }
  for (const [id, json] of target.table) {
    if (now.table.get(id) !== json) {
      await aws.dynamo.send(new PutCommand({ TableName: stores.tableName, Item: JSON.parse(json) }));
    }
  }
  for (const [bucket, current, wanted] of [
    [stores.rawBucket, now.raw, target.raw],
    [stores.siteBucket, now.site, target.site],
  ] as const) {
    const store = createS3ObjectStore({ client: aws.s3, bucket });
    for (const key of current.keys()) if (!wanted.has(key)) await store.delete(key);
    for (const [key, o] of wanted) {
      const have = current.get(key);
      if (have && digest(have) === digest(o)) continue;
      const { sha256: _recomputed, ...metadata } = o.metadata;
      await store.put(key, o.bytes, {
        contentType: o.contentType ?? 'application/octet-stream',
        ...(o.cacheControl ? { cacheControl: o.cacheControl } : {}),
        metadata,
      });
    }
  }
}
