/**
 * The ports the pipeline services see (STYLE.md §2). Implementations: `s3-object-store.ts` and
 * `dynamo-pipeline-table.ts` (AWS SDK v3, also used against s3rver/dynalite; built on `s3-read-write.ts` and
 * `dynamo-compute-table.ts`, which alone give compute's narrower `ObjectReadWrite` and `ComputeTable`),
 * `memory-object-store.ts` and `memory-pipeline-table.ts` (in-memory fakes for unit tests of the services).
 * The contract suite in test/adapters/contract.test.ts runs the same assertions against both.
 */
import type { IsoDate, Rejection } from '../../shared/domain.ts';
import type { SourceName } from '../pipeline/keys.ts';
import type { RunLockResult } from '../pipeline/run-lock.ts';

// ---------------------------------------------------------------- object store

export interface PutObjectOptions {
  contentType: string;
  cacheControl?: string;
  contentEncoding?: string;
  /** User metadata (lower-case keys; S3 lower-cases them anyway). `sha256` is reserved: the store sets it. */
  metadata?: Record<string, string>;
  /**
   * Write only if the object is still what the caller read (issue 20 item 1): `{ etag }` of that read, or
   * `absent` when it read nothing. Otherwise `ObjectChangedError`, and nothing is written. Atomic on AWS
   * (`If-Match` / `If-None-Match: *`). s3rver ignores those headers: with `conditionalWrites: false` the S3
   * adapter checks with a HEAD just before (not atomic; the tests do), by default it sends them unchecked (the
   * emulators rely on the run lock). A PUT that landed but whose answer was lost is refused on its retry
   * (412): the step fails and is run again from a new read.
   */
  onlyIf?: { etag: string } | 'absent';
}

export interface ObjectInfo {
  key: string;
  size: number;
  /** Hex sha256 of the bytes as recorded by `put` (metadata `sha256`); undefined for objects written otherwise. */
  sha256: string | undefined;
  contentType: string | undefined;
  cacheControl: string | undefined;
  contentEncoding: string | undefined;
  metadata: Record<string, string>;
  /** The object's version as the store names it (S3's ETag): what `onlyIf` compares. */
  etag?: string;
}

export interface StoredObject extends ObjectInfo {
  bytes: Uint8Array;
}

export interface ListedObject {
  key: string;
  size: number;
}

export type PutIfAbsentResult = { created: true; info: ObjectInfo } | { created: false; existing: ObjectInfo };

/** One bucket. Keys are full keys; the store never interprets them. */
export interface ObjectStore {
  readonly bucket: string;
  /** Writes (or replaces) an object; records the sha256 of `bytes` in its metadata. */
  put(key: string, bytes: Uint8Array, options: PutObjectOptions): Promise<ObjectInfo>;
  /** Writes only when no object exists under `key` (atomic on AWS with If-None-Match; see s3-object-store.ts). */
  putIfAbsent(key: string, bytes: Uint8Array, options: PutObjectOptions): Promise<PutIfAbsentResult>;
  /** Reads a whole object; undefined when absent. Throws ObjectIntegrityError when the bytes do not match sha256. */
  get(key: string): Promise<StoredObject | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * Size and sha256 of an object, read as a stream in constant memory (never held whole); undefined when
   * absent. Throws ObjectIntegrityError when the object records another sha256.
   */
  digest(key: string): Promise<{ size: number; sha256: string } | undefined>;
  /**
   * Copies `from` to `to` inside the bucket, server side (the bytes never pass through the caller), only
   * when nothing exists under `to`; the copy gets `options` and `sha256` (from `digest`) as its metadata.
   * For a file too large to read (ingest's archive of an oversized drop).
   */
  copyIfAbsent(from: string, to: string, options: PutObjectOptions & { sha256: string }): Promise<PutIfAbsentResult>;
  /** Every object under `prefix`, in key order (all pages). */
  list(prefix: string): Promise<ListedObject[]>;
  /** Deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
}

/**
 * The calls compute makes on a bucket: reads, writes, lists (`createS3ReadWrite` builds only these, so the
 * compute bundle leaves out the archive's copy, digest and delete).
 */
export type ObjectReadWrite = Pick<ObjectStore, 'bucket' | 'put' | 'get' | 'head' | 'list'>;

/** A conditional write (`onlyIf`) found the object changed since it was read: re-read and try again. */
export class ObjectChangedError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`object ${key} changed since it was read (another run wrote it): not overwritten; retried from a new read`);
    this.name = 'ObjectChangedError';
    this.key = key;
  }
}

export class ObjectIntegrityError extends Error {
  readonly key: string;
  readonly field = 'sha256';
  constructor(key: string, expected: string, actual: string) {
    super(`object ${key}: sha256 ${actual} does not match the recorded ${expected} (truncated or corrupted read)`);
    this.name = 'ObjectIntegrityError';
    this.key = key;
  }
}

// ---------------------------------------------------------------- pipeline table

export type FileStatus = 'accepted' | 'rejected';
export type FileOrigin = 'fetch' | 'drop' | 'archive';

/** One distinct content received under one file name (ledger item `FILE#<source>#<file>` / `SHA#<sha256>`). */
export interface LedgerEntry {
  source: SourceName;
  file: string;
  sha256: string;
  size: number;
  /** ISO timestamp of the first receipt. */
  receivedAt: string;
  origin: FileOrigin;
  rawKey: string;
  /** The date the file is about: trading date (prices, short volume), settlement date (short interest). */
  date: IsoDate | null;
  status: FileStatus;
  /** Accepted records. */
  rows: number;
  rejectedRows: number;
  /** The first rejections (capped at LEDGER_MAX_REJECTIONS), the whole-file reason when rejected. */
  rejections: Rejection[];
  derivedKey: string | null;
  /** Made by Short Pulse's sample generator (a short interest file's GENERATED_COLUMN): its snapshots are sample data. */
  generated?: true;
}

/** As many as a snapshot lists (MAX_LISTED_REJECTIONS), so the pipeline lists the same ones as `pulse build`. */
export const LEDGER_MAX_REJECTIONS = 100;

/** A ledger entry with the time the table recorded it (the ledger index's sort key, see keys.ts). */
export interface RecordedLedgerEntry extends LedgerEntry {
  /** ISO timestamp taken by the table when it wrote the entry. */
  recordedAt: string;
  /** The index sort key: a position strictly after every entry recorded before it. */
  position: string;
}

export type PipelineStep = 'ingest' | 'compute' | 'publish';

export interface StepStatus {
  state: 'done' | 'incomplete' | 'failed' | 'refused';
  /** ISO timestamp. */
  at: string;
  runId: string;
  detail?: string;
}

export interface DayLock {
  owner: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface DayRecord {
  date: IsoDate;
  steps: Partial<Record<PipelineStep, StepStatus>>;
  lock: DayLock | null;
}

export type LockResult = { acquired: true; lock: DayLock } | { acquired: false; heldBy: DayLock | null };

export interface PipelineCursor {
  lastIngested: IsoDate | null;
  lastComputed: IsoDate | null;
  lastPublished: IsoDate | null;
  /** Earliest day whose figures late data changed (short interest, revision, splits); null when none pending. */
  restateFrom: IsoDate | null;
}

export type CursorField = 'lastIngested' | 'lastComputed' | 'lastPublished';

export interface PipelineTable {
  /**
   * Records a file; 'duplicate' when this exact (source, file, sha256) is already in the ledger (nothing changes).
   * Also writes the entry to the ledger index (before the ledger item: a crash in between leaves an index
   * entry for a file that will be recorded again, which readers de-duplicate, never a ledger item the index lacks).
   */
  recordFile(entry: LedgerEntry): Promise<'recorded' | 'duplicate'>;
  /**
   * Ledger index entries after `position` (exclusive; null = from the start), in the order recorded, every
   * page. May repeat an entry (see recordFile): readers de-duplicate by (source, file, sha256).
   */
  listRecordedAfter(position: string | null): Promise<RecordedLedgerEntry[]>;
  getFile(source: SourceName, file: string, sha256: string): Promise<LedgerEntry | undefined>;
  /** Every content received under this file name, oldest first. */
  listFileVersions(source: SourceName, file: string): Promise<LedgerEntry[]>;

  getDay(date: IsoDate): Promise<DayRecord | undefined>;
  setStepStatus(date: IsoDate, step: PipelineStep, status: StepStatus): Promise<void>;
  /**
   * Takes the day's lock for `owner` until `expiresAt` when it is free, expired (before `now`), or already
   * held by `owner` (re-entrant: the steps of one run share it). Conditional write: of two concurrent
   * callers exactly one gets it.
   */
  acquireDayLock(date: IsoDate, owner: string, expiresAt: number, now: number): Promise<LockResult>;
  /** Releases the lock if `owner` holds it; false when someone else does (or nobody). */
  releaseDayLock(date: IsoDate, owner: string): Promise<boolean>;

  /**
   * Takes the run lock (functions/pipeline/run-lock.ts) for `owner` until `expiresAt` (ISO) when it is free,
   * expired (before `now`, ISO) or already `owner`'s: one conditional write, the one the state machine makes.
   */
  acquireRunLock(owner: string, expiresAt: string, now: string): Promise<RunLockResult>;
  /** Releases the run lock if `owner` holds it; false when someone else does (or nobody). */
  releaseRunLock(owner: string): Promise<boolean>;

  getCursor(): Promise<PipelineCursor>;
  /** Moves a cursor field forward to `date` (never backwards). */
  advanceCursor(field: CursorField, date: IsoDate): Promise<void>;
  /** Sets restateFrom to min(restateFrom, date). */
  markRestateFrom(date: IsoDate): Promise<void>;
  /** Clears restateFrom only if it still equals `expected` (a later, earlier mark is kept); true when cleared. */
  clearRestateFrom(expected: IsoDate): Promise<boolean>;
}

/**
 * The calls compute makes on the table: the ledger index, the day records and their locks, the cursor
 * (`createDynamoComputeTable` builds only these: no ledger writes, file look-ups or run lock in its bundle).
 */
export type ComputeTable = Pick<
  PipelineTable,
  | 'listRecordedAfter'
  | 'getDay'
  | 'setStepStatus'
  | 'acquireDayLock'
  | 'releaseDayLock'
  | 'getCursor'
  | 'advanceCursor'
  | 'clearRestateFrom'
>;

// ---------------------------------------------------------------- logging

/** The slice of a structured logger the services use (functions/lib/observability.ts's `logger` satisfies it). */
export interface Log {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentLog: Log = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
