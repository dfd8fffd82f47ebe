/**
 * Small pure helpers shared by the parsers: body checks every format makes, value primitives
 * used by both the zod schemas and the fast row checks (so the two cannot drift), and the
 * wording of rejection reasons.
 */
import type { IsoDate } from '../domain.ts';
import { marketCapCeilingProblem, priceCeilingProblem, sharesCeilingProblem } from '../gates/plausibility.ts';
import { FormatError } from './errors.ts';

const BOM = '\uFEFF';

/** decodeText already strips it; parsers also accept text from other sources (tests, the CLI). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(BOM.length) : text;
}

/** Physical lines; CRLF, LF and a lone CR all end a line so line numbers match what an editor shows. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** Refuses an empty or whitespace-only body and a saved HTML page (FINRA's 404, a login or rate-limit page). */
export function refuseNonData(text: string, file: string, format: string): void {
  if (!/\S/.test(text)) throw new FormatError(file, 0, '*', 'the body is empty');
  const head = text.trimStart().slice(0, 512).toLowerCase();
  if (
    head.startsWith('<!doctype html') ||
    head.startsWith('<html') ||
    head.startsWith('<?xml') ||
    /^<[a-z!]/.test(head)
  ) {
    const title = /<title[^>]*>([^<]{0,80})/i.exec(text.slice(0, 4096))?.[1]?.trim();
    const what = title ? `an HTML page (title "${title}")` : 'an HTML/XML page';
    throw new FormatError(file, 1, '*', `the body is ${what}, not ${format}`);
  }
}

/**
 * A JSON vendor body (the screener, the split calendar): refuses an empty body or an HTML page
 * (`refuseNonData`) and a body that is not JSON, naming the line `JSON.parse` reports.
 */
export function readJsonBody(text: string, file: string, format: string): unknown {
  const body = stripBom(text);
  refuseNonData(body, file, format);
  try {
    return JSON.parse(body);
  } catch (error) {
    const message = (error as Error).message;
    const line = Number(/line (\d+)/.exec(message)?.[1] ?? 0);
    throw new FormatError(file, line, '*', `the body is not JSON (${message})`, { cause: error });
  }
}

/** A value as it appears in a reason: JSON-quoted, cut at `max` characters so a runaway field stays readable. */
export function showValue(value: unknown, max = 40): string {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    // A value nested 100,000 deep overflows the stack in JSON.stringify and in String() alike (issue 17:
    // one such field stopped a whole day, naming no file): shown by its kind, never rendered whole.
    try {
      shown = String(value);
    } catch {
      shown = Array.isArray(value) ? '[… nested too deep to show]' : '{… nested too deep to show}';
    }
  }
  return shown.length > max + 2 ? `${shown.slice(0, max)}…` : shown;
}

/** `"-5" is negative`; an absent or empty value is not repeated (`is missing`, `is empty`). */
export function reasonFor(value: unknown, problem: string): string {
  return value === undefined || value === '' ? problem : `${showValue(value)} ${problem}`;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DD` or `YYYYMMDD` → `YYYY-MM-DD` when it is a real calendar date, else null. */
export function parseIsoDate(raw: string): IsoDate | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(raw.trim());
  if (!m) return null;
  const [, ys, ms, ds] = m as unknown as [string, string, string, string];
  if (raw.includes('-') !== (raw.trim().length === 10)) return null;
  const year = Number(ys);
  const month = Number(ms);
  const day = Number(ds);
  if (year < 1900 || month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const max = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= max ? `${ys}-${ms}-${ds}` : null;
}

/** The file name's date when it has one in the given pattern (first capture group), else null. */
export function dateFromName(file: string, pattern: RegExp): IsoDate | null {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const m = pattern.exec(base);
  return m?.[1] ? parseIsoDate(m[1]) : null;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Strict decimal in `s[start, end)` (`end` defaults to the string's end): digits with at most one `.` followed by digits; with
 * `grouping`, also thousands groups (`1,209.98`, `12,345,678`). NaN when malformed (no sign, no
 * exponent, no spaces, no hex: `Number()` alone would accept `" 1"`, `"1e5"`, `"0x10"`, `""`).
 * A character loop rather than a regex + `Number()`: it runs three times per screener row, 1.8 M
 * rows a year. The value is exact: digits are accumulated as an integer N and divided once by
 * 10^k, which is correctly rounded (the same double `Number()` gives) while N < 2^53 and k ≤ 15;
 * longer inputs go through `Number()`.
 */
export function scanDecimal(s: string, start: number, grouping: boolean, end = s.length): number {
  const n = end;
  let intDigits = 0;
  let group = -1;
  let dot = false;
  let fracDigits = 0;
  let commas = false;
  let scaled = 0;
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      scaled = scaled * 10 + (c - 48);
      if (dot) fracDigits++;
      else {
        intDigits++;
        if (group >= 0) group++;
      }
    } else if (c === 44 && grouping) {
      if (dot || intDigits === 0 || (group === -1 ? intDigits > 3 : group !== 3)) return Number.NaN;
      group = 0;
      commas = true;
    } else if (c === 46) {
      if (dot || intDigits === 0 || (group !== -1 && group !== 3)) return Number.NaN;
      dot = true;
    } else return Number.NaN;
  }
  if (intDigits === 0 || (dot && fracDigits === 0) || (!dot && group !== -1 && group !== 3)) return Number.NaN;
  if (scaled <= Number.MAX_SAFE_INTEGER && fracDigits < POW10.length) return scaled / (POW10[fracDigits] ?? 1);
  const body = start === 0 && end === s.length ? s : s.slice(start, end);
  return Number(commas ? body.replaceAll(',', '') : body);
}

/** `String.prototype.trim`, skipping the call in the common case of nothing to trim. */
export function trimText(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(n - 1);
  return a > 32 && a < 127 && b > 32 && b < 127 ? s : s.trim();
}

/**
 * A non-negative quantity (shares, volume) written as a plain decimal: `1234`, `1234.5678`.
 * Returns the number, or the problem as a string (the caller turns it into a rejection).
 */
export function quantityOf(raw: string): number | string {
  const s = trimText(raw);
  if (s === '') return 'is empty';
  const value = scanDecimal(s, 0, false);
  if (!Number.isNaN(value)) return value;
  if (/^-\s*\d/.test(s)) return 'is negative';
  return 'is not a number';
}

/** `quantityOf` for share counts (short positions, volumes): also refuses a count above the ceiling (rule 11). */
export function sharesOf(raw: string): number | string {
  const value = quantityOf(raw);
  if (typeof value === 'string') return value;
  return sharesCeilingProblem(value) ?? value;
}

/**
 * Free text (names, sectors) is bounded before it reaches a snapshot or a page (issue 17: a megabyte company
 * name made a 17 MB latest.json). The longest real 2024 screener name is 226 characters (a Kimco depositary
 * share), so 500 leaves every real one whole; a longer value keeps its first 500 characters and an ellipsis.
 */
export const MAX_TEXT_LENGTH = 500;

export function boundText(value: string): string {
  return value.length <= MAX_TEXT_LENGTH ? value : `${value.slice(0, MAX_TEXT_LENGTH)}…`;
}

/** Screener `lastsale` (`"$1,209.98"`, or a number): a price > 0, or the problem. */
export function priceOf(raw: string | number): number | string {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return 'is not a price';
    if (raw < 0) return 'is negative';
    return raw === 0 ? 'is zero (no trade price)' : (priceCeilingProblem(raw) ?? raw);
  }
  const s = trimText(raw);
  if (s === '') return 'is empty';
  const value = scanDecimal(s, s.charCodeAt(0) === 36 ? 1 : 0, true);
  if (value > 0) return priceCeilingProblem(value) ?? value;
  if (value === 0) return 'is zero (no trade price)';
  if (/^(?:-\$?|\$-)\d/.test(s)) return 'is negative';
  return 'is not a price';
}

/**
 * Screener `marketCap` / `volume`: a finite number (strings may carry `$` and thousands commas),
 * or null for anything the vendor uses to mean "unknown" (`"0.00"` when `positive`, `""`, `"NA"`).
 */
export function amountOrNull(raw: string | number | null, positive: boolean): number | null {
  if (raw === null) return null;
  let value: number;
  if (typeof raw === 'number') value = raw;
  else {
    const s = trimText(raw);
    value = scanDecimal(s, s.charCodeAt(0) === 36 ? 1 : 0, true);
  }
  if (!Number.isFinite(value) || value < 0) return null;
  return positive && value === 0 ? null : value;
}

/**
 * `amountOrNull` for the screener's `marketCap` (positive) and `volume`: the value, null for "unknown",
 * or the problem when a known value is above its plausibility ceiling (rule 11: the row is rejected).
 */
export function amountWithin(raw: string | number | null, kind: 'marketCap' | 'volume'): number | null | string {
  const value = amountOrNull(raw, kind === 'marketCap');
  if (value === null) return null;
  return (kind === 'marketCap' ? marketCapCeilingProblem(value) : sharesCeilingProblem(value)) ?? value;
}

/** Non-blank by `trim()`'s definition, without trimming in the common case. */
export function isBlank(s: string): boolean {
  const a = s.charCodeAt(0);
  return !(a > 32 && a < 127) && s.trim() === '';
}
