/**
 * What a chart draws, serialised into the canvas's `data-chart` attribute at build time and read by
 * the client script. Colours are not part of it: the client takes them from CSS custom properties,
 * so charts follow the same palette (and dark mode) as the tables.
 */
export type ValueFormat = 'usd' | 'pct';

export interface BarChartSpec {
  type: 'bar';
  labels: string[];
  values: Array<number | null>;
  format: ValueFormat;
  seriesLabel: string;
  /** `pnl`: bars coloured by sign as shorts' P&L (gain blue, loss orange); `neutral`: one colour. */
  colour: 'pnl' | 'neutral';
}

export interface LineSeries {
  /** Tier key: selects the `--tier-<key>` colour and the dash pattern. */
  key: string;
  label: string;
  values: Array<number | null>;
}

export interface LineChartSpec {
  type: 'line';
  /** ISO dates. */
  labels: string[];
  series: LineSeries[];
  format: ValueFormat;
}

/** A stock's year: its price (left axis) and its short interest in shares (right axis), one point per day. */
export interface StockChartSpec {
  type: 'stock';
  /** ISO dates. */
  labels: string[];
  /** Screener last sale; null when it did not trade. */
  price: Array<number | null>;
  /** Short interest in effect, in shares (split-adjusted since its settlement). */
  shortInterest: Array<number | null>;
  /** Days a new FINRA short interest report took effect: marked on the short interest line. */
  newReports: Array<{ index: number; settled: string }>;
}

export type ChartSpec = BarChartSpec | LineChartSpec | StockChartSpec;

/** Dash pattern per series so lines differ by more than colour. */
export const LINE_DASHES: Readonly<Record<string, number[]>> = {
  mega: [],
  large: [8, 4],
  mid: [2, 3],
  small: [],
  micro: [8, 4],
  nano: [2, 3],
  midLargeMega: [],
  smallMicroNano: [8, 4],
};

export function isChartSpec(value: unknown): value is ChartSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; labels?: unknown };
  return (v.type === 'bar' || v.type === 'line' || v.type === 'stock') && Array.isArray(v.labels);
}
