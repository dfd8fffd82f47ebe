/**
 * Random markets for the property tests (fast-check): symbols that come and go, big moves, splits with
 * lagging share counts (rule 3b decisions that restate earlier days), gaps in market cap, short
 * interest files; and the pipeline's day-by-day path over them.
 */
import fc from 'fast-check';
import type { PriceDay, PriceRow, ShortInterestFile, SplitOverride } from '../../shared/domain.ts';
import {
  classifyDay,
  cloneState,
  type DayRecord,
  type EngineState,
  initialState,
  recordRejectedDay,
  stepDay,
} from '../../shared/methodology/index.ts';
import { weekdays } from './helpers.ts';

export interface Market {
  days: PriceDay[];
  shortInterest: ShortInterestFile[];
  splits: SplitOverride[];
}

export const SECTORS: readonly string[] = ['Technology', 'Health Care', 'Energy', ''];
const SPLIT_FACTORS = [2, 3, 10, 0.5, 0.1, 0.05];

/** A random market: symbols that come and go, big moves, splits with lagging share counts, gaps in MC. */
export function marketArb(sectors: readonly string[] = SECTORS): fc.Arbitrary<Market> {
  return fc
    .record({
      start: fc.constantFrom('2023-12-20', '2024-01-02', '2024-02-20'),
      nDays: fc.integer({ min: 2, max: 40 }),
      symbols: fc.array(
        fc.record({
          price: fc.double({ min: 0.5, max: 800, noNaN: true }),
          shares: fc.double({ min: 1e6, max: 5e9, noNaN: true }),
          sector: fc.constantFrom(...sectors),
          seed: fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 45, maxLength: 45 }),
        }),
        { minLength: 2, maxLength: 9 },
      ),
      files: fc.array(
        fc.record({
          offset: fc.integer({ min: -5, max: 45 }),
          pct: fc.array(fc.double({ min: 0, max: 0.3, noNaN: true }), { minLength: 9, maxLength: 9 }),
        }),
        { maxLength: 4 },
      ),
      overrides: fc.array(fc.record({ sym: fc.integer({ min: 0, max: 8 }), day: fc.integer({ min: 1, max: 39 }) }), {
        maxLength: 2,
      }),
    })
    .map(({ start, nDays, symbols, files, overrides }) => {
      const dates = weekdays(start, nDays);
      const rows: PriceRow[][] = dates.map(() => []);
      const splits: SplitOverride[] = [];
      symbols.forEach((s, k) => {
        let price = s.price;
        let shares = s.shares;
        let lag = 0;
        let reportedShares = shares;
        dates.forEach((_, i) => {
          const r = s.seed[i] as number;
          if (i > 0) {
            if (r < 40) {
              // a split, its share count reported 0–3 days late
              const f = SPLIT_FACTORS[r % SPLIT_FACTORS.length] as number;
              price = price / f;
              shares = shares * f;
              lag = r % 4;
            } else if (r < 60)
              price *= 0.4 + r / 100; // a big move
            else price *= 1 + ((r % 41) - 20) / 1000;
          }
          if (lag === 0) reportedShares = shares;
          else lag--;
          if (r % 17 === 5) return; // absent that day
          const marketCap = r % 13 === 3 ? null : price * reportedShares;
          rows[i]?.push({
            symbol: `S${k}`,
            name: `Symbol ${k}`,
            price,
            marketCap,
            volume: r % 7 === 0 ? null : r * 1000,
            sector: s.sector,
            industry: '',
          });
        });
      });
      for (const o of overrides) {
        const date = dates[o.day];
        if (date && o.sym < symbols.length) splits.push({ symbol: `S${o.sym}`, date, ratio: 2 });
      }
      const shortInterest: ShortInterestFile[] = [];
      const seenDates = new Set<string>();
      for (const f of files) {
        const settlementDate = weekdays('2023-12-01', 80).find(
          (d) => d >= (dates[Math.max(0, Math.min(f.offset, dates.length - 1))] as string),
        ) as string;
        const d = f.offset < 0 ? '2023-11-30' : settlementDate;
        if (seenDates.has(d)) continue;
        seenDates.add(d);
        const shares = new Map<string, number>();
        symbols.forEach((s, k) => {
          const pct = f.pct[k] as number;
          if (pct > 0.02) shares.set(`S${k}`, Math.round(s.shares * pct));
        });
        shortInterest.push({ settlementDate: d, files: [`shrt${d}.csv`], shares });
      }
      return {
        days: dates.map((date, i) => ({ date, file: `${date}.json`, rows: rows[i] as PriceRow[] })),
        shortInterest,
        splits,
      };
    });
}

/**
 * The pipeline's path: one candidate at a time, a JSON checkpoint between days, no look-ahead;
 * `restated` counts the day records a later split decision replaced.
 */
export function dayByDay(m: Market) {
  let state: EngineState = initialState();
  const records: DayRecord[] = [];
  let restated = 0;
  const ctx = { shortInterest: m.shortInterest, splits: m.splits, lookahead: [] };
  for (const day of m.days) {
    state = cloneState(JSON.parse(JSON.stringify(state)) as EngineState);
    const reason = classifyDay(state, day);
    if (reason !== null) {
      recordRejectedDay(state, { date: day.date, file: day.file, reason });
      continue;
    }
    const result = stepDay(state, day, ctx);
    state = result.state;
    restated += result.restated.length;
    for (const r of result.restated) {
      const at = records.findIndex((x) => x.date === r.date);
      records[at] = r;
    }
    if (result.day) records.push(result.day);
  }
  return { state, records, restated };
}
