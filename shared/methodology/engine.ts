/**
 * The day-by-day engine: `stepDay` folds one accepted trading day into the state (rules 1 and 3–6)
 * and records the day's aggregates; `snapshot.ts` reads windows out of the state (rules 7–10). The
 * batch (`buildSnapshot`) and the daily pipeline run this same code, so they agree.
 *
 * Cost per day is O(symbols) with small constants: no sorting and no per-day copy. `stepDay`
 * CONSUMES its input state (it mutates and returns it); a caller that needs the previous state calls
 * `cloneState` first.
 */
import { dataRecord } from '../data-record.ts';
import type { IsoDate, PriceDay, ShortInterestFile, SplitOverride } from '../domain.ts';
import { TIERS } from '../domain.ts';
import { isPreviousSettlement } from '../formats/finra-short-interest.ts';
import {
  exposureOf,
  implausibleMove,
  implausibleShortInterest,
  PLAUSIBILITY,
  plausibleOverride,
} from '../gates/plausibility.ts';
import { type DayRejection, isValidPrice, rejectionReason } from './classify.ts';
import { addDays } from './dates.ts';
import { finraKeyOf, joinStats, type Universe, universeOf } from './join.ts';
import { COUNTED_TYPES, classifySecurity, SECURITY_TYPES } from './securities.ts';
import { CONFIRM_DAYS, flaggedFactor, lookBackShares, ruleA, ruleB } from './splits.ts';
import { sectorName, tierIndex } from './tiers.ts';
import {
  type DayFigures,
  type DayRecord,
  type EngineState,
  type LookaheadDay,
  MethodologyError,
  type MethodologyVersion,
  type QuarantineEvent,
  type StepContext,
  type StepResult,
  type TierDayFigures,
} from './types.ts';

/** Accepted days kept per symbol (see EngineState). */
export const RING = 24;

/**
 * A new state for methodology `methodology` (default 3, the published one; 2 and 1 reproduce v2 and v1
 * exactly). The version travels with the state, so a checkpointed run continues under the rules it started with.
 */
export function initialState(methodology: MethodologyVersion = 3): EngineState {
  return {
    version: 1,
    ...(methodology !== 1 ? { methodology } : {}),
    ...(methodology === 3
      ? { ytdNetNew: [], ytdNetNewShares: [], ytdBaseSettlement: '', lastCap: [], lastSector: [], recentSymbols: [] }
      : {}),
    dayCount: 0,
    lastDate: null,
    lastSymbols: 0,
    slotDate: new Array<string>(RING).fill(''),
    slotSettlement: new Array<string>(RING).fill(''),
    symbols: [],
    names: [],
    held: [],
    securityType: [],
    finraAdv: [],
    ytdPnl: [],
    ytdExposure: [],
    ytdGrowth: [],
    ytdEligible: [],
    price: [],
    marketCap: [],
    volume: [],
    factor: [],
    shortInterest: [],
    sector: [],
    sectors: [],
    days: [],
    splits: [],
    pending: [],
    rejectedDays: [],
    quarantined: [],
  };
}

/** An independent copy (records and list entries are never modified in place, so they are shared). */
export function cloneState(state: EngineState): EngineState {
  const copy: EngineState = {
    ...state,
    slotDate: state.slotDate.slice(),
    slotSettlement: state.slotSettlement.slice(),
    symbols: state.symbols.slice(),
    names: state.names.slice(),
    held: state.held.slice(),
    securityType: state.securityType.slice(),
    finraAdv: state.finraAdv.slice(),
    ytdPnl: state.ytdPnl.slice(),
    ytdExposure: state.ytdExposure.slice(),
    ytdGrowth: state.ytdGrowth.slice(),
    ytdEligible: state.ytdEligible.slice(),
    price: state.price.slice(),
    marketCap: state.marketCap.slice(),
    volume: state.volume.slice(),
    factor: state.factor.slice(),
    shortInterest: state.shortInterest.slice(),
    sector: state.sector.slice(),
    sectors: state.sectors.slice(),
    days: state.days.slice(),
    splits: state.splits.slice(),
    pending: state.pending.slice(),
    rejectedDays: state.rejectedDays.slice(),
    quarantined: state.quarantined.slice(),
  };
  if (state.ytdNetNew) copy.ytdNetNew = state.ytdNetNew.slice();
  if (state.ytdNetNewShares) copy.ytdNetNewShares = state.ytdNetNewShares.slice();
  if (state.lastCap) copy.lastCap = state.lastCap.slice();
  if (state.lastSector) copy.lastSector = state.lastSector.slice();
  if (state.recentSymbols) copy.recentSymbols = state.recentSymbols.slice();
  const index = symbolIndexCache.get(state);
  if (index && index.size === state.symbols.length) symbolIndexCache.set(copy, new Map(index));
  return copy;
}

/**
 * symbol → id. Derived data, so it is not part of the serialisable state: rebuilt after a JSON
 * round trip, kept in step as ids are added.
 */
const symbolIndexCache = new WeakMap<EngineState, Map<string, number>>();

export function symbolIndex(state: EngineState): Map<string, number> {
  let index = symbolIndexCache.get(state);
  if (!index || index.size !== state.symbols.length) {
    index = new Map();
    for (let id = 0; id < state.symbols.length; id++) index.set(state.symbols[id] as string, id);
    symbolIndexCache.set(state, index);
  }
  return index;
}

const slotOf = (index: number): number => index % RING;

/** A later accepted day's share counts (rule 3b), from its snapshot. */
export function lookaheadDay(day: PriceDay): LookaheadDay {
  const sharesOutstanding = new Map<string, number>();
  for (const row of day.rows) {
    const mc = row.marketCap;
    if (isValidPrice(row.price) && mc !== null && mc > 0 && !sharesOutstanding.has(row.symbol)) {
      sharesOutstanding.set(row.symbol, mc / row.price);
    }
  }
  return { date: day.date, sharesOutstanding };
}

/** The file in effect on `date` (rule 4): the latest settlement date ≤ date. */
export function fileInEffect(files: readonly ShortInterestFile[], date: IsoDate): ShortInterestFile | null {
  let best: ShortInterestFile | null = null;
  for (const f of files) {
    if (f.settlementDate <= date && (best === null || f.settlementDate > best.settlementDate)) best = f;
  }
  return best;
}

/**
 * Rule 3(d) (v3): the FINRA file of the cycle that holds `date` — the first settlement date on or after it
 * whose previous settlement (FINRA's calendar: `isPreviousSettlement`) is before it — and
 * that previous date ('' when none is known). Null when no such file is known yet.
 */
export function cycleFile(
  files: readonly ShortInterestFile[],
  date: IsoDate,
): { file: ShortInterestFile; previous: IsoDate } | null {
  let next: ShortInterestFile | null = null;
  let previous = '';
  for (const f of files) {
    if (f.settlementDate >= date) {
      if (next === null || f.settlementDate < next.settlementDate) next = f;
    } else if (f.settlementDate > previous) previous = f.settlementDate;
  }
  if (next === null) return null;
  if (previous !== '' && !isPreviousSettlement(previous, next.settlementDate)) return null;
  // Without a known previous settlement the cycle is FINRA's half month at most: a file further on is a
  // later cycle's (the one holding `date` is missing), whose S flags say nothing of this day.
  if (previous === '' && addDays(date, FIRST_CYCLE_DAYS) < next.settlementDate) return null;
  return { file: next, previous };
}

/** The longest span from a day to the settlement date closing its cycle (the 15th or the month's last day). */
const FIRST_CYCLE_DAYS = 16;

/** Whether symbol `symbol` already has a split after `after` (rule 3(d): one split per flagged cycle). */
function splitSince(state: EngineState, symbol: string, after: IsoDate): boolean {
  for (let i = state.splits.length - 1; i >= 0; i--) {
    const s = state.splits[i];
    if (s && s.symbol === symbol && s.date > after) return true;
  }
  return false;
}

function fileBySettlement(files: readonly ShortInterestFile[], settlement: IsoDate): ShortInterestFile | null {
  if (settlement === '') return null;
  for (const f of files) if (f.settlementDate === settlement) return f;
  return null;
}

/**
 * Row → symbol id (−1 for a symbol the state has not seen, or a row without a valid price), memoised
 * per day object and state so `classifyDay` followed by `stepDay` looks each symbol up once.
 */
const rowIdsCache = new WeakMap<PriceDay, { state: EngineState; known: number; ids: Int32Array }>();

function rowIds(state: EngineState, day: PriceDay): Int32Array {
  const hit = rowIdsCache.get(day);
  if (hit && hit.state === state && hit.known === state.symbols.length) return hit.ids;
  const index = symbolIndex(state);
  const ids = new Int32Array(day.rows.length);
  for (let i = 0; i < day.rows.length; i++) {
    const row = day.rows[i] as PriceDay['rows'][number];
    ids[i] = isValidPrice(row.price) ? (index.get(row.symbol) ?? -1) : -1;
  }
  rowIdsCache.set(day, { state, known: state.symbols.length, ids });
  return ids;
}

/** Whether the day prices a symbol the state has never seen (one lookup per row, shared with `classifyDay`). */
export function hasUnseenSymbol(state: EngineState, day: PriceDay): boolean {
  const ids = rowIds(state, day);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === -1 && isValidPrice((day.rows[i] as PriceDay['rows'][number]).price)) return true;
  }
  return false;
}

/**
 * Rule 2 for the next candidate day against the state's last accepted day: the rejection reason,
 * or null when it is a trading day. Does not modify the state.
 */
export function classifyDay(state: EngineState, day: PriceDay): string | null {
  const ids = rowIds(state, day);
  const last = state.dayCount > 0 ? slotOf(state.dayCount - 1) : -1;
  let symbols = 0;
  let unchanged = 0;
  for (let i = 0; i < ids.length; i++) {
    const row = day.rows[i] as PriceDay['rows'][number];
    if (!isValidPrice(row.price)) continue;
    symbols++;
    const id = ids[i] as number;
    if (last >= 0 && id >= 0 && state.price[id * RING + last] === row.price) unchanged++;
  }
  const previous = state.lastDate === null ? null : { date: state.lastDate, symbols: state.lastSymbols };
  // Rule 2 (v3): the partial-day test compares with the median of the last accepted days' counts, so one
  // day with half again as many listings does not make every normal day after it look partial (issue 17).
  const recent = state.recentSymbols;
  if (previous !== null && recent && recent.length > 0) {
    const reference = median(recent);
    return rejectionReason(day.date, symbols, previous, unchanged, {
      symbols: reference,
      label: `the median ${reference} of the last ${recent.length} accepted days`,
    });
  }
  return rejectionReason(day.date, symbols, previous, unchanged);
}

/** Rule 2 (v3): how many accepted days the partial-day reference is the median of. */
export const RULE2_REFERENCE_DAYS = 5;

/** The median of a non-empty list (the lower middle of an even one: an integer count, no rounding). */
function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

/** Keeps a rule 2 rejection for `dataQuality.rejectedDays` (the state is modified). */
export function recordRejectedDay(state: EngineState, rejection: DayRejection): EngineState {
  state.rejectedDays.push(rejection);
  return state;
}

function yearOf(date: IsoDate): string {
  return date.slice(0, 4);
}

/** Whether the state folds under v2 or later (rule 12, FINRA's ADV, rule 3(b')). */
const v2OrLater = (state: EngineState): boolean => state.methodology !== undefined;

/**
 * Rule 4 with rule 4(b)'s join (v3): symbol → shares of `file`, and its FINRA ADV. Before v3 a row meets
 * only the listing spelled like it. One resolver per step: `universe` is built on first use.
 */
class ShareLookup {
  readonly #state: EngineState;
  #universe: Universe | null = null;
  constructor(state: EngineState) {
    this.#state = state;
  }
  key(file: ShortInterestFile, symbol: string): string | undefined {
    if (this.#state.methodology !== 3) return symbol;
    this.#universe ??= universeOf(this.#state.symbols, this.#state.names);
    return finraKeyOf(file, symbol, this.#universe);
  }
  shares(file: ShortInterestFile, symbol: string): number {
    const key = this.key(file, symbol);
    return key === undefined ? 0 : (file.shares.get(key) ?? 0);
  }
  adv(file: ShortInterestFile, symbol: string): number {
    const key = this.key(file, symbol);
    return key === undefined ? 0 : (file.adv?.get(key) ?? 0);
  }
}

/** Registers new symbols in code-unit order, so ids (and so summation order) do not depend on row order. */
function addSymbols(
  state: EngineState,
  fresh: string[],
  freshNames: ReadonlyMap<string, string>,
  ctx: StepContext,
  today: number,
): void {
  fresh.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = symbolIndex(state);
  // Rule 4 gives a symbol short interest from the files even on days it was not in the screener
  // (all its split factors then are 1); rule 10 reads it on the day 30 days back.
  const oldest = Math.max(0, today - RING + 1);
  const pastFiles: (ShortInterestFile | null)[] = [];
  for (let j = oldest; j < today; j++) {
    pastFiles.push(fileBySettlement(ctx.shortInterest, state.slotSettlement[slotOf(j)] as string));
  }
  const v3 = state.methodology === 3;
  for (const symbol of fresh) {
    const id = state.symbols.length;
    state.symbols.push(symbol);
    index.set(symbol, id);
    // v3's join reads names (rule 4(b)); v1 and v2 keep '' until the row loop, as before.
    state.names.push(v3 ? (freshNames.get(symbol) ?? '') : '');
    state.held.push(-1);
    state.securityType.push(-1);
    if (v2OrLater(state)) state.finraAdv.push(0);
    if (v3) {
      state.ytdNetNew?.push(0);
      state.ytdNetNewShares?.push(0);
      state.lastCap?.push(0);
      state.lastSector?.push(-1);
    }
    state.ytdPnl.push(0);
    state.ytdExposure.push(0);
    state.ytdGrowth.push(1);
    state.ytdEligible.push(0);
    for (let s = 0; s < RING; s++) {
      state.price.push(0);
      state.marketCap.push(0);
      state.volume.push(0);
      state.factor.push(1);
      state.shortInterest.push(0);
      state.sector.push(-1);
    }
  }
  const lookup = new ShareLookup(state);
  for (let id = state.symbols.length - fresh.length; id < state.symbols.length; id++) {
    const symbol = state.symbols[id] as string;
    for (let j = oldest; j < today; j++) {
      const file = pastFiles[j - oldest];
      if (file) state.shortInterest[id * RING + slotOf(j)] = lookup.shares(file, symbol);
    }
  }
}

/**
 * Rule 3(b) evaluated for symbol `id` on accepted day `index`, with the days known after it: the
 * ring up to `today`, then the look-ahead.
 */
function evaluateRuleB(
  state: EngineState,
  id: number,
  index: number,
  today: number,
  lookahead: readonly LookaheadDay[],
): ReturnType<typeof ruleB> {
  const b = id * RING;
  const s = slotOf(index);
  const sp = slotOf(index - 1);
  const p0 = state.price[b + sp] as number;
  const p1 = state.price[b + s] as number;
  const x = p1 / p0;
  const sharesPrev = (state.marketCap[b + sp] as number) / p0;
  const symbol = state.symbols[id] as string;
  const inRing = today - index;
  const later = (i: number): number | undefined => {
    if (i < inRing) {
      const slot = slotOf(index + 1 + i);
      const m = state.marketCap[b + slot] as number;
      const p = state.price[b + slot] as number;
      return m > 0 && p > 0 ? m / p : undefined;
    }
    return lookahead[i - inRing]?.sharesOutstanding.get(symbol);
  };
  if (!v2OrLater(state)) return ruleB(x, sharesPrev, later, inRing + lookahead.length, 1);
  // Rule 3(b') look-back: accepted day index−1−j, while still in the ring (a pending day is re-evaluated
  // at most 10 days on, so its look-back days, 7 back, are always there).
  const earlier = lookBackShares((j) => {
    const at = index - 1 - j;
    if (at < 0 || today - at >= RING) return undefined;
    const slot = b + slotOf(at);
    const p = state.price[slot] as number;
    return p > 0
      ? { price: p, marketCap: state.marketCap[slot] as number, factor: state.factor[slot] as number }
      : undefined;
  });
  return ruleB(x, sharesPrev, later, inRing + lookahead.length, 2, earlier);
}

/** True when counted day `j` is the first counted day of its year (the ytd window starts there). */
function isYearStart(state: EngineState, j: number): boolean {
  return j === 1 || yearOf(state.slotDate[slotOf(j)] as string) !== yearOf(state.slotDate[slotOf(j - 1)] as string);
}

/** Per-tier day counts found while folding the year-to-date figures (rule 8 ytd decliningPct). */
type YtdCounts = { eligible: number[]; declining: number[] };

const newYtdCounts = (): YtdCounts => ({ eligible: [0, 0, 0, 0, 0, 0], declining: [0, 0, 0, 0, 0, 0] });

/**
 * Folds counted day `j` into symbol `id`'s year-to-date figures (rules 5, 7, 8, 9) and counts it
 * for that day's ytd decliningPct. Called for every symbol not held out, every counted day, in day
 * order — by `stepDay`, or by a release replaying the days a pending split held out.
 */
function accumulateYtd(state: EngineState, id: number, j: number, counts: YtdCounts, yearStart: boolean): void {
  const b = id * RING;
  const s = slotOf(j);
  const sp = slotOf(j - 1);
  if (yearStart) {
    // First counted day of a year: the ytd window starts here and its "day before from" is j−1.
    state.ytdPnl[id] = 0;
    state.ytdExposure[id] = 0;
    state.ytdGrowth[id] = 1;
    state.ytdEligible[id] = (state.price[b + sp] as number) > 0 ? 1 : 0;
    if (state.ytdNetNew) state.ytdNetNew[id] = 0;
    if (state.ytdNetNewShares) state.ytdNetNewShares[id] = 0;
  }
  // Rule 13 (v3): the year's net new shorting in shares, carried in shares of the current day (a split
  // multiplies the shares shorted before it); this day's own change is added after `symbolDay`.
  if (state.ytdNetNewShares) {
    state.ytdNetNewShares[id] = (state.ytdNetNewShares[id] as number) * (state.factor[b + slotOf(j)] as number);
  }
  const p0 = state.price[b + sp] as number;
  const p1 = state.price[b + s] as number;
  if (!(p0 > 0 && p1 > 0)) {
    state.ytdEligible[id] = 0;
    return;
  }
  const growth = (p1 / p0) * (state.factor[b + s] as number);
  state.ytdGrowth[id] = (state.ytdGrowth[id] as number) * growth;
  const m0 = state.marketCap[b + sp] as number;
  if (!(m0 > 0)) return;
  const si0 = state.shortInterest[b + sp] as number;
  const exposure = exposureOf(si0, m0, p0);
  state.ytdPnl[id] = (state.ytdPnl[id] as number) - exposure * (growth - 1);
  state.ytdExposure[id] = (state.ytdExposure[id] as number) + exposure;
  if (state.ytdEligible[id] === 1) {
    const tier = tierIndex(m0);
    (counts.eligible[tier] as number)++;
    if ((state.ytdGrowth[id] as number) < 1) (counts.declining[tier] as number)++;
  }
}

/** One tiered symbol-day (rules 5, 6): written into a scratch object to keep the hot loop allocation-free. */
export interface SymbolDay {
  tier: number;
  sector: number;
  pnl: number;
  exposure: number;
  netNew: number;
  /** Rule 13: N in shares, `SI(s, d) − SI(s, d−1) · f` (zero when N is). */
  netNewShares: number;
  capPrev: number;
  capNext: number;
  declining: boolean;
}

export const scratch = (): SymbolDay => ({
  tier: 0,
  sector: 0,
  pnl: 0,
  exposure: 0,
  netNew: 0,
  netNewShares: 0,
  capPrev: 0,
  capNext: 0,
  declining: false,
});

/**
 * Symbol `id` on counted day `j`: false unless it has a valid price on j−1 and j and a known MC_{j−1}
 * (rule 6 leaves other symbol-days out of everything). The one place rules 5 and 8 are computed
 * per symbol-day.
 */
export function symbolDay(state: EngineState, id: number, j: number, hadFile: boolean, out: SymbolDay): boolean {
  const b = id * RING;
  const s = slotOf(j);
  const sp = slotOf(j - 1);
  const p1 = state.price[b + s] as number;
  const p0 = state.price[b + sp] as number;
  const m0 = state.marketCap[b + sp] as number;
  if (!(p1 > 0 && p0 > 0 && m0 > 0)) return false;
  const f = state.factor[b + s] as number;
  const growth = (p1 / p0) * f;
  const r = growth - 1;
  const si0 = state.shortInterest[b + sp] as number;
  const si1 = state.shortInterest[b + s] as number;
  const m1 = state.marketCap[b + s] as number;
  // Rule 11(b): short interest beyond any plausible share of the company counts as none.
  const doubtful0 = implausibleShortInterest(si0, m0, p0);
  const exposure = doubtful0 ? 0 : si0 * p0;
  out.tier = tierIndex(m0);
  out.sector = state.sector[b + s] as number;
  out.exposure = exposure;
  out.pnl = -exposure * r;
  // Zero unless a new file took effect on j (then SI(s, j) is not SI(s, j−1)·f); zero too when either
  // position is implausible (rule 11b).
  out.netNewShares = hadFile && !doubtful0 && !implausibleShortInterest(si1, m1, p1) ? si1 - si0 * f : 0;
  out.netNew = out.netNewShares * p1;
  out.capPrev = m0;
  out.capNext = m0 * growth;
  out.declining = r < 0;
  return true;
}

/** A day's sums while they are being added up. */
interface DayAcc {
  tiers: TierDayFigures[];
  sectors: Map<number, DayFigures>;
}

const zeroFigures = (): DayFigures => ({ pnl: 0, exposure: 0, netNew: 0, capPrev: 0, capNext: 0 });

const zeroTier = (): TierDayFigures => ({
  ...zeroFigures(),
  eligible1d: 0,
  declining1d: 0,
  eligibleYtd: 0,
  decliningYtd: 0,
  symbols: 0,
});

const newDayAcc = (): DayAcc => ({ tiers: TIERS.map(zeroTier), sectors: new Map() });

function addFigures(into: DayFigures, c: DayFigures): void {
  into.pnl += c.pnl;
  into.exposure += c.exposure;
  into.netNew += c.netNew;
  into.capPrev += c.capPrev;
  into.capNext += c.capNext;
}

function addSymbolDay(acc: DayAcc, c: SymbolDay): void {
  const tier = acc.tiers[c.tier] as TierDayFigures;
  addFigures(tier, c);
  tier.eligible1d++;
  if (c.declining) tier.declining1d++;
  if (c.exposure > 0) tier.symbols++;
  let sector = acc.sectors.get(c.sector);
  if (!sector) {
    sector = zeroFigures();
    acc.sectors.set(c.sector, sector);
  }
  addFigures(sector, c);
}

function addYtdCounts(acc: DayAcc, counts: YtdCounts): void {
  acc.tiers.forEach((t, i) => {
    t.eligibleYtd += counts.eligible[i] as number;
    t.decliningYtd += counts.declining[i] as number;
  });
}

function toRecord(state: EngineState, date: IsoDate, acc: DayAcc): DayRecord {
  const tiers = {} as DayRecord['tiers'];
  TIERS.forEach((name, i) => {
    tiers[name] = acc.tiers[i] as TierDayFigures;
  });
  const sectors = dataRecord<DayFigures>();
  for (const k of [...acc.sectors.keys()].sort((x, y) => x - y)) {
    sectors[state.sectors[k] as string] = acc.sectors.get(k) as DayFigures;
  }
  return { date, tiers, sectors };
}

/** A new record: `old` plus the released symbols' share of the day (records are never changed in place). */
function patchRecord(state: EngineState, old: DayRecord, add: DayAcc): DayRecord {
  const tiers = {} as DayRecord['tiers'];
  TIERS.forEach((name, i) => {
    const t = { ...old.tiers[name] };
    const a = add.tiers[i] as TierDayFigures;
    addFigures(t, a);
    t.eligible1d += a.eligible1d;
    t.declining1d += a.declining1d;
    t.eligibleYtd += a.eligibleYtd;
    t.decliningYtd += a.decliningYtd;
    t.symbols += a.symbols;
    tiers[name] = t;
  });
  const sectors = dataRecord<DayFigures>();
  for (const [name, fig] of Object.entries(old.sectors)) sectors[name] = { ...fig };
  for (const k of [...add.sectors.keys()].sort((x, y) => x - y)) {
    const name = state.sectors[k] as string;
    const fig = sectors[name] ?? zeroFigures();
    addFigures(fig, add.sectors.get(k) as DayFigures);
    sectors[name] = fig;
  }
  return { date: old.date, tiers, sectors };
}

function recordIndexOf(state: EngineState, date: IsoDate): number {
  for (let i = state.days.length - 1; i >= 0; i--) if (state.days[i]?.date === date) return i;
  return -1;
}

/**
 * Re-evaluates the pending 3(b) decisions with what is known today (day `today` is already in the
 * ring) and releases the days they held out: the symbol's short interest chain is redone with the
 * decided factors, its year-to-date figures replayed, and its share of each released day added to
 * that day's record (decision "pending splits"). Returns the records that changed, oldest first.
 */
function resolvePending(state: EngineState, today: number, ctx: StepContext): DayRecord[] {
  if (state.pending.length === 0) return [];
  const decided = new Map<number, Set<number>>();
  const remaining = [];
  for (const entry of state.pending) {
    const decision = evaluateRuleB(state, entry.id, entry.index, today, ctx.lookahead);
    if (decision.kind === 'pending') {
      remaining.push(entry);
      continue;
    }
    const factor = decision.kind === 'split' ? decision.factor : 1;
    state.factor[entry.id * RING + slotOf(entry.index)] = factor;
    if (factor !== 1) {
      const splitDate = state.slotDate[slotOf(entry.index)] as string;
      state.splits.push({
        symbol: state.symbols[entry.id] as string,
        date: splitDate,
        factor,
        rule: '3b',
      });
      // FINRA's ADV (v2) is in the shares of its settlement date: rescale it when that is before the split.
      const settlement = state.slotSettlement[slotOf(today)] as string;
      if (v2OrLater(state) && settlement !== '' && settlement < splitDate) {
        state.finraAdv[entry.id] = (state.finraAdv[entry.id] as number) * factor;
      }
    }
    let set = decided.get(entry.id);
    if (!set) {
      set = new Set();
      decided.set(entry.id, set);
    }
    set.add(entry.index);
  }
  if (decided.size === 0) return [];
  state.pending = remaining;

  const patches = new Map<number, DayAcc>();
  const c = scratch();
  for (const [id, indices] of decided) {
    const from = state.held[id] as number;
    let next = -1;
    for (const e of remaining) if (e.id === id && (next === -1 || e.index < next)) next = e.index;
    state.held[id] = next;
    const until = next === -1 ? today : next;
    const b = id * RING;
    for (let j = from; j < today; j++) {
      const s = slotOf(j);
      const sp = slotOf(j - 1);
      const f = state.factor[b + s] as number;
      if (state.slotSettlement[s] !== state.slotSettlement[sp]) {
        // Provisionally base · 1; a newly decided factor on a day after the settlement date applies (rule 4).
        const settlement = state.slotSettlement[s] as string;
        if (indices.has(j) && settlement !== '' && settlement < (state.slotDate[s] as string)) {
          state.shortInterest[b + s] = (state.shortInterest[b + s] as number) * f;
        }
      } else {
        state.shortInterest[b + s] = (state.shortInterest[b + sp] as number) * f;
      }
      if (j >= until) continue;
      let patch = patches.get(j);
      if (!patch) {
        patch = newDayAcc();
        patches.set(j, patch);
      }
      const counts = newYtdCounts();
      accumulateYtd(state, id, j, counts, isYearStart(state, j));
      addYtdCounts(patch, counts);
      if (symbolDay(state, id, j, state.slotSettlement[sp] !== '', c)) {
        addSymbolDay(patch, c);
        if (state.ytdNetNew) state.ytdNetNew[id] = (state.ytdNetNew[id] as number) + c.netNew;
        if (state.ytdNetNewShares) {
          state.ytdNetNewShares[id] = (state.ytdNetNewShares[id] as number) + c.netNewShares;
        }
      }
    }
  }

  const restated: DayRecord[] = [];
  for (const j of [...patches.keys()].sort((x, y) => x - y)) {
    const date = state.slotDate[slotOf(j)] as string;
    const at = recordIndexOf(state, date);
    const old = state.days[at];
    if (!old) throw new MethodologyError('internal: the record of a released day is missing', { date });
    const record = patchRecord(state, old, patches.get(j) as DayAcc);
    state.days[at] = record;
    restated.push(record);
  }
  return restated;
}

/**
 * What every rule step of one day reads: the day, its ring slots, the short interest file in effect
 * (rule 4) and the cycle's file (rule 3(d)), the day's overrides (rule 3(c)) and the methodology version.
 */
interface DayContext {
  date: IsoDate;
  /** Accepted-day index of the day, its ring slot and the previous accepted day's slot. */
  today: number;
  s: number;
  sp: number;
  /** The day has a previous accepted day (rule 7: only then is it counted). */
  counted: boolean;
  /** Rule 4: the file in effect, whether it differs from yesterday's, and whether it settled before the day. */
  file: ShortInterestFile | null;
  switched: boolean;
  settledBefore: boolean;
  /** A file was in effect on the previous day (rule 5: net new shorting needs one). */
  hadFile: boolean;
  /** Rule 3(c): the day's first override of each symbol. */
  overrides: Map<string, SplitOverride>;
  /** Rule 3(d) (v3): the FINRA file of the cycle holding the day, when known. */
  cycle: { file: ShortInterestFile; previous: IsoDate } | null;
  lookup: ShareLookup;
  v2: boolean;
  v3: boolean;
}

function dayContext(state: EngineState, day: PriceDay, ctx: StepContext): DayContext {
  const date = day.date;
  const today = state.dayCount;
  const sp = slotOf(today + RING - 1);
  const counted = today >= 1;
  const file = fileInEffect(ctx.shortInterest, date);
  const settlement = file?.settlementDate ?? '';
  const overrides = new Map<string, SplitOverride>();
  for (const o of ctx.splits) if (o.date === date && !overrides.has(o.symbol)) overrides.set(o.symbol, o);
  const v3 = state.methodology === 3;
  return {
    date,
    today,
    s: slotOf(today),
    sp,
    counted,
    file,
    switched: !counted || state.slotSettlement[sp] !== settlement,
    // When the file in effect changes to one settled before d, d's own split applies on top of it.
    settledBefore: settlement !== '' && settlement < date,
    hadFile: counted && state.slotSettlement[sp] !== '',
    overrides,
    cycle: v3 && counted ? cycleFile(ctx.shortInterest, date) : null,
    lookup: new ShareLookup(state),
    v2: v2OrLater(state),
    v3,
  };
}

/**
 * Rule 1 (prices), with rule 11(a)'s quarantine of an implausible row, rule 12's security type and rule 6's
 * latest market cap and sector (v3): the day's rows into the ring's slot. Symbols never seen get ids in
 * code-unit order, so ids (and the order of every sum) do not depend on the order of rows in a file; a
 * symbol listed twice keeps its first row. Returns how many symbols have a valid price (rule 2's count).
 */
function rule1Prices(state: EngineState, day: PriceDay, d: DayContext, ctx: StepContext): number {
  const { s, sp, counted, v2, v3 } = d;
  const ids = rowIds(state, day);
  const rows = day.rows;
  const fresh: string[] = [];
  const freshNames = new Map<string, string>();
  for (let i = 0; i < ids.length; i++) {
    const row = rows[i] as PriceDay['rows'][number];
    if (ids[i] === -1 && isValidPrice(row.price) && !freshNames.has(row.symbol)) {
      freshNames.set(row.symbol, row.name);
      fresh.push(row.symbol);
    }
  }
  state.slotDate[s] = d.date;
  state.slotSettlement[s] = d.file?.settlementDate ?? '';
  const { price, marketCap, volume, factor, sector } = state;
  const n0 = state.symbols.length;
  for (let id = 0; id < n0; id++) {
    const b = id * RING + s;
    price[b] = 0;
    marketCap[b] = 0;
    volume[b] = 0;
    factor[b] = 1;
    sector[b] = -1;
  }
  if (fresh.length > 0) {
    addSymbols(state, fresh, freshNames, ctx, d.today);
    const index = symbolIndex(state);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === -1) ids[i] = index.get((rows[i] as PriceDay['rows'][number]).symbol) ?? -1;
    }
  }
  const { lastCap } = state;
  const lastSectorOf = state.lastSector;
  const securities = ctx.securities;
  const { securityType } = state;
  const sectorIds = new Map<string, number>();
  state.sectors.forEach((name, k) => {
    sectorIds.set(name, k);
  });
  let lastSector = '';
  let lastSectorId = -1;
  let symbolsToday = 0;
  for (let i = 0; i < ids.length; i++) {
    const row = rows[i] as PriceDay['rows'][number];
    const id = ids[i] as number;
    if (id < 0 || !isValidPrice(row.price)) continue;
    symbolsToday++;
    const b = id * RING + s;
    if ((price[b] as number) > 0) continue; // a symbol listed twice keeps its first row
    if (counted && implausibleRow(state, id, sp, row, d.overrides.get(row.symbol)?.ratio, day)) continue;
    // Rule 12 (v2): the listing's type, as of today's row; figures count common stocks and ADRs only.
    // Classified again only when the name changes (names are stable; the patterns cost a few regexes).
    if (v2) {
      const override = securities?.get(row.symbol);
      if (override !== undefined) securityType[id] = SECURITY_TYPES.indexOf(override);
      else if (securityType[id] === -1 || row.name !== state.names[id]) {
        securityType[id] = SECURITY_TYPES.indexOf(classifySecurity(row.symbol, row.name));
      }
    }
    price[b] = row.price;
    const mc = row.marketCap;
    marketCap[b] = mc !== null && Number.isFinite(mc) && mc > 0 ? mc : 0;
    const vol = row.volume;
    volume[b] = vol !== null && Number.isFinite(vol) && vol > 0 ? vol : 0;
    if (row.sector !== lastSector || lastSectorId < 0) {
      const name = sectorName(row.sector);
      let k = sectorIds.get(name);
      if (k === undefined) {
        k = state.sectors.length;
        state.sectors.push(name);
        sectorIds.set(name, k);
      }
      lastSector = row.sector;
      lastSectorId = k;
    }
    sector[b] = lastSectorId;
    state.names[id] = row.name;
    // Rule 6 (v3): the latest market cap and sector on or before the day, for the tier and sector as of A.
    if (v3 && lastCap && lastSectorOf) {
      if ((marketCap[b] as number) > 0) lastCap[id] = marketCap[b] as number;
      lastSectorOf[id] = lastSectorId;
    }
  }
  rowIdsCache.delete(day);
  return symbolsToday;
}

/**
 * Rule 3: the split factor of symbol `id` on the day, priced on d−1 and d — (c) an override (after rule
 * 11(c)'s check), else (a) the share count, (d) FINRA's split flag (v3), (b) a candidate ratio confirmed
 * later (or held pending); 1 otherwise. Records the split it applies.
 */
function rule3Split(state: EngineState, id: number, d: DayContext, ctx: StepContext): number {
  const b = id * RING;
  const p1 = state.price[b + d.s] as number;
  const p0 = state.price[b + d.sp] as number;
  const symbol = state.symbols[id] as string;
  const given = d.overrides.size > 0 ? d.overrides.get(symbol) : undefined;
  let override = given?.ratio;
  if (override !== undefined && !plausibleOverride(p1 / p0, override)) {
    const file = given?.file ?? 'splits.csv';
    quarantine(state, {
      date: d.date,
      symbol,
      file,
      field: 'ratio',
      rule: '11c',
      reason:
        `${file} ratio ${override} is not in rule 3(b)'s list and the price moved ×${Number((p1 / p0).toPrecision(4))} ` +
        `(a split by it would leave ×${Number(((p1 / p0) * override).toPrecision(4))}): not applied; rules 3(a) and 3(b) decide the day`,
    });
    override = undefined;
  }
  if (override !== undefined) {
    // Rule 3(c). An explicit split is a fact: applied even when MC_{d−1} is unknown.
    if (override !== 1) state.splits.push({ symbol, date: d.date, factor: override, rule: '3c' });
    return override;
  }
  const m0 = state.marketCap[b + d.sp] as number;
  if (!(m0 > 0)) return 1;
  const x = p1 / p0;
  const m1 = state.marketCap[b + d.s] as number;
  const q = m1 > 0 ? ruleA(x, m0 / p0, m1 / p1) : null;
  if (q !== null) {
    state.splits.push({ symbol, date: d.date, factor: q, rule: '3a' });
    return q;
  }
  // Outside this band no k of rules 3(b) and 3(d) passes the price test.
  if (!(x <= 0.7 || x >= 1.4)) return 1;
  const flagged = d.cycle?.file.splitFlagged !== undefined ? flaggedSplit(state, d.cycle, d.lookup, symbol, x) : null;
  if (flagged !== null) {
    state.splits.push({ symbol, date: d.date, factor: flagged, rule: '3d' });
    return flagged;
  }
  const decision = evaluateRuleB(state, id, d.today, d.today, ctx.lookahead);
  if (decision.kind === 'split') {
    state.splits.push({ symbol, date: d.date, factor: decision.factor, rule: '3b' });
    return decision.factor;
  }
  if (decision.kind === 'pending') {
    state.pending.push({ id, index: d.today });
    if (state.held[id] === -1) state.held[id] = d.today;
  }
  return 1;
}

/**
 * Rule 4: SI(s, d) — the file's shares when the file in effect changes (times d's split when it settled
 * before d; rule 4(b)'s join under v3), else yesterday's times d's split; FINRA's ADV the same way (v2). Rule
 * 11(b) notes an implausible position.
 */
function rule4ShortInterest(state: EngineState, id: number, f: number, d: DayContext): void {
  const b = id * RING;
  const { shortInterest, finraAdv } = state;
  const file = d.file;
  const symbol = state.symbols[id] as string;
  if (d.switched) {
    const base = file ? d.lookup.shares(file, symbol) : 0;
    shortInterest[b + d.s] = d.settledBefore ? base * f : base;
    if (d.v2) {
      const adv = file ? d.lookup.adv(file, symbol) : 0;
      finraAdv[id] = d.settledBefore ? adv * f : adv;
    }
  } else {
    shortInterest[b + d.s] = (shortInterest[b + d.sp] as number) * f;
    // FINRA's ADV is in the shares of its settlement date: a later split rescales it like SI (rule 4).
    if (d.v2 && f !== 1) finraAdv[id] = (finraAdv[id] as number) * f;
  }
  const p1 = state.price[b + d.s] as number;
  const si = shortInterest[b + d.s] as number;
  const mc = state.marketCap[b + d.s] as number;
  if (file && p1 > 0 && implausibleShortInterest(si, mc, p1)) noteShortInterest(state, id, file, d.date, si, mc, p1);
}

/** Rule 7: keep the day records windows can still need — the current year and the last 30 calendar days. */
function rule7KeepDays(state: EngineState, date: IsoDate): void {
  const newYear = `${yearOf(date)}-01-01`;
  const monthAgo = addDays(date, -30);
  const keepFrom = newYear < monthAgo ? newYear : monthAgo;
  let drop = 0;
  while (drop < state.days.length && (state.days[drop]?.date as string) < keepFrom) drop++;
  if (drop > 0) state.days.splice(0, drop);
}

/**
 * Folds accepted day `day` into `state`, which is CONSUMED (modified and returned). `day` must come
 * after the state's last day and must have passed rule 2 (`classifyDay`). The rules in order: 1 (prices),
 * the pending 3(b) decisions the day settles, then per symbol 3 (split), 4 (short interest) and 5–8 (the
 * day's figures), rule 4(b)'s join count (v3), and 7 (what is kept).
 */
export function stepDay(state: EngineState, day: PriceDay, ctx: StepContext): StepResult {
  if (state.lastDate !== null && day.date <= state.lastDate) {
    throw new MethodologyError(`trading day ${day.date} does not come after the last one, ${state.lastDate}`, {
      file: day.file,
    });
  }
  const d = dayContext(state, day, ctx);
  const symbolsToday = rule1Prices(state, day, d, ctx);
  const restated = d.counted ? resolvePending(state, d.today, ctx) : [];

  const acc = newDayAcc();
  const counts = newYtdCounts();
  const yearStart = d.counted && isYearStart(state, d.today);
  // Rule 13 (v3): the file in effect on the day before the year's first counted day, which YTD changes start from.
  if (yearStart && state.ytdBaseSettlement !== undefined) state.ytdBaseSettlement = state.slotSettlement[d.sp] ?? '';
  const c = scratch();
  const { price, factor, securityType, held, ytdNetNew, ytdNetNewShares } = state;
  const n = state.symbols.length;
  for (let id = 0; id < n; id++) {
    const b = id * RING;
    // Rule 12 (v2): a listing that is not a common stock or ADR enters no figure and needs no split decision.
    const inUniverse = !d.v2 || isCountedType(securityType[id] as number);
    const priced = (price[b + d.s] as number) > 0 && d.counted && (price[b + d.sp] as number) > 0;
    const f = inUniverse && priced ? rule3Split(state, id, d, ctx) : 1;
    factor[b + d.s] = f;
    rule4ShortInterest(state, id, f, d);
    // Rules 5–8: the symbol-day's figures into the day's record and the year-to-date sums.
    if (d.counted && held[id] === -1 && inUniverse) {
      accumulateYtd(state, id, d.today, counts, yearStart);
      if (symbolDay(state, id, d.today, d.hadFile, c)) {
        addSymbolDay(acc, c);
        if (ytdNetNew) ytdNetNew[id] = (ytdNetNew[id] as number) + c.netNew;
        if (ytdNetNewShares) ytdNetNewShares[id] = (ytdNetNewShares[id] as number) + c.netNewShares;
      }
    }
  }

  // Rule 4(b) (v3): counted when the file takes effect (the engine reads a file's rows only then; the
  // pipeline passes stand-ins for the others), against the listings priced that day.
  if (d.v3 && d.switched) state.join = d.file ? joinOfDay(state, d.file, d.s, d.lookup) : null;

  let record: DayRecord | null = null;
  if (d.counted) {
    addYtdCounts(acc, counts);
    record = toRecord(state, d.date, acc);
    state.days.push(record);
  }
  state.dayCount = d.today + 1;
  state.lastDate = d.date;
  state.lastSymbols = symbolsToday;
  if (state.recentSymbols) {
    state.recentSymbols.push(symbolsToday);
    if (state.recentSymbols.length > RULE2_REFERENCE_DAYS) state.recentSymbols.shift();
  }
  rule7KeepDays(state, d.date);
  return { state, day: record, restated };
}

/**
 * Rule 3(d) (v3): the factor of the split FINRA flags (`S`) for `symbol` in `cycle`, when the day's move x
 * is the first in the cycle to sit near a split ratio; null otherwise.
 */
function flaggedSplit(
  state: EngineState,
  cycle: { file: ShortInterestFile; previous: IsoDate } | null,
  lookup: ShareLookup,
  symbol: string,
  x: number,
): number | null {
  if (cycle === null) return null;
  const key = lookup.key(cycle.file, symbol);
  if (key === undefined || cycle.file.splitFlagged?.has(key) !== true) return null;
  if (splitSince(state, symbol, cycle.previous)) return null;
  return flaggedFactor(x);
}

/** Rule 4(b)'s count (v3): the file's listed rows against the listings priced in slot `s`. */
function joinOfDay(state: EngineState, file: ShortInterestFile, s: number, lookup: ShareLookup) {
  const keys = new Map<string, string>();
  const { price, symbols } = state;
  for (let id = 0; id < symbols.length; id++) {
    if (!((price[id * RING + s] as number) > 0)) continue;
    const symbol = symbols[id] as string;
    const key = lookup.key(file, symbol);
    if (key !== undefined && file.shares.has(key)) keys.set(symbol, key);
  }
  return joinStats(file, keys);
}

const COUNTED_INDEX = SECURITY_TYPES.map((t) => COUNTED_TYPES.has(t));

/** Rule 12: whether a symbol of this type index counts in the figures. */
export function isCountedType(index: number): boolean {
  return COUNTED_INDEX[index] === true;
}

/** Whether symbol `id` counts in the figures under the state's methodology (always in v1). */
export function inUniverse(state: EngineState, id: number): boolean {
  return !v2OrLater(state) || isCountedType(state.securityType[id] as number);
}

/** Records a rule-11 quarantine (dataQuality.quarantined). */
function quarantine(state: EngineState, event: QuarantineEvent): void {
  state.quarantined.push(event);
}

const fmt = (x: number) => Number(x.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 6 });

/**
 * Rule 11(a): today's row of symbol `id` against its price on the previous accepted day (slot `sp`).
 * True when no split rule 3 could find explains the move within a threefold change: the row is then
 * left out (the symbol is absent that day, rule 1) and the quarantine is recorded.
 */
function implausibleRow(
  state: EngineState,
  id: number,
  sp: number,
  row: PriceDay['rows'][number],
  override: number | undefined,
  day: PriceDay,
): boolean {
  const b = id * RING + sp;
  const p0 = state.price[b] as number;
  if (!(p0 > 0)) return false;
  const x = row.price / p0;
  const m0 = state.marketCap[b] as number;
  const m1 = row.marketCap;
  const q = m0 > 0 && m1 !== null && m1 > 0 ? m1 / row.price / (m0 / p0) : null;
  const accepted = override !== undefined && plausibleOverride(x, override) ? override : null;
  if (!implausibleMove(x, q, accepted)) return false;
  const before = state.slotDate[sp] as string;
  quarantine(state, {
    date: day.date,
    symbol: row.symbol,
    file: day.file,
    field: 'lastsale',
    rule: '11a',
    reason:
      `price $${fmt(row.price)} is ×${fmt(x)} the $${fmt(p0)} of ${before}, beyond any split of rule 3 with a ` +
      `${PLAUSIBILITY.maxUnexplainedMove}-fold move: the symbol is left out of ${day.date} (and so of the next day's P&L)`,
  });
  return true;
}

/** Keys of the rule 11(b) events already recorded (derived from the state, like symbolIndex). */
const noted11b = new WeakMap<EngineState, Set<string>>();

/** Rule 11(b): records once per symbol and short interest file that its position is implausible. */
function noteShortInterest(
  state: EngineState,
  id: number,
  file: ShortInterestFile,
  date: IsoDate,
  shares: number,
  marketCap: number,
  price: number,
): void {
  let keys = noted11b.get(state);
  if (!keys) {
    keys = new Set(state.quarantined.filter((q) => q.rule === '11b').map((q) => `${q.symbol}\u0000${q.file}`));
    noted11b.set(state, keys);
  }
  const symbol = state.symbols[id] as string;
  const name = file.files.join(', ');
  const key = `${symbol}\u0000${name}`;
  if (keys.has(key)) return;
  keys.add(key);
  const so = marketCap / price;
  quarantine(state, {
    date,
    symbol,
    file: name,
    field: 'currentShortPositionQuantity',
    rule: '11b',
    reason:
      `short interest of ${fmt(shares)} shares (settlement ${file.settlementDate}) is ${fmt(shares / so)} × the ` +
      `${fmt(so)} shares outstanding on ${date} (bound ${PLAUSIBILITY.maxShortInterestMultiple} ×): counted as no ` +
      'position (no exposure, P&L or net new shorting) while it stays above the bound',
  });
}

/** How many later accepted days rule 3(b) can use. */
export const LOOKAHEAD_DAYS = CONFIRM_DAYS;
