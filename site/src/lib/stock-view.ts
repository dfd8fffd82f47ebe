/** What a stock page shows, computed from its file: pure helpers (no Astro, no fs). */
import { formatDate, formatShares, MINUS, MISSING } from '../../../shared/present/format.ts';
import type { StockFile, StockSeries } from '../../../shared/snapshot/stocks-schema.ts';
import type { StockChartSpec } from './chart-spec.ts';

/** A share price: `$48.12`, `$1,234.50`; under a dollar four decimals (`$0.0042`). */
export function formatPrice(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return MISSING;
  const abs = Math.abs(value);
  const digits = abs > 0 && abs < 1 ? 4 : 2;
  const body = `$${abs.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
  return value < 0 ? `${MINUS}${body}` : body;
}

/** Which volume days to cover used (rule 10). */
export function daysToCoverSourceLabel(source: 'finra' | 'screener' | null): string {
  if (source === 'finra') return 'FINRA’s average daily volume (all venues)';
  if (source === 'screener') return 'the mean of the last 20 positive daily volumes on the screener';
  return 'no volume known';
}

export const NOTE_KIND_LABELS: Readonly<Record<StockFile['notes'][number]['kind'], string>> = {
  split: 'Split',
  'pending-split': 'Pending split',
  quarantine: 'Quarantined value',
};

export function stockChartSpec(series: StockSeries): StockChartSpec {
  return {
    type: 'stock',
    labels: series.date,
    price: series.price,
    shortInterest: series.shortInterest,
    newReports: series.flags.flatMap((f, index) =>
      f.includes('new-file') ? [{ index, settled: series.settlementDate[index] ?? '' }] : [],
    ),
  };
}

export interface SeriesRow {
  date: string;
  price: number | null;
  shortInterest: number | null;
  settled: string | null;
  /** A new FINRA report took effect that day. */
  newReport: boolean;
}

/**
 * The chart's table: every day a new FINRA report took effect, each month's last day and the last day, so the
 * two lines read without the chart (the full series is in the JSON).
 */
export function seriesTableRows(series: StockSeries): SeriesRow[] {
  const n = series.date.length;
  const rows: SeriesRow[] = [];
  for (let i = 0; i < n; i++) {
    const date = series.date[i]!;
    const newReport = series.flags[i]?.includes('new-file') ?? false;
    const monthEnd = i === n - 1 || series.date[i + 1]?.slice(0, 7) !== date.slice(0, 7);
    if (!newReport && !monthEnd) continue;
    rows.push({
      date,
      price: series.price[i] ?? null,
      shortInterest: series.shortInterest[i] ?? null,
      settled: series.settlementDate[i] ?? null,
      newReport,
    });
  }
  return rows;
}

/** One sentence for the chart's `aria-label` and the page without JavaScript. */
export function seriesSummary(series: StockSeries): string {
  const n = series.date.length;
  if (n === 0) return 'No trading day in the year yet.';
  const firstPriced = series.price.findIndex((p) => p !== null);
  let lastPriced = -1;
  for (let i = n - 1; i >= 0; i--) {
    if (series.price[i] !== null) {
      lastPriced = i;
      break;
    }
  }
  const reports = series.flags.filter((f) => f.includes('new-file')).length;
  const parts: string[] = [];
  if (firstPriced >= 0 && lastPriced >= 0) {
    parts.push(
      `Price ${formatPrice(series.price[firstPriced])} on ${formatDate(series.date[firstPriced])}, ${formatPrice(series.price[lastPriced])} on ${formatDate(series.date[lastPriced])}`,
    );
  }
  parts.push(
    `short interest ${formatShares(series.shortInterest[0])} shares on ${formatDate(series.date[0])}, ${formatShares(series.shortInterest[n - 1])} on ${formatDate(series.date[n - 1])}`,
  );
  parts.push(`${reports} new FINRA ${reports === 1 ? 'report' : 'reports'} took effect`);
  const splits = series.splitFactor.filter((f) => f !== 1).length;
  if (splits > 0) parts.push(`prices are as traded, so a split shows as a jump (${splits} this year)`);
  return `${parts.join('; ')}.`;
}
