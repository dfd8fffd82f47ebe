/**
 * Every stock (issue 19): each stock's daily series for the year and its own window figures, for
 * `/data/stocks/<SYMBOL>.json` and `/data/stocks/index.json` (shared/snapshot/stocks-schema.ts).
 *
 * The engine keeps only a ring of RING accepted days, and a day in the ring can still change (a pending split
 * decided later restates it). So a day is recorded when it leaves the ring — final from then on — and the days
 * still in the ring when the fold finishes are recorded then (a symbol still held by a pending split is flagged).
 * Each day keeps, per symbol, the ring's raw values (price, market cap, split factor, short interest, volume);
 * exposure, P&L and N are then the engine's rule 5 expressions on two consecutive recorded days, in the same
 * order, so a stock's sums are the ones its top-list entry shows.
 */
import type { IsoDate, Tier, WindowName } from '../domain.ts';
import { TIERS, WINDOWS } from '../domain.ts';
import { exposureOf, implausibleShortInterest } from '../gates/plausibility.ts';
import type { StockFile, StockIndexEntry, StockSeries, StockWindow } from '../snapshot/stocks-schema.ts';
import { inUniverse, RING } from './engine.ts';
import { tierIndex } from './tiers.ts';
import type { EngineState, SnapshotBody } from './types.ts';

/** One accepted day as recorded: the ring's raw values per symbol id (ids that existed that day). */
export interface RecordedDay {
  index: number;
  date: IsoDate;
  settlement: IsoDate | '';
  price: Float64Array;
  marketCap: Float64Array;
  factor: Float64Array;
  shortInterest: Float64Array;
  /** Symbols held out by a pending split on this day when it was recorded (finish only). */
  held: Uint8Array | null;
}

export interface StockRecorder {
  /** After each accepted day is stepped (`startBatch`'s `onAccepted`). */
  onDay(state: EngineState): void;
  /**
   * The days recorded final (left the ring) since the last call, oldest first: what the pipeline keeps
   * (derived/stocks/days/) so that its next run can resume the recorder from a checkpoint (`seed`).
   */
  takeFinal(): RecordedDay[];
  /** The stock files and the index as of the state's last day. */
  finish(state: EngineState, body: SnapshotBody): StockOutput;
}

export interface StockOutput {
  stocks: Omit<StockFile, 'generatedAt' | 'sample'>[];
  index: StockIndexEntry[];
}

const slotOf = (j: number) => j % RING;

/**
 * Day j as the ring holds it in `state` (j must be one of the ring's days: dayCount − RING ≤ j < dayCount). Final
 * when j = dayCount − RING (about to leave the ring), which is how the pipeline can rebuild a recorded day from
 * the checkpoint of day j + RING − 1.
 */
export function recordDay(state: EngineState, j: number): RecordedDay {
  if (j < state.dayCount - RING || j >= state.dayCount || j < 0) {
    throw new Error(`day ${j} is not in the ring of a state of ${state.dayCount} days`);
  }
  return record(state, j, false);
}

function record(state: EngineState, j: number, withHeld: boolean): RecordedDay {
  const n = state.symbols.length;
  const s = slotOf(j);
  const day: RecordedDay = {
    index: j,
    date: state.slotDate[s] as IsoDate,
    settlement: (state.slotSettlement[s] ?? '') as IsoDate | '',
    price: new Float64Array(n),
    marketCap: new Float64Array(n),
    factor: new Float64Array(n),
    shortInterest: new Float64Array(n),
    held: withHeld ? new Uint8Array(n) : null,
  };
  for (let id = 0; id < n; id++) {
    const b = id * RING + s;
    day.price[id] = state.price[b] as number;
    day.marketCap[id] = state.marketCap[b] as number;
    day.factor[id] = state.factor[b] as number;
    day.shortInterest[id] = state.shortInterest[b] as number;
    if (day.held) {
      const h = state.held[id] as number;
      day.held[id] = h !== -1 && h <= j ? 1 : 0;
    }
  }
  return day;
}

/**
 * The final days a recorder resumed at a state holding `dayCount` days needs (`startStockRecorder`'s seed): the
 * indexes of the days already final then (≤ dayCount − RING) that it keeps, i.e. from the day before the first
 * day of the newest final day's year. `yearOf(j)` is the year of accepted day j (from the pipeline's journal).
 */
export function seedRange(dayCount: number, yearOf: (index: number) => string): { from: number; to: number } | null {
  const to = dayCount - RING;
  if (to < 0) return null;
  const year = yearOf(to);
  let from = to;
  while (from > 0 && yearOf(from - 1) >= year) from--;
  return { from: Math.max(0, from - 1), to };
}

/**
 * A recorder; `seed` resumes one at a checkpoint: the final days recorded before it (`seedRange`), consecutive and
 * oldest first, as the pipeline kept them. A recorder seeded so records what one run from the first day would.
 */
export function startStockRecorder(seed: readonly RecordedDay[] = []): StockRecorder {
  const days: RecordedDay[] = [...seed];
  for (let k = 1; k < days.length; k++) {
    if ((days[k] as RecordedDay).index !== (days[k - 1] as RecordedDay).index + 1) {
      throw new Error(
        `stock recorder seed: day ${(days[k] as RecordedDay).date} does not follow ${(days[k - 1] as RecordedDay).date}`,
      );
    }
  }
  let recordedThrough = days.at(-1)?.index ?? -1;
  let fresh: RecordedDay[] = [];
  return {
    onDay(state) {
      // Day t − RING + 1 leaves the ring with the next step: it is final now.
      const j = state.dayCount - RING;
      if (j > recordedThrough && j >= 0) {
        const day = record(state, j, false);
        days.push(day);
        fresh.push(day);
        recordedThrough = j;
        // Only the year of the newest day is published, with the day before it (its first day's previous close).
        const year = (days.at(-1) as RecordedDay).date.slice(0, 4);
        while (days.length > 1 && (days[1] as RecordedDay).date.slice(0, 4) < year) days.shift();
      }
    },
    takeFinal() {
      const out = fresh;
      fresh = [];
      return out;
    },
    finish(state, body) {
      for (let j = Math.max(recordedThrough + 1, state.dayCount - RING); j < state.dayCount; j++) {
        days.push(record(state, j, true));
        recordedThrough = j;
      }
      return stockOutput(state, days, body);
    },
  };
}

interface Columns {
  pnl: number;
  exposure: number;
  netNew: number;
}

function stockOutput(state: EngineState, days: readonly RecordedDay[], body: SnapshotBody): StockOutput {
  const a = state.lastDate as IsoDate;
  const year = a.slice(0, 4);
  const first = days.findIndex((d) => d.date.slice(0, 4) === year);
  const yearDays = first === -1 ? [] : days.slice(first);
  const tA = state.dayCount - 1;
  const sA = slotOf(tA);
  const v3 = state.methodology === 3;
  // The window bounds the snapshot published (rule 7): each window's first counted day.
  const fromOf = Object.fromEntries(WINDOWS.map((w) => [w, body.windows[w].from])) as Record<
    WindowName,
    IsoDate | null
  >;
  const crowdedRank = new Map(body.crowded.map((c, i) => [c.symbol, { rank: i + 1, score: c.score }]));

  const stocks: StockOutput['stocks'] = [];
  const index: StockIndexEntry[] = [];
  const n = state.symbols.length;
  for (let id = 0; id < n; id++) {
    if (!inUniverse(state, id)) continue;
    const series: StockSeries = {
      date: [],
      price: [],
      splitFactor: [],
      shortInterest: [],
      settlementDate: [],
      exposureUsd: [],
      pnlUsd: [],
      tier: [],
      flags: [],
    };
    const sums = Object.fromEntries(WINDOWS.map((w) => [w, { pnl: 0, exposure: 0, netNew: 0 }])) as Record<
      WindowName,
      Columns
    >;
    let anyExposure = false;
    for (let k = 0; k < yearDays.length; k++) {
      const day = yearDays[k] as RecordedDay;
      const prev = days[first + k - 1];
      const p1 = id < day.price.length ? (day.price[id] as number) : 0;
      const f = id < day.factor.length ? (day.factor[id] as number) : 1;
      const si1 = id < day.shortInterest.length ? (day.shortInterest[id] as number) : 0;
      const flags: StockSeries['flags'][number] = [];
      let exposure = 0;
      let pnl = 0;
      let tier: Tier | null = null;
      const counted = prev !== undefined && prev.index === day.index - 1;
      if (!counted) flags.push('first-day');
      if (f !== 1) flags.push('split');
      if (prev && day.settlement !== prev.settlement && day.settlement !== '') flags.push('new-file');
      const held = day.held?.[id] === 1;
      if (held) flags.push('pending-split');
      if (counted && prev && !held) {
        const p0 = id < prev.price.length ? (prev.price[id] as number) : 0;
        const m0 = id < prev.marketCap.length ? (prev.marketCap[id] as number) : 0;
        const si0 = id < prev.shortInterest.length ? (prev.shortInterest[id] as number) : 0;
        if (p1 > 0 && p0 > 0 && m0 > 0) {
          // Rule 5, as the engine's symbolDay and the snapshot's ringWindows compute it.
          const growth = (p1 / p0) * f;
          exposure = exposureOf(si0, m0, p0);
          pnl = -exposure * (growth - 1);
          tier = TIERS[tierIndex(m0)] as Tier;
          const m1 = id < day.marketCap.length ? (day.marketCap[id] as number) : 0;
          const doubtful0 = implausibleShortInterest(si0, m0, p0);
          const netNew =
            prev.settlement !== '' && !doubtful0 && !implausibleShortInterest(si1, m1, p1) ? (si1 - si0 * f) * p1 : 0;
          for (const w of WINDOWS) {
            const from = fromOf[w];
            if (from === null || day.date < from) continue;
            const c = sums[w];
            c.pnl -= exposure * (growth - 1);
            c.exposure += exposure;
            c.netNew += netNew;
          }
          if (exposure > 0) anyExposure = true;
        } else {
          flags.push('not-counted');
        }
      } else if (counted) {
        flags.push('not-counted');
      }
      series.date.push(day.date);
      series.price.push(p1 > 0 ? p1 : null);
      series.splitFactor.push(f);
      series.shortInterest.push(si1);
      series.settlementDate.push(day.settlement === '' ? null : day.settlement);
      series.exposureUsd.push(exposure);
      series.pnlUsd.push(pnl);
      series.tier.push(tier);
      series.flags.push(flags);
    }
    // Every stock with short interest in the year to date (rule 5's exposure on some counted day).
    if (!anyExposure) continue;

    const symbol = state.symbols[id] as string;
    const b = id * RING;
    const pA = state.price[b + sA] as number;
    const mA = state.marketCap[b + sA] as number;
    const listed = pA > 0;
    const capForTier = v3 ? (state.lastCap?.[id] ?? 0) : (state.marketCap[b + slotOf(tA + RING - 1)] as number);
    const tier = capForTier > 0 ? (TIERS[tierIndex(capForTier)] as Tier) : null;
    const sectorIndex = v3 ? (state.lastSector?.[id] ?? -1) : (state.sector[b + sA] as number);
    const sector = sectorIndex >= 0 ? (state.sectors[sectorIndex] as string) : 'Unclassified';
    const siA =
      listed && !implausibleShortInterest(state.shortInterest[b + sA] as number, mA, pA)
        ? (state.shortInterest[b + sA] as number)
        : 0;
    const settlement = state.slotSettlement[sA] ?? '';
    const windows = Object.fromEntries(
      WINDOWS.map((w) => {
        const win = body.windows[w];
        const c = sums[w];
        const avg = win.tradingDays > 0 ? c.exposure / win.tradingDays : 0;
        const out: StockWindow = {
          from: win.from,
          tradingDays: win.tradingDays,
          pnlUsd: c.pnl,
          avgShortInterestUsd: avg,
          pnlPct: avg !== 0 ? (c.pnl / avg) * 100 : null,
          netNewShortingUsd: c.netNew,
        };
        return [w, out];
      }),
    ) as StockFile['windows'];
    const daysToCover = listed && siA > 0 ? daysToCoverOf(state, id, siA) : null;
    const shortInterest =
      listed && settlement !== ''
        ? {
            settlementDate: settlement,
            shares: siA,
            usd: siA * pA,
            pctSharesOut: mA > 0 ? (siA / (mA / pA)) * 100 : null,
            daysToCover: daysToCover?.value ?? null,
            daysToCoverSource: daysToCover?.source ?? null,
          }
        : null;
    const notes: StockFile['notes'] = [
      ...state.splits
        .filter((e) => e.symbol === symbol && e.date.slice(0, 4) === year)
        .map((e) => ({ date: e.date, kind: 'split' as const, text: `split ×${e.factor} (rule ${e.rule})` })),
      ...state.pending
        .filter((p) => p.id === id)
        .map((p) => ({
          date: state.slotDate[slotOf(p.index)] as IsoDate,
          kind: 'pending-split' as const,
          text: 'a move that may be a split, not decided yet: the days from it are held out (rule 3)',
        })),
      ...state.quarantined
        .filter((q) => q.symbol === symbol && q.date.slice(0, 4) === year)
        .map((q) => ({ date: q.date, kind: 'quarantine' as const, text: `rule ${q.rule}: ${q.reason}` })),
    ].sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
    stocks.push({
      schemaVersion: 1,
      methodologyVersion: state.methodology ?? 1,
      asOf: a,
      symbol,
      name: state.names[id] as string,
      tier,
      sector,
      listedOnAsOf: listed,
      windows,
      shortInterest,
      crowded: crowdedRank.get(symbol) ?? null,
      series,
      notes,
    });
    index.push({
      symbol,
      name: state.names[id] as string,
      tier,
      sector,
      ytdPnlUsd: windows.ytd.pnlUsd,
      ytdPnlPct: windows.ytd.pnlPct,
      shortInterestUsd: shortInterest?.usd ?? null,
      shortInterestPctSharesOut: shortInterest?.pctSharesOut ?? null,
      daysToCover: shortInterest?.daysToCover ?? null,
    });
  }
  index.sort((x, y) => (x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : 0));
  stocks.sort((x, y) => (x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : 0));
  return { stocks, index };
}

/** Rule 10's days to cover on A: FINRA's average daily volume when its file gives one (v2+), else the screener's. */
function daysToCoverOf(
  state: EngineState,
  id: number,
  si: number,
): { value: number; source: 'finra' | 'screener' } | null {
  const finraAdv = state.methodology !== undefined ? (state.finraAdv[id] as number) : 0;
  if (finraAdv > 0) return { value: si / finraAdv, source: 'finra' };
  let positive = 0;
  let total = 0;
  const tA = state.dayCount - 1;
  for (let j = tA; j > tA - 20 && j >= 0; j--) {
    const v = state.volume[id * RING + slotOf(j)] as number;
    if (v > 0) {
      positive++;
      total += v;
    }
  }
  return positive > 0 ? { value: si / (total / positive), source: 'screener' } : null;
}
