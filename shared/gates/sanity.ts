/**
 * Sanity gates before publishing (issue 6): a computed snapshot that fails one is not published, the
 * previous day stays on the site and the pipeline alarms. The bounds were chosen on the real 2024 year
 * (docs/reliability.md, "Sanity gates"; test/gates/real-2024.test.ts shows none trips there):
 *
 *   json-schema          the snapshot, as serialised, fails data/schema/snapshot.v1.json (ajv; ./snapshot-gates.ts).
 *   tier-pnl             a tier's 1d |pnlUsd| > k × its 1d exposure (avgShortInterestUsd of a 1-day window).
 *   symbol-drop          the total of shorted symbols (1d `total.symbols`) falls by more than a fraction.
 *   short-interest-move  total short exposure (1d `total.avgShortInterestUsd`) moves by more than a fraction
 *                        day on day: a tight bound when the same short interest file is behind both days,
 *                        a wide one when a new settlement file took effect in between.
 *
 * Pure: the previous published snapshot(s) and the bounds are arguments. This module has the figure gates
 * (`checkFigures`, `checkFigureSeries`: what the publish Lambda runs on snapshots it has already checked
 * against SnapshotSchema); ./snapshot-gates.ts puts the JSON Schema gate in front of them (`checkSanity`,
 * `checkSanitySeries`: `pulse build`), without which no Lambda bundles ajv's generated validator.
 */
import { CalendarDateError, previousTradingDay } from '../calendar.ts';
import type { IsoDate, Tier } from '../domain.ts';
import { TIERS } from '../domain.ts';
import { RING } from '../methodology/engine.ts';
import { oneDayFigures } from '../methodology/snapshot.ts';
import type { EngineState } from '../methodology/types.ts';
import type { Snapshot } from '../snapshot/schema.ts';
import type { GateName } from './names.ts';

export { GATE_NAMES, type GateName } from './names.ts';

export interface GateBounds {
  /** Largest |Δ total exposure| / previous with the same short interest file behind both days. */
  shortInterestMove: number;
  /** The same when a new settlement file took effect between the two days. */
  shortInterestMoveNewFile: number;
  /** k in |tier 1d pnlUsd| ≤ k × tier 1d exposure. */
  tierPnlMultiple: number;
  /** Largest fall of `total.symbols`, as a fraction of the previous day's. */
  symbolDrop: number;
}

/**
 * Real 2024 maxima (prices from ../shared/data, short interest from generateShortInterestFor, seed
 * 2024; test/gates/real-2024.test.ts): exposure move 3.3% without a new file and 2.5% with one, tier
 * P&L 7.7% of exposure (nano, 2024-08-16), symbols −0.7%. Reasoning in docs/reliability.md.
 */
export const DEFAULT_GATE_BOUNDS: Readonly<GateBounds> = {
  shortInterestMove: 0.15,
  shortInterestMoveNewFile: 0.3,
  tierPnlMultiple: 0.25,
  symbolDrop: 0.1,
};

export interface GateViolation {
  gate: GateName;
  /** asOf of the snapshot refused. */
  date: IsoDate;
  /** Where in the snapshot the offending figure is. */
  field: string;
  observed: number | string;
  bound: number | string;
  /** "<gate>: <date> <what was seen> (bound …)". */
  message: string;
}

export interface GateContext {
  bounds?: Partial<GateBounds>;
  /**
   * Gates an operator has checked and accepts for this run (a real market crash can move exposure by
   * more than the bound): their violations are returned as `acknowledged` and do not block. The JSON
   * Schema gate cannot be acknowledged: a reader's parser would fail.
   */
  acknowledge?: readonly GateName[];
}

export interface GateResult {
  ok: boolean;
  /** Violations that block publishing. */
  violations: GateViolation[];
  /** Violations of acknowledged gates: published, but worth a warning in the logs. */
  acknowledged: GateViolation[];
  /** Day-on-day gates run only with a previous snapshot dated before the next one. */
  comparedWith: IsoDate | null;
}

/** The figures the day-on-day and tier gates look at, for reports and the bounds study. */
export interface SanityMeasures {
  date: IsoDate;
  comparedWith: IsoDate | null;
  /** Total 1d exposure next / previous − 1; null without a previous day with exposure. */
  shortInterestMove: number | null;
  /** True when a new settlement file took effect between the two days (see `newSettlementFile`). */
  newSettlementFile: boolean | null;
  /** |pnlUsd| / exposure per tier (null without exposure, Infinity for P&L without exposure). */
  tierPnlMultiple: Record<Tier, number | null>;
  /** total.symbols next / previous − 1; null without a previous day with shorted symbols. */
  symbolChange: number | null;
}

const ONE_DAY = '1d';

/**
 * What the day-on-day gates read of the previous day: its own snapshot's 1d figures (the pipeline's
 * publish step has the published snapshot) or the same figures from the engine's record of that day
 * (`pulse build`, which computes only the snapshot at A: see `previousGateDay`).
 */
export interface GateDay {
  asOf: IsoDate;
  /** The accepted trading day before asOf, null when unknown. */
  dayBefore: IsoDate | null;
  /** The short interest file in effect on asOf. */
  settlement: IsoDate | null;
  /** 1d window: counted days (0 or 1), exposure (avgShortInterestUsd of `total`) and shorted symbols. */
  tradingDays: number;
  totalExposure: number | null;
  totalSymbols: number;
}

/**
 * What the figure gates read of the day about to be published: its GateDay and each tier's 1d P&L and
 * exposure. From a snapshot (`gateViewOf`, the publish step) or from the engine state after any day
 * (`gateViewAt`, so `pulse build` gates every day it folds, issue 17), with the same numbers.
 */
export interface GateView extends GateDay {
  tiers: Record<Tier, { pnlUsd: number | null; avgShortInterestUsd: number | null }>;
}

export function gateViewOf(snapshot: Snapshot): GateView {
  const groups = snapshot.windows[ONE_DAY].groups;
  const tiers = {} as GateView['tiers'];
  for (const tier of TIERS) {
    tiers[tier] = { pnlUsd: groups[tier].pnlUsd, avgShortInterestUsd: groups[tier].avgShortInterestUsd };
  }
  return { ...gateDayOf(snapshot), tiers };
}

/** The GateView of the state's last accepted day: its snapshot's 1d figures (`oneDayFigures`), without the snapshot. */
export function gateViewAt(state: EngineState): GateView | null {
  const j = state.dayCount - 1;
  if (j < 0) return null;
  const f = oneDayFigures(state);
  const tiers = {} as GateView['tiers'];
  TIERS.forEach((tier, i) => {
    const t = f.tiers[i];
    tiers[tier] = { pnlUsd: t ? t.pnl : null, avgShortInterestUsd: t ? t.exposure : null };
  });
  const settlement = state.slotSettlement[j % RING] as string;
  return {
    asOf: state.slotDate[j % RING] as string,
    dayBefore: j >= 1 ? (state.slotDate[(j - 1) % RING] as string) : null,
    settlement: settlement === '' ? null : settlement,
    tradingDays: f.tradingDays,
    totalExposure: f.totalExposure,
    totalSymbols: f.totalSymbols,
    tiers,
  };
}

export function gateDayOf(snapshot: Snapshot): GateDay {
  const total = snapshot.windows[ONE_DAY].groups.total;
  return {
    asOf: snapshot.asOf,
    dayBefore: dayBefore(snapshot),
    settlement: snapshot.dataQuality.shortInterestSettlementDate,
    tradingDays: snapshot.windows[ONE_DAY].tradingDays,
    totalExposure: total.avgShortInterestUsd,
    totalSymbols: total.symbols,
  };
}

/**
 * The accepted day before the state's last one, as a GateDay from its day record: the same 1d `total`
 * figures its snapshot has (rule 8: Σ tiers), as known now (a later restatement included). Null when
 * the state has fewer than two accepted days.
 */
export function previousGateDay(state: EngineState): GateDay | null {
  const j = state.dayCount - 2;
  if (j < 0) return null;
  const date = state.slotDate[j % RING] as string;
  const record = state.days.find((d) => d.date === date) ?? null;
  let exposure = 0;
  let symbols = 0;
  if (record) {
    for (const tier of TIERS) {
      exposure += record.tiers[tier].exposure;
      symbols += record.tiers[tier].symbols;
    }
  }
  const settlement = state.slotSettlement[j % RING] as string;
  return {
    asOf: date,
    dayBefore: j >= 1 ? (state.slotDate[(j - 1) % RING] as string) : null,
    settlement: settlement === '' ? null : settlement,
    tradingDays: record ? 1 : 0,
    totalExposure: record ? exposure : null,
    totalSymbols: symbols,
  };
}

export const isSnapshot = (x: Snapshot | GateDay): x is Snapshot => 'windows' in x;

/** `$1.23T`, `$456.7M`, `−$12,345`: enough to read a message, not a figure to publish. */
function usd(x: number): string {
  const sign = x < 0 ? '−' : '';
  const a = Math.abs(x);
  if (a >= 1e12) return `${sign}$${(a / 1e12).toFixed(3)}T`;
  if (a >= 1e9) return `${sign}$${(a / 1e9).toFixed(3)}B`;
  if (a >= 1e6) return `${sign}$${(a / 1e6).toFixed(3)}M`;
  return `${sign}$${Math.round(a).toLocaleString('en-US')}`;
}

const pct = (x: number, signed = true) => `${signed && x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(2)}%`;

/**
 * The accepted day before `snapshot.asOf` as far as the snapshot can tell: the previous exchange
 * trading day, skipping days its dataQuality lists as rejected. Null outside the calendar.
 */
function dayBefore(snapshot: Snapshot): IsoDate | null {
  const rejected = new Set(snapshot.dataQuality.rejectedDays.map((r) => r.date));
  try {
    let d = previousTradingDay(snapshot.asOf);
    for (let i = 0; i < 31 && rejected.has(d); i++) d = previousTradingDay(d);
    return d;
  } catch (error) {
    if (error instanceof CalendarDateError) return null;
    throw error;
  }
}

/**
 * Whether the two days' exposures come from different short interest files. Exposure on A is
 * SI(s, A−1) · price (rule 5), so next's exposure uses the file in effect on previous.asOf and
 * previous's uses the one in effect the accepted day before it. They differ when the settlement date
 * in effect changed between the snapshots, or when previous's own file took effect on previous.asOf
 * (a batch run knows every file: the jump shows the day AFTER the settlement date).
 */
export function newSettlementFile(previous: Snapshot | GateDay, next: Snapshot | GateDay): boolean {
  const p = isSnapshot(previous) ? gateDayOf(previous) : previous;
  const a = p.settlement;
  const nextSettlement = isSnapshot(next) ? next.dataQuality.shortInterestSettlementDate : next.settlement;
  if (a !== nextSettlement) return true;
  if (a === null) return false;
  const before = p.dayBefore;
  return before !== null && a > before;
}

export function sanityMeasures(previousDay: Snapshot | GateDay | null, nextDay: Snapshot | GateView): SanityMeasures {
  const previous = previousDay === null ? null : isSnapshot(previousDay) ? gateDayOf(previousDay) : previousDay;
  const next = isSnapshot(nextDay) ? gateViewOf(nextDay) : nextDay;
  const tierPnlMultiple = {} as Record<Tier, number | null>;
  for (const tier of TIERS) {
    const g = next.tiers[tier];
    const pnl = g.pnlUsd;
    const exposure = g.avgShortInterestUsd;
    tierPnlMultiple[tier] =
      pnl === null || exposure === null
        ? null
        : exposure > 0
          ? Math.abs(pnl) / exposure
          : pnl === 0
            ? null
            : Number.POSITIVE_INFINITY;
  }
  const compared = previous !== null && previous.asOf < next.asOf ? previous : null;
  let shortInterestMove: number | null = null;
  let symbolChange: number | null = null;
  if (compared) {
    const exposure = compared.totalExposure;
    if (exposure !== null && exposure > 0 && next.totalExposure !== null) {
      shortInterestMove = next.totalExposure / exposure - 1;
    }
    // `symbols` is an integer count: a day without counted days still carries it (rule 8).
    if (compared.totalSymbols > 0 && compared.tradingDays > 0 && next.tradingDays > 0) {
      symbolChange = next.totalSymbols / compared.totalSymbols - 1;
    }
  }
  return {
    date: next.asOf,
    comparedWith: compared?.asOf ?? null,
    shortInterestMove,
    newSettlementFile: compared ? newSettlementFile(compared, next) : null,
    tierPnlMultiple,
    symbolChange,
  };
}

/**
 * The figure gates of `next`, a snapshot already checked against the contract (SnapshotSchema: publish
 * validates every snapshot it reads, and the feed it compares with), against `previous` (the last published
 * day before it; null for the first publish or when unknown). `checkSanity` (./snapshot-gates.ts) is the same
 * behind the JSON Schema gate, for snapshots nothing has checked yet.
 */
export function checkFigures(
  previous: Snapshot | GateDay | null,
  next: Snapshot,
  context: GateContext = {},
): GateResult {
  return checkDay(
    previous === null || !isSnapshot(previous) ? previous : gateDayOf(previous),
    gateViewOf(next),
    context,
  );
}

/**
 * The figure gates (tier-pnl, symbol-drop, short-interest-move) of one day against the day before it:
 * `checkSanity` after its schema gate, and `pulse build` on every day it folds (issue 17).
 */
export function checkDay(usable: GateDay | null, view: GateView, context: GateContext = {}): GateResult {
  const bounds: GateBounds = { ...DEFAULT_GATE_BOUNDS, ...context.bounds };
  const found: GateViolation[] = [];
  const date = view.asOf;
  const m = sanityMeasures(usable, view);

  for (const tier of TIERS) {
    const multiple = m.tierPnlMultiple[tier];
    if (multiple === null || multiple <= bounds.tierPnlMultiple) continue;
    const g = view.tiers[tier];
    found.push({
      gate: 'tier-pnl',
      date,
      field: `windows.1d.groups.${tier}.pnlUsd`,
      observed: multiple,
      bound: bounds.tierPnlMultiple,
      message:
        `tier-pnl: ${date} ${tier} 1d P&L ${usd(g.pnlUsd ?? 0)} is ${Number.isFinite(multiple) ? multiple.toFixed(3) : '∞'} × ` +
        `its exposure ${usd(g.avgShortInterestUsd ?? 0)} (bound ${bounds.tierPnlMultiple} ×)`,
    });
  }

  if (usable && m.symbolChange !== null && m.symbolChange < -bounds.symbolDrop) {
    const before = usable.totalSymbols;
    found.push({
      gate: 'symbol-drop',
      date,
      field: 'windows.1d.groups.total.symbols',
      observed: m.symbolChange,
      bound: -bounds.symbolDrop,
      message:
        `symbol-drop: ${date} has ${view.totalSymbols} shorted symbols against ${before} on ${usable.asOf} ` +
        `(${pct(m.symbolChange)}; bound −${(bounds.symbolDrop * 100).toFixed(0)}%)`,
    });
  }

  if (usable && m.shortInterestMove !== null) {
    const limit = m.newSettlementFile ? bounds.shortInterestMoveNewFile : bounds.shortInterestMove;
    if (Math.abs(m.shortInterestMove) > limit) {
      const settlement = view.settlement;
      const why = m.newSettlementFile
        ? `even with a new short interest file (settlement ${settlement ?? 'none'})`
        : `with the same short interest file (settlement ${settlement ?? 'none'})`;
      found.push({
        gate: 'short-interest-move',
        date,
        field: 'windows.1d.groups.total.avgShortInterestUsd',
        observed: m.shortInterestMove,
        bound: limit,
        message:
          `short-interest-move: ${date} total short exposure ${usd(view.totalExposure ?? 0)} against ` +
          `${usd(usable.totalExposure ?? 0)} on ${usable.asOf} ` +
          `(${pct(m.shortInterestMove)}) ${why}; bound ±${(limit * 100).toFixed(0)}%`,
      });
    }
  }
  return finish(found, context, m.comparedWith);
}

export function finish(found: GateViolation[], context: GateContext, comparedWith: IsoDate | null): GateResult {
  const accepted = new Set(context.acknowledge ?? []);
  const violations = found.filter((v) => v.gate === 'json-schema' || !accepted.has(v.gate));
  const acknowledged = found.filter((v) => v.gate !== 'json-schema' && accepted.has(v.gate));
  return { ok: violations.length === 0, violations, acknowledged, comparedWith };
}

/** How one snapshot of a batch is gated against the day before it: `checkFigures`, or `checkSanity`. */
export type SnapshotGate = (previous: Snapshot | null, next: Snapshot, context: GateContext) => GateResult;

/**
 * Gates a batch (a day, or the days a restatement republishes) with `gate`: each snapshot, in date order, is
 * compared with the latest one dated before it among the batch and the `published` ones (the batch wins on
 * the same date: a restated day replaces what was published).
 */
export function gateSeries(
  published: readonly Snapshot[],
  next: readonly Snapshot[],
  context: GateContext,
  gate: SnapshotGate,
): GateResult {
  const ordered = [...next].sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
  const batchDates = new Set(ordered.map((s) => s.asOf));
  const earlier = published.filter((s) => !batchDates.has(s.asOf));
  const violations: GateViolation[] = [];
  const acknowledged: GateViolation[] = [];
  let comparedWith: IsoDate | null = null;
  for (const [i, s] of ordered.entries()) {
    let previous: Snapshot | null = null;
    for (const c of [...earlier, ...ordered.slice(0, i)]) {
      if (c.asOf < s.asOf && (previous === null || c.asOf >= previous.asOf)) previous = c;
    }
    const r = gate(previous, s, context);
    violations.push(...r.violations);
    acknowledged.push(...r.acknowledged);
    if (i === 0) comparedWith = r.comparedWith;
  }
  return { ok: violations.length === 0, violations, acknowledged, comparedWith };
}

/** The figure gates of a batch of snapshots already checked against SnapshotSchema (the publish Lambda). */
export function checkFigureSeries(
  published: readonly Snapshot[],
  next: readonly Snapshot[],
  context: GateContext = {},
): GateResult {
  return gateSeries(published, next, context, checkFigures);
}
