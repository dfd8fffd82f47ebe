/**
 * runPublish against s3rver + dynalite: write order (latest last), headers, history rows, the RSS feed,
 * a refused invalid snapshot, a restatement that must not roll `latest` back, and an S3 failure in the
 * middle that must leave the site as it was. Snapshots are the site's fixture snapshots (valid v1).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../functions/adapters/aws-clients.ts';
import type { ObjectStore } from '../../functions/adapters/ports.ts';
import { createS3ObjectStore } from '../../functions/adapters/s3-object-store.ts';
import { createPipelineDeps } from '../../functions/pipeline/deps.ts';
import { runPublish, SanityGateError } from '../../functions/pipeline/publish.ts';
import { HistorySchema, type Snapshot } from '../../shared/snapshot/schema.ts';
import { s3ErrorXml, startFaultProxy } from '../adapters/helpers/fault-proxy.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { emulatorDeps } from './helpers/deps.ts';
import { publishSnapshots } from './helpers/publish.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/site/data/snapshots');
const snapshot = (date: string): Snapshot => JSON.parse(readFileSync(path.join(FIXTURES, `${date}.json`), 'utf8'));
const json = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8'));

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

/** Records the order of writes to a store (what a reader could see, and when). */
function recording(store: ObjectStore, writes: string[]): ObjectStore {
  return {
    ...store,
    bucket: store.bucket,
    put: (key, bytes, options) => {
      writes.push(key);
      return store.put(key, bytes, options);
    },
  };
}

describe('publishing a day', () => {
  it('writes the dated snapshot, schemas, history and rss, then latest.json last, with types and cache headers', async () => {
    const deps = await emulatorDeps(aws);
    const writes: string[] = [];
    const site = recording(deps.site, writes);
    const publishDeps = createPipelineDeps({ ...deps, site });
    const key = await deps.derived.putSnapshotBatch('2024-06-10', [snapshot('2024-06-10')]);

    // As the state machine passes it: compute's result names the batch of each day to publish.
    const result = await runPublish(publishDeps, {
      date: '2024-06-10',
      dates: ['2024-06-10'],
      snapshotKeys: { '2024-06-10': key },
    });

    expect(result).toMatchObject({ skipped: false, published: ['2024-06-10'], latest: '2024-06-10' });
    expect(writes).toEqual([
      'data/schema/snapshot.v1.json',
      'data/schema/history.v1.json',
      'data/snapshots/2024-06-10.json',
      'data/history.json',
      'rss.xml',
      'data/latest.json',
    ]);
    const latest = await deps.site.get('data/latest.json');
    // As computed, with the time it was first published (issue 21 item 12: the feed's pubDate).
    expect(json(latest!.bytes)).toEqual({ ...snapshot('2024-06-10'), publishedAt: deps.clock().toISOString() });
    // One HTTP policy (shared/present/security-headers.ts) for everything publish writes: a minute.
    expect(latest).toMatchObject({
      contentType: 'application/json; charset=utf-8',
      cacheControl: 'public, max-age=60, must-revalidate',
    });
    for (const key of ['data/snapshots/2024-06-10.json', 'data/history.json', 'data/schema/snapshot.v1.json']) {
      expect(await deps.site.head(key), key).toMatchObject({
        contentType: 'application/json; charset=utf-8',
        cacheControl: 'public, max-age=60, must-revalidate',
      });
    }
    expect(await deps.site.head('rss.xml')).toMatchObject({
      contentType: 'application/rss+xml; charset=utf-8',
      cacheControl: 'public, max-age=60, must-revalidate',
    });
    // Issue 21 item 13: the schema names its URL on the configured site, and is open to compatible additions.
    const published = json((await deps.site.get('data/schema/snapshot.v1.json'))!.bytes) as Record<string, unknown>;
    expect(published).toMatchObject({ $id: 'https://shortpulse.example/data/schema/snapshot.v1.json' });
    expect(JSON.stringify(published)).not.toContain('"additionalProperties":false');

    const history = HistorySchema.parse(json((await deps.site.get('data/history.json'))!.bytes));
    expect(history.rows.map((r) => r.date)).toEqual(['2024-06-10']);
    expect(history.rows[0]?.ytd.total).toEqual(snapshot('2024-06-10').windows.ytd.groups.total);
    expect(history.rows[0]?.['1d'].nano.pnlUsd).toBe(77725603);

    const feed = await new Parser().parseString(Buffer.from((await deps.site.get('rss.xml'))!.bytes).toString('utf8'));
    expect(feed.items.map((i) => i.link)).toEqual(['https://shortpulse.example/archive/2024-06-10/']);

    expect(await deps.table.getCursor()).toMatchObject({ lastPublished: '2024-06-10' });
    expect((await deps.table.getDay('2024-06-10'))?.steps.publish?.state).toBe('done');
  });

  it('the next day adds a history row and a feed item; unchanged schemas are not rewritten', async () => {
    const deps = await emulatorDeps(aws);
    await publishSnapshots(deps, '2024-06-10', [snapshot('2024-06-10')]);
    const writes: string[] = [];
    const second = await publishSnapshots(
      createPipelineDeps({ ...deps, site: recording(deps.site, writes) }),
      '2024-06-11',
      [snapshot('2024-06-11')],
    );
    expect(second.latest).toBe('2024-06-11');
    expect(writes).toEqual(['data/snapshots/2024-06-11.json', 'data/history.json', 'rss.xml', 'data/latest.json']);
    const history = HistorySchema.parse(json((await deps.site.get('data/history.json'))!.bytes));
    expect(history.rows.map((r) => r.date)).toEqual(['2024-06-10', '2024-06-11']);
    const feed = await new Parser().parseString(Buffer.from((await deps.site.get('rss.xml'))!.bytes).toString('utf8'));
    expect(feed.items.map((i) => i.link)).toEqual([
      'https://shortpulse.example/archive/2024-06-11/',
      'https://shortpulse.example/archive/2024-06-10/',
    ]);
  });

  it('a restatement republishes the earlier days it names and never moves latest backwards', async () => {
    const deps = await emulatorDeps(aws);
    for (const d of ['2024-06-10', '2024-06-11', '2024-06-12']) await publishSnapshots(deps, d, [snapshot(d)]);
    const restated = { ...snapshot('2024-06-11'), restated: true, restatedOn: '2024-06-12' };
    restated.windows['1d'].groups.total.pnlUsd = 123;

    // Backfill of 2024-06-11 alone: the day is rewritten, latest stays on 2024-06-12.
    const result = await publishSnapshots(deps, '2024-06-11', [restated]);
    expect(result.latest).toBeNull();
    expect(json((await deps.site.get('data/latest.json'))!.bytes).asOf).toBe('2024-06-12');
    expect(json((await deps.site.get('data/snapshots/2024-06-11.json'))!.bytes)).toMatchObject({
      restated: true,
      restatedOn: '2024-06-12',
    });
    const history = HistorySchema.parse(json((await deps.site.get('data/history.json'))!.bytes));
    expect(history.rows.map((r) => [r.date, r.restated, r['1d'].total.pnlUsd])).toEqual([
      ['2024-06-10', false, snapshot('2024-06-10').windows['1d'].groups.total.pnlUsd],
      ['2024-06-11', true, 123],
      ['2024-06-12', snapshot('2024-06-12').restated, snapshot('2024-06-12').windows['1d'].groups.total.pnlUsd],
    ]);

    // A late file restating 06-11..06-13 as the 06-13 run: every day rewritten, latest → 06-13.
    const run = await publishSnapshots(deps, '2024-06-13', [
      restated,
      { ...snapshot('2024-06-12'), restated: true, restatedOn: '2024-06-13' },
      snapshot('2024-06-13'),
    ]);
    expect(run).toMatchObject({ published: ['2024-06-11', '2024-06-12', '2024-06-13'], latest: '2024-06-13' });
    expect(
      HistorySchema.parse(json((await deps.site.get('data/history.json'))!.bytes)).rows.map((r) => r.date),
    ).toEqual(['2024-06-10', '2024-06-11', '2024-06-12', '2024-06-13']);
  });
});

describe('refusing to publish', () => {
  it('an invalid snapshot is refused before any write: the previous latest, history and feed stay', async () => {
    const deps = await emulatorDeps(aws);
    await publishSnapshots(deps, '2024-06-10', [snapshot('2024-06-10')]);
    const before = await Promise.all(
      ['data/latest.json', 'data/history.json', 'rss.xml'].map(async (k) => (await deps.site.head(k))?.sha256),
    );
    const keysBefore = await deps.site.list('');

    const broken = { ...snapshot('2024-06-11'), restatedOn: '11/06/2024', crowded: 'none' };
    const error = await publishSnapshots(deps, '2024-06-11', [broken]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SanityGateError);
    expect(error).toMatchObject({ name: 'SanityGateError', gate: 'schema', date: '2024-06-11' });
    expect((error as SanityGateError).issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2024-06-11: restatedOn: /),
        expect.stringMatching(/^2024-06-11: crowded: /),
      ]),
    );
    expect(await deps.site.list('')).toEqual(keysBefore);
    expect(
      await Promise.all(
        ['data/latest.json', 'data/history.json', 'rss.xml'].map(async (k) => (await deps.site.head(k))?.sha256),
      ),
    ).toEqual(before);
    expect((await deps.table.getCursor()).lastPublished).toBe('2024-06-10');
    expect((await deps.table.getDay('2024-06-11'))?.steps.publish?.state).toBe('refused');
  });

  it('a day compute has not written is refused (gate "missing"), nothing written', async () => {
    const deps = await emulatorDeps(aws);
    const batch = 'derived/snapshots/runs/2024-06-14-0123456789abcdef.json.gz';
    const event = { date: '2024-06-14', dates: ['2024-06-14'], snapshotKeys: { '2024-06-14': batch } };
    await expect(runPublish(deps, event)).rejects.toMatchObject({
      name: 'SanityGateError',
      gate: 'missing',
    });
    expect(await deps.site.list('')).toEqual([]);
  });

  it('a step the state machine marked skipped publishes nothing', async () => {
    const deps = await emulatorDeps(aws);
    expect(await runPublish(deps, { date: '2024-06-14', dates: [], snapshotKeys: {}, skipped: true })).toMatchObject({
      skipped: true,
    });
    expect(await deps.site.list('')).toEqual([]);
  });
});

describe('another run writing between this publish’s read and its write (issue 20 item 1)', () => {
  it('history.json changed since it was read: nothing of the other run’s is overwritten, ours is rolled back, latest stays', async () => {
    // On s3rver the condition is checked with a HEAD (conditionalWrites: false); AWS checks it atomically.
    const deps = await emulatorDeps(aws);
    const conditional = createS3ObjectStore({ client: aws.s3, bucket: deps.site.bucket, conditionalWrites: false });
    await publishSnapshots(deps, '2024-06-10', [snapshot('2024-06-10')]);
    const feedBefore = (await deps.raw.head('derived/feed.json'))?.sha256;
    const rssBefore = (await deps.site.head('rss.xml'))?.sha256;
    const theirs = Buffer.from('{"written":"by another run"}');
    // The other run writes history.json right after this publish has read it.
    const site: ObjectStore = {
      ...conditional,
      bucket: conditional.bucket,
      get: async (key) => {
        const read = await conditional.get(key);
        if (key === 'data/history.json') await deps.site.put(key, theirs, { contentType: 'application/json' });
        return read;
      },
    };
    const racing = createPipelineDeps({ ...deps, site });
    await expect(publishSnapshots(racing, '2024-06-11', [snapshot('2024-06-11')])).rejects.toMatchObject({
      name: 'ObjectChangedError',
      key: 'data/history.json',
    });
    // Theirs stays; the feed and rss.xml are back to what they were; latest.json still shows the 10th.
    expect(Buffer.from((await deps.site.get('data/history.json'))!.bytes).equals(theirs)).toBe(true);
    expect((await deps.raw.head('derived/feed.json'))?.sha256).toBe(feedBefore);
    expect((await deps.site.head('rss.xml'))?.sha256).toBe(rssBefore);
    expect(json((await deps.site.get('data/latest.json'))!.bytes).asOf).toBe('2024-06-10');
    expect((await deps.table.getCursor()).lastPublished).toBe('2024-06-10');
  });

  it('latest.json written by another run meanwhile is not overwritten: the step fails, to be retried from a new read', async () => {
    const deps = await emulatorDeps(aws);
    const conditional = createS3ObjectStore({ client: aws.s3, bucket: deps.site.bucket, conditionalWrites: false });
    await publishSnapshots(deps, '2024-06-10', [snapshot('2024-06-10')]);
    const theirs = Buffer.from(JSON.stringify({ ...snapshot('2024-06-12'), note: 'another run' }));
    const site: ObjectStore = {
      ...conditional,
      bucket: conditional.bucket,
      head: async (key) => {
        const read = await conditional.head(key);
        if (key === 'data/latest.json') await deps.site.put(key, theirs, { contentType: 'application/json' });
        return read;
      },
    };
    await expect(
      publishSnapshots(createPipelineDeps({ ...deps, site }), '2024-06-11', [snapshot('2024-06-11')]),
    ).rejects.toMatchObject({ name: 'ObjectChangedError', key: 'data/latest.json' });
    expect(Buffer.from((await deps.site.get('data/latest.json'))!.bytes).equals(theirs)).toBe(true);
  });
});

describe('an S3 failure in the middle of a publish', () => {
  it('latest.json failing after retries restores history.json and rss.xml: readers still see the previous day', async () => {
    const deps = await emulatorDeps(aws);
    await publishSnapshots(deps, '2024-06-10', [snapshot('2024-06-10')]);
    const before = Object.fromEntries(
      await Promise.all(
        ['data/latest.json', 'data/history.json', 'rss.xml'].map(
          async (k) => [k, (await deps.site.head(k))?.sha256] as const,
        ),
      ),
    );

    const proxy = await startFaultProxy(aws.emulators.s3Endpoint, (r) =>
      r.method === 'PUT' && r.path.includes('/data/latest.json')
        ? { kind: 'respond', status: 500, body: s3ErrorXml('InternalError', 'boom') }
        : undefined,
    );
    const client = createS3Client({ ...aws.clientConfig, s3Endpoint: proxy.endpoint, maxAttempts: 1 });
    try {
      const site = createS3ObjectStore({
        client,
        bucket: deps.site.bucket,
        retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
      });
      const failing = createPipelineDeps({ ...deps, site });
      await expect(publishSnapshots(failing, '2024-06-11', [snapshot('2024-06-11')])).rejects.toMatchObject({
        name: 'InternalError',
      });
      expect(proxy.requests.filter((r) => r.method === 'PUT' && r.path.includes('/data/latest.json'))).toHaveLength(3);
    } finally {
      client.destroy();
      await proxy.close();
    }

    for (const [key, sha] of Object.entries(before)) expect((await deps.site.head(key))?.sha256, key).toBe(sha);
    expect(
      HistorySchema.parse(json((await deps.site.get('data/history.json'))!.bytes)).rows.map((r) => r.date),
    ).toEqual(['2024-06-10']);
    expect((await deps.table.getCursor()).lastPublished).toBe('2024-06-10');
    expect((await deps.table.getDay('2024-06-11'))?.lock).toBeNull();

    // Re-running the step once S3 is healthy completes the day.
    expect((await publishSnapshots(deps, '2024-06-11', [snapshot('2024-06-11')])).latest).toBe('2024-06-11');
  });

  it('two publishes of one day at once: one writes, the other is told the day is taken', async () => {
    const deps = await emulatorDeps(aws);
    await deps.table.acquireDayLock(
      '2024-06-10',
      'execution-1',
      Date.parse('2024-06-10T23:45:00Z'),
      Date.parse('2024-06-10T23:30:00Z'),
    );
    // Issue 20 item 2: an error the state machine retries past the lock's expiry, not a skip that ends in success.
    const result = publishSnapshots(deps, '2024-06-10', [snapshot('2024-06-10')], { runId: 'execution-2' });
    await expect(result).rejects.toMatchObject({
      name: 'DayLockedError',
      message:
        'publish: day 2024-06-10 is being processed by execution-1 until 2024-06-10T23:45:00.000Z; retried until the lock is released or expires',
    });
    expect(await deps.site.list('')).toEqual([]);
  });
});
