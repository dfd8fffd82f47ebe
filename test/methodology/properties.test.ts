/**
 * Property tests over random markets (fast-check): accounting identities, the published schema, and
 * that the day-by-day pipeline path gives the same bytes as the batch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriceDay } from '../../shared/domain.ts';
import { GROUPS, WINDOWS } from '../../shared/domain.ts';
import {
  buildSnapshot,
  classifyDay,
  historyRows,
  initialState,
  lookaheadDay,
  snapshotAt,
  stepDay,
} from '../../shared/methodology/index.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';
import type { GroupFigures } from '../../shared/snapshot/schema.ts';
import { dayByDay, marketArb } from './market-arb.ts';

function near(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1 + 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

const MONEY = ['pnlUsd', 'netNewShortingUsd', 'avgShortInterestUsd'] as const;

function sumOf(figures: GroupFigures[], key: (typeof MONEY)[number]): number {
  return figures.reduce((acc, f) => acc + (f[key] ?? 0), 0);
}

describe('property: accounting identities', () => {
  it('composite groups are the sum of their tiers and sectors sum to total (within $1)', () => {
    fc.assert(
      fc.property(marketArb(), (m) => {
        let result: ReturnType<typeof buildSnapshot>;
        try {
          result = buildSnapshot(m);
        } catch {
          return true; // no accepted day at all
        }
        const tables = [
          ...WINDOWS.map((w) => result.body.windows[w].groups),
          ...result.history.flatMap((r) => [r['1d'], r.ytd]),
        ];
        for (const g of tables) {
          for (const key of MONEY) {
            expect(near(g.megaLarge[key], g.large[key] === null ? null : sumOf([g.large, g.mega], key))).toBe(true);
            expect(
              near(g.smallMicroNano[key], g.small[key] === null ? null : sumOf([g.small, g.micro, g.nano], key)),
            ).toBe(true);
            expect(
              near(
                g.total[key],
                g.total[key] === null ? null : sumOf([g.nano, g.micro, g.small, g.mid, g.large, g.mega], key),
              ),
            ).toBe(true);
          }
          expect(g.total.symbols).toBe(
            g.nano.symbols + g.micro.symbols + g.small.symbols + g.mid.symbols + g.large.symbols + g.mega.symbols,
          );
        }
        for (const w of WINDOWS) {
          const win = result.body.windows[w];
          if (win.tradingDays === 0) continue;
          for (const key of MONEY) {
            expect(near(win.groups.total[key], sumOf(Object.values(win.sectors), key))).toBe(true);
          }
          expect(Object.values(win.sectors).reduce((a, s) => a + s.symbols, 0)).toBe(win.groups.total.symbols);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the snapshot validates against the published schema', () => {
    fc.assert(
      fc.property(marketArb(), (m) => {
        let result: ReturnType<typeof buildSnapshot>;
        try {
          result = buildSnapshot(m);
        } catch {
          return true;
        }
        // assembleSnapshot throws SnapshotValidationError on any mismatch
        const snap = assembleSnapshot(result.body, {
          generatedAt: '2024-12-31T23:00:00.000Z',
          sample: true,
          sources: [],
          rejections: [],
        });
        expect(snap.asOf).toBe(result.body.asOf);
        for (const g of GROUPS) expect(typeof snap.windows.ytd.groups[g].symbols).toBe('number');
      }),
      { numRuns: 100 },
    );
  });
});

describe('property: one code path', () => {
  it('day by day with JSON checkpoints gives the same bytes as the batch', () => {
    fc.assert(
      fc.property(marketArb(), (m) => {
        let batch: ReturnType<typeof buildSnapshot>;
        try {
          batch = buildSnapshot(m);
        } catch {
          return true;
        }
        const { state, records } = dayByDay(m);
        expect(JSON.stringify(snapshotAt(state))).toBe(JSON.stringify(batch.body));
        expect(JSON.stringify(historyRows(records))).toBe(JSON.stringify(batch.history));
        // v2: history's last row (from day records) and the snapshot's groups (breadth from per-symbol data)
        // agree. v3 groups each symbol's whole window by its tier as of A, history each day by that day's
        // tier (docs/methodology.md, rule 6): only the index return is common to both.
        const v2 = buildSnapshot({ ...m, methodology: 2 });
        const last = v2.history.at(-1);
        if (last && last.date === v2.body.asOf) {
          expect(last['1d']).toEqual(v2.body.windows['1d'].groups);
          expect(last.ytd).toEqual(v2.body.windows.ytd.groups);
          const v3Last = batch.history.at(-1);
          for (const g of Object.keys(last.ytd) as (keyof typeof last.ytd)[]) {
            expect(v3Last?.ytd[g].returnPct).toEqual(batch.body.windows.ytd.groups[g].returnPct);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('the order of rows inside a file does not change a bit', () => {
    fc.assert(
      fc.property(marketArb(), (m) => {
        let batch: ReturnType<typeof buildSnapshot>;
        try {
          batch = buildSnapshot(m);
        } catch {
          return true;
        }
        const reversed = { ...m, days: m.days.map((d) => ({ ...d, rows: [...d.rows].reverse() })).reverse() };
        expect(JSON.stringify(buildSnapshot(reversed).body)).toBe(JSON.stringify(batch.body));
      }),
      { numRuns: 60 },
    );
  });

  it('a look-ahead of the next accepted days decides the same splits and figures (rule 3b)', () => {
    fc.assert(
      fc.property(marketArb(), (m) => {
        let batch: ReturnType<typeof buildSnapshot>;
        try {
          batch = buildSnapshot(m);
        } catch {
          return true;
        }
        // accepted days as the batch saw them, then a fold that knows up to 10 days ahead
        let state = initialState();
        const accepted: PriceDay[] = [];
        const probe = initialState();
        let p = probe;
        for (const d of m.days) {
          if (classifyDay(p, d) === null) {
            accepted.push(d);
            p = stepDay(p, d, { shortInterest: [], splits: [], lookahead: [] }).state;
          }
        }
        const later = accepted.map(lookaheadDay);
        accepted.forEach((d, i) => {
          state = stepDay(state, d, {
            shortInterest: m.shortInterest,
            splits: m.splits,
            lookahead: later.slice(i + 1, i + 11),
          }).state;
        });
        const ahead = snapshotAt(state);
        const sortSplits = (s: typeof ahead.dataQuality.splits) =>
          [...s].sort((a, b) => (a.date + a.symbol < b.date + b.symbol ? -1 : 1));
        expect(sortSplits(ahead.dataQuality.splits)).toEqual(sortSplits(batch.body.dataQuality.splits));
        expect(ahead.dataQuality.pendingSplits).toEqual(batch.body.dataQuality.pendingSplits);
        for (const w of WINDOWS) {
          for (const g of GROUPS) {
            const x = ahead.windows[w].groups[g];
            const y = batch.body.windows[w].groups[g];
            for (const key of [...MONEY, 'returnPct', 'pnlPct'] as const) {
              const a = x[key];
              const b = y[key];
              if (a === null || b === null) expect(a).toBe(b);
              else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));
            }
            expect([x.decliningPct, x.symbols]).toEqual([y.decliningPct, y.symbols]);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
