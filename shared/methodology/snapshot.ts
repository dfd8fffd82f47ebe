/**
 * Rules 7–10 read out of the engine state at its last day A: windows with group and sector figures,
 * top winners and losers, crowded shorts, and the data-quality section.
 */
import type { Group, IsoDate, Tier, WindowName } from '../domain.ts';
import { GROUPS, TIERS, WINDOWS } from '../domain.ts';
import type { CrowdedEntry, DataQuality, SnapshotWindow, TopEntry } from '../snapshot/schema.ts';
import { addDays } from './dates.ts';
import { RING } from './engine.ts';
import { addDay, type Breadth, emptySum, type FiguresSum, type GroupTable, groupDay, toFigures } from './figures.ts';
import { describeFactor } from './splits.ts';
import { GROUP_MEMBERS, tierIndex } from './tiers.ts';
import { type DayRecord, type EngineState, MethodologyError, type SnapshotBody } from './types.ts';

const TOP_N = 10;
const NO_SYMBOLS = { pnl: 0, exposure: 0, netNew: 0, capPrev: 0, capNext: 0 } as const;
const CROWDED_N = 20;
/** Rule 10 thresholds. */
const CROWDED_MIN_CAP = 300e6;
const VOLUME_DAYS = 20;
const VOLUME_MIN_DAYS = 5;

const slotOf = (index: number): number => index % RING;

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rule 7: the counted days of each window, as a suffix of the records (which are in date order). */
function windowStart(records: readonly DayRecord[], a: IsoDate, name: WindowName): number {
  const first =
    name === '1d'
      ? a
      : name === 'mtd'
        ? `${a.slice(0, 7)}-01`
        : name === '30d'
          ? addDays(a, -29)
          : `${a.slice(0, 4)}-01-01`;
  let i = records.length;
  while (i > 0 && (records[i - 1]?.date as string) >= first) i--;
  return i;
}

/** What the symbol-level parts of a window need to know about one symbol as of A. */
interface AsOfA {
  /** Tier index as of A (rule 6), −1 when none. */
  tier: number;
  sector: string;
  price: number;
  marketCap: number;
  /** SI(s, A), shares. */
  shortInterest: number;
}

/** Per-symbol sums over a window (rule 9) and its compounded return (rule 8 decliningPct). */
interface SymbolWindow {
  pnl: number;
  exposure: number;
  growth: number;
  /** Priced on the day before `from` and on every day of the window. */
  eligible: boolean;
}

function ringWindow(state: EngineState, id: number, from: number, to: number): SymbolWindow {
  const b = id * RING;
  const out: SymbolWindow = { pnl: 0, exposure: 0, growth: 1, eligible: true };
  for (let j = from; j <= to; j++) {
    const p0 = state.price[b + slotOf(j - 1)] as number;
    const p1 = state.price[b + slotOf(j)] as number;
    if (!(p0 > 0 && p1 > 0)) {
      out.eligible = false;
      continue;
    }
    // Same expressions, in the same order, as the engine's day sums.
    const growth = (p1 / p0) * (state.factor[b + slotOf(j)] as number);
    out.growth *= growth;
    const m0 = state.marketCap[b + slotOf(j - 1)] as number;
    if (!(m0 > 0)) continue;
    const exposure = (state.shortInterest[b + slotOf(j - 1)] as number) * p0;
    out.pnl -= exposure * (growth - 1);
    out.exposure += exposure;
  }
  return out;
}

function topEntry(state: EngineState, id: number, a: AsOfA, w: SymbolWindow, days: number): TopEntry {
  const avg = w.exposure / days;
  return {
    symbol: state.symbols[id] as string,
    name: state.names[id] as string,
    tier: TIERS[a.tier] as Tier,
    sector: a.sector,
    pnlUsd: w.pnl,
    pnlPct: avg !== 0 ? (w.pnl / avg) * 100 : null,
    shortInterestUsd: a.shortInterest * a.price,
    shortInterestPctSharesOut: a.marketCap > 0 ? (a.shortInterest / (a.marketCap / a.price)) * 100 : null,
  };
}

/** Rule 10 ranks: ascending, ties get the average of the ranks they span (1-based). */
function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => (values[i] as number) - (values[j] as number));
  const ranks = new Array<number>(values.length).fill(0);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1] as number] === values[order[i] as number]) j++;
    // Ranks i+1 … j+1 shared: their mean, kept as a multiple of 1/2 exactly.
    const rank = (i + 1 + (j + 1)) / 2;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = rank;
    i = j + 1;
  }
  return ranks;
}

function crowded(state: EngineState, asOf: Map<number, AsOfA>): CrowdedEntry[] {
  const tA = state.dayCount - 1;
  const a = state.lastDate as string;
  // B: the last accepted day ≤ A − 30 calendar days, if the ring (or the data) reaches it.
  const limit = addDays(a, -30);
  let tB = -1;
  for (let j = tA - 1; j >= Math.max(0, tA - RING + 1); j--) {
    if ((state.slotDate[slotOf(j)] as string) <= limit) {
      tB = j;
      break;
    }
  }
  interface Candidate {
    id: number;
    pct: number;
    dtc: number;
    usd: number;
    change: number | null;
  }
  const candidates: Candidate[] = [];
  for (const [id, info] of asOf) {
    if (!(info.marketCap >= CROWDED_MIN_CAP) || !(info.shortInterest > 0)) continue;
    const b = id * RING;
    let positive = 0;
    let total = 0;
    for (let j = tA; j > tA - VOLUME_DAYS && j >= 0; j--) {
      const v = state.volume[b + slotOf(j)] as number;
      if (v > 0) {
        positive++;
        total += v;
      }
    }
    if (positive < VOLUME_MIN_DAYS) continue;
    const si = info.shortInterest;
    let change: number | null = null;
    if (tB >= 0) {
      let then = state.shortInterest[b + slotOf(tB)] as number;
      if (then !== 0) {
        for (let j = tB + 1; j <= tA; j++) then *= state.factor[b + slotOf(j)] as number;
        change = (si / then - 1) * 100;
      }
    }
    candidates.push({
      id,
      pct: (si / (info.marketCap / info.price)) * 100,
      dtc: si / (total / positive),
      usd: si * info.price,
      change,
    });
  }
  const n = candidates.length;
  const r1 = averageRanks(candidates.map((c) => c.pct));
  const r2 = averageRanks(candidates.map((c) => c.dtc));
  const r3 = averageRanks(candidates.map((c) => c.usd));
  const scored = candidates.map((c, i) => {
    // score = 100 · mean((rank−1)/(n−1)) = 100 · S / (3(n−1)), S = Σ(rank−1), a multiple of 1/2. In tenths:
    // 1000 · 2S / (6(n−1)), rounded half up with integers so no binary fraction decides a tie.
    let tenths = 0;
    if (n > 1) {
      const twiceS = 2 * ((r1[i] as number) - 1 + ((r2[i] as number) - 1) + ((r3[i] as number) - 1));
      const num = 1000 * twiceS;
      const den = 6 * (n - 1);
      tenths = Math.floor((2 * num + den) / (2 * den));
    }
    return { c, score: tenths / 10, tenths };
  });
  scored.sort(
    (x, y) =>
      y.tenths - x.tenths ||
      y.c.usd - x.c.usd ||
      compareCodeUnits(state.symbols[x.c.id] as string, state.symbols[y.c.id] as string),
  );
  return scored.slice(0, CROWDED_N).map(({ c, score }) => {
    const info = asOf.get(c.id) as AsOfA;
    return {
      symbol: state.symbols[c.id] as string,
      name: state.names[c.id] as string,
      // Tier as of A (rule 6); a candidate without MC_{A−1} shows the tier of MC_A (decision).
      tier: TIERS[info.tier >= 0 ? info.tier : tierIndex(info.marketCap)] as Tier,
      sector: info.sector,
      score,
      shortInterestUsd: c.usd,
      shortInterestPctSharesOut: c.pct,
      daysToCover: c.dtc,
      shortInterestChange30dPct: c.change,
    };
  });
}

function pendingReason(state: EngineState, id: number, index: number): string {
  const b = id * RING;
  const p0 = state.price[b + slotOf(index - 1)] as number;
  const p1 = state.price[b + slotOf(index)] as number;
  const known = Math.min(state.dayCount - 1 - index, 10);
  const x = p1 / p0;
  return (
    `price ratio ${Number(x.toPrecision(4))} fits a split (rule 3b) that no share count confirms yet ` +
    `(${known} of 10 later trading days known); held out of all figures from this day on`
  );
}

function dataQuality(state: EngineState): SnapshotBody['dataQuality'] {
  const splits = state.splits
    .map((s) => ({ symbol: s.symbol, date: s.date, factor: s.factor, rule: s.rule }))
    .sort((x, y) => compareCodeUnits(x.date, y.date) || compareCodeUnits(x.symbol, y.symbol));
  const pendingSplits = state.pending
    .map((p) => ({
      symbol: state.symbols[p.id] as string,
      date: state.slotDate[slotOf(p.index)] as string,
      reason: pendingReason(state, p.id, p.index),
    }))
    .sort((x, y) => compareCodeUnits(x.date, y.date) || compareCodeUnits(x.symbol, y.symbol));
  // Rule 2 rejections up to A only (a rejected file after A says nothing about A's figures).
  const a = state.lastDate as string;
  const rejectedDays = state.rejectedDays
    .filter((r) => r.date <= a)
    .map((r) => ({ date: r.date, file: r.file, reason: r.reason }))
    .sort((x, y) => compareCodeUnits(x.date, y.date) || compareCodeUnits(x.file, y.file));
  const settlement = state.slotSettlement[slotOf(state.dayCount - 1)] as string;
  const dq: DataQuality = {
    rejectedDays,
    splits,
    pendingSplits,
    rejectedRows: 0,
    rejections: [],
    shortInterestSettlementDate: settlement === '' ? null : settlement,
    acceptedDays: state.dayCount,
  };
  return dq;
}

/** A rule-3 factor in words, for callers that report splits. */
export const splitLabel = describeFactor;

/**
 * The snapshot body as of the state's last accepted day A (rules 7–10). Pure: does not modify the
 * state. `restated` is false; the pipeline sets it when it republishes a day.
 */
export function snapshotAt(state: EngineState): SnapshotBody {
  const a = state.lastDate;
  if (a === null) throw new MethodologyError('no accepted trading day yet: nothing to compute');
  const tA = state.dayCount - 1;
  const sA = slotOf(tA);
  const counted = tA >= 1;
  const sAp = slotOf(tA + RING - 1);

  // Symbols with a valid price on A and not held out by a pending split (decision "pending splits").
  const asOf = new Map<number, AsOfA>();
  const n = state.symbols.length;
  for (let id = 0; id < n; id++) {
    const b = id * RING;
    const price = state.price[b + sA] as number;
    if (!(price > 0) || state.held[id] !== -1) continue;
    const m0 = counted ? (state.marketCap[b + sAp] as number) : 0;
    asOf.set(id, {
      tier: m0 > 0 ? tierIndex(m0) : -1,
      sector: state.sectors[state.sector[b + sA] as number] as string,
      price,
      marketCap: state.marketCap[b + sA] as number,
      shortInterest: state.shortInterest[b + sA] as number,
    });
  }

  // Rule 8 `symbols`: E > 0 on A, by tier and sector as of A (the same in every window).
  const symbolsByTier = TIERS.map(() => 0);
  const symbolsBySector = new Map<string, number>();
  if (counted) {
    for (const [id, info] of asOf) {
      if (info.tier < 0) continue;
      const b = id * RING;
      const exposure = (state.shortInterest[b + sAp] as number) * (state.price[b + sAp] as number);
      if (exposure > 0) {
        symbolsByTier[info.tier] = (symbolsByTier[info.tier] as number) + 1;
        symbolsBySector.set(info.sector, (symbolsBySector.get(info.sector) ?? 0) + 1);
      }
    }
  }

  const windows = {} as Record<WindowName, SnapshotWindow>;
  for (const name of WINDOWS) {
    const start = counted ? windowStart(state.days, a, name) : state.days.length;
    const records = state.days.slice(start);
    const days = records.length;
    const from = tA - days + 1;
    if (days > 0 && name !== 'ytd' && days > RING - 1) {
      throw new MethodologyError(`internal: window ${name} has ${days} days, more than the engine keeps`, { date: a });
    }

    // Per-symbol window figures (rules 8 and 9) for symbols priced on A with a tier as of A.
    const perSymbol = new Map<number, SymbolWindow>();
    if (days > 0) {
      for (const [id, info] of asOf) {
        if (info.tier < 0) continue;
        perSymbol.set(
          id,
          name === 'ytd'
            ? {
                pnl: state.ytdPnl[id] as number,
                exposure: state.ytdExposure[id] as number,
                growth: state.ytdGrowth[id] as number,
                eligible: state.ytdEligible[id] === 1,
              }
            : ringWindow(state, id, from, tA),
        );
      }
    }

    const breadthTier = TIERS.map(() => ({ eligible: 0, declining: 0 }));
    const breadthSector = new Map<string, { eligible: number; declining: number }>();
    for (const [id, w] of perSymbol) {
      if (!w.eligible) continue;
      const info = asOf.get(id) as AsOfA;
      const declining = w.growth < 1 ? 1 : 0;
      const bt = breadthTier[info.tier] as { eligible: number; declining: number };
      bt.eligible++;
      bt.declining += declining;
      const bs = breadthSector.get(info.sector) ?? { eligible: 0, declining: 0 };
      bs.eligible++;
      bs.declining += declining;
      breadthSector.set(info.sector, bs);
    }

    const groups = {} as GroupTable;
    for (const g of GROUPS as readonly Group[]) {
      const sum = emptySum();
      for (const record of records) addDay(sum, groupDay(record, g));
      const breadth: Breadth = { eligible: 0, declining: 0, symbols: 0 };
      for (const i of GROUP_MEMBERS[g]) {
        breadth.eligible += (breadthTier[i] as { eligible: number }).eligible;
        breadth.declining += (breadthTier[i] as { declining: number }).declining;
        breadth.symbols += symbolsByTier[i] as number;
      }
      groups[g] = toFigures(sum, breadth);
    }

    // Sector on each day for the sums; sector as of A for breadth and symbols (decision).
    const sectorSums = new Map<string, FiguresSum>();
    for (const record of records) {
      for (const sector of Object.keys(record.sectors)) {
        if (!sectorSums.has(sector)) sectorSums.set(sector, emptySum());
      }
    }
    const sectors: SnapshotWindow['sectors'] = {};
    for (const sector of [...sectorSums.keys()].sort(compareCodeUnits)) {
      const sum = sectorSums.get(sector) as FiguresSum;
      // A day without the sector still counts in its average (tradingDays is the window's).
      for (const record of records) addDay(sum, record.sectors[sector] ?? NO_SYMBOLS);
      const bs = breadthSector.get(sector);
      sectors[sector] = toFigures(sum, {
        eligible: bs?.eligible ?? 0,
        declining: bs?.declining ?? 0,
        symbols: symbolsBySector.get(sector) ?? 0,
      });
    }

    const winners: TopEntry[] = [];
    const losers: TopEntry[] = [];
    if (days > 0) {
      const bySymbol = (i: number, j: number) =>
        compareCodeUnits(state.symbols[i] as string, state.symbols[j] as string);
      const up = [...perSymbol].filter(([, w]) => w.pnl > 0);
      up.sort(([i, x], [j, y]) => y.pnl - x.pnl || bySymbol(i, j));
      for (const [id, w] of up.slice(0, TOP_N)) winners.push(topEntry(state, id, asOf.get(id) as AsOfA, w, days));
      const down = [...perSymbol].filter(([, w]) => w.pnl < 0);
      down.sort(([i, x], [j, y]) => x.pnl - y.pnl || bySymbol(i, j));
      for (const [id, w] of down.slice(0, TOP_N)) losers.push(topEntry(state, id, asOf.get(id) as AsOfA, w, days));
    }

    windows[name] = {
      from: records[0]?.date ?? null,
      to: a,
      tradingDays: days,
      groups,
      sectors,
      topWinners: winners,
      topLosers: losers,
    };
  }

  return {
    schemaVersion: 1,
    methodologyVersion: 1,
    asOf: a,
    restated: false,
    restatedOn: null,
    windows,
    crowded: crowded(state, asOf),
    dataQuality: dataQuality(state),
  };
}
