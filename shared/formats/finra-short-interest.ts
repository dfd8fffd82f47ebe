/**
 * FINRA consolidated equity short interest file (`shrtYYYYMMDD*.csv`, pipe-delimited despite the
 * name), published twice a month. Vendor schema → mapper → ShortInterestRecord; several files of one
 * settlement date are revisions merged by `mergeShortInterestRevisions`.
 * Rules and reasons: docs/data-formats.md, "FINRA short interest".
 */
import * as z from 'zod';
import type { IsoDate, Parsed, Rejection, ShortInterestFile, ShortInterestRecord } from '../domain.ts';
import { FormatError, formatRejection } from './errors.ts';
import { lazyRowSchema } from './lazy-schema.ts';
import { pipeRecord, readPipeTable } from './pipe-table.ts';
import { canonicalSymbol } from './symbols.ts';
import { dateFromName, sharesOf, showValue, trimText } from './text.ts';
import { dateField, issueRejection, problemTransform, symbolText, typeError } from './vendor-issue.ts';

const FORMAT = 'a FINRA short interest file';

/** The 14 columns of the real file, in FINRA's order (only the order-independent names matter). */
export const SHORT_INTEREST_COLUMNS = [
  'accountingYearMonthNumber',
  'symbolCode',
  'issueName',
  'issuerServicesGroupExchangeCode',
  'marketClassCode',
  'currentShortPositionQuantity',
  'previousShortPositionQuantity',
  'stockSplitFlag',
  'averageDailyVolumeQuantity',
  'daysToCoverQuantity',
  'revisionFlag',
  'changePercent',
  'changePreviousNumber',
  'settlementDate',
] as const;

/** Without these a file cannot give a symbol's short position on a date: refused. */
export const SHORT_INTEREST_REQUIRED = [
  'symbolCode',
  'issueName',
  'currentShortPositionQuantity',
  'settlementDate',
] as const;
/**
 * Not a FINRA column: Short Pulse's own generators (`pulse sample`, `sample --for-prices`) add it, `Y` on
 * every row, so a snapshot built on generated short interest says `sample: true` wherever the file goes.
 */
export const GENERATED_COLUMN = 'shortPulseGenerated';
export const GENERATED_MARK = 'Y';

/** Read and checked when present; the other eight columns are informational and ignored. */
const SHORT_INTEREST_CHECKED = [
  'accountingYearMonthNumber',
  'revisionFlag',
  'marketClassCode',
  'averageDailyVolumeQuantity',
  GENERATED_COLUMN,
] as const;

function revisionOf(raw: string): boolean | string {
  const s = trimText(raw).toUpperCase();
  if (s === 'Y') return true;
  if (s === '' || s === 'N') return false;
  return 'is not Y, N or empty';
}

function buildRowSchema() {
  return z.object({
    symbolCode: symbolText,
    issueName: z.string({ error: typeError('a string') }),
    currentShortPositionQuantity: z.string({ error: typeError('a string') }).transform(problemTransform(sharesOf)),
    settlementDate: dateField('YYYY-MM-DD'),
    accountingYearMonthNumber: dateField('YYYYMMDD').optional(),
    revisionFlag: z
      .string({ error: typeError('a string') })
      .transform(problemTransform(revisionOf))
      .optional(),
    marketClassCode: z.string().optional(),
    // FINRA's own average daily volume (all venues), for days to cover (rule 10, v2). Informational: a
    // blank or unreadable value is "unknown", never a reason to reject the row.
    averageDailyVolumeQuantity: z
      .string()
      .optional()
      .transform((v) => {
        if (v === undefined) return null;
        const n = sharesOf(v);
        return typeof n === 'number' && n > 0 ? n : null;
      }),
  });
}
export type ShortInterestRow = z.output<ReturnType<typeof buildRowSchema>>;

const rowSchemas = lazyRowSchema(buildRowSchema);

/** The row contract (one schema instance per process, built on first use). */
export function shortInterestRowSchema(): ReturnType<typeof buildRowSchema> {
  return rowSchemas.schema();
}

export function toShortInterestRecord(row: ShortInterestRow): ShortInterestRecord {
  return {
    symbol: canonicalSymbol(row.symbolCode),
    issueName: row.issueName,
    shares: row.currentShortPositionQuantity,
    settlementDate: row.settlementDate,
    revision: row.revisionFlag ?? false,
    averageDailyVolume: row.averageDailyVolumeQuantity,
  };
}

interface Candidate {
  line: number;
  row: ShortInterestRow;
}

/** The date most rows carry (ties: the earliest line's); the few that differ are the odd ones out. */
function majorityDate(candidates: readonly Candidate[]): { date: IsoDate; count: number } {
  const counts = new Map<IsoDate, number>();
  for (const c of candidates) counts.set(c.row.settlementDate, (counts.get(c.row.settlementDate) ?? 0) + 1);
  let best = { date: '', count: 0 };
  for (const [date, count] of counts) if (count > best.count) best = { date, count };
  return best;
}

export type ParsedShortInterest = Parsed<ShortInterestRecord> & {
  settlementDate: IsoDate;
  /** The file carries GENERATED_COLUMN: made by Short Pulse's generator, not by FINRA. */
  generated?: boolean;
};

/**
 * Parses one short interest file. Refuses (FormatError) an empty body, an HTML page, a first line
 * that is not a pipe-delimited header, a header without a required column, a file without records
 * or without a single valid record. Rejects rows with a wrong field count, an empty symbol, a
 * negative or non-numeric quantity, a bad or disagreeing settlement date, an
 * accountingYearMonthNumber that is not that date, and duplicates (see the duplicate rule below).
 *
 * Duplicate symbol in one file: a restated row (revisionFlag Y) replaces an original one;
 * otherwise the first row is kept and the later one rejected, saying whether it agreed.
 */
export function parseShortInterest(text: string, file: string): ParsedShortInterest {
  const table = readPipeTable(text, file, {
    format: FORMAT,
    required: SHORT_INTEREST_REQUIRED,
    optional: SHORT_INTEREST_CHECKED,
  });
  if (table.lines.length === 0) throw new FormatError(file, 0, '*', 'the file has a header but no records');
  const rejections: Rejection[] = [];
  const candidates: Candidate[] = [];
  const compiled = rowSchemas.compiled();
  for (const pl of table.lines) {
    const record = pipeRecord(table, pl);
    if (typeof record === 'string') {
      rejections.push({ file, line: pl.line, field: '*', reason: record });
      continue;
    }
    const parsed = compiled.safeParse(record);
    if (!parsed.success) {
      rejections.push(issueRejection(file, pl.line, record, parsed.error.issues));
      continue;
    }
    const row = parsed.data;
    if (row.accountingYearMonthNumber !== undefined && row.accountingYearMonthNumber !== row.settlementDate) {
      rejections.push({
        file,
        line: pl.line,
        field: 'accountingYearMonthNumber',
        reason: `${showValue(record.accountingYearMonthNumber)} is not the row's settlementDate ${row.settlementDate}`,
      });
      continue;
    }
    candidates.push({ line: pl.line, row });
  }
  if (candidates.length === 0) {
    const first = rejections[0];
    throw new FormatError(
      file,
      0,
      '*',
      `none of the ${table.lines.length} records is valid${first ? ` (first: ${formatRejection(first)})` : ''}`,
    );
  }

  const { date: settlementDate, count } = majorityDate(candidates);
  // A file named for one settlement date but holding another would silently become a revision of
  // the other date (rule 4 merges files by their rows' date): refused, as the Reg SHO parser does.
  const named = shortInterestDateFromName(file);
  if (named !== null && named !== settlementDate) {
    const first = candidates.find((c) => c.row.settlementDate === settlementDate);
    throw new FormatError(
      file,
      first?.line ?? 0,
      'settlementDate',
      `the file name says ${named} but its records are for settlement date ${settlementDate} (${count} of ${candidates.length} valid rows): misnamed file`,
    );
  }
  const records: ShortInterestRecord[] = [];
  const kept = new Map<string, { index: number; line: number; marketClass: string | undefined }>();
  for (const { line, row } of candidates) {
    if (row.settlementDate !== settlementDate) {
      rejections.push({
        file,
        line,
        field: 'settlementDate',
        reason: `${showValue(row.settlementDate)} differs from the file's settlement date ${settlementDate} (carried by ${count} of ${candidates.length} valid rows)`,
      });
      continue;
    }
    const record = toShortInterestRecord(row);
    const earlier = kept.get(record.symbol);
    if (earlier === undefined) {
      kept.set(record.symbol, { index: records.length, line, marketClass: row.marketClassCode });
      records.push(record);
      continue;
    }
    const previous = records[earlier.index] as ShortInterestRecord;
    if (record.revision && !previous.revision) {
      rejections.push({
        file,
        line: earlier.line,
        field: 'symbolCode',
        reason: `${showValue(row.symbolCode)} is restated on line ${line} (revisionFlag Y), which replaces this row`,
      });
      records[earlier.index] = record;
      kept.set(record.symbol, { index: earlier.index, line, marketClass: row.marketClassCode });
      continue;
    }
    const classes =
      earlier.marketClass !== undefined && row.marketClassCode !== undefined
        ? ` (market class ${earlier.marketClass} vs ${row.marketClassCode})`
        : '';
    const agreement =
      previous.shares === record.shares
        ? 'with the same quantity'
        : `with a different quantity (${previous.shares} vs ${record.shares} shares)`;
    rejections.push({
      file,
      line,
      field: 'symbolCode',
      reason: `${showValue(row.symbolCode)} repeats line ${earlier.line} ${agreement}${classes}; the first row is kept`,
    });
  }
  rejections.sort((a, b) => a.line - b.line);
  return { file, settlementDate, records, rejections, generated: table.columns.has(GENERATED_COLUMN) };
}

/** `shrt20240131.csv`, `shrt20240131-r1.csv` → `2024-01-31`; null when the name carries no (real) date. */
export function shortInterestDateFromName(file: string): IsoDate | null {
  return dateFromName(file, /^shrt(\d{8})/i);
}

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

/**
 * File-name order for revisions: the name without its extensions, compared piece by piece with
 * numbers compared as numbers, a name before its own extensions — so `shrt20240131.csv` <
 * `shrt20240131-r1.csv` < `shrt20240131-r2.csv` < `shrt20240131-r10.csv` (plain string order would
 * put `-r1` first, because `-` sorts before `.`).
 */
export function compareRevisionFileNames(a: string, b: string): number {
  const stem = (f: string) => {
    const base = baseName(f);
    const dot = base.indexOf('.');
    return dot === -1 ? base : base.slice(0, dot);
  };
  const pa = stem(a).split(/(\d+)/);
  const pb = stem(b).split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    if (i % 2 === 1) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    // An empty piece is the end of a name: it comes first (prefix before its continuation).
    return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Groups parsed files by settlement date and applies each group in file-name order, a later row
 * replacing an earlier one of the same symbol (rule 4: together they are "the file" of that date).
 * Returns one ShortInterestFile per settlement date, oldest first. Does not modify its input.
 */
export function mergeShortInterestRevisions(parsedFiles: readonly ParsedShortInterest[]): ShortInterestFile[] {
  return combineRevisions(parsedFiles.map(shortInterestFileOf));
}

/** One parsed file as the share counts it sets (a later row of a symbol replacing an earlier one). */
export function shortInterestFileOf(parsed: ParsedShortInterest): ShortInterestFile {
  const shares = new Map<string, number>();
  const adv = new Map<string, number>();
  for (const r of parsed.records) {
    shares.set(r.symbol, r.shares);
    if (r.averageDailyVolume != null) adv.set(r.symbol, r.averageDailyVolume);
    else adv.delete(r.symbol);
  }
  return {
    settlementDate: parsed.settlementDate,
    files: [parsed.file],
    shares,
    ...(adv.size > 0 ? { adv } : {}),
    ...(parsed.generated ? { generated: true as const } : {}),
  };
}

/**
 * The merge of `mergeShortInterestRevisions` over files already reduced one by one (so a reader can
 * drop each file's rows as soon as it is parsed): per settlement date, the files in
 * `compareRevisionFileNames` order, a later file's share count replacing an earlier one; the maps come
 * out the same, insertion order included.
 */
export function combineRevisions(single: readonly ShortInterestFile[]): ShortInterestFile[] {
  const groups = new Map<IsoDate, ShortInterestFile[]>();
  for (const f of single) {
    const group = groups.get(f.settlementDate);
    if (group) group.push(f);
    else groups.set(f.settlementDate, [f]);
  }
  return [...groups.keys()].sort().map((settlementDate) => {
    const group = groups.get(settlementDate) as ShortInterestFile[];
    if (group.length === 1) return group[0] as ShortInterestFile;
    const ordered = group.toSorted((x, y) => compareRevisionFileNames(x.files[0] ?? '', y.files[0] ?? ''));
    const shares = new Map<string, number>();
    const adv = new Map<string, number>();
    for (const f of ordered) {
      for (const [symbol, n] of f.shares) {
        shares.set(symbol, n);
        // A later file's row replaces the whole row, its ADV (or the lack of one) included.
        const a = f.adv?.get(symbol);
        if (a === undefined) adv.delete(symbol);
        else adv.set(symbol, a);
      }
    }
    const generated = ordered.some((f) => f.generated === true);
    return {
      settlementDate,
      files: ordered.flatMap((f) => f.files),
      shares,
      ...(adv.size > 0 ? { adv } : {}),
      ...(generated ? { generated: true as const } : {}),
    };
  });
}
