/**
 * Draws one chart from its `data-chart` spec. Loaded lazily by main.ts; registers only the Chart.js
 * parts used (bar and line charts on category/linear scales, with tooltips) so the rest tree-shakes.
 * Colours come from the page's CSS custom properties: the same meaning as the tables, and dark mode.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { formatDate, formatPercent, formatShares, formatUsd } from '../../../shared/present/format.ts';
import {
  type BarChartSpec,
  type ChartSpec,
  isChartSpec,
  LINE_DASHES,
  type LineChartSpec,
  type StockChartSpec,
} from '../lib/chart-spec.ts';
import { formatPrice } from '../lib/stock-view.ts';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function formatValue(spec: BarChartSpec | LineChartSpec, value: number | null, signed = true): string {
  return spec.format === 'usd' ? formatUsd(value, { signed }) : formatPercent(value, { signed });
}

function themeDefaults(): void {
  Chart.defaults.color = cssVar('--muted');
  Chart.defaults.borderColor = cssVar('--grid');
  Chart.defaults.font.family = cssVar('--font') || 'system-ui, sans-serif';
  Chart.defaults.font.size = 12;
}

function zeroLine(ctx: { tick?: { value: number } }): string {
  return ctx.tick?.value === 0 ? cssVar('--strong-border') : cssVar('--grid');
}

function barConfig(spec: BarChartSpec): ChartConfiguration<'bar'> {
  const gain = cssVar('--gain');
  const loss = cssVar('--loss');
  const neutral = cssVar('--neutral-bar');
  const colours = spec.values.map((v) => (spec.colour === 'neutral' ? neutral : (v ?? 0) >= 0 ? gain : loss));
  return {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: [
        {
          label: spec.seriesLabel,
          data: spec.values,
          backgroundColor: colours,
          borderColor: colours,
          borderWidth: 0,
          borderRadius: 3,
          maxBarThickness: 28,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        tooltip: {
          callbacks: { label: (item) => `${spec.seriesLabel}: ${formatValue(spec, item.parsed.x)}` },
        },
      },
      scales: {
        x: {
          grid: { color: zeroLine, lineWidth: (ctx) => (ctx.tick?.value === 0 ? 2 : 1) },
          ticks: { callback: (v) => formatValue(spec, Number(v)), maxTicksLimit: 6, maxRotation: 0 },
        },
        y: { grid: { display: false }, ticks: { color: cssVar('--text') } },
      },
    },
  };
}

/** Indices of each month's first label: the x axis names months, not days. */
function monthStarts(labels: readonly string[]): Set<number> {
  const out = new Set<number>();
  labels.forEach((d, i) => {
    if (i === 0 || labels[i - 1]?.slice(0, 7) !== d.slice(0, 7)) out.add(i);
  });
  return out;
}

/**
 * Every month's name needs about 40 px (issue 21 item 3: at 360 px twelve names overlapped): on a narrow chart
 * only every second or third month is named (Jan, Apr, Jul, Oct at 360 px).
 */
export function monthStep(widthPx: number, months: number): number {
  const fit = Math.max(1, Math.floor(widthPx / 44));
  return months <= fit ? 1 : months <= fit * 2 ? 2 : months <= fit * 3 ? 3 : 6;
}

function monthTicks(labels: readonly string[]) {
  const firstOfMonth = monthStarts(labels);
  return {
    autoSkip: false,
    maxRotation: 0,
    callback(this: { chart: { width: number } }, _v: unknown, index: number) {
      const d = labels[index];
      if (!d || !firstOfMonth.has(index)) return '';
      const month = Number(d.slice(5, 7)) - 1;
      const step = monthStep(this.chart.width - 60, firstOfMonth.size);
      return month % step === 0 || step === 1 ? MONTHS[month] : '';
    },
  };
}

/** Price (left axis, solid) and short interest in shares (right axis, dashed; a dot where a new report took effect). */
function stockConfig(spec: StockChartSpec): ChartConfiguration<'line'> {
  const price = cssVar('--series-price');
  const si = cssVar('--series-si');
  const reports = new Map(spec.newReports.map((r) => [r.index, r.settled]));
  return {
    type: 'line',
    data: {
      labels: spec.labels,
      datasets: [
        {
          label: 'Price',
          data: spec.price,
          yAxisID: 'price',
          borderColor: price,
          backgroundColor: price,
          borderWidth: 2,
          pointRadius: 0,
          pointHoverRadius: 3,
          tension: 0,
          spanGaps: false,
        },
        {
          label: 'Short interest',
          data: spec.shortInterest,
          yAxisID: 'shares',
          borderColor: si,
          backgroundColor: si,
          borderDash: [6, 3],
          borderWidth: 2,
          stepped: 'before',
          pointRadius: (ctx) => (reports.has(ctx.dataIndex) ? 4 : 0),
          pointHoverRadius: 5,
          pointStyle: 'rectRot',
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => formatDate(spec.labels[items[0]?.dataIndex ?? 0]),
            label: (item) =>
              item.datasetIndex === 0
                ? `Price: ${formatPrice(item.parsed.y)}`
                : `Short interest: ${formatShares(item.parsed.y)} shares`,
            afterBody: (items) => {
              const settled = reports.get(items[0]?.dataIndex ?? -1);
              return settled ? `New FINRA report, settled ${formatDate(settled)}` : '';
            },
          },
        },
      },
      scales: {
        x: { grid: { display: false }, ticks: monthTicks(spec.labels) },
        price: {
          position: 'left',
          grid: { color: cssVar('--grid') },
          ticks: { callback: (v) => formatPrice(Number(v)), maxTicksLimit: 6 },
        },
        shares: {
          position: 'right',
          grid: { display: false },
          ticks: { callback: (v) => formatShares(Number(v)), maxTicksLimit: 6 },
        },
      },
    },
  };
}

function lineConfig(spec: LineChartSpec): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s) => ({
        label: s.label,
        data: s.values,
        borderColor: cssVar(`--tier-${s.key}`),
        backgroundColor: cssVar(`--tier-${s.key}`),
        borderDash: LINE_DASHES[s.key] ?? [],
        borderWidth: 2,
        pointRadius: 0,
        pointHoverRadius: 3,
        tension: 0,
        spanGaps: true,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => formatDate(spec.labels[items[0]?.dataIndex ?? 0]),
            label: (item) => `${item.dataset.label}: ${formatValue(spec, item.parsed.y)}`,
          },
        },
      },
      scales: {
        x: { grid: { display: false }, ticks: monthTicks(spec.labels) },
        y: {
          grid: { color: zeroLine, lineWidth: (ctx) => (ctx.tick?.value === 0 ? 2 : 1) },
          ticks: { callback: (v) => formatValue(spec, Number(v)), maxTicksLimit: 7 },
        },
      },
    },
  };
}

const drawn = new Map<HTMLCanvasElement, Chart>();

function render(canvas: HTMLCanvasElement, spec: ChartSpec): void {
  drawn.get(canvas)?.destroy();
  themeDefaults();
  const chart =
    spec.type === 'bar'
      ? new Chart(canvas, barConfig(spec))
      : spec.type === 'stock'
        ? new Chart(canvas, stockConfig(spec))
        : new Chart(canvas, lineConfig(spec));
  drawn.set(canvas, chart);
  // The x axis's drawn labels, for tests (issue 21 item 3: no overlap at 360 px).
  canvas.dataset.xLabels = (chart.scales.x?.ticks ?? [])
    .map((t) => String(t.label ?? ''))
    .filter((l) => l !== '')
    .join(',');
  // Lets tests and screenshots wait for a drawn chart.
  canvas.dataset.rendered = 'true';
}

export function drawChart(canvas: HTMLCanvasElement): void {
  const spec: unknown = JSON.parse(canvas.dataset.chart ?? 'null');
  if (!isChartSpec(spec)) throw new TypeError('data-chart: not a chart spec');
  render(canvas, spec);
}

// Redraw with the other palette when the colour scheme changes.
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  for (const canvas of drawn.keys()) drawChart(canvas);
});
