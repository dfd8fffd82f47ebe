/**
 * Rules 7–10 read out of the engine state at its last day A: windows with group and sector figures,
 * top winners and losers, crowded shorts, and the data-quality section.
 *
 * The daily pipeline calls this for every day a pending split may restate (~10 a day), so it is
 * written for speed: symbol columns in typed arrays, one pass over the ring for the 1d, mtd and 30d
 * windows, bounded top-N selection instead of sorting the universe. Every sum still runs in the
 * order a plain per-window loop would use (days in date order, symbols by id), so the bits are the same.
 */

import { dataRecord, ownValue } from '../data-record.ts';
import type { Group, IsoDate, Tier, WindowName } from '../domain.ts';
import { GROUPS, TIERS, WINDOWS } from '../domain.ts';
import { exposureOf, implausibleShortInterest } from '../gates/plausibility.ts';
import type {
  CrowdedEntry,
  DataQuality,
  NetNewEntry,
  NetNewShorting,
  SnapshotWindow,
  TopEntry,
} from '../snapshot/schema.ts';
import { addDays } from './dates.ts';
import { inUniverse, RING, scratch, symbolDay } from './engine.ts';
import { addDay, type Breadth, emptySum, type FiguresSum, type GroupTable, groupDay, toFigures } from './figures.ts';
import { SECURITY_TYPES, type SecurityType } from './securities.ts';
import { describeFactor } from './splits.ts';
import { GROUP_MEMBERS, tierIndex } from './tiers.ts';
import { type DayRecord, type EngineState, MethodologyError, type SnapshotBody } from './types.ts';

const TOP_N = 10;
/** Rule 9(b) (v3): the groups whose own top lists are published (the headline's). */
const TOP_GROUPS = ['megaLarge', 'mid', 'smallMicroNano'] as const;
/**
 * Rule 9(b) (v3): the floor of average short interest over the window for the lists by P&L %: below it a
 * position is too small for its percentage to mean much (a $20,000 short that tripled is not news).
 */
export const TOP_PCT_MIN_AVG_SHORT_INTEREST = 5_000_000;
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

/**
 * The symbols priced on A and not held out by a pending split, in id order, with what the
 * symbol-level parts of the snapshot need to know about them as of A. Columns by position, not by
 * id: a full-market day has ~7,000 of them and every window reads them.
 */
interface AsOfA {
  count: number;
  id: Int32Array;
  /** Tier index as of A (rule 6), −1 when none. */
  tier: Int8Array;
  /** Index into state.sectors (its names are distinct), −1 when none. */
  sector: Int32Array;
  price: Float64Array;
  marketCap: Float64Array;
  /** SI(s, A), shares. */
  shortInterest: Float64Array;
}

/** Per-symbol sums over a window (rule 9) and compounded return (rule 8 decliningPct), by AsOfA position. */
interface WindowColumns {
  pnl: Float64Array;
  exposure: Float64Array;
  growth: Float64Array;
  /** 1 when priced on the day before `from` and on every day of the window. */
  eligible: Uint8Array;
}

function asOfA(state: EngineState, tA: number): AsOfA {
  const n = state.symbols.length;
  const sA = slotOf(tA);
  const sAp = slotOf(tA + RING - 1);
  const counted = tA >= 1;
  const { price, marketCap, shortInterest, sector, held } = state;
  const v3 = state.methodology === 3;
  let count = 0;
  for (let id = 0; id < n; id++) {
    if ((price[id * RING + sA] as number) > 0 && held[id] === -1 && inUniverse(state, id)) count++;
  }
  const out: AsOfA = {
    count,
    id: new Int32Array(count),
    tier: new Int8Array(count),
    sector: new Int32Array(count),
    price: new Float64Array(count),
    marketCap: new Float64Array(count),
    shortInterest: new Float64Array(count),
  };
  let k = 0;
  for (let id = 0; id < n; id++) {
    const b = id * RING;
    const p = price[b + sA] as number;
    if (!(p > 0) || held[id] !== -1 || !inUniverse(state, id)) continue;
    const m0 = counted ? (marketCap[b + sAp] as number) : 0;
    out.id[k] = id;
    // v3: the tier of the latest market cap on or before A (rule 6, S3's convention); before: of MC_{A−1}.
    out.tier[k] = v3 ? tierOfLastCap(state, id) : m0 > 0 ? tierIndex(m0) : -1;
    out.sector[k] = sector[b + sA] as number;
    out.price[k] = p;
    out.marketCap[k] = marketCap[b + sA] as number;
    // Rule 11(b): an implausible position counts as none (top lists, crowded candidates).
    const si = shortInterest[b + sA] as number;
    out.shortInterest[k] = implausibleShortInterest(si, marketCap[b + sA] as number, p) ? 0 : si;
    k++;
  }
  return out;
}

/** Rule 6 (v3): the tier of symbol `id`'s latest known market cap on or before A, −1 when never known. */
function tierOfLastCap(state: EngineState, id: number): number {
  const cap = state.lastCap?.[id] ?? 0;
  return cap > 0 ? tierIndex(cap) : -1;
}

/** Per symbol id: Σ pnl, Σ E and Σ N over a window (rules 5, 8), for v3's grouping by tier as of A. */
interface SymbolSums {
  pnl: Float64Array;
  exposure: Float64Array;
  netNew: Float64Array;
  /** Rule 13: N in shares, split-adjusted to A (each day's change, then × every later split factor). */
  netNewShares: Float64Array;
}

const symbolSums = (n: number): SymbolSums => ({
  pnl: new Float64Array(n),
  exposure: new Float64Array(n),
  netNew: new Float64Array(n),
  netNewShares: new Float64Array(n),
});

/**
 * Rule 8 (v3) over the ring's days `from` … `to`: each symbol's sums, every symbol in the universe (a stock
 * delisted during the window counts too), without the days a pending split holds out, the engine's
 * symbol-day expressions (so a day's sums over the symbols are its record's, up to the order of addition).
 */
function ringSymbolSums(state: EngineState, from: number, to: number): SymbolSums {
  const n = state.symbols.length;
  const out = symbolSums(n);
  const c = scratch();
  for (let id = 0; id < n; id++) {
    if (!inUniverse(state, id)) continue;
    const held = state.held[id] as number;
    const until = held === -1 ? to : Math.min(to, held - 1);
    let pnl = 0;
    let exposure = 0;
    let netNew = 0;
    let shares = 0;
    for (let j = from; j <= until; j++) {
      shares *= state.factor[id * RING + slotOf(j)] as number;
      if (!symbolDay(state, id, j, state.slotSettlement[slotOf(j - 1)] !== '', c)) continue;
      pnl += c.pnl;
      exposure += c.exposure;
      netNew += c.netNew;
      shares += c.netNewShares;
    }
    out.pnl[id] = pnl;
    out.exposure[id] = exposure;
    out.netNew[id] = netNew;
    out.netNewShares[id] = shares;
  }
  return out;
}

/** Year to date (v3): the engine's running sums per symbol. */
function ytdSymbolSums(state: EngineState): SymbolSums {
  const n = state.symbols.length;
  const out = symbolSums(n);
  for (let id = 0; id < n; id++) {
    if (!inUniverse(state, id)) continue;
    out.pnl[id] = state.ytdPnl[id] as number;
    out.exposure[id] = state.ytdExposure[id] as number;
    out.netNew[id] = state.ytdNetNew?.[id] ?? 0;
    out.netNewShares[id] = state.ytdNetNewShares?.[id] ?? 0;
  }
  return out;
}

/** v3 group and sector sums: each symbol's whole window in its tier and sector as of A (rules 6 and 8). */
interface AsOfSums {
  tiers: { pnl: number; exposure: number; netNew: number }[];
  sectors: Map<number, { pnl: number; exposure: number; netNew: number }>;
}

function sumsAsOfA(state: EngineState, sums: SymbolSums): AsOfSums {
  const tiers = TIERS.map(() => ({ pnl: 0, exposure: 0, netNew: 0 }));
  const sectors = new Map<number, { pnl: number; exposure: number; netNew: number }>();
  for (let id = 0; id < state.symbols.length; id++) {
    const pnl = sums.pnl[id] as number;
    const exposure = sums.exposure[id] as number;
    const netNew = sums.netNew[id] as number;
    if (pnl === 0 && exposure === 0 && netNew === 0) continue;
    const tier = tierOfLastCap(state, id);
    if (tier < 0) continue;
    const t = tiers[tier] as { pnl: number; exposure: number; netNew: number };
    t.pnl += pnl;
    t.exposure += exposure;
    t.netNew += netNew;
    const sector = state.lastSector?.[id] ?? -1;
    if (sector < 0) continue;
    let s = sectors.get(sector);
    if (!s) {
      s = { pnl: 0, exposure: 0, netNew: 0 };
      sectors.set(sector, s);
    }
    s.pnl += pnl;
    s.exposure += exposure;
    s.netNew += netNew;
  }
  return { tiers, sectors };
}

/**
 * Rule 8: a group's window sum from its day records; under v3 its P&L, exposure and net new shorting are
 * its member tiers' sums by tier as of A (`asOfSums`), its return stays the records' index.
 */
function groupWindowSum(records: readonly DayRecord[], g: Group, asOfSums: AsOfSums | null): FiguresSum {
  const sum = emptySum();
  for (const record of records) addDay(sum, groupDay(record, g));
  if (!asOfSums) return sum;
  const part = { pnl: 0, exposure: 0, netNew: 0 };
  for (const i of GROUP_MEMBERS[g]) {
    const t = asOfSums.tiers[i] as { pnl: number; exposure: number; netNew: number };
    part.pnl += t.pnl;
    part.exposure += t.exposure;
    part.netNew += t.netNew;
  }
  return withAsOf(sum, part);
}

/** A v2 window sum with v3's P&L, exposure and net new shorting in place of the day-tier ones (returnPct stays). */
function withAsOf(sum: FiguresSum, part: { pnl: number; exposure: number; netNew: number } | undefined): FiguresSum {
  return { ...sum, pnl: part?.pnl ?? 0, exposure: part?.exposure ?? 0, netNew: part?.netNew ?? 0 };
}

const windowColumns = (count: number): WindowColumns => ({
  pnl: new Float64Array(count),
  exposure: new Float64Array(count),
  growth: new Float64Array(count),
  eligible: new Uint8Array(count),
});

/**
 * Rule 8/9 sums over the ring's days `froms[i]` … `to` into `outs[i]`, for each tiered symbol of A:
 * one pass over the longest span reads each symbol-day once for all the windows, and each window
 * still adds its days in date order, so its sums are the ones a pass of its own would give.
 */
function ringWindows(
  state: EngineState,
  a: AsOfA,
  froms: readonly number[],
  to: number,
  outs: readonly WindowColumns[],
): void {
  const { price, marketCap, shortInterest, factor } = state;
  const m = froms.length;
  if (m === 0) return;
  const first = Math.min(...froms);
  const span = to - first + 2;
  // slots[j − first + 1] is the slot of accepted day j, for j = first − 1 … to.
  const slots = new Int32Array(span);
  for (let j = first - 1; j <= to; j++) slots[j - first + 1] = slotOf(j);
  // starts[i]: the step at which window i begins (step t covers day first − 1 + t).
  const starts = Int32Array.from(froms, (from) => from - first + 1);
  const pnl = new Float64Array(m);
  const exposureSum = new Float64Array(m);
  const growthProduct = new Float64Array(m);
  const eligible = new Uint8Array(m);
  for (let k = 0; k < a.count; k++) {
    if ((a.tier[k] as number) < 0) continue;
    const b = (a.id[k] as number) * RING;
    pnl.fill(0);
    exposureSum.fill(0);
    growthProduct.fill(1);
    eligible.fill(1);
    for (let t = 1; t < span; t++) {
      const b0 = b + (slots[t - 1] as number);
      const b1 = b + (slots[t] as number);
      const p0 = price[b0] as number;
      const p1 = price[b1] as number;
      if (!(p0 > 0 && p1 > 0)) {
        for (let i = 0; i < m; i++) if (t >= (starts[i] as number)) eligible[i] = 0;
        continue;
      }
      // Same expressions, in the same order, as the engine's day sums.
      const growth = (p1 / p0) * (factor[b1] as number);
      const m0 = marketCap[b0] as number;
      const si0 = shortInterest[b0] as number;
      const exposure = exposureOf(si0, m0, p0);
      for (let i = 0; i < m; i++) {
        if (t < (starts[i] as number)) continue;
        growthProduct[i] = (growthProduct[i] as number) * growth;
        if (!(m0 > 0)) continue;
        pnl[i] = (pnl[i] as number) - exposure * (growth - 1);
        exposureSum[i] = (exposureSum[i] as number) + exposure;
      }
    }
    for (let i = 0; i < m; i++) {
      const w = outs[i] as WindowColumns;
      w.pnl[k] = pnl[i] as number;
      w.exposure[k] = exposureSum[i] as number;
      w.growth[k] = growthProduct[i] as number;
      w.eligible[k] = eligible[i] as number;
    }
  }
}

/** Year to date: the engine's running sums (rule 7 ytd), read into the same columns. */
function ytdWindow(state: EngineState, a: AsOfA, w: WindowColumns): void {
  for (let k = 0; k < a.count; k++) {
    if ((a.tier[k] as number) < 0) continue;
    const id = a.id[k] as number;
    w.pnl[k] = state.ytdPnl[id] as number;
    w.exposure[k] = state.ytdExposure[id] as number;
    w.growth[k] = state.ytdGrowth[id] as number;
    w.eligible[k] = state.ytdEligible[id] === 1 ? 1 : 0;
  }
}

/**
 * The first `limit` positions in the order `before` defines (a strict total order), without sorting
 * them all: the same list as a full sort followed by a slice, in O(n · limit).
 */
function firstInOrder(
  count: number,
  accept: (k: number) => boolean,
  before: (i: number, j: number) => number,
  limit: number,
): number[] {
  const top: number[] = [];
  for (let k = 0; k < count; k++) {
    if (!accept(k)) continue;
    if (top.length === limit && before(k, top[limit - 1] as number) >= 0) continue;
    let at = top.length;
    while (at > 0 && before(k, top[at - 1] as number) < 0) at--;
    top.splice(at, 0, k);
    if (top.length > limit) top.pop();
  }
  return top;
}

function topEntry(state: EngineState, a: AsOfA, k: number, w: WindowColumns, days: number): TopEntry {
  const id = a.id[k] as number;
  const pnl = w.pnl[k] as number;
  const avg = (w.exposure[k] as number) / days;
  const price = a.price[k] as number;
  const marketCap = a.marketCap[k] as number;
  const shortInterest = a.shortInterest[k] as number;
  return {
    symbol: state.symbols[id] as string,
    name: state.names[id] as string,
    tier: TIERS[a.tier[k] as number] as Tier,
    sector: state.sectors[a.sector[k] as number] as string,
    pnlUsd: pnl,
    pnlPct: avg !== 0 ? (pnl / avg) * 100 : null,
    shortInterestUsd: shortInterest * price,
    shortInterestPctSharesOut: marketCap > 0 ? (shortInterest / (marketCap / price)) * 100 : null,
  };
}

/** Insertion-sorted runs, then merged: a cheap sort of a few thousand indices by a typed key. */
const RUN = 16;

/** Indices 0 … n−1 ordered by ascending `values` (ties in either order: they share a rank). */
function orderByValue(values: Float64Array): Int32Array {
  const n = values.length;
  let order = new Int32Array(n);
  let spare = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let start = 0; start < n; start += RUN) {
    const end = Math.min(start + RUN, n);
    for (let i = start + 1; i < end; i++) {
      const x = order[i] as number;
      const v = values[x] as number;
      let j = i - 1;
      while (j >= start && (values[order[j] as number] as number) > v) {
        order[j + 1] = order[j] as number;
        j--;
      }
      order[j + 1] = x;
    }
  }
  for (let width = RUN; width < n; width *= 2) {
    for (let start = 0; start < n; start += 2 * width) {
      const mid = Math.min(start + width, n);
      const end = Math.min(start + 2 * width, n);
      let i = start;
      let j = mid;
      let k = start;
      while (i < mid && j < end) {
        const x = order[i] as number;
        const y = order[j] as number;
        if ((values[y] as number) < (values[x] as number)) {
          spare[k++] = y;
          j++;
        } else {
          spare[k++] = x;
          i++;
        }
      }
      while (i < mid) spare[k++] = order[i++] as number;
      while (j < end) spare[k++] = order[j++] as number;
    }
    const swap = order;
    order = spare;
    spare = swap;
  }
  return order;
}

/**
 * Rule 10 ranks: ascending, ties get the average of the ranks they span (1-based). The values are
 * finite (candidates have a positive price, MC, SI and ADV20), so `<` orders them totally and a tie
 * group is a run of equal values in that order.
 */
function averageRanks(values: Float64Array): Float64Array {
  const order = orderByValue(values);
  const n = values.length;
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    const v = values[order[i] as number] as number;
    let j = i;
    while (j + 1 < n && values[order[j + 1] as number] === v) j++;
    // Ranks i+1 … j+1 shared: their mean, kept as a multiple of 1/2 exactly.
    const rank = (i + 1 + (j + 1)) / 2;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = rank;
    i = j + 1;
  }
  return ranks;
}

function crowded(state: EngineState, a: AsOfA): CrowdedEntry[] {
  const tA = state.dayCount - 1;
  const date = state.lastDate as string;
  // B: the last accepted day ≤ A − 30 calendar days, if the ring (or the data) reaches it.
  const limit = addDays(date, -30);
  let tB = -1;
  for (let j = tA - 1; j >= Math.max(0, tA - RING + 1); j--) {
    if ((state.slotDate[slotOf(j)] as string) <= limit) {
      tB = j;
      break;
    }
  }
  const volumeSlots: number[] = [];
  for (let j = tA; j > tA - VOLUME_DAYS && j >= 0; j--) volumeSlots.push(slotOf(j));
  const factorSlots: number[] = [];
  if (tB >= 0) for (let j = tB + 1; j <= tA; j++) factorSlots.push(slotOf(j));
  const { volume, factor } = state;

  // Candidate columns, filled up to n (at most every symbol of A is a candidate).
  const pos = new Int32Array(a.count);
  const pctAll = new Float64Array(a.count);
  const dtcAll = new Float64Array(a.count);
  const usdAll = new Float64Array(a.count);
  const changeList: (number | null)[] = [];
  // v2: days to cover from FINRA's own average daily volume (all venues) when its file gives one.
  const v2 = state.methodology !== undefined;
  const fromFinra = new Uint8Array(a.count);
  let n = 0;
  for (let k = 0; k < a.count; k++) {
    const marketCap = a.marketCap[k] as number;
    const si = a.shortInterest[k] as number;
    if (!(marketCap >= CROWDED_MIN_CAP) || !(si > 0)) continue;
    const b = (a.id[k] as number) * RING;
    let positive = 0;
    let total = 0;
    for (const s of volumeSlots) {
      const v = volume[b + s] as number;
      if (v > 0) {
        positive++;
        total += v;
      }
    }
    if (positive < VOLUME_MIN_DAYS) continue;
    const price = a.price[k] as number;
    let change: number | null = null;
    if (tB >= 0) {
      let then = state.shortInterest[b + slotOf(tB)] as number;
      if (then !== 0) {
        for (const s of factorSlots) then *= factor[b + s] as number;
        change = (si / then - 1) * 100;
      }
    }
    pos[n] = k;
    pctAll[n] = (si / (marketCap / price)) * 100;
    const finraAdv = v2 ? (state.finraAdv[a.id[k] as number] as number) : 0;
    fromFinra[n] = finraAdv > 0 ? 1 : 0;
    dtcAll[n] = si / (finraAdv > 0 ? finraAdv : total / positive);
    usdAll[n] = si * price;
    changeList.push(change);
    n++;
  }
  const pct = pctAll.subarray(0, n);
  const dtc = dtcAll.subarray(0, n);
  const usd = usdAll.subarray(0, n);
  const r1 = averageRanks(pct);
  const r2 = averageRanks(dtc);
  const r3 = averageRanks(usd);
  const tenths = new Float64Array(n);
  if (n > 1) {
    for (let i = 0; i < n; i++) {
      // score = 100 · mean((rank−1)/(n−1)) = 100 · S / (3(n−1)), S = Σ(rank−1), a multiple of 1/2. In tenths:
      // 1000 · 2S / (6(n−1)), rounded half up with integers so no binary fraction decides a tie.
      const twiceS = 2 * ((r1[i] as number) - 1 + ((r2[i] as number) - 1) + ((r3[i] as number) - 1));
      const num = 1000 * twiceS;
      const den = 6 * (n - 1);
      tenths[i] = Math.floor((2 * num + den) / (2 * den));
    }
  }
  const symbolOf = (i: number) => state.symbols[a.id[pos[i] as number] as number] as string;
  const order = firstInOrder(
    n,
    () => true,
    (x, y) =>
      (tenths[y] as number) - (tenths[x] as number) ||
      (usd[y] as number) - (usd[x] as number) ||
      compareCodeUnits(symbolOf(x), symbolOf(y)),
    CROWDED_N,
  );
  return order.map((i) => {
    const k = pos[i] as number;
    const id = a.id[k] as number;
    const tier = a.tier[k] as number;
    return {
      symbol: state.symbols[id] as string,
      name: state.names[id] as string,
      // Tier as of A (rule 6); a candidate without MC_{A−1} shows the tier of MC_A (decision).
      tier: TIERS[tier >= 0 ? tier : tierIndex(a.marketCap[k] as number)] as Tier,
      sector: state.sectors[a.sector[k] as number] as string,
      score: (tenths[i] as number) / 10,
      shortInterestUsd: usd[i] as number,
      shortInterestPctSharesOut: pct[i] as number,
      daysToCover: dtc[i] as number,
      shortInterestChange30dPct: changeList[i] as number | null,
      // v2: what the score is made of, each metric's rank as (rank − 1) / (n − 1), and where days to cover
      // came from (issue 11).
      ...(v2
        ? {
            daysToCoverSource: fromFinra[i] === 1 ? ('finra' as const) : ('screener' as const),
            scoreComponents: {
              shortInterestPctSharesOut: n > 1 ? ((r1[i] as number) - 1) / (n - 1) : 0,
              daysToCover: n > 1 ? ((r2[i] as number) - 1) / (n - 1) : 0,
              shortInterestUsd: n > 1 ? ((r3[i] as number) - 1) / (n - 1) : 0,
            },
          }
        : {}),
    };
  });
}

/**
 * Rule 13 (v3): per group (tier as of A), the ten stocks with the largest Σ N > 0 over the window (shorts
 * adding) and the ten with the most negative (covering), ties by symbol; among the stocks listed on A with a
 * tier as of A, as rule 9's lists.
 */
function netNewShorting(
  state: EngineState,
  a: AsOfA,
  sums: SymbolSums,
  fromSettlement: string,
  toSettlement: string,
): NetNewShorting {
  const bySymbol = (i: number, j: number) =>
    compareCodeUnits(state.symbols[a.id[i] as number] as string, state.symbols[a.id[j] as number] as string);
  const n = (k: number) => sums.netNew[a.id[k] as number] as number;
  const entry = (k: number): NetNewEntry => {
    const id = a.id[k] as number;
    const price = a.price[k] as number;
    const marketCap = a.marketCap[k] as number;
    const si = a.shortInterest[k] as number;
    const change = sums.netNewShares[id] as number;
    const before = si - change;
    return {
      symbol: state.symbols[id] as string,
      name: state.names[id] as string,
      tier: TIERS[a.tier[k] as number] as Tier,
      sector: state.sectors[a.sector[k] as number] as string,
      netNewShortingUsd: sums.netNew[id] as number,
      changeShares: change,
      changePctSharesOut: marketCap > 0 ? (change / (marketCap / price)) * 100 : null,
      changePctPrevious: before > 0 ? (change / before) * 100 : null,
      shortInterestShares: si,
      shortInterestUsd: si * price,
    };
  };
  const groups = {} as NetNewShorting['groups'];
  for (const g of GROUPS as readonly Group[]) {
    const members = GROUP_MEMBERS[g];
    const inGroup = (k: number) => members.includes(a.tier[k] as number);
    const adding = firstInOrder(
      a.count,
      (k) => inGroup(k) && n(k) > 0,
      (i, j) => n(j) - n(i) || bySymbol(i, j),
      TOP_N,
    );
    const covering = firstInOrder(
      a.count,
      (k) => inGroup(k) && n(k) < 0,
      (i, j) => n(i) - n(j) || bySymbol(i, j),
      TOP_N,
    );
    groups[g] = { adding: adding.map(entry), covering: covering.map(entry) };
  }
  return {
    fromSettlement: fromSettlement === '' ? null : fromSettlement,
    toSettlement: toSettlement === '' ? null : toSettlement,
    groups,
  };
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

/** Rule 12 (v2): the listings priced on A by type; only `common` and `adr` enter the figures. */
function securityTypeCounts(state: EngineState): Record<SecurityType, number> {
  const counts = Object.fromEntries(SECURITY_TYPES.map((t) => [t, 0])) as Record<SecurityType, number>;
  if (state.dayCount === 0) return counts;
  const sA = slotOf(state.dayCount - 1);
  for (let id = 0; id < state.symbols.length; id++) {
    if (!((state.price[id * RING + sA] as number) > 0)) continue;
    const t = SECURITY_TYPES[state.securityType[id] as number];
    if (t !== undefined) counts[t]++;
  }
  return counts;
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
  // Every rule 2 rejection recorded, those after A included: a stale or invalid file after the last
  // accepted day is why the snapshot is not newer (issue 10). `--as-of` never reads later files.
  const rejectedDays = state.rejectedDays
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
    ...(state.methodology !== undefined ? { securityTypes: securityTypeCounts(state) } : {}),
    ...(state.methodology === 3 && state.join ? { shortInterestJoin: state.join } : {}),
    quarantined: state.quarantined
      .map((q) => ({ date: q.date, symbol: q.symbol, file: q.file, field: q.field, rule: q.rule, reason: q.reason }))
      .sort(
        (x, y) =>
          compareCodeUnits(x.date, y.date) || compareCodeUnits(x.symbol, y.symbol) || compareCodeUnits(x.rule, y.rule),
      ),
  };
  return dq;
}

/** Rule 8 `symbols`: symbols with E > 0 on A, by tier and by sector as of A. */
function symbolCounts(state: EngineState, asOf: AsOfA, counted: boolean, sAp: number, sectorCount: number) {
  const symbolsByTier = TIERS.map(() => 0);
  const symbolsBySector = new Int32Array(sectorCount);
  if (counted) {
    for (let k = 0; k < asOf.count; k++) {
      const tier = asOf.tier[k] as number;
      if (tier < 0) continue;
      const b = (asOf.id[k] as number) * RING;
      const si0 = state.shortInterest[b + sAp] as number;
      const p0 = state.price[b + sAp] as number;
      const exposure = exposureOf(si0, state.marketCap[b + sAp] as number, p0);
      if (exposure > 0) {
        symbolsByTier[tier] = (symbolsByTier[tier] as number) + 1;
        const sector = asOf.sector[k] as number;
        if (sector >= 0) symbolsBySector[sector] = (symbolsBySector[sector] as number) + 1;
      }
    }
  }
  return { symbolsByTier, symbolsBySector };
}

/**
 * The 1d window's group figures that the sanity gates read, for the state's last day, as `snapshotAt`
 * computes them (the same sums in the same order) without the rest of the snapshot: cheap enough for
 * `pulse build` to gate every day it folds (issue 17). `tiers[i]` is null when the window has no counted day.
 */
export function oneDayFigures(state: EngineState): {
  tradingDays: number;
  tiers: ({ pnl: number; exposure: number } | null)[];
  totalExposure: number | null;
  totalSymbols: number;
} {
  const tA = state.dayCount - 1;
  const a = state.lastDate as string;
  const counted = tA >= 1;
  const totalSymbols = exposedSymbols(state, tA, counted);
  const records = state.days.slice(counted ? windowStart(state.days, a, '1d') : state.days.length);
  if (records.length === 0) return { tradingDays: 0, tiers: TIERS.map(() => null), totalExposure: null, totalSymbols };
  const asOfSums = state.methodology === 3 ? { tiers: tierSumsOfDay(state, tA), sectors: new Map() } : null;
  const groupSum = (g: Group) => {
    const sum = groupWindowSum(records, g, asOfSums);
    return { pnl: sum.pnl, exposure: sum.exposure / sum.days };
  };
  return {
    tradingDays: records.length,
    tiers: TIERS.map((t) => groupSum(t as Group)),
    totalExposure: groupSum('total').exposure,
    totalSymbols,
  };
}

/**
 * Σ of `symbolCounts(state, asOfA(state, tA), counted, …).symbolsByTier`, counted without building `asOfA`'s
 * columns (`pulse build` gates every day; issue 16): the symbols priced on A, not held out, in the universe,
 * with a tier as of A and an exposure on the day before.
 */
function exposedSymbols(state: EngineState, tA: number, counted: boolean): number {
  if (!counted) return 0;
  const sA = slotOf(tA);
  const sAp = slotOf(tA + RING - 1);
  const { price, marketCap, shortInterest, held } = state;
  const v3 = state.methodology === 3;
  let count = 0;
  for (let id = 0; id < state.symbols.length; id++) {
    const b = id * RING;
    if (!((price[b + sA] as number) > 0) || held[id] !== -1 || !inUniverse(state, id)) continue;
    const m0 = marketCap[b + sAp] as number;
    const tier = v3 ? tierOfLastCap(state, id) : m0 > 0 ? tierIndex(m0) : -1;
    if (tier < 0) continue;
    if (exposureOf(shortInterest[b + sAp] as number, m0, price[b + sAp] as number) > 0) count++;
  }
  return count;
}

/**
 * `sumsAsOfA(state, ringSymbolSums(state, tA, tA)).tiers` without the per-symbol columns: the same symbol-day
 * values added to their tier as of A in the same (id) order, so the same sums to the last bit.
 */
function tierSumsOfDay(state: EngineState, tA: number): { pnl: number; exposure: number; netNew: number }[] {
  const tiers = TIERS.map(() => ({ pnl: 0, exposure: 0, netNew: 0 }));
  const c = scratch();
  const hadFile = state.slotSettlement[slotOf(tA - 1)] !== '';
  for (let id = 0; id < state.symbols.length; id++) {
    if (!inUniverse(state, id)) continue;
    const held = state.held[id] as number;
    const until = held === -1 ? tA : Math.min(tA, held - 1);
    let pnl = 0;
    let exposure = 0;
    let netNew = 0;
    if (tA <= until && symbolDay(state, id, tA, hadFile, c)) {
      pnl += c.pnl;
      exposure += c.exposure;
      netNew += c.netNew;
    }
    if (pnl === 0 && exposure === 0 && netNew === 0) continue;
    const tier = tierOfLastCap(state, id);
    if (tier < 0) continue;
    const t = tiers[tier] as { pnl: number; exposure: number; netNew: number };
    t.pnl += pnl;
    t.exposure += exposure;
    t.netNew += netNew;
  }
  return tiers;
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
  const counted = tA >= 1;
  const sAp = slotOf(tA + RING - 1);

  // Symbols with a valid price on A and not held out by a pending split (decision "pending splits").
  const asOf = asOfA(state, tA);
  const count = asOf.count;
  const sectorCount = state.sectors.length;
  const sectorIndex = new Map<string, number>();
  state.sectors.forEach((name, i) => {
    sectorIndex.set(name, i);
  });

  // Rule 8 `symbols`: E > 0 on A, by tier and sector as of A (the same in every window).
  const { symbolsByTier, symbolsBySector } = symbolCounts(state, asOf, counted, sAp, sectorCount);

  // Rule 7: each window's counted days, a suffix of the records.
  const spans = WINDOWS.map((name) => {
    const records = state.days.slice(counted ? windowStart(state.days, a, name) : state.days.length);
    const days = records.length;
    if (days > 0 && name !== 'ytd' && days > RING - 1) {
      throw new MethodologyError(`internal: window ${name} has ${days} days, more than the engine keeps`, { date: a });
    }
    return { name, records, days, from: tA - days + 1 };
  });

  // Per-symbol window figures (rules 8 and 9) for symbols priced on A with a tier as of A.
  // Windows that start on the same day (often mtd and 30d) share their columns.
  const byFrom = new Map<number, WindowColumns>();
  const columns = spans.map(({ name, days, from }) => {
    if (days === 0 || name === 'ytd') return windowColumns(count);
    let c = byFrom.get(from);
    if (c === undefined) {
      c = windowColumns(count);
      byFrom.set(from, c);
    }
    return c;
  });
  ringWindows(state, asOf, [...byFrom.keys()], tA, [...byFrom.values()]);
  const tiered = (k: number) => (asOf.tier[k] as number) >= 0;
  const bySymbol = (i: number, j: number) =>
    compareCodeUnits(state.symbols[asOf.id[i] as number] as string, state.symbols[asOf.id[j] as number] as string);

  const v3 = state.methodology === 3;
  const windows = {} as Record<WindowName, SnapshotWindow>;
  spans.forEach(({ name, records, days, from }, index) => {
    const w = columns[index] as WindowColumns;
    if (days > 0 && name === 'ytd') ytdWindow(state, asOf, w);
    // v3 (rules 6 and 8): each symbol's whole window in its tier and sector as of A.
    const symbolWindow =
      v3 && days > 0 ? (name === 'ytd' ? ytdSymbolSums(state) : ringSymbolSums(state, from, tA)) : null;
    const asOfSums = symbolWindow ? sumsAsOfA(state, symbolWindow) : null;

    const breadthTier = TIERS.map(() => ({ eligible: 0, declining: 0 }));
    const sectorEligible = new Int32Array(sectorCount);
    const sectorDeclining = new Int32Array(sectorCount);
    if (days > 0) {
      for (let k = 0; k < count; k++) {
        const tier = asOf.tier[k] as number;
        if (tier < 0 || w.eligible[k] === 0) continue;
        const declining = (w.growth[k] as number) < 1 ? 1 : 0;
        const bt = breadthTier[tier] as { eligible: number; declining: number };
        bt.eligible++;
        bt.declining += declining;
        const sector = asOf.sector[k] as number;
        if (sector < 0) continue;
        sectorEligible[sector] = (sectorEligible[sector] as number) + 1;
        sectorDeclining[sector] = (sectorDeclining[sector] as number) + declining;
      }
    }

    const groups = {} as GroupTable;
    for (const g of GROUPS as readonly Group[]) {
      const sum = groupWindowSum(records, g, asOfSums);
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
    if (asOfSums) {
      for (const k of asOfSums.sectors.keys()) {
        const sector = state.sectors[k] as string;
        if (!sectorSums.has(sector)) sectorSums.set(sector, emptySum());
      }
      // v3: a sector whose only shorted stock had no tier on its day still lists it in `symbols`.
      symbolsBySector.forEach((n, k) => {
        const sector = state.sectors[k] as string;
        if (n > 0 && !sectorSums.has(sector)) sectorSums.set(sector, emptySum());
      });
    }
    const sectors: SnapshotWindow['sectors'] = dataRecord();
    for (const sector of [...sectorSums.keys()].sort(compareCodeUnits)) {
      const sum = sectorSums.get(sector) as FiguresSum;
      // A day without the sector still counts in its average (tradingDays is the window's). A record
      // read back from a JSON checkpoint is a plain object: `toString` must not find Object.prototype's.
      for (const record of records) addDay(sum, ownValue(record.sectors, sector) ?? NO_SYMBOLS);
      const i = sectorIndex.get(sector);
      if (asOfSums) Object.assign(sum, withAsOf(sum, i === undefined ? undefined : asOfSums.sectors.get(i)));
      sectors[sector] = toFigures(sum, {
        eligible: i === undefined ? 0 : (sectorEligible[i] as number),
        declining: i === undefined ? 0 : (sectorDeclining[i] as number),
        symbols: i === undefined ? 0 : (symbolsBySector[i] as number),
      });
    }

    // Rule 9: the first TOP_N of the full order (pnl, then symbol), found without sorting everyone.
    const winners: TopEntry[] = [];
    const losers: TopEntry[] = [];
    if (days > 0) {
      const pnl = w.pnl;
      const up = firstInOrder(
        count,
        (k) => tiered(k) && (pnl[k] as number) > 0,
        (i, j) => (pnl[j] as number) - (pnl[i] as number) || bySymbol(i, j),
        TOP_N,
      );
      for (const k of up) winners.push(topEntry(state, asOf, k, w, days));
      const down = firstInOrder(
        count,
        (k) => tiered(k) && (pnl[k] as number) < 0,
        (i, j) => (pnl[i] as number) - (pnl[j] as number) || bySymbol(i, j),
        TOP_N,
      );
      for (const k of down) losers.push(topEntry(state, asOf, k, w, days));
    }

    // Rule 9(b) (v3): the same lists within each headline group, and by P&L % of exposure above a floor.
    const byGroup = {} as NonNullable<SnapshotWindow['topByGroup']>;
    const byPct = { winners: [] as TopEntry[], losers: [] as TopEntry[] };
    if (v3 && days > 0) {
      const pnl = w.pnl;
      for (const g of TOP_GROUPS) {
        const members = GROUP_MEMBERS[g];
        const inGroup = (k: number) => members.includes(asOf.tier[k] as number);
        const up = firstInOrder(
          count,
          (k) => inGroup(k) && (pnl[k] as number) > 0,
          (i, j) => (pnl[j] as number) - (pnl[i] as number) || bySymbol(i, j),
          TOP_N,
        );
        const down = firstInOrder(
          count,
          (k) => inGroup(k) && (pnl[k] as number) < 0,
          (i, j) => (pnl[i] as number) - (pnl[j] as number) || bySymbol(i, j),
          TOP_N,
        );
        byGroup[g] = {
          winners: up.map((k) => topEntry(state, asOf, k, w, days)),
          losers: down.map((k) => topEntry(state, asOf, k, w, days)),
        };
      }
      // P&L % = Σ pnl / (Σ E / days) · 100 among stocks whose average short interest reaches the floor.
      const pct = new Float64Array(count);
      for (let k = 0; k < count; k++) {
        const avg = (w.exposure[k] as number) / days;
        pct[k] = avg >= TOP_PCT_MIN_AVG_SHORT_INTEREST ? ((pnl[k] as number) / avg) * 100 : 0;
      }
      const upPct = firstInOrder(
        count,
        (k) => tiered(k) && (pct[k] as number) > 0,
        (i, j) => (pct[j] as number) - (pct[i] as number) || bySymbol(i, j),
        TOP_N,
      );
      const downPct = firstInOrder(
        count,
        (k) => tiered(k) && (pct[k] as number) < 0,
        (i, j) => (pct[i] as number) - (pct[j] as number) || bySymbol(i, j),
        TOP_N,
      );
      byPct.winners = upPct.map((k) => topEntry(state, asOf, k, w, days));
      byPct.losers = downPct.map((k) => topEntry(state, asOf, k, w, days));
    } else if (v3) {
      for (const g of TOP_GROUPS) byGroup[g] = { winners: [], losers: [] };
    }

    windows[name] = {
      from: records[0]?.date ?? null,
      to: a,
      tradingDays: days,
      groups,
      sectors,
      topWinners: winners,
      topLosers: losers,
      ...(v3
        ? { topByGroup: byGroup, topByPct: { minAvgShortInterestUsd: TOP_PCT_MIN_AVG_SHORT_INTEREST, ...byPct } }
        : {}),
      // Rule 13 (v3): absent from v1 and v2 snapshots. The file in effect on the day before the window
      // (for ytd, kept by the engine) and on A; a window without counted days compares nothing.
      ...(v3
        ? {
            netNewShorting: netNewShorting(
              state,
              asOf,
              symbolWindow ?? symbolSums(state.symbols.length),
              days === 0
                ? (state.slotSettlement[slotOf(tA)] ?? '')
                : name === 'ytd'
                  ? (state.ytdBaseSettlement ?? '')
                  : (state.slotSettlement[slotOf(from - 1)] ?? ''),
              state.slotSettlement[slotOf(tA)] ?? '',
            ),
          }
        : {}),
    };
  });

  return {
    schemaVersion: 1,
    methodologyVersion: state.methodology ?? 1,
    asOf: a,
    restated: false,
    restatedOn: null,
    windows,
    crowded: crowded(state, asOf),
    dataQuality: dataQuality(state),
  };
}
