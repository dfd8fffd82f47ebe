/**
 * Nasdaq's splits calendar (api.nasdaq.com/api/calendar/splits?date=YYYY-MM-DD), one file per day asked:
 * `<input>/split-calendar/splits-YYYY-MM-DD.json`. Vendor schema → mapper → SplitOverride: a row dated the
 * file's day acts like a splits.csv row (rule 3c). Rules and reasons: docs/data-formats.md, "Nasdaq split calendar".
 */

import type { IsoDate, Parsed, SplitOverride } from '../domain.ts';
import { splitRatioProblem } from '../gates/plausibility.ts';
import * as z from '../zod.ts';
import { FormatError } from './errors.ts';
import { splitKey } from './splits-csv.ts';
import { canonicalSymbol } from './symbols.ts';
import { dateFromName, parseIsoDate, readJsonBody, scanDecimal, showValue } from './text.ts';
import { firstRowsByKey, problemTransform, symbolText, typeError } from './vendor-issue.ts';

const FORMAT = 'a Nasdaq split calendar JSON';

/** `splits-2024-06-10.json[.gz]`: the day the calendar was asked for (`?date=`). */
export const SPLIT_CALENDAR_FILE = /^splits-(\d{4}-\d{2}-\d{2})\.json(?:\.gz)?$/i;

/** The name a day's calendar is archived and read under (`<input>/split-calendar/`). */
export function splitCalendarFileName(date: IsoDate): string {
  return `splits-${date}.json`;
}

const NOT_A_RATIO = 'is not a split ratio ("new : old" such as "10 : 1" or "1 : 10", or a stock dividend "P%")';

/**
 * The vendor's `ratio` as new shares per old share: `"10 : 1"` → 10, `"1 : 10"` → 0.1 (the left side is
 * what a holder has after, the right side before), and a stock dividend `"8.000%"` → 1.08 (8 new shares
 * per 100). Returns the problem as a string when it is no usable ratio.
 */
export function calendarRatioOf(raw: string): number | string {
  const s = raw.trim();
  if (s === '') return 'is empty';
  let value: number;
  const pair = /^([^:\s]+)\s*:\s*([^:\s]+)$/.exec(s);
  if (pair) {
    const after = scanDecimal(pair[1] as string, 0, false);
    const before = scanDecimal(pair[2] as string, 0, false);
    if (Number.isNaN(after) || Number.isNaN(before)) return NOT_A_RATIO;
    if (after === 0 || before === 0) return 'has a zero side (a ratio must be > 0)';
    value = after / before;
  } else if (s.endsWith('%')) {
    const percent = scanDecimal(s.slice(0, -1).trimEnd(), 0, false);
    if (Number.isNaN(percent)) return NOT_A_RATIO;
    value = 1 + percent / 100;
  } else return NOT_A_RATIO;
  if (value === 1) return 'is 1, which is not a split';
  return splitRatioProblem(value) ?? value;
}

/** The vendor's dates, `MM/DD/YYYY` (a leading zero is sometimes missing: `3/28/2023`) → `YYYY-MM-DD`, or null. */
export function usDateOf(raw: string): IsoDate | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw.trim());
  return m ? parseIsoDate(`${m[3]}-${(m[1] as string).padStart(2, '0')}-${(m[2] as string).padStart(2, '0')}`) : null;
}

/** A vendor date column (a date is a string too, so not `problemTransform`). */
const usDateField = () =>
  z.pipe(
    z.string({ error: typeError('a string') }),
    z.transform((input: string, ctx) => {
      const date = usDateOf(input);
      if (date !== null) return date;
      ctx.issues.push({
        code: 'custom',
        message: input.trim() === '' ? 'is empty' : 'is not a date (MM/DD/YYYY)',
        input,
      });
      return z.NEVER;
    }),
  );

/**
 * One calendar row as Nasdaq writes it, validated and converted; keys in the vendor's column order (the
 * first problem reported is the leftmost). `name`, `payableDate` and `announcedDate` are not used: the
 * split takes effect on the ex-date, `executionDate`.
 */
export const splitCalendarRowSchema = /* @__PURE__ */ z.onFirstUse(() =>
  z.object({
    symbol: symbolText(),
    ratio: z.pipe(z.string({ error: typeError('a string') }), z.transform(problemTransform(calendarRatioOf))),
    executionDate: usDateField(),
  }),
);
export type SplitCalendarRow = z.output<ReturnType<typeof splitCalendarRowSchema>>;

/** Vendor row → domain: the split of `ratio` new shares per old one on its ex-date. */
export function toCalendarSplit(row: SplitCalendarRow): SplitOverride {
  return { symbol: canonicalSymbol(row.symbol), date: row.executionDate, ratio: row.ratio };
}

const statusSchema = () =>
  z.optional(
    z.nullable(
      z.object({
        rCode: z.optional(z.unknown()),
        bCodeMessage: z.optional(
          z.nullable(z.array(z.object({ code: z.optional(z.unknown()), errorMessage: z.optional(z.unknown()) }))),
        ),
      }),
    ),
  );

/**
 * The two answers of the API: a day with rows (`data.rows`, beside `data.headers` and sometimes
 * `data.asOf`), and `data: null` with a status saying why (a day without any split: rCode 200, code 1002
 * "Splits Calendar: No record found.").
 */
export const splitCalendarEnvelopeSchema = /* @__PURE__ */ z.onFirstUse(() =>
  z.union([
    z.object({ data: z.object({ rows: z.array(z.unknown()) }) }),
    z.object({ data: z.null(), status: statusSchema() }),
  ]),
);

type Status = z.output<ReturnType<typeof statusSchema>>;

function apiMessages(status: Status): string[] {
  return (status?.bCodeMessage ?? [])
    .map((m) => (typeof m.errorMessage === 'string' ? m.errorMessage : ''))
    .filter((m) => m !== '');
}

/** `data: null` that means "no split on this day", not an error. */
function isNoRecord(status: Status): boolean {
  return (
    status?.rCode === 200 &&
    (status.bCodeMessage ?? []).some(
      (m) => m.code === 1002 || (typeof m.errorMessage === 'string' && /no record found/i.test(m.errorMessage)),
    )
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The rows of a parsed body ([] for a day without splits), or a FormatError saying why it is no calendar. */
function calendarRows(json: unknown, file: string): unknown[] {
  const envelope = splitCalendarEnvelopeSchema().safeParse(json);
  if (envelope.success) {
    const env = envelope.data;
    if (env.data !== null) return env.data.rows;
    if (isNoRecord(env.status)) return [];
    const status = env.status;
    const messages = apiMessages(status);
    const api =
      status?.rCode !== undefined
        ? ` (API status rCode ${showValue(status.rCode)}${messages.length ? `: ${messages.join('; ')}` : ''})`
        : '';
    throw new FormatError(file, 0, '*', `the JSON has no rows: data is null${api}`);
  }
  if (isRecord(json) && isRecord(json.data)) {
    throw new FormatError(file, 0, '*', 'the JSON has no rows: data has no rows array');
  }
  throw new FormatError(file, 0, '*', `the JSON is not ${FORMAT}: expected {"data":{"rows":[…]}} or {"data":null,…}`);
}

/** `splits-2024-06-10.json` → `2024-06-10`; null when the name is not one or its date is no calendar day. */
export function splitCalendarDateFromName(file: string): IsoDate | null {
  return dateFromName(file, SPLIT_CALENDAR_FILE);
}

export interface ParsedSplitCalendar extends Parsed<SplitOverride> {
  /** The day the calendar was asked for, from the file name. */
  date: IsoDate;
  /** Valid rows whose ex-date is another day: announcements, not used from this file. */
  otherDays: number;
}

/**
 * Parses one day's split calendar. Refuses (FormatError) a file whose name carries no real date, an empty
 * or HTML body, a body that is not JSON, and JSON that is neither answer of the API; rejects (Rejection,
 * `line` = 1-based index in the rows array) a row that is not an object, has an unreadable symbol, a ratio
 * that is no split or outside rule 11's range, an ex-date that is not a date, or repeats a symbol and
 * ex-date already given (the first is kept). `records` are the rows whose ex-date is the file's day.
 */
export function parseSplitCalendar(text: string, file: string): ParsedSplitCalendar {
  const date = splitCalendarDateFromName(file);
  if (date === null) {
    throw new FormatError(
      file,
      0,
      '*',
      `the file name does not carry the calendar's day: expected splits-YYYY-MM-DD.json with a real date`,
    );
  }
  const json = readJsonBody(text, file, FORMAT);
  const rows = calendarRows(json, file);

  const valid = firstRowsByKey(
    file,
    rows.map((raw, i) => ({ line: i + 1, raw })),
    splitCalendarRowSchema(),
    (row): SplitOverride => ({ ...toCalendarSplit(row), file }),
    splitKey,
    'row',
  );
  const records = valid.records.filter((s) => s.date === date);
  return { file, date, records, rejections: valid.rejections, otherDays: valid.records.length - records.length };
}

/**
 * The overrides rule 3(c) applies: every explicit (splits.csv) entry, then each calendar entry for a
 * symbol and day no entry before it gives — an operator's row wins over the calendar, and of two calendar
 * entries the first. Returns new arrays; `superseded` lists the calendar entries left out.
 */
export function mergeSplitOverrides(
  explicit: readonly SplitOverride[],
  calendar: readonly SplitOverride[],
): { splits: SplitOverride[]; superseded: SplitOverride[] } {
  const splits = [...explicit];
  const superseded: SplitOverride[] = [];
  const given = new Set(explicit.map((s) => splitKey(s).key));
  for (const s of calendar) {
    const key = splitKey(s).key;
    if (given.has(key)) {
      superseded.push(s);
      continue;
    }
    given.add(key);
    splits.push(s);
  }
  return { splits, superseded };
}
