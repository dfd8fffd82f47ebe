/**
 * Sector names are data: `__proto__`, `constructor`, `toString` and the like must be ordinary sectors
 * (issue 10, item 4). A plain `{}` keyed by them loses `__proto__` (the assignment sets the prototype)
 * and finds Object.prototype's `toString` for a day without that sector, so sectors stop adding up to
 * `total`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriceRow } from '../../shared/domain.ts';
import { WINDOWS } from '../../shared/domain.ts';
import { buildSnapshot, historyRows, snapshotAt } from '../../shared/methodology/index.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';
import { type GroupFigures, type Snapshot, SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { expectClose, series, siFile, weekdays } from './helpers.ts';
import { dayByDay, type Market, marketArb } from './market-arb.ts';

const M = 1e6;
/** Through a constant: written as a property access, `.__proto__` would read the prototype. */
const PROTO = '__proto__';
const MONEY = ['pnlUsd', 'avgShortInterestUsd', 'netNewShortingUsd'] as const;

/** Names a plain object treats specially, and others that have broken key handling elsewhere. */
const HOSTILE = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  'isPrototypeOf',
  '__defineGetter__',
  '__proto__\0',
  '',
  '   ',
  '0',
  '42',
  'Énergie — 能源 🛢️',
  '\u202eRTL',
  'x'.repeat(2_000),
];

/** The sector a row's name is published under (rule 6: trimmed; empty → Unclassified). */
const published = (sector: string): string => (sector.trim() === '' ? 'Unclassified' : sector.trim());

const sectorNameArb = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 300, maxLength: 600 }), weight: 1 },
);

/**
 * The random markets of the property tests with sectors drawn from `sectors`, plus one anchor per
 * sector: priced every day with a known market cap and shorted, so each sector has a tiered
 * symbol-day on every counted day and appears in every window that has counted days.
 */
const hostileMarketArb: fc.Arbitrary<{ market: Market; sectors: string[] }> = fc
  .uniqueArray(sectorNameArb, { minLength: 1, maxLength: 6, selector: published })
  .chain((sectors) =>
    marketArb(sectors).map((m) => {
      const anchors = sectors.map((_, j) => ({ symbol: `H${j}`, shares: 4e6 * 10 ** j, short: 3e5 * (j + 1) }));
      const days = m.days.map((d, i) => ({
        ...d,
        rows: [
          ...d.rows,
          ...anchors.map((a, j): PriceRow => {
            const price = 20 + 5 * j + 3 * Math.sin(i + j);
            return {
              symbol: a.symbol,
              name: `Anchor ${j}`,
              price,
              marketCap: price * a.shares,
              volume: 1e6,
              sector: sectors[j] as string,
              industry: '',
            };
          }),
        ],
      }));
      const withAnchors = (shares: ReadonlyMap<string, number>) =>
        new Map([...shares, ...anchors.map((a) => [a.symbol, a.short] as const)]);
      const shortInterest = m.shortInterest.some((f) => f.settlementDate === '2023-11-30')
        ? m.shortInterest
        : [...m.shortInterest, { settlementDate: '2023-11-30', files: ['shrt2023-11-30.csv'], shares: new Map() }];
      return {
        market: {
          ...m,
          days,
          shortInterest: shortInterest.map((f) => ({ ...f, shares: withAnchors(f.shares) })),
        },
        sectors,
      };
    }),
  );

function expectSumsToTotal(figures: GroupFigures[], total: GroupFigures, where: string): void {
  for (const key of MONEY) {
    const values = figures.map((f) => f[key]);
    expect(
      values.every((v) => typeof v === 'number'),
      `${where} ${key}: a sector figure is not a number`,
    ).toBe(true);
    const sum = (values as number[]).reduce((a, v) => a + v, 0);
    const scale = Math.max(1, Math.abs(total[key] as number), ...(values as number[]).map(Math.abs));
    expect(
      Math.abs(sum - (total[key] as number)),
      `${where} ${key}: Σ sectors ${sum} vs total ${total[key]}`,
    ).toBeLessThanOrEqual(1e-12 * scale * figures.length);
  }
  expect(
    figures.reduce((a, f) => a + f.symbols, 0),
    `${where} symbols`,
  ).toBe(total.symbols);
}

const CONTEXT = { generatedAt: '2024-12-31T23:00:00.000Z', sample: true, sources: [], rejections: [] };

describe('property: hostile sector names are ordinary sectors', () => {
  it('every sector is published and the sectors add up to total, in the batch and day by day', () => {
    let restatedDays = 0;
    fc.assert(
      fc.property(hostileMarketArb, ({ market, sectors }) => {
        let batch: ReturnType<typeof buildSnapshot>;
        try {
          batch = buildSnapshot(market);
        } catch {
          return true; // no accepted day at all
        }
        const names = [...new Set(sectors.map(published))].sort();
        for (const w of WINDOWS) {
          const win = batch.body.windows[w];
          if (win.tradingDays === 0) {
            expect(Object.keys(win.sectors)).toEqual([]);
            continue;
          }
          expect([...Object.keys(win.sectors)].sort(), w).toEqual(names);
          for (const name of names) {
            expect(Object.hasOwn(win.sectors, name), `${w}: ${JSON.stringify(name)}`).toBe(true);
          }
          expectSumsToTotal(Object.values(win.sectors), win.groups.total, w);
        }

        // The pipeline's path reads records back from JSON checkpoints (plain objects with an own
        // `__proto__` key) and patches them when a split is decided (rule 3b): the same bytes.
        const { state, records, restated } = dayByDay(market);
        restatedDays += restated;
        expect(JSON.stringify(snapshotAt(state))).toBe(JSON.stringify(batch.body));
        expect(JSON.stringify(historyRows(records))).toBe(JSON.stringify(batch.history));

        // Published, written, read back and validated: the same text.
        const snapshot = assembleSnapshot(batch.body, CONTEXT);
        expect(JSON.stringify(snapshot.windows)).toBe(JSON.stringify(batch.body.windows));
        const text = JSON.stringify(snapshot);
        const reread = SnapshotSchema.parse(JSON.parse(text));
        expect(JSON.stringify(reread)).toBe(text);
        for (const w of WINDOWS) {
          for (const name of Object.keys(snapshot.windows[w].sectors)) {
            expect(reread.windows[w].sectors[name], `${w}: ${JSON.stringify(name)} after parsing`).toEqual(
              snapshot.windows[w].sectors[name],
            );
          }
        }
      }),
      { numRuns: 120 },
    );
    // The runs did decide splits later (rule 3b), so patched records were covered.
    expect(restatedDays).toBeGreaterThan(0);
  });
});

describe('one stock in sector __proto__ (hand-computed)', () => {
  // 2024-03-04 … 03-07. P ($1B → small tier) is the only stock of sector `__proto__`: 1M shares short
  // (file of 03-01), then 1.5M (file of 03-05). T (Technology, $50 → $53 on 10M shares, small) has
  // 2M short throughout. The movers of `series` have no market cap and stay out of every figure.
  const dates = weekdays('2024-03-04', 4);
  const pPrices = [100, 98, 99, 95];
  const days = series(dates, (i) => [
    ['P', pPrices[i] as number, { sector: '__proto__' }],
    ['T', 50 + i, { sector: 'Technology' }],
  ]);
  const result = buildSnapshot({
    days,
    shortInterest: [siFile('2024-03-01', { P: 1 * M, T: 2 * M }), siFile('2024-03-05', { P: 1.5 * M, T: 2 * M })],
    splits: [],
  });
  const snapshot = assembleSnapshot(result.body, CONTEXT);

  // Day by day (rule 5), P: E = SI(d−1) · price_{d−1}, pnl = −E · R, N = (SI(d) − SI(d−1)) · price_d
  //   03-05: E = 1M · 100 = 100M, pnl = −1M · (98 − 100) = +2M,    N = 0.5M · 98 = 49M
  //   03-06: E = 1.5M · 98 = 147M, pnl = −1.5M · (99 − 98) = −1.5M, N = 0
  //   03-07: E = 1.5M · 99 = 148.5M, pnl = −1.5M · (95 − 99) = +6M, N = 0
  const month = { pnl: 6.5 * M, avg: (395.5 * M) / 3, netNew: 49 * M, returnPct: (95 / 100 - 1) * 100 };

  it('is published as an own key, after Technology (code-unit order)', () => {
    for (const w of WINDOWS) {
      expect(Object.keys(snapshot.windows[w].sectors)).toEqual(['Technology', '__proto__']);
      expect(Object.hasOwn(snapshot.windows[w].sectors, '__proto__')).toBe(true);
    }
    expect(JSON.stringify(snapshot.windows['1d'].sectors)).toMatch(
      /^\{"Technology":\{[^}]*\},"__proto__":\{"pnlUsd":6/,
    );
  });

  it('1d figures', () => {
    const p = snapshot.windows['1d'].sectors[PROTO] as GroupFigures;
    expectClose(p.pnlUsd, 6 * M);
    expectClose(p.avgShortInterestUsd, 148.5 * M);
    expectClose(p.pnlPct, (6 / 148.5) * 100);
    expect(p.netNewShortingUsd).toBe(0);
    expectClose(p.returnPct, (95 / 99 - 1) * 100);
    expect([p.decliningPct, p.symbols]).toEqual([100, 1]);
  });

  it('mtd, 30d and ytd figures (the same three counted days)', () => {
    for (const w of ['mtd', '30d', 'ytd'] as const) {
      const win = snapshot.windows[w];
      expect([win.from, win.tradingDays]).toEqual(['2024-03-05', 3]);
      const p = win.sectors[PROTO] as GroupFigures;
      expectClose(p.pnlUsd, month.pnl);
      expectClose(p.avgShortInterestUsd, month.avg);
      expectClose(p.pnlPct, (month.pnl / month.avg) * 100);
      expectClose(p.netNewShortingUsd, month.netNew);
      expectClose(p.returnPct, month.returnPct);
      expect([p.decliningPct, p.symbols]).toEqual([100, 1]);
    }
  });

  it('__proto__ and Technology add up to total', () => {
    for (const w of WINDOWS) {
      const win = snapshot.windows[w];
      expectSumsToTotal(Object.values(win.sectors), win.groups.total, w);
      // T alone: 2M short, price up $1 a day → −2M a day
      expectClose(win.sectors.Technology?.pnlUsd, -2 * M * win.tradingDays);
    }
  });

  it('survives JSON.stringify → JSON.parse → the snapshot schema', () => {
    const text = JSON.stringify(snapshot);
    const parsed: Snapshot = SnapshotSchema.parse(JSON.parse(text));
    expect(JSON.stringify(parsed)).toBe(text);
    for (const w of WINDOWS) {
      expect(Object.hasOwn(parsed.windows[w].sectors, '__proto__')).toBe(true);
      expect(parsed.windows[w].sectors[PROTO]).toEqual(snapshot.windows[w].sectors[PROTO]);
    }
  });
});
