/**
 * Rule 8: group and sector figures over a window, summed from day records. The snapshot's windows
 * and history.json use this one accumulator, so the same day gives the same bits in both.
 */
import type { Group, Tier } from '../domain.ts';
import { GROUPS, TIERS } from '../domain.ts';
import type { GroupFigures, HistoryRow } from '../snapshot/schema.ts';
import { GROUP_MEMBERS } from './tiers.ts';
import type { DayFigures, DayRecord } from './types.ts';

export interface FiguresSum {
  days: number;
  pnl: number;
  exposure: number;
  netNew: number;
  /** Π over days with a positive Σ MC_{d−1} of Σ MC_{d−1}(1+R) / Σ MC_{d−1}. */
  growth: number;
  /** False while no day had any symbol in the group (returnPct is then null). */
  weighted: boolean;
}

export const emptySum = (): FiguresSum => ({ days: 0, pnl: 0, exposure: 0, netNew: 0, growth: 1, weighted: false });

/** Adds one day's figures (already summed over the group's tiers) to a window sum. */
export function addDay(sum: FiguresSum, day: DayFigures): void {
  sum.days++;
  sum.pnl += day.pnl;
  sum.exposure += day.exposure;
  sum.netNew += day.netNew;
  // A day on which the group had no symbol leaves the chained return unchanged.
  if (day.capPrev > 0) {
    sum.growth *= day.capNext / day.capPrev;
    sum.weighted = true;
  }
}

/** A group's day figures: its member tiers added in TIERS order. */
export function groupDay(record: DayRecord, group: Group): DayFigures {
  const out: DayFigures = { pnl: 0, exposure: 0, netNew: 0, capPrev: 0, capNext: 0 };
  for (const i of GROUP_MEMBERS[group]) {
    const t = record.tiers[TIERS[i] as Tier];
    out.pnl += t.pnl;
    out.exposure += t.exposure;
    out.netNew += t.netNew;
    out.capPrev += t.capPrev;
    out.capNext += t.capNext;
  }
  return out;
}

/** Breadth counts of a group or sector over a window (rule 8 decliningPct and symbols). */
export interface Breadth {
  eligible: number;
  declining: number;
  symbols: number;
}

/** The published figures (rule 8). A window without counted days has null figures (decision). */
export function toFigures(sum: FiguresSum, breadth: Breadth): GroupFigures {
  if (sum.days === 0) {
    return {
      pnlUsd: null,
      pnlPct: null,
      avgShortInterestUsd: null,
      netNewShortingUsd: null,
      returnPct: null,
      decliningPct: null,
      symbols: breadth.symbols,
    };
  }
  const avg = sum.exposure / sum.days;
  return {
    pnlUsd: sum.pnl,
    pnlPct: avg !== 0 ? (sum.pnl / avg) * 100 : null,
    avgShortInterestUsd: avg,
    netNewShortingUsd: sum.netNew,
    returnPct: sum.weighted ? (sum.growth - 1) * 100 : null,
    decliningPct: breadth.eligible > 0 ? (breadth.declining / breadth.eligible) * 100 : null,
    symbols: breadth.symbols,
  };
}

function sumBreadth(record: DayRecord, group: Group, which: '1d' | 'ytd'): Breadth {
  const b: Breadth = { eligible: 0, declining: 0, symbols: 0 };
  for (const i of GROUP_MEMBERS[group]) {
    const t = record.tiers[TIERS[i] as Tier];
    b.eligible += which === '1d' ? t.eligible1d : t.eligibleYtd;
    b.declining += which === '1d' ? t.declining1d : t.decliningYtd;
    b.symbols += t.symbols;
  }
  return b;
}

export type GroupTable = Record<Group, GroupFigures>;

/**
 * history.json rows: for each counted day, each group's 1d and year-to-date figures as of that day
 * (records in date order; `restated` false, the pipeline sets it).
 */
export function historyRows(records: readonly DayRecord[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let year = '';
  let ytd = new Map<Group, FiguresSum>();
  for (const record of records) {
    if (record.date.slice(0, 4) !== year) {
      year = record.date.slice(0, 4);
      ytd = new Map(GROUPS.map((g) => [g, emptySum()]));
    }
    const oneDay = {} as GroupTable;
    const toDate = {} as GroupTable;
    for (const g of GROUPS) {
      const day = groupDay(record, g);
      const one = emptySum();
      addDay(one, day);
      oneDay[g] = toFigures(one, sumBreadth(record, g, '1d'));
      const acc = ytd.get(g) as FiguresSum;
      addDay(acc, day);
      toDate[g] = toFigures(acc, sumBreadth(record, g, 'ytd'));
    }
    rows.push({ date: record.date, restated: false, '1d': oneDay, ytd: toDate });
  }
  return rows;
}
