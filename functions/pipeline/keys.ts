/**
 * The storage layout of the pipeline: S3 keys in the raw (pipeline) bucket and the site bucket, and the
 * DynamoDB single-table keys. Every key the pipeline reads or writes is built here, so the layout documented
 * in docs/operations.md has exactly one implementation.
 *
 * Raw bucket
 *   incoming/<file>                                  file drops (S3 event → ingest); left in place
 *   raw/<source>/<YYYY-MM-DD>/<file>                 every input byte-exact as received, sha256 in metadata
 *   raw/<source>/<YYYY-MM-DD>/sha256-<hex>/<file>    a later, different file under an already used name
 *   derived/prices/<date>.json                       normalised screener day (columnar JSON, see derived-repository)
 *   derived/short-volume/<date>.json                 normalised Reg SHO day
 *   derived/short-interest/<settlement>/<file>.json  normalised short interest file (one per file / revision)
 *   derived/splits.json                              normalised split overrides (last accepted splits.csv)
 *   derived/split-calendar/<date>/<file>.json        a Nasdaq split calendar day's entries of its own day
 *   derived/securities.json                          normalised rule 12 overrides (last accepted securities.csv)
 *   derived/state/<date>.json.gz                     engine checkpoint after <date> (compute)
 *   derived/state/journal.json.gz                    compute's journal: days folded, files seen, overrides in use
 *   derived/snapshots/runs/<date>-<sha>.json.gz      the snapshots one compute run wrote for publish, named by
 *                                                    their content (never replaced); compute's result names, for
 *                                                    each day to publish, the object holding its latest snapshot
 *   derived/feed.json                                the last 60 published snapshots (rss.xml is built from it)
 *   derived/stocks/years/<YYYY>.bin.gz               every stock's raw values of each accepted day of a year,
 *                                                    once final (compute; resumes the per-stock series)
 *   derived/stocks/runs/<date>-<sha>.ndjson.gz       the per-stock files one compute run wrote for publish (issue 19)
 * Site bucket
 *   data/latest.json  data/snapshots/<date>.json  data/history.json  data/schema/*.json  rss.xml
 *   data/stocks/<SYMBOL>.json  data/stocks/index.json  data/stocks/manifest.json (each stock file's sha256)
 *
 * DynamoDB (pk, sk)
 *   FILE#<source>#<file>  SHA#<sha256>   ingest ledger: one item per distinct content of a file name
 *   LEDGER                <recordedAt>#<source>#<file>#<sha256>   the same entries by time recorded (compute
 *                                         reads only what is new since its last run)
 *   DAY#<date>            DAY            day status per step + the day lock (owner, expiry)
 *   PIPELINE              CURSOR         last ingested / computed / published day, earliest day to restate
 *   PIPELINE              RUN            the run lock: the execution holding the pipeline, until when (run-lock.ts)
 */

import type { IsoDate } from '../../shared/domain.ts';
import { parseIsoDate } from '../../shared/formats/text.ts';

export const SOURCES = ['prices', 'short-interest', 'short-volume', 'splits', 'split-calendar', 'securities'] as const;
export type SourceName = (typeof SOURCES)[number];

export function isSourceName(value: string): value is SourceName {
  return (SOURCES as readonly string[]).includes(value);
}

/**
 * The operator's files (splits.csv, securities.csv): about no day, so archived under the day they arrive
 * and in effect for every day, whatever their date.
 */
export function isArrivalDated(source: SourceName): source is 'splits' | 'securities' {
  return source === 'splits' || source === 'securities';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

export class KeyError extends Error {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`invalid ${field}: ${reason}`);
    this.name = 'KeyError';
    this.field = field;
  }
}

export function assertIsoDate(date: string, field = 'date'): IsoDate {
  // parseIsoDate, not Date.parse: Date.parse reads 2024-02-30 as 1 March.
  if (!ISO_DATE.test(date) || parseIsoDate(date) !== date) {
    throw new KeyError(field, `expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  return date;
}

/** A file name as received must be a plain name: no folders, no traversal, printable. */
export function assertFileName(name: string): string {
  if (name.length === 0 || name.length > 200 || name === '.' || name === '..' || /[/\\\p{Cc}]/u.test(name)) {
    throw new KeyError('file', `not a plain file name: ${JSON.stringify(name)}`);
  }
  return name;
}

function assertSha256(sha256: string): string {
  if (!HEX_SHA256.test(sha256)) throw new KeyError('sha256', `expected 64 lower-case hex digits, got ${sha256}`);
  return sha256;
}

// ---------------------------------------------------------------- raw bucket

export const INCOMING_PREFIX = 'incoming/';
export const RAW_PREFIX = 'raw/';
export const DERIVED_PREFIX = 'derived/';

export function rawPrefix(source: SourceName, date: IsoDate): string {
  return `${RAW_PREFIX}${source}/${assertIsoDate(date)}/`;
}

export function rawKey(source: SourceName, date: IsoDate, file: string): string {
  return `${rawPrefix(source, date)}${assertFileName(file)}`;
}

/** Where a second, different content under an already archived name goes (the first one is never overwritten). */
export function rawVersionKey(source: SourceName, date: IsoDate, file: string, sha256: string): string {
  return `${rawPrefix(source, date)}sha256-${assertSha256(sha256)}/${assertFileName(file)}`;
}

/** Parses a raw key back into its parts (for replays from the archive); undefined for keys outside the layout. */
export function parseRawKey(key: string): { source: SourceName; date: IsoDate; file: string } | undefined {
  const m = /^raw\/([a-z-]+)\/(\d{4}-\d{2}-\d{2})\/(?:sha256-[0-9a-f]{64}\/)?([^/]+)$/.exec(key);
  if (!m) return undefined;
  const [, source, date, file] = m;
  if (source === undefined || date === undefined || file === undefined || !isSourceName(source)) return undefined;
  return { source, date, file };
}

export function incomingKey(file: string): string {
  return `${INCOMING_PREFIX}${assertFileName(file)}`;
}

export function derivedPricesKey(date: IsoDate): string {
  return `${DERIVED_PREFIX}prices/${assertIsoDate(date)}.json`;
}

export function derivedShortVolumeKey(date: IsoDate): string {
  return `${DERIVED_PREFIX}short-volume/${assertIsoDate(date)}.json`;
}

export function derivedShortInterestPrefix(settlementDate: IsoDate): string {
  return `${DERIVED_PREFIX}short-interest/${assertIsoDate(settlementDate, 'settlementDate')}/`;
}

export function derivedShortInterestKey(settlementDate: IsoDate, file: string): string {
  return `${derivedShortInterestPrefix(settlementDate)}${assertFileName(file)}.json`;
}

export const DERIVED_SPLITS_KEY = `${DERIVED_PREFIX}splits.json`;

export const DERIVED_SECURITIES_KEY = `${DERIVED_PREFIX}securities.json`;

export function derivedSplitCalendarKey(date: IsoDate, file: string): string {
  return `${DERIVED_PREFIX}split-calendar/${assertIsoDate(date)}/${assertFileName(file)}.json`;
}

export function derivedStateKey(date: IsoDate): string {
  return `${DERIVED_PREFIX}state/${assertIsoDate(date)}.json.gz`;
}

/** The look-ahead fold's state after `date`, kept between the chunks of a long run (compute/fold.ts). */
export function derivedSideStateKey(date: IsoDate): string {
  return `${DERIVED_PREFIX}state/side/${assertIsoDate(date)}.json.gz`;
}

/** What `derivedSnapshotBatchKey` builds: the only objects publish reads on an event's word. */
export const SNAPSHOT_BATCH_KEY = /^derived\/snapshots\/runs\/\d{4}-\d{2}-\d{2}-[0-9a-f]{16}\.json\.gz$/;

/** The snapshots of one compute run whose newest day is `runDate`; `sha256` is of their content. */
export function derivedSnapshotBatchKey(runDate: IsoDate, sha256: string): string {
  return `${DERIVED_PREFIX}snapshots/runs/${assertIsoDate(runDate)}-${assertSha256(sha256).slice(0, 16)}.json.gz`;
}

/** A key read from an event must name a snapshot batch, nothing else in the bucket. */
export function assertSnapshotBatchKey(key: string, field = 'snapshotKeys'): string {
  if (!SNAPSHOT_BATCH_KEY.test(key))
    throw new KeyError(field, `not a derived snapshot batch key: ${JSON.stringify(key)}`);
  return key;
}

export const FEED_KEY = `${DERIVED_PREFIX}feed.json`;

/**
 * The final days of the per-stock series of one year (shared/methodology/stocks.ts, `RecordedDay`), in one object
 * compute rewrites when days become final: a run reads one or two objects, not one per day of the year.
 */
export function derivedStockYearKey(year: string): string {
  if (!/^\d{4}$/.test(year)) throw new KeyError('year', `expected YYYY, got ${JSON.stringify(year)}`);
  return `${DERIVED_PREFIX}stocks/years/${year}.bin.gz`;
}

/** Every stock year key and no other (the lifecycle rule's prefix). */
export const STOCK_YEARS_LIFECYCLE_PREFIX = `${DERIVED_PREFIX}stocks/years/`;

/** What `derivedStockRunKey` builds: the per-stock files of one compute run (publish reads them on its event's word). */
export const STOCK_RUN_KEY = /^derived\/stocks\/runs\/\d{4}-\d{2}-\d{2}-[0-9a-f]{16}\.ndjson\.gz$/;

/** The prefix of the stock runs (expired by a lifecycle rule: only the newest is ever published). */
export const STOCK_RUNS_PREFIX = `${DERIVED_PREFIX}stocks/runs/`;

export function derivedStockRunKey(asOf: IsoDate, sha256: string): string {
  return `${STOCK_RUNS_PREFIX}${assertIsoDate(asOf)}-${assertSha256(sha256).slice(0, 16)}.ndjson.gz`;
}

export function assertStockRunKey(key: string, field = 'stocks.key'): string {
  if (!STOCK_RUN_KEY.test(key)) throw new KeyError(field, `not a derived stock run key: ${JSON.stringify(key)}`);
  return key;
}

export const DERIVED_COMPUTE_JOURNAL_KEY = `${DERIVED_PREFIX}state/journal.json.gz`;

// ---------------------------------------------------------------- site bucket

export const SITE_LATEST_KEY = 'data/latest.json';
export const SITE_HISTORY_KEY = 'data/history.json';
export const SITE_RSS_KEY = 'rss.xml';
export const SITE_SNAPSHOT_SCHEMA_KEY = 'data/schema/snapshot.v1.json';
export const SITE_HISTORY_SCHEMA_KEY = 'data/schema/history.v1.json';

export const SITE_STOCKS_PREFIX = 'data/stocks/';
export const SITE_STOCK_INDEX_KEY = `${SITE_STOCKS_PREFIX}index.json`;
/** `{ "<SYMBOL>": "<sha256 of the file without generatedAt>" }`: what publish compares to write only changed files. */
export const SITE_STOCK_MANIFEST_KEY = `${SITE_STOCKS_PREFIX}manifest.json`;
export const SITE_STOCK_SCHEMA_KEY = 'data/schema/stock.v1.json';
export const SITE_STOCK_INDEX_SCHEMA_KEY = 'data/schema/stocks-index.v1.json';

export function siteSnapshotKey(date: IsoDate): string {
  return `data/snapshots/${assertIsoDate(date)}.json`;
}

/**
 * What a failed publish restores, by bucket: the objects it rewrites before `latest.json` and puts back
 * (or deletes, when the publish that failed was the first to write them). The only keys the publish role
 * may delete (infra/stacks/pipeline-stack.ts; test/infra/publish-rollback.test.ts checks the two agree).
 */
export const PUBLISH_ROLLBACK_KEYS = {
  site: [SITE_HISTORY_KEY, SITE_RSS_KEY],
  raw: [FEED_KEY],
} as const satisfies Record<'site' | 'raw', readonly string[]>;

// ---------------------------------------------------------------- DynamoDB

export interface TableKey {
  pk: string;
  sk: string;
}

export function ledgerPk(source: SourceName, file: string): string {
  return `FILE#${source}#${assertFileName(file)}`;
}

export function ledgerKey(source: SourceName, file: string, sha256: string): TableKey {
  return { pk: ledgerPk(source, file), sk: `SHA#${assertSha256(sha256)}` };
}

export function dayKey(date: IsoDate): TableKey {
  return { pk: `DAY#${assertIsoDate(date)}`, sk: 'DAY' };
}

export const CURSOR_KEY: TableKey = { pk: 'PIPELINE', sk: 'CURSOR' };

/** The run lock's item (./run-lock.ts): one execution at a time. */
export const RUN_LOCK_KEY: TableKey = { pk: 'PIPELINE', sk: 'RUN' };

/** Partition of the ledger index: every ledger entry again, sorted by the time it was recorded. */
export const LEDGER_INDEX_PK = 'LEDGER';

export function ledgerIndexKey(recordedAt: string, source: SourceName, file: string, sha256: string): TableKey {
  return { pk: LEDGER_INDEX_PK, sk: `${recordedAt}#${source}#${assertFileName(file)}#${assertSha256(sha256)}` };
}

/** The earlier of two days, either possibly absent. */
export const minDate = (a: IsoDate | null, b: IsoDate | null): IsoDate | null =>
  a === null ? b : b === null ? a : a < b ? a : b;

/** The later of two days, either possibly absent. */
export const maxDate = (a: IsoDate | null, b: IsoDate | null): IsoDate | null =>
  a === null ? b : b === null ? a : a > b ? a : b;
