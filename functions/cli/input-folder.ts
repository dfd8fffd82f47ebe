/**
 * Reads an input folder (issue 2 convention) from disk: the imperative shell around the pure parsers
 * in shared/formats. A file the parser refuses as a whole is reported (line 0) and left out; its rows
 * never reach the methodology. Nothing here transforms data beyond what the parsers return.
 *
 * Two ways in: `loadInput` reads everything into memory (validate, sample, tests); `openInput` reads
 * the small files up front and hands out the price snapshots one day at a time, in (date, file)
 * order, optionally parsed ahead by worker threads (price-pool.ts), so `pulse build` never holds more
 * than a few days of rows (docs/benchmarks.md, part 1).
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type {
  IsoDate,
  PriceDay,
  Rejection,
  ShortInterestFile,
  ShortVolumeRecord,
  SplitOverride,
} from '../../shared/domain.ts';
import { FormatError } from '../../shared/formats/errors.ts';
import { combineRevisions, readShortInterest } from '../../shared/formats/finra-short-interest.ts';
import { parseShortVolume, parseSplitsCsv } from '../../shared/formats/index.ts';
import {
  mergeSplitOverrides,
  parseSplitCalendar,
  SPLIT_CALENDAR_FILE,
} from '../../shared/formats/nasdaq-split-calendar.ts';
import { parseSecuritiesCsv } from '../../shared/formats/securities-csv.ts';
import type { SecurityType } from '../../shared/methodology/securities.ts';
import { listFolder, SHORT_INTEREST_FILE, SHORT_VOLUME_FILE } from '../lib/input-names.ts';
import type { InputPaths } from './args.ts';
import {
  type FileRead,
  type FileRefusal,
  PRICE_FILE,
  type PriceFileRead,
  readFileWith,
  readInputFile,
  readPriceFile,
  type SourceFile,
  sha256OfFile,
} from './price-file.ts';
import { startPricePool } from './price-pool.ts';

export type { FileRead, FileRefusal, PriceFileRead, SourceFile };
export { PRICE_FILE, readPriceFile };

export interface LoadedInput extends SideFiles {
  priceDays: PriceDay[];
  sources: SourceFile[];
  /** Row-level rejections and whole-file refusals (line 0), in file order. */
  rejections: Rejection[];
  refusals: FileRefusal[];
  /** Files in an input folder that match no known name pattern (reported, not read). */
  ignored: string[];
}

export { SHORT_INTEREST_FILE, SHORT_VOLUME_FILE };

/** The files of `dir` matching `pattern` (symlinks followed); the others, and broken links, go to `ignored`. */
function listFiles(dir: string, pattern: RegExp, ignored: string[]): string[] {
  const { files, broken } = listFolder(dir);
  const kept: string[] = [];
  for (const name of files) {
    if (pattern.test(name)) kept.push(name);
    else ignored.push(path.join(dir, name));
  }
  for (const name of broken) ignored.push(path.join(dir, name));
  return kept;
}

export interface LoadOptions {
  /** Called after each file is read, for progress output. */
  onFile?: (file: string, index: number, total: number) => void;
  /** Today in New York: price files dated after it are refused unread (the commands pass the clock's day). */
  today?: IsoDate;
  /** `--as-of`: short interest files settled after it are left out before revisions merge (their R rows too). */
  asOf?: IsoDate;
}

/** The split calendar files of an input (`<input>/split-calendar/splits-YYYY-MM-DD.json`), read. */
export interface SplitCalendarRead {
  /** The days of the files parsed (refused ones are not here). */
  days: IsoDate[];
  /** Their splits of their own day, in file order. */
  entries: SplitOverride[];
  /** Entries left out because splits.csv (or an earlier calendar file) gives that symbol and day. */
  superseded: SplitOverride[];
}

/** Everything but the price snapshots, read and parsed. */
export interface SideFiles {
  shortInterest: ShortInterestFile[];
  shortVolume: { file: string; date: string | null; records: ShortVolumeRecord[] }[];
  /** What rule 3(c) applies: splits.csv's rows, then the split calendar's, merged (`mergeSplitOverrides`: a splits.csv row wins). */
  splits: SplitOverride[];
  splitCalendar: SplitCalendarRead;
  /** securities.csv (rule 12 overrides): symbol → type. */
  securities: Map<string, SecurityType>;
}

function listInput(paths: InputPaths, ignored: string[], today?: IsoDate) {
  const listed = paths.prices ? listFiles(paths.prices, PRICE_FILE, ignored) : [];
  // Issue 17: a price file dated after today (New York) is refused unread: it would stay `latest` forever.
  const future = today === undefined ? [] : listed.filter((f) => (PRICE_FILE.exec(f)?.[1] ?? '') > today);
  const prices = future.length === 0 ? listed : listed.filter((f) => !future.includes(f));
  const shortInterest = paths.shortInterest ? listFiles(paths.shortInterest, SHORT_INTEREST_FILE, ignored) : [];
  const shortVolume = paths.shortVolume ? listFiles(paths.shortVolume, SHORT_VOLUME_FILE, ignored) : [];
  const splitCalendar = paths.splitCalendar ? listFiles(paths.splitCalendar, SPLIT_CALENDAR_FILE, ignored) : [];
  return { prices, future, shortInterest, shortVolume, splitCalendar };
}

/** The refusal of a price file dated after `today`, with its source line (hashed, not parsed). */
function futureRead(dir: string, file: string, today: IsoDate): PriceFileRead {
  const error = new FormatError(
    file,
    0,
    '*',
    `is dated ${PRICE_FILE.exec(file)?.[1]}, after today (${today}, New York): a file from the future is refused, never published`,
  );
  return {
    source: { file, sha256: sha256OfFile(path.join(dir, file)), rows: 0 },
    rejections: [{ file, line: 0, field: '*', reason: error.reason }],
    refusal: { kind: 'prices', file, message: error.message },
    day: null,
  };
}

/** Files `loadInput`/`openInput` read, for the progress bar. */
function fileCount(paths: InputPaths, files: ReturnType<typeof listInput>): number {
  return (
    files.prices.length +
    files.future.length +
    files.shortInterest.length +
    files.shortVolume.length +
    files.splitCalendar.length +
    (paths.splits ? 1 : 0) +
    (paths.securities ? 1 : 0)
  );
}

function readSideFiles(
  paths: InputPaths,
  files: { shortInterest: string[]; shortVolume: string[]; splitCalendar: string[] },
  record: (read: FileRead<unknown>) => void,
  asOf?: IsoDate,
): SideFiles {
  const out: SideFiles = {
    shortInterest: [],
    shortVolume: [],
    splits: [],
    splitCalendar: { days: [], entries: [], superseded: [] },
    securities: new Map(),
  };
  if (paths.shortInterest) {
    const dir = paths.shortInterest;
    // Each file is reduced to its symbol → shares map as soon as it is parsed, so the rows of a
    // hundred files (two years of a 20,000-symbol market: 100 MB of text) are never alive together.
    const reduced: ShortInterestFile[] = [];
    for (const file of files.shortInterest) {
      const read = readFileWith(
        'short-interest',
        dir,
        file,
        (text) => readShortInterest(text, file),
        (parsed) => parsed.rows,
      );
      record(read);
      if (read.parsed) reduced.push(read.parsed.file);
    }
    // With --as-of, a file settled later is ignored entirely, its R rows too (rule 7's decision): they would
    // revise the file in effect on A with what was published after A.
    out.shortInterest = combineRevisions(
      asOf === undefined ? reduced : reduced.filter((f) => f.settlementDate <= asOf),
    );
  }
  if (paths.shortVolume) {
    const dir = paths.shortVolume;
    for (const file of files.shortVolume) {
      const read = readInputFile('short-volume', dir, file, (text) => parseShortVolume(text, file));
      record(read);
      if (read.parsed) out.shortVolume.push({ file, date: read.parsed.date, records: read.parsed.records });
    }
  }
  if (paths.splits) {
    const dir = path.dirname(paths.splits);
    const file = path.basename(paths.splits);
    const read = readInputFile('splits', dir, file, (text) => parseSplitsCsv(text, file));
    record(read);
    if (read.parsed) out.splits = read.parsed.records;
  }
  if (paths.splitCalendar) {
    const dir = paths.splitCalendar;
    for (const file of files.splitCalendar) {
      const read = readInputFile('split-calendar', dir, file, (text) => parseSplitCalendar(text, file));
      record(read);
      if (read.parsed) {
        out.splitCalendar.days.push(read.parsed.date);
        out.splitCalendar.entries.push(...read.parsed.records);
      }
    }
    // Rule 3(c) takes the first override of a symbol and day: splits.csv's rows come first, so they win.
    const merged = mergeSplitOverrides(out.splits, out.splitCalendar.entries);
    out.splits = merged.splits;
    out.splitCalendar.superseded = merged.superseded;
  }
  if (paths.securities) {
    const dir = path.dirname(paths.securities);
    const file = path.basename(paths.securities);
    const read = readInputFile('securities', dir, file, (text) => parseSecuritiesCsv(text, file));
    record(read);
    if (read.parsed) out.securities = new Map(read.parsed.records.map((r) => [r.symbol, r.type]));
  }
  return out;
}

/** Sources, rejections and refusals accumulated in file order. */
class FileLog {
  sources: SourceFile[] = [];
  rejections: Rejection[] = [];
  refusals: FileRefusal[] = [];
  add(read: { source: SourceFile; rejections: Rejection[]; refusal: FileRefusal | null }): void {
    this.sources.push(read.source);
    for (const r of read.rejections) this.rejections.push(r);
    if (read.refusal) this.refusals.push(read.refusal);
  }
}

export function loadInput(paths: InputPaths, options: LoadOptions = {}): LoadedInput {
  const ignored: string[] = [];
  const files = listInput(paths, ignored, options.today);
  const total = fileCount(paths, files);
  let index = 0;
  const log = new FileLog();
  const record = (read: FileRead<unknown> | PriceFileRead) => {
    log.add(read);
    index += 1;
    options.onFile?.(read.source.file, index, total);
  };

  const priceDays: PriceDay[] = [];
  if (paths.prices) {
    for (const file of files.prices) {
      const read = readPriceFile(paths.prices, file);
      record(read);
      if (read.day) priceDays.push(read.day);
    }
    for (const file of files.future) record(futureRead(paths.prices, file, options.today as IsoDate));
  }
  const side = readSideFiles(paths, files, record, options.asOf);
  return { priceDays, ...side, sources: log.sources, rejections: log.rejections, refusals: log.refusals, ignored };
}

export interface OpenOptions extends LoadOptions {
  /**
   * Worker threads that read and parse price files ahead of the caller (price-pool.ts); 0 reads each
   * file on this thread when the caller asks for it; `auto` (default): see `autoWorkers`. Either way
   * the days and every report are the same.
   */
  workers?: number | 'auto';
}

/** Below this many price files, starting worker threads costs more than it saves. */
export const MIN_FILES_FOR_WORKERS = 20;
/** More parsing threads than this add memory (a heap each) faster than they save time. */
export const MAX_AUTO_WORKERS = 2;
export const AUTO_WORKERS_HELP = `0 below ${MIN_FILES_FOR_WORKERS} price files or on one core, else the cores up to ${MAX_AUTO_WORKERS}`;

/** The default number of parsing threads for `count` price files on `cores` cores. */
export function autoWorkers(count: number, cores = availableParallelism()): number {
  return count < MIN_FILES_FOR_WORKERS || cores < 2 ? 0 : Math.min(cores, MAX_AUTO_WORKERS);
}

/** An input folder opened for one pass over its price snapshots (`pulse build`). */
export interface OpenedInput extends SideFiles {
  ignored: string[];
  /**
   * The price days in (date, file) order, each read when the previous one has been taken (or a few
   * days ahead, on workers); refused files are logged and skipped. One pass only.
   */
  priceDays(): AsyncGenerator<PriceDay>;
  /** After the pass: every file's source, rejections and refusal, in `loadInput`'s order (prices first). */
  files(): Pick<LoadedInput, 'sources' | 'rejections' | 'refusals'>;
}

/**
 * Lists the input, reads the short interest, short volume and splits files (the fold needs them from
 * the first day), and returns the price snapshots as a stream. Equivalent to `loadInput` followed by
 * taking `priceDays` one by one, without keeping them.
 */
export function openInput(paths: InputPaths, options: OpenOptions = {}): OpenedInput {
  const ignored: string[] = [];
  const files = listInput(paths, ignored, options.today);
  const total = fileCount(paths, files);
  let index = 0;
  const tick = (file: string) => {
    index += 1;
    options.onFile?.(file, index, total);
  };
  const dir = paths.prices;
  const workers =
    options.workers === undefined || options.workers === 'auto' ? autoWorkers(files.prices.length) : options.workers;
  // Started before the side files are read, so the workers parse the first days meanwhile.
  const pool =
    dir !== null && workers > 0 && files.prices.length > 0 ? startPricePool(dir, files.prices, { workers }) : null;
  const sideLog = new FileLog();
  let side: SideFiles;
  try {
    side = readSideFiles(
      paths,
      files,
      (read) => {
        sideLog.add(read);
        tick(read.source.file);
      },
      options.asOf,
    );
  } catch (error) {
    void pool?.close();
    throw error;
  }
  const priceLog = new FileLog();
  let started = false;
  let finished = false;

  async function* priceDays(): AsyncGenerator<PriceDay> {
    if (started) throw new Error('openInput: the price days can be read only once');
    started = true;
    if (dir !== null) {
      const reads = pool ? pool.reads() : readPricesHere(dir, files.prices);
      for await (const read of reads) {
        priceLog.add(read);
        tick(read.source.file);
        if (read.day) yield read.day;
      }
      for (const file of files.future) {
        const read = futureRead(dir, file, options.today as IsoDate);
        priceLog.add(read);
        tick(file);
      }
    }
    finished = true;
  }

  return {
    ...side,
    ignored,
    priceDays,
    files() {
      if (!finished && files.prices.length > 0) throw new Error('openInput: files() before the price days were read');
      return {
        sources: [...priceLog.sources, ...sideLog.sources],
        rejections: [...priceLog.rejections, ...sideLog.rejections],
        refusals: [...priceLog.refusals, ...sideLog.refusals],
      };
    },
  };
}

function* readPricesHere(dir: string, files: readonly string[]): Generator<PriceFileRead> {
  for (const file of files) yield readPriceFile(dir, file);
}
