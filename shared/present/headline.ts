/**
 * The headline sentence: short sellers' year-to-date P&L on small caps (`smallMicroNano`) and on
 * mid, large and mega caps (`mid` + `megaLarge`), e.g. "Short sellers are up $12.9B on small, micro
 * and nano caps this year, down $139.8B on mid, large and mega caps."
 */
import { nextTradingDay, previousTradingDay } from '../calendar.ts';
import type { GroupFigures, Snapshot } from '../snapshot/schema.ts';
import { formatDate, formatPercent, formatUsd } from './format.ts';

export type Direction = 'up' | 'down' | 'flat' | 'unknown';

export interface HeadlinePart {
  /** Who the figure covers, as written in the sentence. */
  label: string;
  pnlUsd: number | null;
  /** P&L over the average short interest of the covered tiers, percent points. */
  pnlPct: number | null;
  direction: Direction;
  /** Unsigned compact amount (`$12.9B`); the direction word carries the sign. */
  amount: string;
  /** Signed percent (`+15.11%`) or `—`. */
  percent: string;
  /** The phrase used in the sentence, e.g. `up $12.9B`. */
  phrase: string;
}

/** A run of the sentence; `tone` marks the amounts (shorts gained = `gain`, lost = `loss`). */
export interface HeadlineSegment {
  text: string;
  tone?: 'gain' | 'loss';
}

export interface Headline {
  /** The sentence; always equal to the segments joined. */
  text: string;
  segments: HeadlineSegment[];
  small: HeadlinePart;
  large: HeadlinePart;
}

function sum(values: ReadonlyArray<number | null>): number | null {
  let total = 0;
  for (const v of values) {
    if (v === null) return null;
    total += v;
  }
  return total;
}

function part(label: string, pnlUsd: number | null, avgShortInterestUsd: number | null): HeadlinePart {
  const pnlPct = pnlUsd !== null && avgShortInterestUsd ? (pnlUsd / avgShortInterestUsd) * 100 : null;
  const amount = formatUsd(pnlUsd === null ? null : Math.abs(pnlUsd));
  let direction: Direction = 'unknown';
  if (pnlUsd !== null) direction = amount === '$0' ? 'flat' : pnlUsd > 0 ? 'up' : 'down';
  const phrase =
    direction === 'up' ? `up ${amount}` : direction === 'down' ? `down ${amount}` : direction === 'flat' ? 'flat' : '';
  return { label, pnlUsd, pnlPct, direction, amount, percent: formatPercent(pnlPct, { signed: true }), phrase };
}

/**
 * The YTD window's span as the sentence says it (issue 18): a deployment whose history begins on deploy day,
 * or a year whose first days are missing, must not claim the whole year. The window's `from` is its first
 * counted day, whose P&L runs from the previous trading day's close (rule 7: a dataset's first day has no
 * previous close and never counts). So the window covers the year when it runs from the close of the year's
 * first trading day or earlier (`this year`), and otherwise says from which close: `since 2 Dec 2024`.
 */
export function ytdPeriod(window: Pick<Snapshot['windows']['ytd'], 'from' | 'to'>): string {
  const from = window.from;
  if (from === null) return 'this year';
  const base = previousTradingDay(from);
  const firstOfYear = nextTradingDay(`${Number(from.slice(0, 4)) - 1}-12-31`);
  return base > firstOfYear ? `since ${formatDate(base)}` : 'this year';
}

/** The headline's two groups (issue 21 item 3): what the sentence speaks of, as table rows and chart lines. */
export type HeadlineGroup = 'midLargeMega' | 'smallMicroNano';
export const HEADLINE_GROUPS: readonly HeadlineGroup[] = ['midLargeMega', 'smallMicroNano'];
export const HEADLINE_GROUP_LABELS: Readonly<Record<HeadlineGroup, string>> = {
  midLargeMega: 'Mid, large & mega',
  smallMicroNano: 'Small, micro & nano',
};

export interface HeadlineGroupFigures {
  pnlUsd: number | null;
  avgShortInterestUsd: number | null;
  pnlPct: number | null;
}

type PnlFigures = Pick<GroupFigures, 'pnlUsd' | 'avgShortInterestUsd'>;

/**
 * A headline group's figures from the published groups. `smallMicroNano` is published as it is; `midLargeMega`
 * (mid + mega + large) is not, and is summed from `mid` and `megaLarge`: rule 8's `pnlUsd` and
 * `avgShortInterestUsd` are sums over disjoint sets of symbol-days divided by the same trading days, so the
 * union's figures are the sums of its parts and its `pnlPct` is their ratio, exactly as rule 8 would compute it.
 * Null when either part is null.
 */
export function headlineGroupFigures(
  groups: Record<'mid' | 'megaLarge' | 'smallMicroNano', PnlFigures>,
  group: HeadlineGroup,
): HeadlineGroupFigures {
  const pnlUsd =
    group === 'smallMicroNano' ? groups.smallMicroNano.pnlUsd : sum([groups.mid.pnlUsd, groups.megaLarge.pnlUsd]);
  const avgShortInterestUsd =
    group === 'smallMicroNano'
      ? groups.smallMicroNano.avgShortInterestUsd
      : sum([groups.mid.avgShortInterestUsd, groups.megaLarge.avgShortInterestUsd]);
  const pnlPct = pnlUsd !== null && avgShortInterestUsd ? (pnlUsd / avgShortInterestUsd) * 100 : null;
  return { pnlUsd, avgShortInterestUsd, pnlPct };
}

/** Builds the headline from the snapshot's YTD window. */
export function buildHeadline(snapshot: Pick<Snapshot, 'windows'>): Headline {
  const g = snapshot.windows.ytd.groups;
  const period = ytdPeriod(snapshot.windows.ytd);
  const smallFigures = headlineGroupFigures(g, 'smallMicroNano');
  const largeFigures = headlineGroupFigures(g, 'midLargeMega');
  const small = part('small, micro and nano caps', smallFigures.pnlUsd, smallFigures.avgShortInterestUsd);
  const large = part('mid, large and mega caps', largeFigures.pnlUsd, largeFigures.avgShortInterestUsd);
  const seg = (p: HeadlinePart): HeadlineSegment =>
    p.direction === 'up'
      ? { text: p.phrase, tone: 'gain' }
      : p.direction === 'down'
        ? { text: p.phrase, tone: 'loss' }
        : { text: p.phrase };
  let segments: HeadlineSegment[];
  if (small.direction === 'unknown' && large.direction === 'unknown') {
    segments = [
      { text: 'No trading days have been counted yet this year, so there are no figures for short sellers yet.' },
    ];
  } else if (large.direction === 'unknown') {
    segments = [
      { text: 'Short sellers are ' },
      seg(small),
      { text: ` on ${small.label} ${period}; there are no figures yet for ${large.label}.` },
    ];
  } else if (small.direction === 'unknown') {
    segments = [
      { text: 'Short sellers are ' },
      seg(large),
      { text: ` on ${large.label} ${period}; there are no figures yet for ${small.label}.` },
    ];
  } else {
    segments = [
      { text: 'Short sellers are ' },
      seg(small),
      { text: ` on ${small.label} ${period}, ` },
      seg(large),
      { text: ` on ${large.label}.` },
    ];
  }
  return { text: segments.map((x) => x.text).join(''), segments, small, large };
}
