/**
 * The normalised records ingest writes and compute reads, over the ObjectStore port (raw/pipeline bucket).
 * Days are stored columnar (one array per field, sectors and industries as dictionaries): for a full-market
 * screener day (7,166 rows, 2024-06-10) that is 583 KB instead of 1.32 MB as row objects, and parse + schema
 * check take 6 ms instead of 12 ms (measured on Node 24; docs/operations.md). Compute reads one day, one
 * checkpoint and the short interest files it needs — never the whole history.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { createGzip, gunzipSync, gzip, gzipSync } from 'node:zlib';
import type {
  IsoDate,
  PriceDay,
  PriceRow,
  ShortInterestRecord,
  ShortVolumeRecord,
  SplitOverride,
} from '../../shared/domain.ts';
import { SECURITY_TYPES, type SecurityType } from '../../shared/methodology/securities.ts';
import type { RecordedDay } from '../../shared/methodology/stocks.ts';
import * as z from '../../shared/zod.ts';
import {
  DERIVED_SECURITIES_KEY,
  DERIVED_SPLITS_KEY,
  derivedPricesKey,
  derivedShortInterestKey,
  derivedShortInterestPrefix,
  derivedShortVolumeKey,
  derivedSideStateKey,
  derivedSnapshotBatchKey,
  derivedSplitCalendarKey,
  derivedStateKey,
  derivedStockRunKey,
  derivedStockYearKey,
} from '../pipeline/keys.ts';
import type { ObjectInfo, ObjectReadWrite } from './ports.ts';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const gzipAsync = promisify(gzip);

/** Where a derived file came from: carried into the snapshot's `sources`. */
export interface SourceRef {
  file: string;
  sha256: string;
  rows: number;
}

export interface StoredPriceDay extends PriceDay {
  source: SourceRef;
}

export interface StoredShortVolumeDay {
  date: IsoDate;
  source: SourceRef;
  records: ShortVolumeRecord[];
}

export interface StoredShortInterestFile {
  settlementDate: IsoDate;
  file: string;
  source: SourceRef;
  records: ShortInterestRecord[];
  /** Always empty: rejected rows stay in the ledger; kept so the value is a `Parsed<ShortInterestRecord>`. */
  rejections: [];
}

export interface StoredSplits {
  source: SourceRef;
  overrides: SplitOverride[];
}

/** One Nasdaq split calendar file: its entries of its own day (rule 3c), each naming the file. */
export interface StoredSplitCalendarDay {
  date: IsoDate;
  file: string;
  source: SourceRef;
  overrides: SplitOverride[];
}

/** securities.csv: rule 12 overrides, symbol → type, in file order. */
export interface StoredSecurities {
  source: SourceRef;
  overrides: { symbol: string; type: SecurityType }[];
}

export class DerivedFormatError extends Error {
  readonly key: string;
  constructor(key: string, reason: string) {
    super(`${key}: ${reason}`);
    this.name = 'DerivedFormatError';
    this.key = key;
  }
}

/**
 * A column of thousands of values checked in one loop: the rule of `z.array(item)` at a fraction of its
 * cost (compute decodes 11 full-market price days on an ordinary day; docs/benchmarks.md, part 3).
 */
function column<T>(what: string, ok: (value: unknown) => boolean) {
  return z.custom<T[]>((value) => Array.isArray(value) && value.every(ok), { message: `expected an array of ${what}` });
}

/**
 * The schemas of the stored documents compute reads, built together on the first decode (constructing zod
 * schemas at module load would be Lambda init time; issue 20 item 7), with the pieces `otherSchemas` builds
 * on. The split and security overrides are exported for ../pipeline/split-inputs.ts.
 */
export const derivedSchemas = z.onFirstUse(() => {
  const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
  /** A whole number ≥ `min` (the classic API's `z.number().int().min(min)`). */
  const wholeFrom = (min: number) => z.number().check(z.int()).check(z.minimum(min));
  const SourceRefSchema = z.object({ file: z.string(), sha256: z.string(), rows: wholeFrom(0) });

  const strings = column<string>('strings', (v) => typeof v === 'string');
  const numbers = column<number>('numbers', (v) => typeof v === 'number');
  const numbersOrNull = column<number | null>('numbers or null', (v) => v === null || typeof v === 'number');
  const booleans = column<boolean>('booleans', (v) => typeof v === 'boolean');
  const indices = column<number>('non-negative integers', (v) => Number.isInteger(v) && (v as number) >= 0);

  const PriceColumns = z.object({
    v: z.literal(1),
    date: isoDate,
    source: SourceRefSchema,
    symbol: strings,
    name: strings,
    price: numbers,
    marketCap: numbersOrNull,
    volume: numbersOrNull,
    sectors: strings,
    sector: indices,
    industries: strings,
    industry: indices,
  });

  const ShortInterestColumns = z.object({
    v: z.literal(1),
    settlementDate: isoDate,
    file: z.string(),
    source: SourceRefSchema,
    symbol: strings,
    issueName: strings,
    shares: numbers,
    revision: booleans,
    /** FINRA's average daily volume per row (null: none); absent in objects written before it was kept. */
    adv: z.optional(numbersOrNull),
    /** Rule 4(a): an R row's previousShortPositionQuantity (null on other rows); absent before it was kept. */
    previous: z.optional(numbersOrNull),
    /** stockSplitFlag S per row; absent before it was kept. */
    splitFlag: z.optional(booleans),
    /** marketClassCode OTC per row; absent before it was kept. */
    otc: z.optional(booleans),
    /** marketClassCode ARCA or BZX per row; absent before it was kept. */
    etpVenue: z.optional(booleans),
  });

  /** A split override as stored; `file` is absent in objects written before it was kept (read as splits.csv). */
  const StoredSplitOverrideSchema = z.object({
    symbol: z.string(),
    date: isoDate,
    ratio: z.number().check(z.positive()),
    file: z.optional(z.string()),
  });

  const SplitsDoc = z.object({
    v: z.literal(1),
    source: SourceRefSchema,
    overrides: z.array(StoredSplitOverrideSchema),
  });

  const SplitCalendarDoc = z.object({
    v: z.literal(1),
    date: isoDate,
    file: z.string(),
    source: SourceRefSchema,
    overrides: z.array(StoredSplitOverrideSchema),
  });

  const StoredSecurityOverrideSchema = z.object({ symbol: z.string(), type: z.enum(SECURITY_TYPES) });

  const SecuritiesDoc = z.object({
    v: z.literal(1),
    source: SourceRefSchema,
    overrides: z.array(StoredSecurityOverrideSchema),
  });

  return {
    isoDate,
    wholeFrom,
    SourceRefSchema,
    strings,
    numbers,
    indices,
    PriceColumns,
    ShortInterestColumns,
    StoredSplitOverrideSchema,
    SplitsDoc,
    SplitCalendarDoc,
    StoredSecurityOverrideSchema,
    SecuritiesDoc,
    RecordedDayHeader: z.object({
      index: wholeFrom(0),
      date: isoDate,
      settlement: z.union([isoDate, z.literal('')]),
      n: wholeFrom(0),
    }),
  };
});

/**
 * The schemas of the documents compute never reads (short volume days, publish's snapshot batches and stock
 * runs), built on their first decode apart from `derivedSchemas` so that the compute bundle leaves them out.
 */
const otherSchemas = /* @__PURE__ */ z.onFirstUse(() => {
  const { isoDate, wholeFrom, SourceRefSchema, strings, numbers, indices } = derivedSchemas();
  return {
    ShortVolumeColumns: z.object({
      v: z.literal(1),
      date: isoDate,
      source: SourceRefSchema,
      symbol: strings,
      shortVolume: numbers,
      shortExemptVolume: numbers,
      totalVolume: numbers,
      markets: strings,
      market: indices,
    }),
    /** The envelope of a snapshot batch; publish checks each snapshot against the published schema itself. */
    SnapshotBatchDoc: z.object({ v: z.literal(1), snapshots: z.array(z.unknown()) }),
    StockRunHeader: z.object({
      v: z.literal(1),
      asOf: isoDate,
      methodologyVersion: wholeFrom(1),
      count: wholeFrom(0),
    }),
  };
});

function dictionary(values: string[]): { dict: string[]; index: number[] } {
  const positions = new Map<string, number>();
  const dict: string[] = [];
  const index = values.map((v) => {
    let i = positions.get(v);
    if (i === undefined) {
      i = dict.length;
      dict.push(v);
      positions.set(v, i);
    }
    return i;
  });
  return { dict, index };
}

function sameLength(key: string, columns: Record<string, unknown[]>, expected: number): void {
  for (const [name, column] of Object.entries(columns)) {
    if (column.length !== expected) {
      throw new DerivedFormatError(key, `column ${name} has ${column.length} values, expected ${expected}`);
    }
  }
}

function at<T>(key: string, dict: T[], i: number): T {
  const v = dict[i];
  if (v === undefined) throw new DerivedFormatError(key, `dictionary index ${i} out of range`);
  return v;
}

function decodeJson<T>(key: string, schema: z.ZodMiniType<T>, bytes: Uint8Array): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new DerivedFormatError(key, `not JSON (${(error as Error).message})`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new DerivedFormatError(key, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

const encodeJson = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');

/**
 * Refuses NaN and ±Infinity in a numeric column before it is written: JSON.stringify would store them as
 * null (an unknown market cap instead of a refusal). Any finite double is stored and read back exactly.
 */
function assertFinite(key: string, column: string, values: readonly (number | null)[], symbols: readonly string[]) {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && !Number.isFinite(v)) {
      throw new DerivedFormatError(key, `row ${i} (${symbols[i]}): ${column} is ${v}, not a finite number`);
    }
  }
}

export function encodePriceDay(day: StoredPriceDay): Uint8Array {
  const sectors = dictionary(day.rows.map((r) => r.sector));
  const industries = dictionary(day.rows.map((r) => r.industry));
  return encodeJson({
    v: 1,
    date: day.date,
    source: day.source,
    symbol: day.rows.map((r) => r.symbol),
    name: day.rows.map((r) => r.name),
    price: day.rows.map((r) => r.price),
    marketCap: day.rows.map((r) => r.marketCap),
    volume: day.rows.map((r) => r.volume),
    sectors: sectors.dict,
    sector: sectors.index,
    industries: industries.dict,
    industry: industries.index,
  });
}

export function decodePriceDay(key: string, bytes: Uint8Array): StoredPriceDay {
  const c = decodeJson(key, derivedSchemas().PriceColumns, bytes);
  const n = c.symbol.length;
  sameLength(
    key,
    { name: c.name, price: c.price, marketCap: c.marketCap, volume: c.volume, sector: c.sector, industry: c.industry },
    n,
  );
  const rows: PriceRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = {
      symbol: c.symbol[i] as string,
      name: c.name[i] as string,
      price: c.price[i] as number,
      marketCap: c.marketCap[i] as number | null,
      volume: c.volume[i] as number | null,
      sector: at(key, c.sectors, c.sector[i] as number),
      industry: at(key, c.industries, c.industry[i] as number),
    };
  }
  return { date: c.date, file: c.source.file, source: c.source, rows };
}

export function encodeShortVolumeDay(day: StoredShortVolumeDay): Uint8Array {
  const markets = dictionary(day.records.map((r) => r.market));
  return encodeJson({
    v: 1,
    date: day.date,
    source: day.source,
    symbol: day.records.map((r) => r.symbol),
    shortVolume: day.records.map((r) => r.shortVolume),
    shortExemptVolume: day.records.map((r) => r.shortExemptVolume),
    totalVolume: day.records.map((r) => r.totalVolume),
    markets: markets.dict,
    market: markets.index,
  });
}

export function decodeShortVolumeDay(key: string, bytes: Uint8Array): StoredShortVolumeDay {
  const c = decodeJson(key, otherSchemas().ShortVolumeColumns, bytes);
  const n = c.symbol.length;
  sameLength(
    key,
    {
      shortVolume: c.shortVolume,
      shortExemptVolume: c.shortExemptVolume,
      totalVolume: c.totalVolume,
      market: c.market,
    },
    n,
  );
  const records: ShortVolumeRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    records[i] = {
      date: c.date,
      symbol: c.symbol[i] as string,
      shortVolume: c.shortVolume[i] as number,
      shortExemptVolume: c.shortExemptVolume[i] as number,
      totalVolume: c.totalVolume[i] as number,
      market: at(key, c.markets, c.market[i] as number),
    };
  }
  return { date: c.date, source: c.source, records };
}

export function encodeShortInterestFile(f: Omit<StoredShortInterestFile, 'rejections'>): Uint8Array {
  return encodeJson({
    v: 1,
    settlementDate: f.settlementDate,
    file: f.file,
    source: f.source,
    symbol: f.records.map((r) => r.symbol),
    issueName: f.records.map((r) => r.issueName),
    shares: f.records.map((r) => r.shares),
    revision: f.records.map((r) => r.revision),
    adv: f.records.map((r) => r.averageDailyVolume ?? null),
    previous: f.records.map((r) => r.previousShares ?? null),
    splitFlag: f.records.map((r) => r.splitFlag === true),
    otc: f.records.map((r) => r.otc === true),
    etpVenue: f.records.map((r) => r.etpVenue === true),
  });
}

export function decodeShortInterestFile(key: string, bytes: Uint8Array): StoredShortInterestFile {
  const c = decodeJson(key, derivedSchemas().ShortInterestColumns, bytes);
  const n = c.symbol.length;
  sameLength(
    key,
    {
      issueName: c.issueName,
      shares: c.shares,
      revision: c.revision,
      ...(c.adv ? { adv: c.adv } : {}),
      ...(c.previous ? { previous: c.previous } : {}),
      ...(c.splitFlag ? { splitFlag: c.splitFlag } : {}),
      ...(c.otc ? { otc: c.otc } : {}),
      ...(c.etpVenue ? { etpVenue: c.etpVenue } : {}),
    },
    n,
  );
  const records: ShortInterestRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    records[i] = {
      symbol: c.symbol[i] as string,
      issueName: c.issueName[i] as string,
      shares: c.shares[i] as number,
      settlementDate: c.settlementDate,
      revision: c.revision[i] as boolean,
      averageDailyVolume: c.adv?.[i] ?? null,
    };
    const previous = c.previous?.[i];
    if (previous != null) (records[i] as ShortInterestRecord).previousShares = previous;
    if (c.splitFlag?.[i] === true) (records[i] as ShortInterestRecord).splitFlag = true;
    if (c.otc?.[i] === true) (records[i] as ShortInterestRecord).otc = true;
    if (c.etpVenue?.[i] === true) (records[i] as ShortInterestRecord).etpVenue = true;
  }
  return { settlementDate: c.settlementDate, file: c.file, source: c.source, records, rejections: [] };
}

export interface DerivedRepository {
  putPriceDay(day: StoredPriceDay): Promise<string>;
  getPriceDay(date: IsoDate): Promise<StoredPriceDay | undefined>;
  /** Head of the stored day (its `source-sha256` metadata tells which file it came from), without reading it. */
  headPriceDay(date: IsoDate): Promise<ObjectInfo | undefined>;
  /** The earliest stored price day (one LIST request per 1,000 days), or undefined when none is stored. */
  firstPriceDay(): Promise<IsoDate | undefined>;
  putShortVolumeDay(day: StoredShortVolumeDay): Promise<string>;
  getShortVolumeDay(date: IsoDate): Promise<StoredShortVolumeDay | undefined>;
  putShortInterestFile(f: Omit<StoredShortInterestFile, 'rejections'>): Promise<string>;
  /** Every file (and revision) stored for a settlement date, in file-name order. */
  getShortInterestFiles(settlementDate: IsoDate): Promise<StoredShortInterestFile[]>;
  /** Settlement dates with at least one stored file, ascending (one LIST request). */
  listShortInterestDates(): Promise<IsoDate[]>;
  putSplits(splits: StoredSplits): Promise<string>;
  getSplits(): Promise<StoredSplits | undefined>;
  /** One split calendar file (by its day and name: a `.json` and a `.json.gz` of one day are two). */
  putSplitCalendarDay(day: StoredSplitCalendarDay): Promise<string>;
  getSplitCalendarDay(date: IsoDate, file: string): Promise<StoredSplitCalendarDay | undefined>;
  putSecurities(securities: StoredSecurities): Promise<string>;
  getSecurities(): Promise<StoredSecurities | undefined>;
  /**
   * Engine checkpoint after `date` (gzip JSON; the engine validates its own shape). `state` is serialised
   * before this returns: the caller may go on changing it while the write completes.
   */
  putCheckpoint(date: IsoDate, state: unknown): Promise<string>;
  getCheckpoint(date: IsoDate): Promise<unknown | undefined>;
  /** The look-ahead fold's state after `date`, between the chunks of a long compute run (same format). */
  putSideCheckpoint(date: IsoDate, state: unknown): Promise<string>;
  getSideCheckpoint(date: IsoDate): Promise<unknown | undefined>;
  /**
   * The snapshots of one compute run in one gzip object, named by the run's newest day and the sha256 of
   * the content, so it is never replaced (a later run writes another); returns its key.
   */
  putSnapshotBatch(runDate: IsoDate, snapshots: readonly unknown[]): Promise<string>;
  /** The snapshots of a batch (unchecked: publish validates each); undefined when absent. */
  getSnapshotBatch(key: string): Promise<unknown[] | undefined>;
  /** The final days of the per-stock series of one year, oldest first (binary, `encodeRecordedDays`). */
  putStockYear(year: string, days: readonly RecordedDay[]): Promise<string>;
  getStockYear(year: string): Promise<RecordedDay[] | undefined>;
  /**
   * The per-stock files of one compute run (gzip NDJSON: a header line, the index line, one line per stock),
   * named by A and the content's sha256, never replaced; returns its key.
   */
  putStockRun(output: StockRunContent): Promise<string>;
  /** The lines of a stock run, parsed but unchecked (publish validates each); undefined when absent. */
  getStockRun(key: string): Promise<StockRunLines | undefined>;
}

/** What compute hands to publish for the stock files: `StockOutput` and its day. */
export interface StockRunContent {
  asOf: IsoDate;
  methodologyVersion: number;
  stocks: readonly unknown[];
  index: readonly unknown[];
}

/** A stock run as read: its header, its index entries, and its stock files one at a time (parsed, unchecked). */
export interface StockRunLines {
  asOf: IsoDate;
  methodologyVersion: number;
  count: number;
  index: unknown[];
  stocks(): Iterable<unknown>;
}

const RECORDED_DAY_MAGIC = 'SPRD1\n';

/**
 * A recorded day as bytes: the magic, a little-endian u32 header length, the header JSON (index, date,
 * settlement, n), padding to 8 bytes, then price, marketCap, factor and shortInterest as n float64 each.
 * Binary: four columns of 7,000 doubles are 224 kB raw against about 600 kB of JSON, and read without parsing.
 */
export function encodeRecordedDay(day: RecordedDay): Uint8Array {
  if (day.held !== null) throw new Error(`recorded day ${day.date}: only final days (no held symbols) are stored`);
  const n = day.price.length;
  const header = Buffer.from(JSON.stringify({ index: day.index, date: day.date, settlement: day.settlement, n }));
  const head = RECORDED_DAY_MAGIC.length + 4 + header.length;
  const start = Math.ceil(head / 8) * 8;
  const out = new Uint8Array(start + 4 * n * 8);
  out.set(Buffer.from(RECORDED_DAY_MAGIC), 0);
  new DataView(out.buffer).setUint32(RECORDED_DAY_MAGIC.length, header.length, true);
  out.set(header, RECORDED_DAY_MAGIC.length + 4);
  const columns = [day.price, day.marketCap, day.factor, day.shortInterest];
  const view = new DataView(out.buffer, start);
  columns.forEach((column, c) => {
    for (let i = 0; i < n; i++) view.setFloat64((c * n + i) * 8, column[i] as number, true);
  });
  return out;
}

export function decodeRecordedDay(key: string, bytes: Uint8Array): RecordedDay {
  const magic = Buffer.from(bytes.subarray(0, RECORDED_DAY_MAGIC.length)).toString('latin1');
  if (magic !== RECORDED_DAY_MAGIC) throw new DerivedFormatError(key, 'not a recorded stock day (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(RECORDED_DAY_MAGIC.length, true);
  const headerStart = RECORDED_DAY_MAGIC.length + 4;
  const header = decodeJson(key, derivedSchemas().RecordedDayHeader, bytes.subarray(headerStart, headerStart + length));
  const start = Math.ceil((headerStart + length) / 8) * 8;
  const n = header.n;
  if (bytes.byteLength !== start + 4 * n * 8) {
    throw new DerivedFormatError(key, `expected ${start + 4 * n * 8} bytes for ${n} symbols, got ${bytes.byteLength}`);
  }
  const column = (c: number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = view.getFloat64(start + (c * n + i) * 8, true);
      if (!Number.isFinite(v)) throw new DerivedFormatError(key, `column ${c} row ${i}: ${v} is not a finite number`);
      out[i] = v;
    }
    return out;
  };
  return {
    index: header.index,
    date: header.date,
    settlement: header.settlement,
    price: column(0),
    marketCap: column(1),
    factor: column(2),
    shortInterest: column(3),
    held: null,
  };
}

/** Days as bytes: a u32 count, then each day as a u32 length and `encodeRecordedDay`'s bytes (little-endian). */
export function encodeRecordedDays(days: readonly RecordedDay[]): Uint8Array {
  const parts = days.map(encodeRecordedDay);
  const out = new Uint8Array(4 + parts.reduce((n, p) => n + 4 + p.byteLength, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, parts.length, true);
  let at = 4;
  for (const part of parts) {
    view.setUint32(at, part.byteLength, true);
    out.set(part, at + 4);
    at += 4 + part.byteLength;
  }
  return out;
}

export function decodeRecordedDays(key: string, bytes: Uint8Array): RecordedDay[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) throw new DerivedFormatError(key, 'too short for a day count');
  const count = view.getUint32(0, true);
  const days: RecordedDay[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.byteLength) throw new DerivedFormatError(key, `day ${i + 1} of ${count}: cut short`);
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.byteLength) throw new DerivedFormatError(key, `day ${i + 1} of ${count}: cut short`);
    // A copy, so that each day's columns are read from an 8-byte-aligned buffer of its own.
    days.push(decodeRecordedDay(`${key} day ${i + 1}`, bytes.slice(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  if (at !== bytes.byteLength) throw new DerivedFormatError(key, `${bytes.byteLength - at} bytes after day ${count}`);
  return days;
}

/**
 * The calls compute makes: the records ingest wrote, the engine's checkpoints and stock years, and the runs it
 * hands to publish. `createComputeRepository` builds only these, so the compute bundle leaves out ingest's
 * encoders and publish's readers (an object's unused methods are never tree-shaken).
 */
export type ComputeRepository = Pick<
  DerivedRepository,
  | 'getPriceDay'
  | 'getShortInterestFiles'
  | 'getSplits'
  | 'getSplitCalendarDay'
  | 'getSecurities'
  | 'putCheckpoint'
  | 'getCheckpoint'
  | 'putSideCheckpoint'
  | 'getSideCheckpoint'
  | 'putSnapshotBatch'
  | 'putStockYear'
  | 'getStockYear'
  | 'putStockRun'
>;

/** A gzip object's bytes, unzipped; undefined when absent; a DerivedFormatError naming the key when not gzip. */
async function getGunzipped(store: ObjectReadWrite, key: string): Promise<Uint8Array | undefined> {
  const o = await store.get(key);
  if (!o) return undefined;
  try {
    return gunzipSync(o.bytes);
  } catch (error) {
    throw new DerivedFormatError(key, `not gzip (${(error as Error).message})`);
  }
}

export function createComputeRepository(store: ObjectReadWrite): ComputeRepository {
  async function putState(key: string, state: unknown): Promise<string> {
    // Serialised before the first await, so the caller may change the state as soon as this returns.
    const json = JSON.stringify(state);
    // Level 1: written every day; 3× faster than the default for 7% more bytes (a full-market state).
    // Compressed on the thread pool, beside whatever the caller computes meanwhile.
    const bytes = await gzipAsync(json, { level: 1 });
    await store.put(key, bytes, { contentType: 'application/gzip' });
    return key;
  }

  async function getState(key: string): Promise<unknown | undefined> {
    const o = await store.get(key);
    if (!o) return undefined;
    try {
      return JSON.parse(gunzipSync(o.bytes).toString('utf8')) as unknown;
    } catch (error) {
      throw new DerivedFormatError(key, `unreadable checkpoint (${(error as Error).message})`);
    }
  }

  return {
    async getPriceDay(date) {
      const key = derivedPricesKey(date);
      const o = await store.get(key);
      return o ? decodePriceDay(key, o.bytes) : undefined;
    },
    async getShortInterestFiles(settlementDate) {
      const listed = await store.list(derivedShortInterestPrefix(settlementDate));
      const files: StoredShortInterestFile[] = [];
      for (const { key } of listed) {
        const o = await store.get(key);
        if (o) files.push(decodeShortInterestFile(key, o.bytes));
      }
      return files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    },
    async getSplits() {
      const o = await store.get(DERIVED_SPLITS_KEY);
      if (!o) return undefined;
      const doc = decodeJson(DERIVED_SPLITS_KEY, derivedSchemas().SplitsDoc, o.bytes);
      return { source: doc.source, overrides: doc.overrides };
    },
    async getSplitCalendarDay(date, file) {
      const key = derivedSplitCalendarKey(date, file);
      const o = await store.get(key);
      if (!o) return undefined;
      const doc = decodeJson(key, derivedSchemas().SplitCalendarDoc, o.bytes);
      if (doc.date !== date || doc.file !== file) {
        throw new DerivedFormatError(key, `holds ${doc.file} of ${doc.date}, not ${file} of ${date}`);
      }
      return { date, file, source: doc.source, overrides: doc.overrides };
    },
    async getSecurities() {
      const o = await store.get(DERIVED_SECURITIES_KEY);
      if (!o) return undefined;
      const doc = decodeJson(DERIVED_SECURITIES_KEY, derivedSchemas().SecuritiesDoc, o.bytes);
      return { source: doc.source, overrides: doc.overrides };
    },
    putCheckpoint(date, state) {
      return putState(derivedStateKey(date), state);
    },
    getCheckpoint(date) {
      return getState(derivedStateKey(date));
    },
    putSideCheckpoint(date, state) {
      return putState(derivedSideStateKey(date), state);
    },
    getSideCheckpoint(date) {
      return getState(derivedSideStateKey(date));
    },
    async putSnapshotBatch(runDate, snapshots) {
      const json = JSON.stringify({ v: 1, snapshots });
      const key = derivedSnapshotBatchKey(runDate, createHash('sha256').update(json).digest('hex'));
      // Level 1, as checkpoints: the JSON shrinks about 8× and compresses 3× faster than at the default.
      await store.put(key, gzipSync(json, { level: 1 }), { contentType: 'application/gzip' });
      return key;
    },
    async putStockYear(year, days) {
      const key = derivedStockYearKey(year);
      await store.put(key, await gzipAsync(encodeRecordedDays(days), { level: 1 }), {
        contentType: 'application/gzip',
      });
      return key;
    },
    async getStockYear(year) {
      const key = derivedStockYearKey(year);
      const bytes = await getGunzipped(store, key);
      return bytes === undefined ? undefined : decodeRecordedDays(key, bytes);
    },
    async putStockRun(output) {
      // One line at a time into the compressor: the run's JSON (about 115 MB on a real year) is never one string.
      const hash = createHash('sha256');
      const gz = createGzip({ level: 1 });
      const chunks: Buffer[] = [];
      gz.on('data', (c: Buffer) => chunks.push(c));
      const done = new Promise<void>((resolve, reject) => {
        gz.on('end', resolve);
        gz.on('error', reject);
      });
      const line = (value: unknown) => {
        const text = `${JSON.stringify(value)}\n`;
        hash.update(text);
        gz.write(text);
      };
      line({ v: 1, asOf: output.asOf, methodologyVersion: output.methodologyVersion, count: output.stocks.length });
      line(output.index);
      for (const stock of output.stocks) line(stock);
      gz.end();
      await done;
      const key = derivedStockRunKey(output.asOf, hash.digest('hex'));
      await store.put(key, Buffer.concat(chunks), { contentType: 'application/gzip' });
      return key;
    },
  };
}

/** Compute's calls (`createComputeRepository`) and the others: ingest's writes and look-ups, publish's reads. */
export function createDerivedRepository(store: ObjectReadWrite): DerivedRepository {
  async function put(key: string, bytes: Uint8Array, metadata: Record<string, string>, encoding?: string) {
    await store.put(key, bytes, {
      contentType: JSON_CONTENT_TYPE,
      ...(encoding ? { contentEncoding: encoding } : {}),
      metadata,
    });
    return key;
  }

  return {
    ...createComputeRepository(store),
    putPriceDay(day) {
      const key = derivedPricesKey(day.date);
      const symbols = day.rows.map((r) => r.symbol);
      for (const column of ['price', 'marketCap', 'volume'] as const) {
        assertFinite(
          key,
          column,
          day.rows.map((r) => r[column]),
          symbols,
        );
      }
      return put(key, encodePriceDay(day), { 'source-sha256': day.source.sha256 });
    },
    headPriceDay: (date) => store.head(derivedPricesKey(date)),
    async firstPriceDay() {
      let first: IsoDate | undefined;
      for (const { key } of await store.list('derived/prices/')) {
        const date = /^derived\/prices\/(\d{4}-\d{2}-\d{2})\.json$/.exec(key)?.[1];
        if (date !== undefined && (first === undefined || date < first)) first = date;
      }
      return first;
    },
    putShortVolumeDay(day) {
      const key = derivedShortVolumeKey(day.date);
      const symbols = day.records.map((r) => r.symbol);
      for (const column of ['shortVolume', 'shortExemptVolume', 'totalVolume'] as const) {
        assertFinite(
          key,
          column,
          day.records.map((r) => r[column]),
          symbols,
        );
      }
      return put(key, encodeShortVolumeDay(day), { 'source-sha256': day.source.sha256 });
    },
    async getShortVolumeDay(date) {
      const key = derivedShortVolumeKey(date);
      const o = await store.get(key);
      return o ? decodeShortVolumeDay(key, o.bytes) : undefined;
    },
    putShortInterestFile(f) {
      const key = derivedShortInterestKey(f.settlementDate, f.file);
      assertFinite(
        key,
        'shares',
        f.records.map((r) => r.shares),
        f.records.map((r) => r.symbol),
      );
      return put(key, encodeShortInterestFile(f), { 'source-sha256': f.source.sha256 });
    },
    async listShortInterestDates() {
      const listed = await store.list('derived/short-interest/');
      const dates = new Set<IsoDate>();
      for (const { key } of listed) {
        const m = /^derived\/short-interest\/(\d{4}-\d{2}-\d{2})\//.exec(key);
        if (m?.[1]) dates.add(m[1]);
      }
      return [...dates].sort();
    },
    putSplits: (splits) =>
      put(DERIVED_SPLITS_KEY, encodeJson({ v: 1, ...splits }), { 'source-sha256': splits.source.sha256 }),
    putSplitCalendarDay: (day) =>
      put(derivedSplitCalendarKey(day.date, day.file), encodeJson({ v: 1, ...day }), {
        'source-sha256': day.source.sha256,
      }),
    putSecurities: (securities) =>
      put(DERIVED_SECURITIES_KEY, encodeJson({ v: 1, ...securities }), { 'source-sha256': securities.source.sha256 }),
    async getSnapshotBatch(key) {
      const bytes = await getGunzipped(store, key);
      return bytes === undefined ? undefined : decodeJson(key, otherSchemas().SnapshotBatchDoc, bytes).snapshots;
    },
    async getStockRun(key) {
      const bytes = await getGunzipped(store, key);
      if (bytes === undefined) return undefined;
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      const lineAt = (from: number): { value: unknown; next: number } | null => {
        if (from >= text.length) return null;
        let end = text.indexOf('\n', from);
        if (end === -1) end = text.length;
        try {
          return { value: JSON.parse(text.slice(from, end)) as unknown, next: end + 1 };
        } catch (error) {
          throw new DerivedFormatError(key, `a line is not JSON (${(error as Error).message})`);
        }
      };
      const first = lineAt(0);
      const header = otherSchemas().StockRunHeader.safeParse(first?.value);
      if (!first || !header.success) throw new DerivedFormatError(key, 'line 1: not a stock run header');
      const second = lineAt(first.next);
      if (!second || !Array.isArray(second.value)) throw new DerivedFormatError(key, 'line 2: not the stock index');
      const from = second.next;
      return {
        asOf: header.data.asOf,
        methodologyVersion: header.data.methodologyVersion,
        count: header.data.count,
        index: second.value as unknown[],
        *stocks() {
          let at = from;
          let n = 0;
          for (let l = lineAt(at); l !== null; l = lineAt(at)) {
            yield l.value;
            at = l.next;
            n++;
          }
          if (n !== header.data.count) {
            throw new DerivedFormatError(key, `${n} stock lines, the header says ${header.data.count}`);
          }
        },
      };
    },
  };
}
