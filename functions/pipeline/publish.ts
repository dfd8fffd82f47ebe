/**
 * Publish: the computed snapshot(s) of a day — several after a restatement — go to the site bucket,
 * `data/latest.json` LAST, so a reader never sees a half-published day:
 *   1. every snapshot is checked against SnapshotSchema first, once (the contract, strict); one invalid →
 *      nothing is written (SanityGateError, yesterday's `latest` stays); then, under the day lock and still
 *      before any write, the fields publish adds (`publishedAt`, `previousPublication`) are checked against
 *      theirs, and the figure gates of shared/gates (tier P&L, symbol drop, short interest move;
 *      docs/reliability.md) compare each snapshot with the last published day before it (from the feed) —
 *      a refused day is a SanityGateError too. ajv's JSON Schema check of the bytes is not repeated here:
 *      test/gates/published-contract.test.ts applies the published JSON Schemas to what publish writes, in CI;
 *   2. data/schema/*.json (only when changed), data/snapshots/<date>.json, sent together;
 *   3. once all of 2 has landed: data/history.json (rows replaced by date), the feed and rss.xml (from
 *      the feed's last 60 snapshots), sent together;
 *   4. once all of 3 has landed: data/latest.json — only moving forward: republishing an older day never
 *      rolls `latest` back;
 *   5. when `latest` moved: the age of its short interest and prices is emitted (./health-metrics.ts), for
 *      the staleness alarms.
 * A failure in 3–4 restores history.json, rss.xml and the feed to what they were (the previous bytes put
 * back, or deleted when this was the first publish to write them), then rethrows; the dated snapshot
 * files may stay (nothing links to them until `latest` does). The publish role may delete exactly those
 * three keys (PUBLISH_ROLLBACK_KEYS), so the rollback works in AWS, not only on the emulators.
 */
import type { IsoDate } from '../../shared/domain.ts';
import type { GateName } from '../../shared/gates/names.ts';
import { checkFigureSeries } from '../../shared/gates/sanity.ts';
import { buildHeadline } from '../../shared/present/headline.ts';
import { buildRss, RSS_ITEM_LIMIT } from '../../shared/present/rss.ts';
import { forClients } from '../../shared/snapshot/published-schema.ts';
import { type History, type HistoryRow, type Snapshot, snapshotSchemas } from '../../shared/snapshot/schema.ts';
import * as z from '../../shared/zod.ts';
import { ObjectChangedError, type ObjectStore, type PutObjectOptions } from '../adapters/ports.ts';
import type { PublishEvent } from '../lib/events.ts';
import { newYorkDate } from '../lib/new-york-date.ts';
import { withDayLock } from './day-lock.ts';
import type { PipelineDeps } from './deps.ts';
import { recordDataAge } from './health-metrics.ts';
import {
  assertSnapshotBatchKey,
  FEED_KEY,
  PUBLISH_ROLLBACK_KEYS,
  SITE_HISTORY_KEY,
  SITE_HISTORY_SCHEMA_KEY,
  SITE_LATEST_KEY,
  SITE_RSS_KEY,
  SITE_SNAPSHOT_SCHEMA_KEY,
  SITE_STOCK_INDEX_KEY,
  SITE_STOCK_MANIFEST_KEY,
  siteSnapshotKey,
} from './keys.ts';
import { planStocks, type StockPlan, writeStocks } from './publish-stocks.ts';
import {
  contractJsonSchema,
  SanityGateError,
  type SchemaDoc,
  schemaDocsOf,
  settled,
  siteObjectOptions,
} from './site-writes.ts';

export { SanityGateError, siteObjectOptions } from './site-writes.ts';

import { type DataAge, dataAge } from './staleness.ts';
import { type Stopwatch, stopwatch } from './stopwatch.ts';

/** The feed's content type (an object of the raw bucket, never served). */
export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * What publish reads of its event, compute's result (`publishEventSchema`, ../lib/events.ts): the days to
 * (re)publish — every restated day after a late file — and, for each, the snapshot batch compute wrote it
 * to. Compute's result is the only channel: publish never looks into compute's journal.
 */
export type PublishInput = Pick<PublishEvent, 'date' | 'dates' | 'snapshotKeys'> &
  Partial<Pick<PublishEvent, 'skipped' | 'runId' | 'acceptGates' | 'stocks' | 'more'>>;

export interface PublishResult {
  date: IsoDate;
  skipped: boolean;
  reason?: string;
  runId: string;
  /** asOf of every snapshot written under data/snapshots/. */
  published: IsoDate[];
  /** asOf now in data/latest.json, or null when `latest` was left as it was (an older day republished). */
  latest: IsoDate | null;
  /** Site keys written, in write order. */
  keys: string[];
  /** Compute's run goes on in another chunk (issue 20 item 3): the state machine calls compute again. */
  more?: boolean;
  /**
   * When `latest` moved: how old its inputs are (./staleness.ts), also emitted as the ShortInterestAgeDays
   * and PriceAgeDays metrics the staleness alarms watch (infra/constructs/monitoring.ts).
   */
  dataAge?: DataAge;
  /** When the stock files were published (./publish-stocks.ts): how many were written and left unchanged. */
  stocks?: { asOf: IsoDate; written: number; unchanged: number };
}

/** The published history.json cannot be read: it is never overwritten blind (restore it first). */
export class HistoryUnreadableError extends Error {
  readonly field = 'history';
  constructor(key: string, reason: string) {
    super(`${key}: ${reason}; refusing to overwrite it (restore it from bucket versioning or the previous publish)`);
    this.name = 'HistoryUnreadableError';
  }
}

const encode = (value: unknown, indent?: number) => Buffer.from(JSON.stringify(value, null, indent), 'utf8');

function parseJson(bytes: Uint8Array): unknown {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}

export function historyRowOf(s: Snapshot): HistoryRow {
  return { date: s.asOf, restated: s.restated, '1d': s.windows['1d'].groups, ytd: s.windows.ytd.groups };
}

/** Rows replaced by date, ascending; generatedAt/sample follow the newest snapshot. */
export function mergeHistory(previous: History | undefined, snapshots: Snapshot[]): History {
  const rows = new Map<IsoDate, HistoryRow>((previous?.rows ?? []).map((r) => [r.date, r]));
  for (const s of snapshots) rows.set(s.asOf, historyRowOf(s));
  const newest = snapshots.reduce((a, b) => (b.generatedAt > a.generatedAt ? b : a));
  const generatedAt = previous && previous.generatedAt > newest.generatedAt ? previous.generatedAt : newest.generatedAt;
  return {
    schemaVersion: 1,
    methodologyVersion: newest.methodologyVersion,
    generatedAt,
    sample: newest.sample,
    rows: [...rows.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
  };
}

type RollbackBucket = keyof typeof PUBLISH_ROLLBACK_KEYS;

interface Saved {
  store: ObjectStore;
  key: string;
  previous: { bytes: Uint8Array; options: PutObjectOptions } | undefined;
  /** The version this publish wrote (its ETag), once the write landed. */
  written?: string | undefined;
}

/**
 * Remembers what a key held before this publish wrote it, to restore it if the publish fails before
 * `latest`: the previous bytes put back, or the key deleted when this publish created it. Only the keys of
 * PUBLISH_ROLLBACK_KEYS: the publish role may delete those and no other (a rollback that AWS denies would
 * leave the half-published day in place, as it did before issue 12).
 */
function journal(deps: PipelineDeps) {
  const saved: Saved[] = [];
  return {
    async write(
      bucket: RollbackBucket,
      key: string,
      bytes: Uint8Array,
      options: PutObjectOptions,
      previous: Saved['previous'],
    ) {
      if (!(PUBLISH_ROLLBACK_KEYS[bucket] as readonly string[]).includes(key)) {
        throw new Error(`publish: ${bucket} ${key} is not in PUBLISH_ROLLBACK_KEYS: its rollback would be denied`);
      }
      const store = deps[bucket];
      const entry: Saved = { store, key, previous };
      saved.push(entry);
      try {
        entry.written = (await store.put(key, bytes, options)).etag;
      } catch (error) {
        // Changed by another run since it was read (`onlyIf`): nothing of ours landed there, so nothing of ours
        // to restore, and putting our `previous` back would overwrite that run's write.
        if (error instanceof ObjectChangedError) saved.splice(saved.indexOf(entry), 1);
        throw error;
      }
    },
    async restore(log: PipelineDeps['log']) {
      for (const s of saved.reverse()) {
        try {
          // Only over what this publish wrote (when the store names versions): never over a later run's write.
          const onlyIf = s.written !== undefined ? { onlyIf: { etag: s.written } } : {};
          if (s.previous) await s.store.put(s.key, s.previous.bytes, { ...s.previous.options, ...onlyIf });
          else await s.store.delete(s.key);
        } catch (error) {
          log.error('publish rollback failed: restore by hand from bucket versioning', {
            key: s.key,
            error: (error as Error).message,
          });
        }
      }
    },
  };
}

function optionsOf(
  o: { contentType: string | undefined; cacheControl: string | undefined },
  fallback: PutObjectOptions,
) {
  return {
    contentType: o.contentType ?? fallback.contentType,
    ...((o.cacheControl ?? fallback.cacheControl) ? { cacheControl: o.cacheControl ?? fallback.cacheControl } : {}),
  } satisfies PutObjectOptions;
}

/** The JSON Schemas publish keeps on the site, encoded, with the hash stored beside each when unchanged. */
function schemaDocs(siteUrl: string): SchemaDoc[] {
  return schemaDocsOf(
    [
      [SITE_SNAPSHOT_SCHEMA_KEY, forClients(contractJsonSchema('snapshot'), 'snapshot.v1.json', siteUrl)],
      [SITE_HISTORY_SCHEMA_KEY, forClients(contractJsonSchema('history'), 'history.v1.json', siteUrl)],
    ],
    (doc) => encode(doc, 2),
  );
}

function validateSnapshots(date: IsoDate, raw: { date: IsoDate; value: unknown }[]): Snapshot[] {
  const issues: string[] = [];
  const valid: Snapshot[] = [];
  for (const r of raw) {
    const parsed = snapshotSchemas().SnapshotSchema.safeParse(r.value);
    if (parsed.success) valid.push(parsed.data);
    else {
      for (const i of parsed.error.issues.slice(0, 10))
        issues.push(`${r.date}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
  }
  if (issues.length > 0) throw new SanityGateError('schema', date, 'snapshot', issues);
  return valid;
}

const FeedSchema = z.onFirstUse(() => z.array(snapshotSchemas().SnapshotSchema));

function asOfOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { asOf?: unknown }).asOf : undefined;
}

/** Each day's snapshot, unchecked, from the batch `snapshotKeys` names for it; each batch read once. */
async function loadSnapshots(deps: PipelineDeps, input: PublishInput) {
  const batches = new Map<string, Promise<unknown[] | undefined>>();
  for (const d of input.dates) {
    const key = input.snapshotKeys[d];
    // The event schema checks it too; here it keeps the service itself from reading any other key.
    if (key !== undefined && !batches.has(key)) {
      batches.set(key, deps.derived.getSnapshotBatch(assertSnapshotBatchKey(key, `snapshotKeys.${d}`)));
    }
  }
  const loaded = await Promise.all(
    input.dates.map(async (d) => {
      const key = input.snapshotKeys[d];
      const batch = key === undefined ? undefined : await batches.get(key);
      return { date: d, value: batch?.find((s) => asOfOf(s) === d) };
    }),
  );
  const missing = loaded.filter((l) => l.value === undefined).map((l) => `${l.date}: no computed snapshot`);
  if (missing.length > 0) throw new SanityGateError('missing', input.date, 'snapshot', missing);
  return loaded;
}

/** Publishes the day's snapshot(s); see the file comment for the order and guarantees. */
export async function runPublish(deps: PipelineDeps, input: PublishInput): Promise<PublishResult> {
  const { date } = input;
  const runId = input.runId ?? deps.newRunId();
  const base = { date, runId, published: [], latest: null, keys: [] };
  if (input.skipped === true) return { ...base, skipped: true, reason: 'the previous step skipped this day' };

  // Everything is checked before the first write: a refused day leaves the site as it was.
  const watch = stopwatch();
  let snapshots: Snapshot[];
  try {
    const loaded = await loadSnapshots(deps, input);
    watch.lap('read snapshots');
    snapshots = validateSnapshots(date, loaded);
    watch.lap('validate snapshots');
  } catch (error) {
    if (error instanceof SanityGateError) await refuse(deps, runId, error);
    throw error;
  }
  if (snapshots.length === 0) return { ...base, skipped: true, reason: 'no snapshot to publish' };

  const run: LockedRun = {
    date,
    runId,
    snapshots,
    acceptGates: input.acceptGates ?? [],
    stocks: input.stocks ?? null,
    watch,
  };
  const result = await withDayLock(deps, { step: 'publish', date, runId }, () => publishLocked(deps, run));
  return input.more === true ? { ...result, more: true } : result;
}

/** A refused day: logged, and the day's publish status says why (the site is left as it was). */
async function refuse(deps: PipelineDeps, runId: string, error: SanityGateError): Promise<void> {
  deps.log.error('publish refused', { date: error.date, gate: error.gate, issues: error.issues.slice(0, 20) });
  await deps.table.setStepStatus(error.date, 'publish', {
    state: 'refused',
    at: deps.clock().toISOString(),
    runId,
    detail: error.message.slice(0, 1000),
  });
}

interface LockedRun {
  date: IsoDate;
  runId: string;
  /** Checked against SnapshotSchema. */
  snapshots: Snapshot[];
  acceptGates: GateName[];
  /** The stock run of the newest day, if compute wrote one (issue 19). */
  stocks: { asOf: IsoDate; key: string } | null;
  watch: Stopwatch;
}

/**
 * Sets each snapshot's `publishedAt` (in place, right after `generatedAt`): when its day was first published.
 * A day published before keeps its time, from the feed (the last 60 days) or, for an older restated day, from
 * its published file (`publishedAt`, else its `generatedAt`: files written before this field existed: one GET,
 * only then); any other day gets the clock's time. Rendered as the RSS item's pubDate (shared/present/rss.ts).
 */
async function stampPublishedAt(deps: PipelineDeps, snapshots: Snapshot[], previousFeed: readonly Snapshot[]) {
  const now = deps.clock().toISOString();
  const inFeed = new Map(previousFeed.map((s) => [s.asOf, s]));
  const earlier = await Promise.all(
    snapshots.map(async (s): Promise<Snapshot | undefined> => {
      const fromFeed = inFeed.get(s.asOf);
      if (fromFeed !== undefined) return fromFeed;
      // Only a restated day can have been published before without being in the feed (older than its 60 days).
      if (!s.restated) return undefined;
      const file = await deps.site.get(siteSnapshotKey(s.asOf));
      if (!file) return undefined;
      try {
        const parsed = snapshotSchemas().SnapshotSchema.safeParse(JSON.parse(Buffer.from(file.bytes).toString('utf8')));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  snapshots.forEach((s, i) => {
    const before = earlier[i];
    const publishedAt = before ? (before.publishedAt ?? before.generatedAt) : now;
    // Issue 21 item 8: a restated day keeps what was published for it before, so a reader sees what changed.
    // The same snapshot again (a retry) keeps what it had.
    const previousPublication =
      s.restated && before
        ? before.generatedAt === s.generatedAt
          ? before.previousPublication
          : {
              generatedAt: before.generatedAt,
              headline: buildHeadline(before).text,
              ytdPnlUsd: before.windows.ytd.groups.total.pnlUsd,
              dayPnlUsd: before.windows['1d'].groups.total.pnlUsd,
            }
        : undefined;
    const {
      schemaVersion,
      methodologyVersion,
      asOf,
      generatedAt,
      publishedAt: _p,
      previousPublication: _q,
      ...rest
    } = s;
    snapshots[i] = {
      schemaVersion,
      methodologyVersion,
      asOf,
      generatedAt,
      publishedAt,
      ...rest,
      ...(previousPublication ? { previousPublication } : {}),
    };
  });
}

/**
 * What publish adds to a snapshot checked as read (`stampPublishedAt`), against the contract's schemas of
 * those fields: every other field was validated once, with SnapshotSchema, and publish does not change it.
 */
function stampIssues(snapshots: readonly Snapshot[]): string[] {
  const issues: string[] = [];
  for (const s of snapshots) {
    for (const field of ['publishedAt', 'previousPublication'] as const) {
      const parsed = snapshotSchemas().SnapshotSchema.shape[field].safeParse(s[field]);
      if (parsed.success) continue;
      for (const i of parsed.error.issues.slice(0, 10))
        issues.push(`${s.asOf}: ${[field, ...i.path].join('.')}: ${i.message}`);
    }
  }
  return issues;
}

/** Under the day lock, the snapshots checked: the gates, then the writes in the order of the file comment. */
async function publishLocked(deps: PipelineDeps, run: LockedRun): Promise<PublishResult> {
  const { date, runId, snapshots, watch } = run;
  const keys: string[] = [];
  const newestDay = snapshots.reduce((a, b) => (b.asOf > a.asOf ? b : a)).asOf;
  // Read before any write (the feed holds the published days the gates compare with), all at once:
  // the schemas' HEADs too, so that only the writes of a changed schema remain to do.
  const schemas = schemaDocs(deps.config.siteUrl);
  const [cursor, historyObject, feedObject, latestHead, ...schemaHeads] = await Promise.all([
    deps.table.getCursor(),
    deps.site.get(SITE_HISTORY_KEY),
    deps.raw.get(FEED_KEY),
    deps.site.head(SITE_LATEST_KEY),
    ...schemas.map((d) => deps.site.head(d.key)),
  ]);
  // Issue 20 item 1: history.json, the feed and latest.json are written only over what was read here; another
  // run's write in between (possible only if this run lost the run lock) fails the step with
  // `ObjectChangedError`, retried from a new read, instead of being overwritten.
  const onlyIf = (o: { etag?: string } | undefined): Pick<PutObjectOptions, 'onlyIf'> =>
    o === undefined ? { onlyIf: 'absent' } : o.etag !== undefined ? { onlyIf: { etag: o.etag } } : {};
  const switchLatest = cursor.lastPublished === null || newestDay >= cursor.lastPublished;
  watch.lap('read history and feed');
  let previousHistory: History | undefined;
  if (historyObject) {
    let parsed: z.util.SafeParseResult<History>;
    try {
      parsed = snapshotSchemas().HistorySchema.safeParse(parseJson(historyObject.bytes));
    } catch (error) {
      throw new HistoryUnreadableError(SITE_HISTORY_KEY, `not JSON (${(error as Error).message})`);
    }
    if (!parsed.success) {
      throw new HistoryUnreadableError(SITE_HISTORY_KEY, parsed.error.issues[0]?.message ?? 'invalid');
    }
    previousHistory = parsed.data;
  }
  let previousFeed: Snapshot[] = [];
  if (feedObject) {
    let value: unknown;
    try {
      value = parseJson(feedObject.bytes);
    } catch {
      value = undefined;
    }
    const parsed = FeedSchema().safeParse(value);
    // The feed is a cache of published snapshots: if unreadable, it restarts from today's.
    if (parsed.success) previousFeed = parsed.data;
    else deps.log.warn('feed unreadable, restarting it', { key: FEED_KEY, issue: parsed.error.issues[0]?.message });
  }

  // Issue 21 item 12: when each day was first published (the feed's pubDate), kept when it is restated.
  await stampPublishedAt(deps, snapshots, previousFeed);
  const newest = snapshots.reduce((a, b) => (b.asOf > a.asOf ? b : a));
  watch.lap('validate history and feed');
  const stamps = stampIssues(snapshots);
  if (stamps.length > 0) {
    const error = new SanityGateError('schema', date, 'snapshot', stamps);
    await refuse(deps, runId, error);
    throw error;
  }
  const gates = checkFigureSeries(previousFeed, snapshots, { acknowledge: run.acceptGates });
  watch.lap('sanity gates');
  if (gates.acknowledged.length > 0) {
    deps.log.warn('sanity gates acknowledged by the operator', {
      date,
      violations: gates.acknowledged.map((v) => v.message),
    });
  }
  const first = gates.violations[0];
  if (first) {
    const error = new SanityGateError(
      first.gate,
      date,
      first.field,
      gates.violations.map((v) => v.message),
    );
    await refuse(deps, runId, error);
    throw error;
  }

  // The stock files of the newest day, when `latest` moves to it: read and checked before any write too.
  let stockPlan: StockPlan | null = null;
  if (switchLatest && run.stocks !== null && run.stocks.asOf === newest.asOf) {
    try {
      stockPlan = await planStocks(deps, date, run.stocks, { generatedAt: newest.generatedAt, sample: newest.sample });
    } catch (error) {
      if (error instanceof SanityGateError) await refuse(deps, runId, error);
      throw error;
    }
    watch.lap('read and check stock files');
  }

  // The changed schemas and the dated snapshots are sent together (nothing links to them until `latest`
  // does), in this order; history, feed and rss wait for all of them.
  const changed = schemas.filter((d, i) => schemaHeads[i]?.sha256 !== d.sha256);
  const dated = snapshots.map((s) => ({ key: siteSnapshotKey(s.asOf), bytes: encode(s) }));
  await settled([...changed, ...dated].map((d) => deps.site.put(d.key, d.bytes, siteObjectOptions(d.key))));
  keys.push(...changed.map((d) => d.key), ...dated.map((d) => d.key));
  watch.lap('write schemas and snapshots');
  // Then the stock files (each stands alone; the manifest, last, makes a retry send what did not land).
  const stocks = stockPlan ? { asOf: stockPlan.asOf, ...(await writeStocks(deps, stockPlan)) } : undefined;
  if (stocks) {
    keys.push(SITE_STOCK_INDEX_KEY, SITE_STOCK_MANIFEST_KEY);
    watch.lap('write stock files');
  }

  const history = snapshotSchemas().HistorySchema.parse(mergeHistory(previousHistory, snapshots));
  const feedByDate = new Map(previousFeed.map((s) => [s.asOf, s]));
  for (const s of snapshots) feedByDate.set(s.asOf, s);
  const feed = [...feedByDate.values()].sort((a, b) => (a.asOf < b.asOf ? 1 : -1)).slice(0, RSS_ITEM_LIMIT);
  const rss = buildRss(feed, { siteUrl: deps.config.siteUrl });
  watch.lap('build history, feed and rss');

  const j = journal(deps);
  try {
    const historyOptions = siteObjectOptions(SITE_HISTORY_KEY);
    const rssOptions = siteObjectOptions(SITE_RSS_KEY);
    // The previous rss.xml is the previous feed rendered again (publish may write rss.xml, not read it).
    const previousRss =
      previousFeed.length > 0
        ? {
            bytes: Buffer.from(buildRss(previousFeed, { siteUrl: deps.config.siteUrl }), 'utf8'),
            options: rssOptions,
          }
        : undefined;
    // Sent together; each is remembered before it is sent, so a failure of any restores all three.
    await settled([
      j.write(
        'site',
        SITE_HISTORY_KEY,
        encode(history),
        { ...historyOptions, ...onlyIf(historyObject) },
        historyObject && { bytes: historyObject.bytes, options: optionsOf(historyObject, historyOptions) },
      ),
      j.write(
        'raw',
        FEED_KEY,
        encode(feed),
        { contentType: JSON_TYPE, ...onlyIf(feedObject) },
        feedObject && { bytes: feedObject.bytes, options: { contentType: JSON_TYPE } },
      ),
      j.write('site', SITE_RSS_KEY, Buffer.from(rss, 'utf8'), rssOptions, previousRss),
    ]);
    keys.push(SITE_HISTORY_KEY, SITE_RSS_KEY);
    // Last, once everything it links to has landed.
    if (switchLatest) {
      await deps.site.put(SITE_LATEST_KEY, encode(newest), {
        ...siteObjectOptions(SITE_LATEST_KEY),
        ...onlyIf(latestHead),
      });
      keys.push(SITE_LATEST_KEY);
    }
  } catch (error) {
    deps.log.error('publish failed before latest.json: restoring history, feed and rss', {
      date,
      error: (error as Error).message,
    });
    await j.restore(deps.log);
    throw error;
  }

  watch.lap('write history, feed, rss and latest');
  if (switchLatest) await deps.table.advanceCursor('lastPublished', newest.asOf);
  // The age of what the site now shows; republishing an older day leaves `latest`, and so its age, alone.
  const age = switchLatest ? dataAge(newest, newYorkDate(deps.clock())) : undefined;
  if (age) recordDataAge(age);
  await deps.table.setStepStatus(date, 'publish', {
    state: 'done',
    at: deps.clock().toISOString(),
    runId,
    detail: `${snapshots.length} snapshot(s)${switchLatest ? `, latest = ${newest.asOf}` : ', latest unchanged'}`,
  });
  deps.log.info('published', {
    date,
    runId,
    published: snapshots.map((s) => s.asOf),
    latest: switchLatest ? newest.asOf : null,
    ...(age ? { dataAge: age } : {}),
    ...(stocks ? { stocks } : {}),
    ms: watch.ms(),
  });
  return {
    date,
    runId,
    skipped: false,
    published: snapshots.map((s) => s.asOf),
    latest: switchLatest ? newest.asOf : null,
    keys,
    ...(age ? { dataAge: age } : {}),
    ...(stocks ? { stocks } : {}),
  };
}
