/**
 * The stocks list (`/stocks/`) and its CSV (`/data/stocks/index.csv`): one column set for both, the server's
 * order (shorts' YTD P&L, biggest gain first) and the CSV text. Pure: no DOM, no fs.
 */
import { tierLabel } from '../../../shared/present/labels.ts';
import type { StockIndexEntry } from '../../../shared/snapshot/stocks-schema.ts';

export type StockColumnKey =
  | 'symbol'
  | 'name'
  | 'tier'
  | 'sector'
  | 'ytdPnlUsd'
  | 'ytdPnlPct'
  | 'shortInterestUsd'
  | 'shortInterestPctSharesOut'
  | 'daysToCover';

export interface StockColumn {
  key: StockColumnKey;
  /** Header on the page. */
  label: string;
  /** Header in the CSV (with the unit). */
  csv: string;
  numeric: boolean;
}

export const STOCK_COLUMNS: readonly StockColumn[] = [
  { key: 'symbol', label: 'Symbol', csv: 'Symbol', numeric: false },
  { key: 'name', label: 'Name', csv: 'Name', numeric: false },
  { key: 'tier', label: 'Tier', csv: 'Tier', numeric: false },
  { key: 'sector', label: 'Sector', csv: 'Sector', numeric: false },
  { key: 'ytdPnlUsd', label: 'YTD P&L', csv: 'Shorts YTD P&L (USD)', numeric: true },
  { key: 'ytdPnlPct', label: 'YTD P&L %', csv: 'Shorts YTD P&L (% of avg. short interest)', numeric: true },
  { key: 'shortInterestUsd', label: 'Short interest', csv: 'Short interest (USD)', numeric: true },
  {
    key: 'shortInterestPctSharesOut',
    label: '% of shares',
    csv: 'Short interest (% of shares outstanding)',
    numeric: true,
  },
  { key: 'daysToCover', label: 'Days to cover', csv: 'Days to cover', numeric: true },
];

/** Tiers ordered by size, so sorting by tier reads nano → mega, not alphabetically. */
const TIER_ORDER: Readonly<Record<string, number>> = { nano: 0, micro: 1, small: 2, mid: 3, large: 4, mega: 5 };

/** The value a column sorts on: a number, a string, or null (sorted last either way). */
export function sortValue(entry: StockIndexEntry, key: StockColumnKey): number | string | null {
  if (key === 'tier') return entry.tier === null ? null : (TIER_ORDER[entry.tier] ?? null);
  return entry[key];
}

/** The server's order: shorts' YTD P&L, biggest gain first; ties by symbol. Returns a new array. */
export function byYtdPnl(entries: readonly StockIndexEntry[]): StockIndexEntry[] {
  return entries
    .slice()
    .sort((a, b) => b.ytdPnlUsd - a.ytdPnlUsd || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

/** A text cell: always quoted (RFC 4180), and a leading = + - @ tab or CR defused with `'` (OWASP CSV injection). */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

/** A number cell: the value as JSON writes it (a plain `-12.5` stays a number); empty when missing. */
export function csvNumber(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '' : String(value);
}

/** The list as CSV: header, then one row per stock in the server's order; CRLF line ends (RFC 4180). */
export function stocksCsv(entries: readonly StockIndexEntry[]): string {
  const lines = [STOCK_COLUMNS.map((c) => csvText(c.csv)).join(',')];
  for (const e of byYtdPnl(entries)) {
    lines.push(
      STOCK_COLUMNS.map((c) => {
        if (c.key === 'tier') return csvText(e.tier === null ? '' : tierLabel(e.tier));
        const v = e[c.key];
        return c.numeric ? csvNumber(v as number | null) : csvText(String(v));
      }).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
