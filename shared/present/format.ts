/**
 * Number and date formatting for people. Pure: no locale from the environment, no clock.
 * Negative numbers use the real minus sign U+2212, missing values render as an em dash.
 */

export const MINUS = '\u2212';
export const MISSING = '—';

type Maybe = number | null | undefined;

function isNumber(value: Maybe): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

const UNITS = [
  { size: 1e12, suffix: 'T' },
  { size: 1e9, suffix: 'B' },
  { size: 1e6, suffix: 'M' },
  { size: 1e3, suffix: 'K' },
] as const;

// Built on first use, not at module load: the first Intl.NumberFormat of a process loads ICU's locale
// data (~8 ms), which the publish Lambda's cold init would pay even on a day it formats nothing.
let grouped0: Intl.NumberFormat | undefined;

/** `1234.5` → `1,235` (no sign handling; expects a non-negative number). */
function groupInt(abs: number): string {
  grouped0 ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, useGrouping: true });
  return grouped0.format(Math.round(abs));
}

/** Absolute dollar amount in compact form: `$12.9B`, `$950`, `$1.0M`. */
function compactUsdAbs(abs: number): string {
  for (let i = 0; i < UNITS.length; i++) {
    const unit = UNITS[i]!;
    if (abs >= unit.size * 0.99995 || (i === UNITS.length - 1 && abs >= 999.5)) {
      // The 0.99995 threshold sends values that would round to `1,000.0M` up to `$1.0B` instead.
      return `$${(Math.round((abs / unit.size) * 10) / 10).toFixed(1)}${unit.suffix}`;
    }
  }
  return `$${groupInt(abs)}`;
}

export interface SignOptions {
  /** Prefix positive values with `+` (for changes and P&L). Zero never carries a sign. */
  signed?: boolean;
}

function withSign(body: string, negative: boolean, isZero: boolean, signed: boolean): string {
  if (isZero) return body;
  if (negative) return `${MINUS}${body}`;
  return signed ? `+${body}` : body;
}

/** Compact US dollars: 12_934_000_000 → `$12.9B`, −110_730_000_000 → `−$110.7B`, 950 → `$950`. */
export function formatUsd(value: Maybe, options: SignOptions = {}): string {
  if (!isNumber(value)) return MISSING;
  const body = compactUsdAbs(Math.abs(value));
  return withSign(body, value < 0, /^\$0(\.0)?[A-Z]?$/.test(body), options.signed ?? false);
}

/** Compact share counts: 1_500_000 → `1.5M`, −25_000 → `−25.0K`, 950 → `950` (`signed`: `+1.5M`). */
export function formatShares(value: Maybe, options: SignOptions = {}): string {
  if (!isNumber(value)) return MISSING;
  const body = compactUsdAbs(Math.abs(value)).slice(1);
  return withSign(body, value < 0, /^0(\.0)?[A-Z]?$/.test(body), options.signed ?? false);
}

/** Whole US dollars with thousands separators, for titles and tables: `−$110,730,000,000`. */
export function formatUsdExact(value: Maybe, options: SignOptions = {}): string {
  if (!isNumber(value)) return MISSING;
  const body = `$${groupInt(Math.abs(value))}`;
  return withSign(body, value < 0, body === '$0', options.signed ?? false);
}

/**
 * A value already in percent points (the snapshot's `pnlPct`, `returnPct`, …), two decimals:
 * −16.951 → `−16.95%`.
 */
export function formatPercent(value: Maybe, options: SignOptions & { digits?: number } = {}): string {
  if (!isNumber(value)) return MISSING;
  const digits = options.digits ?? 2;
  const body = `${Math.abs(value).toFixed(digits)}%`;
  const isZero = Number(Math.abs(value).toFixed(digits)) === 0;
  return withSign(body, value < 0, isZero, options.signed ?? false);
}

/** A fraction shown as a percentage: −0.16951 → `−16.95%`. */
export function formatFractionAsPercent(value: Maybe, options: SignOptions & { digits?: number } = {}): string {
  if (!isNumber(value)) return MISSING;
  return formatPercent(value * 100, options);
}

/** A plain number with grouping and fixed decimals: 1234.5 → `1,234.5` (digits = 1). */
export function formatNumber(value: Maybe, digits = 0): string {
  if (!isNumber(value)) return MISSING;
  const fmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const body = fmt.format(Math.abs(value));
  const isZero = Number(Math.abs(value).toFixed(digits)) === 0;
  return withSign(body, value < 0, isZero, false);
}

/** An English ordinal: 1 → `1st`, 2 → `2nd`, 3 → `3rd`, 11 → `11th`, 22 → `22nd`, 113 → `113th`. */
export function formatOrdinal(n: number): string {
  const tens = Math.abs(n) % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][Math.abs(n) % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Full precision for tooltips: the number as JSON writes it, with a real minus sign. */
export function formatRaw(value: Maybe): string {
  if (!isNumber(value)) return MISSING;
  return String(value).replace('-', MINUS);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const MONTHS_LONG = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

function dateParts(iso: string): { y: number; m: number; d: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return undefined;
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

/** `2024-06-14` → `14 Jun 2024`. Anything that is not a date → `—`. */
export function formatDate(iso: string | null | undefined): string {
  const p = iso ? dateParts(iso) : undefined;
  if (!p) return MISSING;
  return `${p.d} ${MONTHS[p.m - 1]} ${p.y}`;
}

/** `2024-06` (or any date of that month) → `June 2024`. */
export function formatMonthYear(isoMonth: string): string {
  const m = /^(\d{4})-(\d{2})/.exec(isoMonth);
  const name = m ? MONTHS_LONG[Number(m[2]) - 1] : undefined;
  return m && name ? `${name} ${m[1]}` : MISSING;
}

/** `2024-06-14` → `Friday 14 June 2024`. */
export function formatDateLong(iso: string | null | undefined): string {
  const p = iso ? dateParts(iso) : undefined;
  if (!p) return MISSING;
  const weekday = WEEKDAYS[new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay()];
  return `${weekday} ${p.d} ${MONTHS_LONG[p.m - 1]} ${p.y}`;
}

/** `2024-06-14T22:05:09.123Z` → `14 Jun 2024, 22:05 UTC`. */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return MISSING;
  const t = new Date(ms);
  const date = `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
  const hh = String(t.getUTCHours()).padStart(2, '0');
  const mm = String(t.getUTCMinutes()).padStart(2, '0');
  return `${formatDate(date)}, ${hh}:${mm} UTC`;
}

/**
 * Built on first use, not at module load: the first time-zone formatter loads ICU's zone data, 15 ms of CPU
 * that every Lambda importing this module (publish, for the RSS feed's headline) would pay at init.
 */
let newYorkTime: Intl.DateTimeFormat | undefined;

/**
 * A moment as the market's readers count time (issue 21 item 6): `2024-06-14T22:05:09Z` → `14 Jun 2024, 18:05 New
 * York time` (EDT or EST, as the date has it).
 */
export function formatTimestampNewYork(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return MISSING;
  newYorkTime ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: 'America/New_York',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const parts = Object.fromEntries(newYorkTime.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} New York time`;
}

/** RFC 822 date for RSS `pubDate`: `Fri, 14 Jun 2024 22:05:09 GMT`. */
export function formatRfc822(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`not an ISO-8601 timestamp: ${JSON.stringify(iso)}`);
  return new Date(ms).toUTCString();
}

/** The direction of shorts' P&L: `gain` when short sellers made money, `loss` when they lost. */
export type Tone = 'gain' | 'loss' | 'flat' | 'none';

export function pnlTone(value: Maybe): Tone {
  if (!isNumber(value)) return 'none';
  if (value > 0) return 'gain';
  if (value < 0) return 'loss';
  return 'flat';
}

/** Arrow that doubles the colour cue, so colour is never the only signal. */
export function toneArrow(tone: Tone): string {
  if (tone === 'gain') return '▲';
  if (tone === 'loss') return '▼';
  return '';
}

/**
 * A split factor (new shares per old share) as people say it (issue 21 item 7): a ratio of whole numbers up to 10
 * within 0.5% → `2-for-1`, `3-for-2`, `1-for-20` (a reverse split of any size: 1-for-N with N whole within
 * 0.5%); otherwise the nearest such wording marked approximate, as rule 3(a) keeps a measured ratio unrounded:
 * 0.0231 → `1-for-43 (approx.)`, 1.37 → `1.37-for-1 (approx.)`. The exact factor stays in the data.
 */
export function formatSplitFactor(factor: Maybe): string {
  if (!isNumber(factor) || factor <= 0) return MISSING;
  const close = (x: number) => Math.abs(x - factor) <= 0.005 * factor;
  for (let q = 1; q <= 10; q++) {
    const p = Math.round(factor * q);
    if (p >= 1 && p <= 10 && close(p / q)) return `${p}-for-${q}`;
  }
  const inverse = Math.round(1 / factor);
  if (factor < 1 && inverse >= 2 && close(1 / inverse)) return `1-for-${inverse}`;
  if (factor > 1 && Math.round(factor) > 10 && close(Math.round(factor))) return `${Math.round(factor)}-for-1`;
  // Two decimals below 10, whole numbers above; trailing zeros of a decimal dropped (1.50 → 1.5, never 40 → 4).
  const say = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(2).replace(/\.?0+$/, ''));
  if (factor < 1) return `1-for-${say(1 / factor)} (approx.)`;
  return `${say(factor)}-for-1 (approx.)`;
}
