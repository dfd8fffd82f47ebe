/**
 * FINRA Reg SHO daily short sale volume file (`CNMSshvolYYYYMMDD.txt`): pipe-delimited header,
 * one row per symbol, a trailer line holding the record count. Vendor schema → mapper →
 * ShortVolumeRecord. Rules and reasons: docs/data-formats.md, "FINRA Reg SHO daily short volume".
 */

import type { IsoDate, Parsed, Rejection, ShortVolumeRecord } from '../domain.ts';
import * as z from '../zod.ts';
import { FormatError, formatRejection } from './errors.ts';
import { pipeRecord, readPipeTable } from './pipe-table.ts';
import { canonicalSymbol, symbolProblem } from './symbols.ts';
import { dateFromName, parseIsoDate, sharesOf, showValue, trimText } from './text.ts';
import { dateField, issueRejection, problemTransform, symbolText, typeError } from './vendor-issue.ts';

const FORMAT = 'a FINRA Reg SHO short volume file';

export const SHORT_VOLUME_COLUMNS = [
  'Date',
  'Symbol',
  'ShortVolume',
  'ShortExemptVolume',
  'TotalVolume',
  'Market',
] as const;

function buildRowSchema() {
  const volume = z.pipe(z.string({ error: typeError('a string') }), z.transform(problemTransform(sharesOf)));
  return z.object({
    Date: dateField('YYYYMMDD'),
    Symbol: symbolText(),
    ShortVolume: volume,
    ShortExemptVolume: volume,
    TotalVolume: volume,
    Market: z.pipe(z.string({ error: typeError('a string') }), z.transform(trimText)),
  });
}
export type ShortVolumeRow = z.output<ReturnType<typeof buildRowSchema>>;

const rowSchema = /* @__PURE__ */ z.onFirstUse(buildRowSchema);

/** The row contract (one schema instance per process, built on first use). */
export function shortVolumeRowSchema(): ReturnType<typeof buildRowSchema> {
  return rowSchema();
}

export function toShortVolumeRecord(row: ShortVolumeRow): ShortVolumeRecord {
  return {
    date: row.Date,
    symbol: canonicalSymbol(row.Symbol),
    shortVolume: row.ShortVolume,
    shortExemptVolume: row.ShortExemptVolume,
    totalVolume: row.TotalVolume,
    market: row.Market,
  };
}

/** Column indexes of one file's columns, for `checkShortVolumeRow`. */
interface RowColumns {
  date: number;
  symbol: number;
  shortVolume: number;
  exempt: number;
  total: number;
  market: number;
}

function rowColumnsOf(columns: ReadonlyMap<string, number>): RowColumns {
  const at = (name: string): number => columns.get(name) ?? -1;
  return {
    date: at('Date'),
    symbol: at('Symbol'),
    shortVolume: at('ShortVolume'),
    exempt: at('ShortExemptVolume'),
    total: at('TotalVolume'),
    market: at('Market'),
  };
}

/**
 * Exactly the row schema (`shortVolumeRowSchema`), hand-written, as for short interest: no schema is built or
 * run for a good row (the Lambda bundles no zod compiler for it). Takes a line whose field count is the
 * header's; returns undefined when the schema would refuse the row, and the caller asks zod for the reason.
 * `dates` memoises the file's date spellings (one, in a real file). test/formats/finra-short-volume.test.ts
 * and test/formats/real-data.test.ts check that the two agree, row for row.
 */
function checkShortVolumeRow(
  fields: readonly string[],
  c: RowColumns,
  dates: Map<string, IsoDate | null>,
): ShortVolumeRow | undefined {
  const rawDate = fields[c.date] as string;
  let date = dates.get(rawDate);
  if (date === undefined) {
    date = parseIsoDate(rawDate);
    dates.set(rawDate, date);
  }
  if (date === null) return undefined;
  const symbol = fields[c.symbol] as string;
  if (symbolProblem(symbol) !== null) return undefined;
  const shortVolume = sharesOf(fields[c.shortVolume] as string);
  if (typeof shortVolume === 'string') return undefined;
  const exempt = sharesOf(fields[c.exempt] as string);
  if (typeof exempt === 'string') return undefined;
  const total = sharesOf(fields[c.total] as string);
  if (typeof total === 'string') return undefined;
  return {
    Date: date,
    Symbol: symbol,
    ShortVolume: shortVolume,
    ShortExemptVolume: exempt,
    TotalVolume: total,
    Market: trimText(fields[c.market] as string),
  };
}

export interface ShortVolumeOptions {
  /** `fast` (default): the hand-written check, zod only for rows it refuses; `zod`: safeParse every row. */
  rowCheck?: 'fast' | 'zod';
}

/** `CNMSshvol20210427.txt` (also the per-venue `FNSQshvol…`, `FNYXshvol…`) → `2021-04-27`. */
export function shortVolumeDateFromName(file: string): IsoDate | null {
  return dateFromName(file, /shvol(\d{8})\b/i);
}

/**
 * Parses one Reg SHO file. Refuses (FormatError) an empty body, an HTML page, a header without a
 * required column, a missing trailer or a trailer count that differs from the rows (truncated), and
 * a file whose every row is dated differently from its name. Rejects rows with a wrong field count,
 * an empty symbol, a negative or non-numeric volume, ShortVolume > TotalVolume, a date other than
 * the file's, and later duplicates of a symbol (the first is kept). The empty-day form (header +
 * trailer `0`) gives zero records and no error. `date`: from the file name, else the rows' date.
 */
export function parseShortVolume(
  text: string,
  file: string,
  opts: ShortVolumeOptions = {},
): Parsed<ShortVolumeRecord> & { date: IsoDate | null } {
  const table = readPipeTable(text, file, { format: FORMAT, required: SHORT_VOLUME_COLUMNS, optional: [] });
  const trailer = table.lines.at(-1);
  const trailerText = trailer?.fields.length === 1 ? trimText(trailer.fields[0] ?? '') : undefined;
  if (trailer === undefined || trailerText === undefined || !/^\d+$/.test(trailerText)) {
    throw new FormatError(
      file,
      trailer?.line ?? 0,
      '*',
      trailer === undefined
        ? 'the file ends after the header without the trailer record count: it is truncated'
        : `the last line ${showValue(trailer.fields.join('|'))} is not the trailer record count: the file is truncated`,
    );
  }
  const rows = table.lines.slice(0, -1);
  const expected = Number(trailerText);
  if (expected !== rows.length) {
    throw new FormatError(
      file,
      trailer.line,
      '*',
      `the trailer says ${expected} records but the file has ${rows.length}: it is truncated or corrupt`,
    );
  }

  const rejections: Rejection[] = [];
  const valid: { line: number; row: ShortVolumeRow; rawDate: string | undefined }[] = [];
  const fast = opts.rowCheck !== 'zod';
  const at = rowColumnsOf(table.columns);
  const dates = new Map<string, IsoDate | null>();
  for (const pl of rows) {
    let row = fast && pl.fields.length === table.width ? checkShortVolumeRow(pl.fields, at, dates) : undefined;
    if (row === undefined) {
      const record = pipeRecord(table, pl);
      if (typeof record === 'string') {
        rejections.push({ file, line: pl.line, field: '*', reason: record });
        continue;
      }
      const parsed = rowSchema().safeParse(record);
      if (!parsed.success) {
        rejections.push(issueRejection(file, pl.line, record, parsed.error.issues));
        continue;
      }
      row = parsed.data;
    }
    if (row.ShortVolume > row.TotalVolume) {
      rejections.push({
        file,
        line: pl.line,
        field: 'ShortVolume',
        reason: `${showValue(pl.fields[at.shortVolume])} exceeds TotalVolume ${showValue(pl.fields[at.total])}`,
      });
      continue;
    }
    valid.push({ line: pl.line, row, rawDate: pl.fields[at.date] });
  }

  const named = shortVolumeDateFromName(file);
  let date = named;
  if (valid.length > 0) {
    const counts = new Map<IsoDate, number>();
    for (const v of valid) counts.set(v.row.Date, (counts.get(v.row.Date) ?? 0) + 1);
    if (named !== null && !counts.has(named)) {
      throw new FormatError(
        file,
        valid[0]?.line ?? 0,
        'Date',
        `the file name says ${named} but no record carries that date (first: ${valid[0]?.row.Date}): misnamed file`,
      );
    }
    if (date === null) {
      let best = 0;
      for (const [d, n] of counts) if (n > best) [date, best] = [d, n];
    }
  } else if (rows.length > 0) {
    const first = rejections[0];
    throw new FormatError(
      file,
      0,
      '*',
      `none of the ${rows.length} records is valid${first ? ` (first: ${formatRejection(first)})` : ''}`,
    );
  }

  const records: ShortVolumeRecord[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, row, rawDate } of valid) {
    if (row.Date !== date) {
      rejections.push({ file, line, field: 'Date', reason: `${showValue(rawDate)} is not the file's date ${date}` });
      continue;
    }
    const record = toShortVolumeRecord(row);
    const first = firstLine.get(record.symbol);
    if (first !== undefined) {
      rejections.push({
        file,
        line,
        field: 'Symbol',
        reason: `${showValue(row.Symbol)} repeats line ${first}; the first row is kept`,
      });
      continue;
    }
    firstLine.set(record.symbol, line);
    records.push(record);
  }
  rejections.sort((a, b) => a.line - b.line);
  return { file, date, records, rejections };
}
