/**
 * Ingest: get a day's files (or one dropped file), archive each byte-exact BEFORE parsing, record it in the
 * ledger by sha256 (the same content again is a no-op), validate it with shared/formats, write the
 * normalised records, and say what changed (`restateFrom` when late data touches computed days).
 *
 * Per source and file date, a day run:
 *   1. skips files the ledger already holds as accepted (no download, no S3 request);
 *   2. ingests what the raw archive holds that the ledger does not (recovery after the table was lost,
 *      or a file dropped earlier), so replaying a date range never needs the network;
 *   3. only then asks the provider.
 * Two runs of one day: the day lock lets one in; the other throws the retryable `DayLockedError` at once.
 */
import { createHash } from 'node:crypto';
import {
  addCalendarDays,
  CalendarDateError,
  holidayName,
  isTradingDay,
  isWeekend,
  settlementDates,
  tradingDays,
} from '../../shared/calendar.ts';
import type { IsoDate, Rejection, SplitOverride } from '../../shared/domain.ts';
import { isPreviousSettlement } from '../../shared/formats/finra-short-interest.ts';
import {
  decodeText,
  FormatError,
  parseScreener,
  parseShortInterest,
  parseShortVolume,
  parseSplitsCsv,
} from '../../shared/formats/index.ts';
import { parseSplitCalendar } from '../../shared/formats/nasdaq-split-calendar.ts';
import { parseSecuritiesCsv, type SecurityOverride } from '../../shared/formats/securities-csv.ts';
import type { SourceRef } from '../adapters/derived-repository.ts';
import {
  type FileOrigin,
  LEDGER_MAX_REJECTIONS,
  type LedgerEntry,
  type ListedObject,
  ObjectIntegrityError,
  type StepStatus,
} from '../adapters/ports.ts';
import type { FileOutcome, IngestResult } from '../lib/events.ts';
import { newYorkDate } from '../lib/new-york-date.ts';
import { classifyDrop, classifyFile } from '../providers/file-drop.ts';
import { ProviderError } from '../providers/http.ts';
import type { ReceivedFile, SourceProvider } from '../providers/source-provider.ts';
import { withDayLock } from './day-lock.ts';
import type { PipelineDeps } from './deps.ts';
import { recordProviderHealth } from './health-metrics.ts';
import {
  assertIsoDate,
  isArrivalDated,
  minDate,
  parseRawKey,
  RAW_PREFIX,
  rawKey,
  rawPrefix,
  rawVersionKey,
  SOURCES,
  type SourceName,
} from './keys.ts';

// ---------------------------------------------------------------- API

export interface DayIngestInput {
  kind?: 'day';
  date: IsoDate;
  /** Default: every source (SOURCES). */
  sources?: SourceName[];
  /** Lock owner; the state machine may pass its execution name so a run's steps share one owner. */
  runId?: string;
  scheduled?: boolean;
  /**
   * A backfill's day (issue 18): from the raw archive only, never the network, and a day whose archived
   * prices are refused is reported (`pricesReady: false`), not retried for hours as late data.
   */
  archiveOnly?: boolean;
}

/** A file dropped under incoming/ (the ingest event of an S3 "Object Created" event, decoded). */
export interface DropIngestInput {
  kind: 'drop';
  bucket: string;
  key: string;
  runId?: string;
}

/**
 * Recovery (`pulse backfill`, docs/operations.md "Recovery"): ingest every file of the raw archive the
 * ledger does not know, offline, each name's versions in the order they first arrived; the result's
 * `date` is the newest day with accepted prices, for compute to run through.
 */
export interface ArchiveIngestInput {
  kind: 'archive';
  runId?: string;
}

export type IngestInput = DayIngestInput | DropIngestInput | ArchiveIngestInput;

/** The result shape lives with the event schema it is checked by, as compute's event (../lib/events.ts). */
export type { FileOutcome, FileStatusOutcome, IngestResult } from '../lib/events.ts';

export const MAX_SUMMARY_REJECTIONS = 100;

/** The day's prices are missing or refused: the next steps cannot run yet; the state machine retries later. */
export class DayIncompleteError extends Error {
  readonly date: IsoDate;
  readonly field = 'prices';
  readonly result: IngestResult;
  constructor(result: IngestResult) {
    const prices = result.files.filter((f) => f.source === 'prices');
    const why = prices.map((f) => `${f.file}: ${f.status}${f.reason ? ` (${f.reason})` : ''}`).join('; ');
    super(`ingest ${result.date}: no accepted prices yet${why ? ` — ${why}` : ''}`);
    this.name = 'DayIncompleteError';
    this.date = result.date;
    this.result = result;
  }
}

/**
 * The invocation's deadline passed during a fetch (issue 20 item 2): the attempt ends here, its lock released
 * and nothing half-written, and the state machine retries it under the same run id.
 */
export class StepDeadlineError extends Error {
  readonly date: IsoDate;
  constructor(providerId: string, date: IsoDate) {
    super(`the invocation's deadline passed while fetching ${providerId} for ${date}; the attempt stopped to retry`);
    this.name = 'StepDeadlineError';
    this.date = date;
  }
}

/** A drop event for another bucket than the raw bucket this deployment reads: a wiring error. */
export class DropBucketError extends Error {
  readonly field = 'bucket';
  constructor(bucket: string, expected: string) {
    super(`drop event for bucket ${bucket}, but this pipeline's raw bucket is ${expected}`);
    this.name = 'DropBucketError';
  }
}

// ---------------------------------------------------------------- helpers

/**
 * Prefixes an unexpected error's message with where it happened (the day, the file), keeping the error
 * itself: its name and class are what the state machine's retry policy (steps.ts) and the local runner
 * classify by, so wrapping it in another class would change how it is retried.
 */
function withContext(error: unknown, where: string): unknown {
  if (!(error instanceof Error) || error.message.startsWith(`${where}: `)) return error;
  const message = `${where}: ${error.message}`;
  try {
    // defineProperty, not assignment: some errors (DOMException) only have a getter for `message`.
    Object.defineProperty(error, 'message', { value: message, writable: true, configurable: true });
  } catch {
    // A frozen error keeps its own message.
  }
  return error;
}

/** Runs `fn`; an error thrown gets `where` in its message. */
async function inContext<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw withContext(error, where);
  }
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function rawContentType(file: string): string {
  if (/\.gz$/i.test(file)) return 'application/gzip';
  if (/\.json$/i.test(file)) return 'application/json';
  return 'text/plain';
}

function closedDayReason(date: IsoDate): string | null {
  try {
    if (isWeekend(date)) return `${date} is a weekend day, not a trading day`;
    const holiday = holidayName(date);
    return holiday ? `${date} is an exchange holiday (${holiday}), not a trading day` : null;
  } catch (error) {
    if (error instanceof CalendarDateError) return `${date} is outside the trading calendar (${error.message})`;
    throw error;
  }
}

function isWeekendDate(date: IsoDate): boolean {
  try {
    return isWeekend(date);
  } catch {
    return false;
  }
}

function wholeFile(file: string, reason: string, field = '*'): Rejection {
  return { file, line: 0, field, reason };
}

/** What validating one file yields: either a refusal of the whole file or normalised records to write. */
type Validation =
  | { ok: false; rejection: Rejection; rejections: Rejection[] }
  | {
      ok: true;
      date: IsoDate;
      rows: number;
      rejections: Rejection[];
      /** A generated (sample) file, not the vendor's. */
      generated?: true;
      write: (ref: SourceRef) => Promise<string>;
      /** The earliest day whose figures this file changes (before it is written). */
      restateFrom: () => Promise<IsoDate | null>;
    };

function validate(
  deps: PipelineDeps,
  source: SourceName,
  file: string,
  bytes: Uint8Array,
  expected: IsoDate,
): Validation {
  const { derived } = deps;
  try {
    const text = decodeText(bytes, file, { maxBytes: deps.config.maxFileBytes });
    if (source === 'prices') {
      const parsed = parseScreener(text, file);
      const date = parsed.date ?? expected;
      const closed = closedDayReason(date);
      // A weekend snapshot is kept as a candidate day for rule 2, which refuses it in compute (listed in
      // dataQuality.rejectedDays, as `pulse build` lists it); a holiday is refused here, since the
      // methodology has no exchange calendar to refuse it.
      if (closed && !isWeekendDate(date)) return { ok: false, rejection: wholeFile(file, closed), rejections: [] };
      // Issue 17: a snapshot dated after today (New York) would stay `latest` for good: refused, archived.
      const today = newYorkDate(deps.clock());
      if (date > today) {
        return {
          ok: false,
          rejection: wholeFile(
            file,
            `is dated ${date}, after today (${today}, New York): a file from the future is refused, never published`,
          ),
          rejections: [],
        };
      }
      return {
        ok: true,
        date,
        rows: parsed.records.length,
        rejections: parsed.rejections,
        write: (ref) => derived.putPriceDay({ date, file, source: ref, rows: parsed.records }),
        restateFrom: async () => {
          // A different snapshot for a day already stored, or a day older than what compute has done.
          const [previous, cursor] = await Promise.all([derived.headPriceDay(date), deps.table.getCursor()]);
          const replaced = previous !== undefined && previous.metadata['source-sha256'] !== sha256Hex(bytes);
          const late = cursor.lastComputed !== null && date <= cursor.lastComputed;
          return replaced || late ? date : null;
        },
      };
    }
    if (source === 'short-volume') {
      const parsed = parseShortVolume(text, file);
      const date = parsed.date ?? expected;
      const closed = closedDayReason(date);
      if (closed) return { ok: false, rejection: wholeFile(file, closed), rejections: [] };
      return {
        ok: true,
        date,
        rows: parsed.records.length,
        rejections: parsed.rejections,
        write: (ref) => derived.putShortVolumeDay({ date, source: ref, records: parsed.records }),
        // Short sale volume is archived for readers; no published figure depends on it.
        restateFrom: async () => null,
      };
    }
    if (source === 'short-interest') {
      const parsed = parseShortInterest(text, file);
      const settlementDate = parsed.settlementDate;
      if (settlementDate !== expected) {
        return {
          ok: false,
          rejection: wholeFile(
            file,
            `the rows are for settlement date ${parsed.settlementDate} but the file name says ${expected}`,
            'settlementDate',
          ),
          rejections: [],
        };
      }
      const closed = closedDayReason(settlementDate);
      if (closed?.includes('weekend') || closed?.includes('outside')) {
        return {
          ok: false,
          rejection: wholeFile(file, `settlement date: ${closed}`, 'settlementDate'),
          rejections: [],
        };
      }
      return {
        ok: true,
        date: settlementDate,
        rows: parsed.records.length,
        rejections: parsed.rejections,
        ...(parsed.generated === true ? { generated: true as const } : {}),
        write: (ref) => derived.putShortInterestFile({ settlementDate, file, source: ref, records: parsed.records }),
        // Rule 4: a settlement date's short interest applies from that date on, so those days change;
        // rule 4(a): its R rows revise the previous settlement, so that one's days change too.
        restateFrom: async () => {
          // Rule 3(d) (v3): its S flags decide splits of the cycle since the previous settlement too.
          const reaches = parsed.records.some((r) => (r.revision && r.previousShares !== undefined) || r.splitFlag);
          if (!reaches) return settlementDate;
          const earlier = (await derived.listShortInterestDates()).filter((d) => d < settlementDate).sort();
          const previous = earlier.at(-1);
          return previous !== undefined && isPreviousSettlement(previous, settlementDate) ? previous : settlementDate;
        },
      };
    }
    if (source === 'split-calendar') {
      const parsed = parseSplitCalendar(text, file);
      const date = parsed.date;
      if (date !== expected) {
        return {
          ok: false,
          rejection: wholeFile(file, `the file name's day ${date} is not the day it was received for, ${expected}`),
          rejections: [],
        };
      }
      return {
        ok: true,
        date,
        rows: parsed.records.length,
        rejections: parsed.rejections,
        write: (ref) => derived.putSplitCalendarDay({ date, file, source: ref, overrides: parsed.records }),
        restateFrom: async () => {
          // Its entries are of its own day: a day computed already is folded again with them.
          const previous = await derived.getSplitCalendarDay(date, file);
          return earliestChangedSplit(previous?.overrides ?? [], parsed.records);
        },
      };
    }
    if (source === 'securities') {
      const parsed = parseSecuritiesCsv(text, file);
      return {
        ok: true,
        date: expected,
        rows: parsed.records.length,
        rejections: parsed.rejections,
        write: (ref) => derived.putSecurities({ source: ref, overrides: parsed.records }),
        restateFrom: async () => {
          const previous = await derived.getSecurities();
          if (!securitiesChanged(previous?.overrides ?? [], parsed.records)) return null;
          // Rule 12 applies on every day a symbol is listed, from the first: the whole history is folded again.
          return (await derived.firstPriceDay()) ?? null;
        },
      };
    }
    const parsed = parseSplitsCsv(text, file);
    return {
      ok: true,
      date: expected,
      rows: parsed.records.length,
      rejections: parsed.rejections,
      write: (ref) => derived.putSplits({ source: ref, overrides: parsed.records }),
      restateFrom: async () => {
        const previous = await derived.getSplits();
        return earliestChangedSplit(previous?.overrides ?? [], parsed.records);
      },
    };
  } catch (error) {
    if (error instanceof FormatError) return { ok: false, rejection: error.toRejection(), rejections: [] };
    throw error;
  }
}

/** The earliest date among overrides added, removed or changed between two splits files. */
export function earliestChangedSplit(before: SplitOverride[], after: SplitOverride[]): IsoDate | null {
  const id = (s: SplitOverride) => `${s.symbol}|${s.date}|${s.ratio}`;
  const a = new Set(before.map(id));
  const b = new Set(after.map(id));
  let earliest: IsoDate | null = null;
  for (const s of before) if (!b.has(id(s))) earliest = minDate(earliest, s.date);
  for (const s of after) if (!a.has(id(s))) earliest = minDate(earliest, s.date);
  return earliest;
}

/** Whether two securities files give any symbol another type (or none). */
export function securitiesChanged(before: readonly SecurityOverride[], after: readonly SecurityOverride[]): boolean {
  const types = new Map(before.map((o) => [o.symbol, o.type]));
  if (types.size !== new Set(after.map((o) => o.symbol)).size) return true;
  return after.some((o) => types.get(o.symbol) !== o.type);
}

interface Incoming {
  source: SourceName;
  file: string;
  /** Date for the raw key, known before parsing (file name, requested date, arrival date). */
  date: IsoDate;
  /**
   * The bytes; or, for an object in the raw bucket above `maxFileBytes` (its size known from HEAD or
   * LIST), where it lies: it is then hashed as a stream and archived by a server-side copy, never read whole.
   */
  body: { bytes: Uint8Array } | { key: string; size: number };
  origin: FileOrigin;
  location: string;
  /** Set when the bytes already are in the archive (replays): no second copy. */
  archivedAt?: { key: string; receivedAt?: string };
}

interface FileRun {
  outcome: FileOutcome;
  rejections: Rejection[];
  restateFrom: IsoDate | null;
}

/** Archives without ever overwriting: a different content under a used name goes to a sha256 sub-folder. */
async function archiveRaw(
  deps: Pick<PipelineDeps, 'raw' | 'log'>,
  f: Incoming,
  sha256: string,
  receivedAt: string,
): Promise<string> {
  const options = {
    contentType: rawContentType(f.file),
    metadata: { source: f.source, origin: f.origin, 'received-at': receivedAt, location: encodeURI(f.location) },
  };
  const body = f.body;
  const store = (to: string) =>
    'bytes' in body
      ? deps.raw.putIfAbsent(to, body.bytes, options)
      : deps.raw.copyIfAbsent(body.key, to, { ...options, sha256 });
  const key = rawKey(f.source, f.date, f.file);
  const first = await store(key);
  if (first.created) return key;
  if (first.existing.sha256 === sha256) {
    // Issue 17: the recorded hash is the one of these bytes but the object is not their size — a copy cut
    // short (kill -9 while a local archive object was written): archived again from the source, never trusted.
    if ('bytes' in body && first.existing.size !== body.bytes.byteLength) {
      deps.log.warn('archived copy damaged (size differs from its recorded sha256): archived again from the source', {
        key,
        archivedSize: first.existing.size,
        size: body.bytes.byteLength,
      });
      await deps.raw.put(key, body.bytes, options);
    }
    return key;
  }
  const versionKey = rawVersionKey(f.source, f.date, f.file, sha256);
  await store(versionKey);
  return versionKey;
}

const MiB = 1024 * 1024;
const sizeText = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`);

/** The refusal of a body above the limit, worded as decodeText words it for a body in memory. */
function tooLarge(file: string, size: number, limit: number): Rejection {
  return wholeFile(file, `the body is ${sizeText(size)}, above the ${sizeText(limit)} limit`);
}

function ingestFile(deps: PipelineDeps, f: Incoming): Promise<FileRun | undefined> {
  return inContext(`${f.source} file ${f.file} (${f.location})`, () => ingestFileIn(deps, f));
}

async function ingestFileIn(deps: PipelineDeps, f: Incoming): Promise<FileRun | undefined> {
  const body = f.body;
  const digest =
    'bytes' in body ? { sha256: sha256Hex(body.bytes), size: body.bytes.byteLength } : await deps.raw.digest(body.key);
  // Gone between LIST/HEAD and the read: a duplicate event after the object was moved, nothing to lose.
  if (!digest) return undefined;
  const { sha256, size } = digest;
  const known = await deps.table.getFile(f.source, f.file, sha256);
  if (known) {
    return {
      outcome: {
        source: f.source,
        file: f.file,
        date: known.date,
        status: 'duplicate',
        ledgerStatus: known.status,
        sha256,
        size,
        rawKey: known.rawKey,
        derivedKey: known.derivedKey,
        rows: 0,
        rejectedRows: 0,
      },
      rejections: [],
      restateFrom: null,
    };
  }

  const receivedAt = f.archivedAt?.receivedAt ?? deps.clock().toISOString();
  const archived = f.archivedAt?.key ?? (await archiveRaw(deps, f, sha256, receivedAt));
  const v: Validation =
    'bytes' in body
      ? validate(deps, f.source, f.file, body.bytes, f.date)
      : { ok: false, rejection: tooLarge(f.file, size, deps.config.maxFileBytes), rejections: [] };
  const entry: LedgerEntry = {
    source: f.source,
    file: f.file,
    sha256,
    size,
    receivedAt,
    origin: f.origin,
    rawKey: archived,
    date: v.ok ? v.date : f.date,
    status: v.ok ? 'accepted' : 'rejected',
    rows: v.ok ? v.rows : 0,
    rejectedRows: v.rejections.length,
    rejections: (v.ok ? v.rejections : [v.rejection, ...v.rejections]).slice(0, LEDGER_MAX_REJECTIONS),
    derivedKey: null,
    ...(v.ok && v.generated === true ? { generated: true as const } : {}),
  };
  let restateFrom: IsoDate | null = null;
  if (v.ok) {
    // Marked before the derived write: a crash in between still leaves the restatement on record.
    restateFrom = await v.restateFrom();
    if (restateFrom !== null) await deps.table.markRestateFrom(restateFrom);
    entry.derivedKey = await v.write({ file: f.file, sha256, rows: v.rows });
  }
  await deps.table.recordFile(entry);
  const rejections = v.ok ? v.rejections : [v.rejection, ...v.rejections];
  deps.log[v.ok ? 'info' : 'warn'](v.ok ? 'file accepted' : 'file rejected', {
    source: f.source,
    file: f.file,
    sha256,
    rawKey: archived,
    rows: entry.rows,
    rejectedRows: entry.rejectedRows,
    ...(v.ok ? {} : { rejection: v.rejection }),
  });
  return {
    outcome: {
      source: f.source,
      file: f.file,
      date: entry.date,
      status: entry.status,
      sha256,
      size: entry.size,
      rawKey: archived,
      derivedKey: entry.derivedKey,
      rows: entry.rows,
      rejectedRows: entry.rejectedRows,
      ...(v.ok ? {} : { reason: v.rejection.reason }),
    },
    rejections,
    restateFrom,
  };
}

// ---------------------------------------------------------------- a day

/** Archive dates to look at per source when no provider says otherwise. */
function archiveDates(source: SourceName, date: IsoDate): IsoDate[] {
  if (source === 'short-interest') return settlementDates(addCalendarDays(date, -35), date);
  return [date];
}

interface SourceRun {
  files: FileRun[];
  accepted: boolean;
}

/** Ledger versions of a name, cached for the run (one query per name). */
function ledgerCache(deps: PipelineDeps) {
  const cache = new Map<string, Promise<LedgerEntry[]>>();
  return (source: SourceName, file: string) => {
    const id = `${source}/${file}`;
    let hit = cache.get(id);
    if (!hit) {
      hit = deps.table.listFileVersions(source, file);
      cache.set(id, hit);
    }
    return hit;
  };
}

/** The outcome of an archived object whose bytes fail their recorded sha256 (issue 17). */
function damagedArchiveRun(
  source: SourceName,
  p: { key: string; size: number; file: string; date: IsoDate },
  error: ObjectIntegrityError,
): FileRun {
  return {
    outcome: {
      source,
      file: p.file,
      date: p.date,
      status: 'failed',
      size: p.size,
      rawKey: p.key,
      rows: 0,
      rejectedRows: 0,
      reason: `the archived copy is damaged (${error.message}): not read; drop the file again from its source`,
    },
    rejections: [
      {
        file: p.file,
        line: 0,
        field: '*',
        reason: `the archived copy ${p.key} is damaged (its bytes do not match their recorded sha256): not read; drop the file again from its source`,
      },
    ],
    restateFrom: null,
  };
}

async function ingestArchived(
  deps: PipelineDeps,
  source: SourceName,
  listed: ListedObject[],
  versions: ReturnType<typeof ledgerCache>,
  upTo: IsoDate,
): Promise<{ runs: FileRun[]; accepted: boolean }> {
  const runs: FileRun[] = [];
  let accepted = false;
  const pending: { key: string; size: number; file: string; date: IsoDate }[] = [];
  for (const { key, size } of listed) {
    const parsed = parseRawKey(key);
    if (!parsed || parsed.source !== source || parsed.date > upTo) continue;
    const known = (await versions(source, parsed.file)).find((v) => v.rawKey === key);
    if (known) {
      accepted ||= known.status === 'accepted';
      continue;
    }
    pending.push({ key, size, ...parsed });
  }
  for (const p of pending) {
    // An archived file above the limit (an oversized drop, archived and refused) is never read whole again.
    const large = p.size > deps.config.maxFileBytes;
    let object: Awaited<ReturnType<typeof deps.raw.get>>;
    try {
      object = large ? undefined : await deps.raw.get(p.key);
    } catch (error) {
      // Issue 17: a damaged archived copy (its bytes do not match their recorded sha256) is reported and
      // skipped, never parsed, and does not stop the run: the file must come again from its source.
      if (!(error instanceof ObjectIntegrityError)) throw error;
      deps.log.error('archived copy damaged: not read; drop the file again from its source', {
        key: p.key,
        reason: (error as Error).message,
      });
      runs.push(damagedArchiveRun(source, p, error));
      continue;
    }
    const info = large ? await deps.raw.head(p.key) : object;
    if (!info) continue;
    const receivedAt = info.metadata['received-at'];
    const run = await ingestFile(deps, {
      source,
      file: p.file,
      date: p.date,
      body: object ? { bytes: object.bytes } : { key: p.key, size: info.size },
      origin: 'archive',
      location: `s3://${deps.raw.bucket}/${p.key}`,
      archivedAt: { key: p.key, ...(receivedAt ? { receivedAt } : {}) },
    });
    if (!run) continue;
    runs.push(run);
    accepted ||= run.outcome.status === 'accepted' || run.outcome.ledgerStatus === 'accepted';
  }
  return { runs, accepted };
}

async function ingestSource(
  deps: PipelineDeps,
  source: SourceName,
  provider: SourceProvider | undefined,
  date: IsoDate,
): Promise<SourceRun> {
  const versions = ledgerCache(deps);
  const files: FileRun[] = [];
  let dayAccepted = false;
  const fetchDates = provider ? await provider.datesFor(date) : [];
  const dates = [...new Set([...archiveDates(source, date), ...fetchDates])].sort();

  // Splits and securities files are dated by arrival (possibly a weekend): replay every archived one up to this day.
  if (isArrivalDated(source)) {
    const archived = await ingestArchived(deps, source, await deps.raw.list(`${RAW_PREFIX}${source}/`), versions, date);
    files.push(...archived.runs);
  }

  for (const fileDate of dates) {
    let accepted = false;
    const expected =
      provider && fetchDates.includes(fileDate) ? ((await provider.expectedFiles?.(fileDate)) ?? []) : [];
    if (expected.length > 0) {
      const known = await Promise.all(expected.map((name) => versions(source, name)));
      const done = known.every((vs) => vs.some((v) => v.status === 'accepted' || provider?.immutable === true));
      if (done) {
        for (const [i, name] of expected.entries()) {
          const latest = known[i]?.at(-1);
          files.push({
            outcome: {
              source,
              file: name,
              date: fileDate,
              status: 'present',
              ...(latest ? { ledgerStatus: latest.status, sha256: latest.sha256, rawKey: latest.rawKey } : {}),
              rows: 0,
              rejectedRows: 0,
            },
            rejections: [],
            restateFrom: null,
          });
        }
        if (fileDate === date) dayAccepted ||= known.some((vs) => vs.some((v) => v.status === 'accepted'));
        continue;
      }
    }
    if (!isArrivalDated(source)) {
      const listed = await deps.raw.list(rawPrefix(source, fileDate));
      const archived = await ingestArchived(deps, source, await orderByArrival(deps, listed), versions, date);
      files.push(...archived.runs);
      accepted = archived.accepted;
    }
    if (!accepted && provider && fetchDates.includes(fileDate)) {
      const fetched = await fetchFrom(deps, provider, fileDate);
      for (const run of fetched) {
        files.push(run);
        accepted ||= run.outcome.status === 'accepted' || run.outcome.ledgerStatus === 'accepted';
      }
    }
    if (fileDate === date) dayAccepted ||= accepted;
  }
  return { files, accepted: dayAccepted };
}

/** Several archived versions of one name: replay them in the order they first arrived. */
async function orderByArrival(deps: PipelineDeps, listed: ListedObject[]): Promise<ListedObject[]> {
  if (listed.length < 2) return listed;
  const heads = await Promise.all(
    listed.map(async (o) => ({ o, at: (await deps.raw.head(o.key))?.metadata['received-at'] ?? '' })),
  );
  return heads.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.o.key < b.o.key ? -1 : 1)).map((h) => h.o);
}

async function fetchFrom(deps: PipelineDeps, provider: SourceProvider, fileDate: IsoDate): Promise<FileRun[]> {
  const source = provider.source;
  let received: ReceivedFile[];
  try {
    const result = await provider.fetch(fileDate, deps.deadline);
    if (result.status === 'not-yet-available') {
      deps.log.info('not yet available', { provider: provider.id, date: fileDate, reason: result.reason });
      const names = (await provider.expectedFiles?.(fileDate)) ?? [result.location];
      return names.map((file) => ({
        outcome: {
          source,
          file,
          date: fileDate,
          status: 'not-yet-available',
          rows: 0,
          rejectedRows: 0,
          reason: result.reason,
        },
        rejections: [],
        restateFrom: null,
      }));
    }
    received = result.files;
  } catch (error) {
    if (deps.deadline?.aborted) throw new StepDeadlineError(provider.id, fileDate);
    if (!(error instanceof ProviderError)) throw error;
    deps.log.warn('provider failed', {
      provider: provider.id,
      date: fileDate,
      url: error.url,
      status: error.status,
      error: error.message,
    });
    const names = (await provider.expectedFiles?.(fileDate)) ?? [error.url];
    return names.map((file) => ({
      outcome: { source, file, date: fileDate, status: 'failed', rows: 0, rejectedRows: 0, reason: error.message },
      rejections: [],
      restateFrom: null,
    }));
  }
  const runs: FileRun[] = [];
  for (const file of received) {
    // Downloads are bounded while streaming (HTTP_MAX_BYTES, functions/providers/http.ts); a body above
    // maxFileBytes that got through is archived, then refused from its length by decodeText.
    const run = await ingestFile(deps, {
      source,
      file: file.name,
      date: fileDate,
      body: { bytes: file.bytes },
      origin: 'fetch',
      location: file.location,
    });
    if (run) runs.push(run);
  }
  return runs;
}

function summarise(base: { date: IsoDate; runId: string }, runs: FileRun[], pricesReady: boolean): IngestResult {
  const rejections: Rejection[] = [];
  let restateFrom: IsoDate | null = null;
  let rows = 0;
  let rejectedRows = 0;
  for (const r of runs) {
    for (const x of r.rejections) if (rejections.length < MAX_SUMMARY_REJECTIONS) rejections.push(x);
    restateFrom = minDate(restateFrom, r.restateFrom);
    if (r.outcome.status === 'accepted') rows += r.outcome.rows;
    rejectedRows += r.outcome.rejectedRows;
  }
  return {
    ...base,
    skipped: false,
    files: runs.map((r) => r.outcome),
    rows,
    rejectedRows,
    rejections,
    restateFrom,
    pricesReady,
  };
}

async function ingestDay(deps: PipelineDeps, input: DayIngestInput): Promise<IngestResult> {
  const date = assertIsoDate(input.date);
  const runId = input.runId ?? deps.newRunId();
  const empty = {
    date,
    runId,
    files: [],
    rows: 0,
    rejectedRows: 0,
    rejections: [],
    restateFrom: null,
    pricesReady: false,
  };
  // A backfill replays an archived price file dated on a closed day too: ingest keeps a weekend snapshot as
  // a candidate for rule 2 (which refuses it, listed in dataQuality.rejectedDays, as pulse build lists it)
  // and refuses a holiday's, as a dropped file would be (issue 18).
  const closedInBackfill = input.archiveOnly === true && !isTradingDay(date);
  if (!isTradingDay(date) && !closedInBackfill) {
    return { ...empty, skipped: true, reason: closedDayReason(date) ?? 'not a trading day' };
  }
  const result = await withDayLock(deps, { step: 'ingest', date, runId }, async (): Promise<IngestResult> => {
    try {
      const sources: SourceName[] = closedInBackfill ? ['prices'] : (input.sources ?? [...SOURCES]);
      const byId = new Map<SourceName, SourceProvider>();
      if (input.archiveOnly !== true) for (const p of deps.providers) if (!byId.has(p.source)) byId.set(p.source, p);
      // Every source settles before the lock is released (issue 20 item 2): a deadline that stops one fetch must
      // not leave another source's archive or ledger write running after the lock is gone.
      const settledRuns = await Promise.allSettled(sources.map((s) => ingestSource(deps, s, byId.get(s), date)));
      const failed = settledRuns.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const runs = settledRuns.map((r) => (r as PromiseFulfilledResult<SourceRun>).value);
      const pricesReady = sources.includes('prices')
        ? (runs[sources.indexOf('prices')]?.accepted ?? false)
        : (await deps.derived.headPriceDay(date)) !== undefined;
      const summary = summarise(
        { date, runId },
        runs.flatMap((r) => r.files),
        pricesReady,
      );
      // Issue 18: a provider failing day after day is an alarm (functions/pipeline/health-metrics.ts); only
      // the daily schedule counts, not operator re-runs, backfills or drops.
      if (input.scheduled === true) recordProviderHealth(summary.files);
      const status: StepStatus = {
        state: pricesReady ? 'done' : 'incomplete',
        at: deps.clock().toISOString(),
        runId,
        detail: `${summary.files.length} file(s), ${summary.rows} row(s), ${summary.rejectedRows} rejected`,
      };
      await deps.table.setStepStatus(date, 'ingest', status);
      if (pricesReady && !closedInBackfill) await deps.table.advanceCursor('lastIngested', date);
      return summary;
    } catch (error) {
      throw withContext(error, `ingest ${date}`);
    }
  });
  if (result.skipped) return result;
  deps.log.info('ingest done', {
    date,
    runId,
    files: result.files.length,
    rows: result.rows,
    restateFrom: result.restateFrom,
  });
  if (!result.pricesReady) {
    // A backfill day's prices can only come from the archive: waiting cannot bring them (issue 18).
    if (input.archiveOnly === true) {
      deps.log.warn('backfill day without accepted archived prices: not computed', {
        date,
        files: result.files.length,
      });
      return { ...result, skipped: true, reason: 'no accepted prices in the raw archive for this day' };
    }
    throw new DayIncompleteError(result);
  }
  return result;
}

// ---------------------------------------------------------------- a drop

async function ingestDrop(deps: PipelineDeps, bucket: string, key: string, runIdIn?: string): Promise<IngestResult> {
  if (bucket !== deps.raw.bucket) throw new DropBucketError(bucket, deps.raw.bucket);
  const runId = runIdIn ?? deps.newRunId();
  const arrival = newYorkDate(deps.clock());
  const classified = classifyDrop(key, arrival);
  const empty = { runId, files: [], rows: 0, rejectedRows: 0, rejections: [], restateFrom: null, pricesReady: false };
  if (!classified.ok) {
    deps.log.warn('drop not recognised: left in place under incoming/', { key, reason: classified.reason });
    const rejection = wholeFile(classified.file, classified.reason);
    return {
      ...empty,
      date: arrival,
      skipped: true,
      reason: classified.reason,
      rejections: [rejection],
      rejectedRows: 0,
    };
  }
  const { source, file, date } = classified.drop;
  // The size first: a drop above the limit is hashed as a stream and archived by a server-side copy,
  // never read whole (an operator's drop of hundreds of MiB must not exhaust the Lambda's memory).
  const info = await deps.raw.head(key);
  const large = info !== undefined && info.size > deps.config.maxFileBytes;
  const object = info && !large ? await deps.raw.get(key) : undefined;
  const run =
    info && (large || object)
      ? await ingestFile(deps, {
          source,
          file,
          date,
          body: object ? { bytes: object.bytes } : { key, size: info.size },
          origin: 'drop',
          location: `s3://${bucket}/${key}`,
        })
      : undefined;
  if (!run) {
    // A duplicate event after the object was removed: nothing to do, and nothing was lost (it was ingested then).
    return { ...empty, date, skipped: true, reason: `s3://${bucket}/${key} no longer exists` };
  }
  const pricesReady =
    source === 'prices' && (run.outcome.status === 'accepted' || run.outcome.ledgerStatus === 'accepted');
  if (run.outcome.status === 'accepted' && source === 'prices') {
    await deps.table.setStepStatus(date, 'ingest', {
      state: 'done',
      at: deps.clock().toISOString(),
      runId,
      detail: `dropped ${file}: ${run.outcome.rows} row(s), ${run.outcome.rejectedRows} rejected`,
    });
  }
  if (pricesReady) await deps.table.advanceCursor('lastIngested', date);
  // What compute should run through: the last ingested day (the dropped day itself when it is the newest);
  // an older day or a late file is restated from `restateFrom` up to there.
  const through = (await deps.table.getCursor()).lastIngested;
  const result = summarise({ date: through ?? date, runId }, [run], pricesReady);
  if (run.outcome.status !== 'accepted') {
    return {
      ...result,
      skipped: true,
      reason: run.outcome.status === 'duplicate' ? 'already ingested' : (run.outcome.reason ?? 'rejected'),
    };
  }
  if (through === null) {
    return { ...result, skipped: true, reason: 'no trading day ingested yet: the file counts from the first one' };
  }
  if (source === 'short-volume')
    return { ...result, skipped: true, reason: 'short volume changes no published figure' };
  return result;
}

// ---------------------------------------------------------------- the whole archive

async function ingestWholeArchive(deps: PipelineDeps, runIdIn?: string): Promise<IngestResult> {
  const runId = runIdIn ?? deps.newRunId();
  const listed = await deps.raw.list(RAW_PREFIX);
  const versions = ledgerCache(deps);
  const runs: FileRun[] = [];
  for (const source of SOURCES) {
    const mine = listed.filter((o) => parseRawKey(o.key)?.source === source);
    const archived = await ingestArchived(deps, source, await orderByArrival(deps, mine), versions, '9999-12-31');
    runs.push(...archived.runs);
  }
  // Every accepted price day, this run's and those the ledger already held.
  const priceDays = new Set<IsoDate>();
  for (const o of listed) {
    const key = parseRawKey(o.key);
    if (key?.source !== 'prices') continue;
    if ((await versions('prices', key.file)).some((v) => v.status === 'accepted' && v.date !== null)) {
      priceDays.add(key.date);
    }
  }
  for (const r of runs) {
    if (r.outcome.source === 'prices' && r.outcome.status === 'accepted' && r.outcome.date) {
      priceDays.add(r.outcome.date);
    }
  }
  const newest = [...priceDays].sort().at(-1) ?? null;
  if (newest !== null) await deps.table.advanceCursor('lastIngested', newest);
  const result = summarise({ date: newest ?? newYorkDate(deps.clock()), runId }, runs, newest !== null);
  deps.log.info('archive ingested', { runId, files: runs.length, rows: result.rows, through: newest });
  if (newest === null) return { ...result, skipped: true, reason: 'the raw archive holds no accepted prices' };
  return result;
}

// ---------------------------------------------------------------- a backfill { from, to }

/** The output of ingest on a backfill request: what the state machine replays, and what it cannot. */
export interface BackfillPlan {
  /**
   * Days in range whose prices are in the raw archive, ascending (trading days, and a closed day whose file
   * was archived all the same): each is ingested from the archive.
   */
  dates: IsoDate[];
  /** Trading days in range without archived prices: reported, never planned (no source serves past prices). */
  missing: IsoDate[];
  /** Compute's event once every planned day is ingested: compute folds them all at once (then publish). */
  summary: IngestResult;
}

/**
 * Plans a backfill (issue 18): only the days whose prices are archived under `raw/prices/` (uploaded with
 * `pulse upload-history`, dropped, or fetched on their day) are replayed; the others are listed as missing.
 * Before, every trading day was planned and the first one without prices waited seven hours for the screener,
 * which never serves a past day, then failed the backfill.
 */
export async function planBackfill(
  deps: PipelineDeps,
  from: IsoDate,
  to: IsoDate,
  runIdIn?: string,
): Promise<BackfillPlan> {
  const runId = runIdIn ?? deps.newRunId();
  const archived = new Set<IsoDate>();
  for (const o of await deps.raw.list(`${RAW_PREFIX}prices/`)) {
    const key = parseRawKey(o.key);
    if (key?.source === 'prices' && key.date >= from && key.date <= to) archived.add(key.date);
  }
  const days = tradingDays(from, to);
  // Closed-day files in the archive are replayed too (a weekend snapshot is a rule 2 rejection to report).
  const dates = [...archived].sort();
  const missing = days.filter((d) => !archived.has(d));
  const through = dates.filter((d) => isTradingDay(d)).at(-1);
  const base = { runId, files: [], rows: 0, rejectedRows: 0, rejections: [], restateFrom: null };
  const summary: IngestResult =
    through === undefined
      ? {
          ...base,
          date: to,
          skipped: true,
          reason: `no archived prices between ${from} and ${to}: upload them first (pulse upload-history)`,
          pricesReady: false,
        }
      : { ...base, date: through, skipped: false, pricesReady: true };
  deps.log.info('backfill planned', {
    from,
    to,
    days: dates.length,
    missing: missing.length,
    firstMissing: missing[0],
  });
  return { dates, missing, summary };
}

/** What `archiveUpload` did with one file. */
export type UploadOutcome =
  | { file: string; status: 'archived' | 'present'; source: SourceName; date: IsoDate; key: string }
  | { file: string; status: 'refused'; reason: string };

/**
 * Puts one file of a history folder into the raw archive as ingest archives a received file (same keys,
 * metadata and never-overwrite rule, origin `drop`), without ingesting it: a backfill `{ from, to }` then
 * ingests it from there (issue 18, `pulse upload-history`). Not through `incoming/`, where each object would
 * start an execution of its own. The name says the source and date, as for a drop.
 */
export async function archiveUpload(
  deps: Pick<PipelineDeps, 'raw' | 'log' | 'clock' | 'config'>,
  file: string,
  bytes: Uint8Array,
  location: string,
  /** The folder it came from says the source (`split-calendar/splits-….json` is not a splits.csv). */
  source?: SourceName,
  /**
   * The date an operator file (splits.csv, securities.csv: dated by arrival) is archived under: for a history,
   * its first day, so the backfill's first day replays it (dated today, no past day would ever read it).
   */
  arrival?: IsoDate,
): Promise<UploadOutcome> {
  const classified = classifyFile(file, arrival ?? newYorkDate(deps.clock()), source);
  if (!classified.ok) return { file, status: 'refused', reason: classified.reason };
  const { date } = classified.drop;
  const kind = classified.drop.source;
  if (bytes.byteLength > deps.config.maxFileBytes) {
    return { file, status: 'refused', reason: tooLarge(file, bytes.byteLength, deps.config.maxFileBytes).reason };
  }
  const sha256 = sha256Hex(bytes);
  const existing = await deps.raw.head(rawKey(kind, date, file));
  if (existing?.sha256 === sha256 && existing.size === bytes.byteLength) {
    return { file, status: 'present', source: kind, date, key: rawKey(kind, date, file) };
  }
  const key = await archiveRaw(
    deps,
    { source: kind, file, date, body: { bytes }, origin: 'drop', location },
    sha256,
    deps.clock().toISOString(),
  );
  return { file, status: 'archived', source: kind, date, key };
}

/** Ingests a trading day (from the archive first, then the providers), one dropped file, or the whole archive. */
export async function runIngest(deps: PipelineDeps, input: IngestInput): Promise<IngestResult> {
  if (input.kind === 'drop') {
    const { bucket, key } = input;
    return inContext(`ingest of the drop s3://${bucket}/${key}`, () => ingestDrop(deps, bucket, key, input.runId));
  }
  if (input.kind === 'archive')
    return inContext('ingest of the raw archive', () => ingestWholeArchive(deps, input.runId));
  return ingestDay(deps, input);
}
