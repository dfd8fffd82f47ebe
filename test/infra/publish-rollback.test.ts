/**
 * Issue 12: a publish that fails before latest.json restores history.json, rss.xml and the feed — and
 * after a failed *first* publish that means deleting them. The emulators model no IAM, so the fault tests
 * passed while in AWS the rollback itself was denied (the publish role had no s3:DeleteObject). Here the
 * real rollback runs on the in-memory stores, every S3 action it performs is recorded, and each one is
 * checked against the publish role's policy in the synthesized template (Template.fromStack).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/adapters/ports.ts';
import { createPipelineDeps, type PipelineDeps } from '../../functions/pipeline/deps.ts';
import { PUBLISH_ROLLBACK_KEYS, SITE_LATEST_KEY } from '../../functions/pipeline/keys.ts';
import { runPublish } from '../../functions/pipeline/publish.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { memoryDeps } from '../pipeline/helpers/deps.ts';
import { asArray, roleStatements, type Statement, type Synthesized, synthShortPulse } from './synth.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/site/data/snapshots');
const snapshot = (date: string): Snapshot => JSON.parse(readFileSync(path.join(FIXTURES, `${date}.json`), 'utf8'));

/** The imported bucket ARNs of the template, as the ARNs of the in-memory buckets standing in for them. */
const BUCKETS = {
  'ShortPulse-RawBucketArn': 'arn:aws:s3:::memory-raw',
  'ShortPulse-SiteBucketArn': 'arn:aws:s3:::memory-site',
} as const;

let s: Synthesized;
let statements: Statement[];
beforeAll(() => {
  s = synthShortPulse();
  const role = s.stacks.pipeline.functions.publish.role;
  statements = roleStatements(s.pipeline, s.stacks.pipeline.getLogicalId(role.node.defaultChild as never));
});
afterAll(() => s.cleanup());

/** A resource of the template as an ARN string (imports resolved to the buckets above). */
function resolve(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const r = resource as Record<string, unknown>;
  if (typeof r['Fn::ImportValue'] === 'string') {
    const arn = BUCKETS[r['Fn::ImportValue'] as keyof typeof BUCKETS];
    if (!arn) throw new Error(`unknown import ${r['Fn::ImportValue']}`);
    return arn;
  }
  const join = r['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(resolve).join(join[0]);
  throw new Error(`cannot resolve ${JSON.stringify(resource)}`);
}

/** IAM's wildcard match (`*` any run of characters, `?` one). */
function matches(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

/** Allowed by an Allow statement of the role and by no Deny (identity policy evaluation, no conditions). */
function allowed(action: string, arn: string): boolean {
  const applies = (st: Statement) =>
    st.Condition === undefined &&
    asArray(st.Action).some((a) => matches(a, action)) &&
    asArray(st.Resource).some((r) => matches(resolve(r), arn));
  return (
    statements.some((st) => st.Effect === 'Allow' && applies(st)) &&
    !statements.some((st) => st.Effect === 'Deny' && applies(st))
  );
}

interface S3Call {
  action: string;
  arn: string;
}

/** The S3 requests an ObjectStore call makes, as IAM actions on resources. */
function recording(store: ObjectStore, calls: S3Call[], failPut?: string): ObjectStore {
  const object = (key: string) => `arn:aws:s3:::${store.bucket}/${key}`;
  const log = (action: string, arn: string) => calls.push({ action, arn });
  return {
    bucket: store.bucket,
    put: (key, bytes, options) => {
      log('s3:PutObject', object(key));
      if (key === failPut) return Promise.reject(Object.assign(new Error('boom'), { name: 'InternalError' }));
      return store.put(key, bytes, options);
    },
    putIfAbsent: (key, bytes, options) => {
      log('s3:GetObject', object(key));
      log('s3:PutObject', object(key));
      return store.putIfAbsent(key, bytes, options);
    },
    get: (key) => {
      log('s3:GetObject', object(key));
      return store.get(key);
    },
    head: (key) => {
      // HeadObject is authorised by s3:GetObject; a missing key answers 404 only with s3:ListBucket.
      log('s3:GetObject', object(key));
      log('s3:ListBucket', `arn:aws:s3:::${store.bucket}`);
      return store.head(key);
    },
    digest: (key) => {
      log('s3:GetObject', object(key));
      return store.digest(key);
    },
    copyIfAbsent: (from, to, options) => {
      log('s3:GetObject', object(from));
      log('s3:PutObject', object(to));
      return store.copyIfAbsent(from, to, options);
    },
    list: (prefix) => {
      log('s3:ListBucket', `arn:aws:s3:::${store.bucket}`);
      return store.list(prefix);
    },
    delete: (key) => {
      log('s3:DeleteObject', object(key));
      return store.delete(key);
    },
  };
}

/** Publishes `date` with latest.json failing; returns every S3 call, and those made after the failure. */
async function failedPublish(base: PipelineDeps, date: string): Promise<{ all: S3Call[]; rollback: S3Call[] }> {
  const calls: S3Call[] = [];
  const deps = createPipelineDeps({
    ...base,
    raw: recording(base.raw, calls),
    site: recording(base.site, calls, SITE_LATEST_KEY),
  });
  const key = await base.derived.putSnapshotBatch(date, [snapshot(date)]);
  calls.length = 0;
  await expect(
    runPublish(deps, { date, dates: [date], snapshotKeys: { [date]: key }, runId: `run-${date}` }),
  ).rejects.toMatchObject({ name: 'InternalError' });
  const failedAt = calls.findIndex((c) => c.action === 's3:PutObject' && c.arn.endsWith(`/${SITE_LATEST_KEY}`));
  expect(failedAt).toBeGreaterThan(0);
  return { all: calls, rollback: calls.slice(failedAt + 1) };
}

const objectArns = (bucket: 'raw' | 'site', keys: readonly string[]) =>
  keys.map((k) => `arn:aws:s3:::memory-${bucket}/${k}`);
const ROLLBACK_ARNS = [
  ...objectArns('site', PUBLISH_ROLLBACK_KEYS.site),
  ...objectArns('raw', PUBLISH_ROLLBACK_KEYS.raw),
];

describe('the publish rollback against the publish role’s policy', () => {
  it('a failed first publish deletes history.json, rss.xml and the feed, and the role allows each delete', async () => {
    const deps = memoryDeps();
    const { all, rollback } = await failedPublish(deps, '2024-06-10');

    expect(rollback.map((c) => c.action)).toEqual(['s3:DeleteObject', 's3:DeleteObject', 's3:DeleteObject']);
    expect(rollback.map((c) => c.arn).sort()).toEqual([...ROLLBACK_ARNS].sort());
    for (const c of rollback) expect(allowed(c.action, c.arn), `${c.action} ${c.arn}`).toBe(true);
    // Everything before the failure too: the publish itself needs nothing the role lacks.
    for (const c of all) expect(allowed(c.action, c.arn), `${c.action} ${c.arn}`).toBe(true);
    // And the rollback did its job: nothing of the failed day is readable where readers look.
    expect(deps.site.keys().filter((k) => !k.startsWith('data/snapshots/') && !k.startsWith('data/schema/'))).toEqual(
      [],
    );
  });

  it('a failed later publish puts the previous bytes back, and the role allows each put', async () => {
    const deps = memoryDeps();
    const first = await deps.derived.putSnapshotBatch('2024-06-10', [snapshot('2024-06-10')]);
    await runPublish(deps, { date: '2024-06-10', dates: ['2024-06-10'], snapshotKeys: { '2024-06-10': first } });
    const before = Object.fromEntries(
      await Promise.all(PUBLISH_ROLLBACK_KEYS.site.map(async (k) => [k, (await deps.site.head(k))?.sha256] as const)),
    );

    const { all, rollback } = await failedPublish(deps, '2024-06-11');

    expect(rollback.map((c) => c.action)).toEqual(['s3:PutObject', 's3:PutObject', 's3:PutObject']);
    expect(rollback.map((c) => c.arn).sort()).toEqual([...ROLLBACK_ARNS].sort());
    for (const c of [...rollback, ...all]) expect(allowed(c.action, c.arn), `${c.action} ${c.arn}`).toBe(true);
    for (const [k, sha] of Object.entries(before)) expect((await deps.site.head(k))?.sha256, k).toBe(sha);
  });

  it('allows deleting those keys and no other object publish writes or reads', () => {
    for (const arn of ROLLBACK_ARNS) expect(allowed('s3:DeleteObject', arn), arn).toBe(true);
    for (const arn of [
      ...objectArns('site', ['data/latest.json', 'data/snapshots/2024-06-10.json', 'data/schema/snapshot.v1.json']),
      ...objectArns('site', ['index.html', '_astro/main.js']),
      ...objectArns('raw', ['derived/state/journal.json.gz', 'derived/snapshots/runs/x.json.gz', 'raw/prices/x']),
    ]) {
      expect(allowed('s3:DeleteObject', arn), arn).toBe(false);
    }
    expect(allowed('s3:DeleteObjectVersion', ROLLBACK_ARNS[0] as string)).toBe(false);
  });
});
