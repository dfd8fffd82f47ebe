/**
 * Optional: the sanity gates over the REAL 2024 year — every trading day's snapshot, built day by day
 * exactly as the pipeline does (classifyDay, stepDay, snapshotAt, assembleSnapshot), with FINRA's real
 * short interest files of 2024 (../shared/data/finra/short-interest/2024, R revisions merged; methodology 3). No gate may trip on it. Prints the maxima the bounds
 * in DEFAULT_GATE_BOUNDS were chosen from (docs/reliability.md). Skipped when ../shared/data is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PriceDay, Tier } from '../../shared/domain.ts';
import { TIERS } from '../../shared/domain.ts';
import {
  decodeText,
  mergeShortInterestRevisions,
  parseScreener,
  parseShortInterest,
} from '../../shared/formats/index.ts';
import {
  checkSanity,
  DEFAULT_GATE_BOUNDS,
  type GateResult,
  type SanityMeasures,
  sanityMeasures,
} from '../../shared/gates/index.ts';
import { classifyDay, initialState, recordRejectedDay, snapshotAt, stepDay } from '../../shared/methodology/index.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dataDir = path.join(path.resolve(repoRoot, '../shared/data'), 'nasdaq-screener/2024');
const finraDir = path.join(path.resolve(repoRoot, '../shared/data'), 'finra/short-interest/2024');
// A whole-year engine run (~30 s): with the other whole-year real-data runs under npm run test:real.
const haveData = process.env.PULSE_REAL_DATA === '1' && existsSync(dataDir) && existsSync(finraDir);

interface Max {
  value: number;
  date: string;
}

const maxOf = (xs: { value: number | null; date: string }[]): Max =>
  xs.reduce<Max>((m, x) => (x.value !== null && x.value > m.value ? { value: x.value, date: x.date } : m), {
    value: 0,
    date: '',
  });

describe.skipIf(!haveData)('sanity gates on the real 2024 year (optional)', () => {
  const results: { snapshot: Snapshot; gates: GateResult; measures: SanityMeasures }[] = [];
  let rejectedDays = 0;

  beforeAll(() => {
    const files = readdirSync(dataDir)
      .filter((f) => /^\d{4}-\d{2}-\d{2}\.json\.gz$/.test(f))
      .sort();
    const days: PriceDay[] = files.map((file) => {
      const parsed = parseScreener(decodeText(readFileSync(path.join(dataDir, file)), file), file);
      return { date: parsed.date ?? file.slice(0, 10), file, rows: parsed.records };
    });
    // FINRA's real files of 2024 (and 2023-12-29, in effect on the first days), R revisions merged.
    const shortInterest = mergeShortInterestRevisions(
      readdirSync(finraDir)
        .filter((f) => /^shrt\d{8}\.csv$/.test(f))
        .sort()
        .map((name) => parseShortInterest(decodeText(readFileSync(path.join(finraDir, name)), name), name)),
    );
    const ctx = { shortInterest, splits: [], lookahead: [] };
    let state = initialState();
    let previous: Snapshot | null = null;
    for (const day of days) {
      const reason = classifyDay(state, day);
      if (reason !== null) {
        recordRejectedDay(state, { date: day.date, file: day.file, reason });
        rejectedDays++;
        continue;
      }
      state = stepDay(state, day, ctx).state;
      const snapshot = assembleSnapshot(snapshotAt(state), {
        generatedAt: `${day.date}T23:45:00.000Z`,
        sample: false,
        sources: [],
        rejections: [],
      });
      results.push({
        snapshot,
        gates: checkSanity(previous, snapshot),
        measures: sanityMeasures(previous, snapshot),
      });
      previous = snapshot;
    }
  }, 900_000);

  it('checks every trading day of 2024 against the day before', () => {
    expect(results).toHaveLength(252 - rejectedDays);
    expect(results.filter((r) => r.gates.comparedWith !== null)).toHaveLength(results.length - 1);
    // The half days are ordinary trading days, gated like the others.
    const dates = results.map((r) => r.snapshot.asOf);
    for (const halfDay of ['2024-07-03', '2024-11-29', '2024-12-24']) expect(dates).toContain(halfDay);
    // The settlement dates of 2024 take effect along the year: the wide bound is used after each.
    expect(results.filter((r) => r.measures.newSettlementFile === true).length).toBeGreaterThanOrEqual(40);
  });

  it('trips no gate', () => {
    const tripped = results.flatMap((r) => r.gates.violations.map((v) => v.message));
    expect(tripped).toEqual([]);
  });

  it('stays well inside every bound (the maxima the bounds were chosen from)', () => {
    const m = results.map((r) => r.measures);
    const moveSame = maxOf(
      m
        .filter((x) => x.newSettlementFile === false)
        .map((x) => ({ value: absOrNull(x.shortInterestMove), date: x.date })),
    );
    const moveNew = maxOf(
      m
        .filter((x) => x.newSettlementFile === true)
        .map((x) => ({ value: absOrNull(x.shortInterestMove), date: x.date })),
    );
    const drop = maxOf(m.map((x) => ({ value: x.symbolChange === null ? null : -x.symbolChange, date: x.date })));
    const tiers = Object.fromEntries(
      TIERS.map((t: Tier) => [t, maxOf(m.map((x) => ({ value: x.tierPnlMultiple[t], date: x.date })))]),
    ) as Record<Tier, Max>;
    const show = (x: Max) => `${(x.value * 100).toFixed(2)}% (${x.date})`;
    console.log(
      [
        `real 2024: ${results.length} snapshots gated`,
        `exposure move, same settlement file: max ${show(moveSame)}, bound ${DEFAULT_GATE_BOUNDS.shortInterestMove * 100}%`,
        `exposure move, new settlement file:  max ${show(moveNew)}, bound ${DEFAULT_GATE_BOUNDS.shortInterestMoveNewFile * 100}%`,
        `symbol drop: max ${show(drop)}, bound ${DEFAULT_GATE_BOUNDS.symbolDrop * 100}%`,
        ...TIERS.map(
          (t) =>
            `tier ${t} |pnl| / exposure: max ${show(tiers[t])}, bound ${DEFAULT_GATE_BOUNDS.tierPnlMultiple * 100}%`,
        ),
      ].join('\n'),
    );
    // Margins of at least ×3 on this year: a bound that close to real data would alarm on ordinary days.
    expect(moveSame.value * 3).toBeLessThan(DEFAULT_GATE_BOUNDS.shortInterestMove);
    expect(moveNew.value * 3).toBeLessThan(DEFAULT_GATE_BOUNDS.shortInterestMoveNewFile);
    expect(drop.value * 3).toBeLessThan(DEFAULT_GATE_BOUNDS.symbolDrop);
    for (const t of TIERS) expect(tiers[t].value * 3, t).toBeLessThan(DEFAULT_GATE_BOUNDS.tierPnlMultiple);
  });
});

function absOrNull(x: number | null): number | null {
  return x === null ? null : Math.abs(x);
}
