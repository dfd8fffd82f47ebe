/**
 * `<input>/splits.csv`: explicit splits the methodology applies as given (rule 3c). A plain
 * RFC 4180 CSV with a `symbol,date,ratio` header (any order, extra columns ignored); `ratio` is new
 * shares per old share: 10 for a 10-for-1 split, 0.1 for a 1-for-10 reverse split.
 * Rules and reasons: docs/data-formats.md, "splits.csv".
 */

import type { Parsed, Rejection, SplitOverride } from '../domain.ts';
import { splitRatioProblem } from '../gates/plausibility.ts';
import * as z from '../zod.ts';
import { FormatError } from './errors.ts';
import { canonicalSymbol } from './symbols.ts';
import { quantityOf, refuseNonData, showValue, stripBom } from './text.ts';
import { dateField, firstRowsByKey, problemTransform, symbolText, typeError } from './vendor-issue.ts';

const FORMAT = 'a splits CSV (symbol,date,ratio)';
export const SPLITS_COLUMNS = ['symbol', 'date', 'ratio'] as const;

function ratioOf(raw: string): number | string {
  const value = quantityOf(raw);
  if (typeof value === 'string') return value;
  if (value === 0) return 'is zero (a ratio must be > 0)';
  if (value === 1) return 'is 1, which is not a split';
  return splitRatioProblem(value) ?? value;
}

export const splitRowSchema = /* @__PURE__ */ z.onFirstUse(() =>
  z.object({
    symbol: symbolText(),
    date: dateField('YYYY-MM-DD'),
    ratio: z.pipe(z.string({ error: typeError('a string') }), z.transform(problemTransform(ratioOf))),
  }),
);
export type SplitRow = z.output<ReturnType<typeof splitRowSchema>>;

export function toSplitOverride(row: SplitRow): SplitOverride {
  return { symbol: canonicalSymbol(row.symbol), date: row.date, ratio: row.ratio };
}

export interface CsvRecord {
  /** 1-based physical line the record starts on. */
  line: number;
  fields: string[];
  /** Set when the record breaks RFC 4180 (a quote inside an unquoted field, text after a closing quote). */
  problem?: string;
}

/**
 * RFC 4180 records: `,` separates fields, `"` quotes a field that may hold commas, line breaks
 * and doubled quotes (`""`); CRLF, LF and CR all end a record. An unterminated quote swallows the
 * rest of the file, so it refuses the file rather than guessing where the record ended.
 */
export function readCsvRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let problem: string | undefined;
  let i = 0;
  const n = text.length;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(problem === undefined ? { line: recordLine, fields } : { line: recordLine, fields, problem });
    fields = [];
    problem = undefined;
  };
  while (i < n) {
    const c = text[i] as string;
    if (c === '"' && field === '') {
      const openedOn = line;
      i++;
      for (;;) {
        if (i >= n)
          throw new FormatError(file, openedOn, '*', `a quoted field opened on line ${openedOn} is never closed`);
        const q = text[i] as string;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\r' || q === '\n') {
          if (q === '\r' && text[i + 1] === '\n') {
            field += '\r';
            i++;
          }
          line++;
        }
        field += text[i];
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
        problem ??= `has text after a closing quote on line ${line}`;
        while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') field += text[i++];
      }
      continue;
    }
    if (c === ',') {
      endField();
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    if (c === '"') problem ??= `has a quote inside an unquoted field on line ${line}`;
    field += c;
    i++;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

const isBlankRecord = (r: CsvRecord) => r.fields.length === 1 && (r.fields[0] ?? '').trim() === '';

/** A CSV's data rows by column name, after the structural checks every operator CSV shares. */
export interface CsvTable<C extends string> {
  rows: { line: number; raw: Record<C, string | undefined> }[];
  /** Rows that break RFC 4180 or have the wrong field count. */
  rejections: Rejection[];
}

/**
 * The operator CSVs' common shape (splits.csv, securities.csv): refuses (FormatError) an empty body, an
 * HTML page, an unterminated quote and a header without one of `columns` (any order, extra columns
 * ignored); rejects a row that breaks RFC 4180 or has the wrong field count. A header alone is valid.
 */
export function readCsvTable<C extends string>(
  text: string,
  file: string,
  format: string,
  columns: readonly C[],
): CsvTable<C> {
  const body = stripBom(text);
  refuseNonData(body, file, format);
  const all = readCsvRecords(body, file).filter((r) => !isBlankRecord(r));
  const header = all[0];
  if (header === undefined) throw new FormatError(file, 0, '*', 'the body is empty');
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const missing = columns.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new FormatError(
      file,
      header.line,
      missing[0] ?? '*',
      `the header lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${showValue(header.fields.join(','), 400)})`,
    );
  }
  const rows: CsvTable<C>['rows'] = [];
  const rejections: Rejection[] = [];
  for (const r of all.slice(1)) {
    if (r.problem !== undefined) {
      rejections.push({ file, line: r.line, field: '*', reason: r.problem });
      continue;
    }
    if (r.fields.length !== names.length) {
      rejections.push({
        file,
        line: r.line,
        field: '*',
        reason: `has ${r.fields.length} fields, the header has ${names.length}`,
      });
      continue;
    }
    const raw = Object.fromEntries(columns.map((c) => [c, r.fields[names.indexOf(c)]])) as Record<
      C,
      string | undefined
    >;
    rows.push({ line: r.line, raw });
  }
  return { rows, rejections };
}

/** One split override per symbol and day (rule 3(c)): the key, and how a repeat names it. */
export const splitKey = (s: SplitOverride) => ({ key: `${s.symbol} ${s.date}`, label: `${s.symbol} on ${s.date}` });

/**
 * Parses splits.csv. Refuses and rejects as `readCsvTable` does; also rejects an empty symbol, a date
 * that is not YYYY-MM-DD, a ratio that is not a number > 0 (or is 1), and a later row for a symbol and
 * date already given (the first is kept).
 */
export function parseSplitsCsv(text: string, file: string): Parsed<SplitOverride> {
  const table = readCsvTable(text, file, FORMAT, SPLITS_COLUMNS);
  const { records, rejections: bad } = firstRowsByKey(
    file,
    table.rows,
    splitRowSchema(),
    (row): SplitOverride => ({ ...toSplitOverride(row), file }),
    splitKey,
    'line',
  );
  const rejections: Rejection[] = [...table.rejections, ...bad];
  rejections.sort((x, y) => x.line - y.line);
  return { file, records, rejections };
}
