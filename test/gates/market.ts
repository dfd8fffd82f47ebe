/**
 * A small hand-made market for the gate tests, built into real snapshots by the methodology engine
 * (buildSnapshot + assembleSnapshot), so each gate is tripped by what a bad input really does to a
 * snapshot. Figures are round so expectations can be worked out on paper:
 *
 *   symbol  shares  price  market cap  tier   short interest (file 2024-05-31)  exposure
 *   MEGA    3e9     $100   $300B       mega   30M                                $3.000B
 *   LRG     1e9     $50    $50B        large  20M                                $1.000B
 *   MID     2.5e8   $20    $5B         mid    10M                                $0.200B
 *   SML     1e8     $10    $1B         small   5M                                $0.050B
 *   MIC     2e7     $5     $100M       micro   2M                                $0.010B
 *   NAN     1e7     $2     $20M        nano    1M                                $0.002B
 *                                                                        total  $4.262B
 *
 * Prices of the six are flat (P&L 0) unless a scenario changes them. Twenty unshorted small caps
 * F01…F20 alternate between $10.00 and $10.10 so no day looks like a stale repeat (rule 2).
 */
import type { IsoDate, PriceDay, PriceRow, ShortInterestFile } from '../../shared/domain.ts';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import type { MethodologyVersion } from '../../shared/methodology/types.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { row, siFile } from '../methodology/helpers.ts';

export const DATES: IsoDate[] = [
  '2024-06-10',
  '2024-06-11',
  '2024-06-12',
  '2024-06-13',
  '2024-06-14',
  '2024-06-17',
  '2024-06-18',
];

interface Listing {
  symbol: string;
  shares: number;
  price: number;
  short: number;
}

export const SHORTED: Listing[] = [
  { symbol: 'MEGA', shares: 3e9, price: 100, short: 30e6 },
  { symbol: 'LRG', shares: 1e9, price: 50, short: 20e6 },
  { symbol: 'MID', shares: 2.5e8, price: 20, short: 10e6 },
  { symbol: 'SML', shares: 1e8, price: 10, short: 5e6 },
  { symbol: 'MIC', shares: 2e7, price: 5, short: 2e6 },
  { symbol: 'NAN', shares: 1e7, price: 2, short: 1e6 },
];

export const TOTAL_EXPOSURE = 4.262e9;

/** Per date: symbol → price override (the market cap follows: the screener computes it from the price). */
export type PriceEdits = Partial<Record<IsoDate, Record<string, number | 'absent' | 'no-market-cap'>>>;

export function market(edits: PriceEdits = {}): PriceDay[] {
  return DATES.map((date, i) => {
    const rows: PriceRow[] = [];
    const edit = edits[date] ?? {};
    for (const l of SHORTED) {
      const e = edit[l.symbol];
      if (e === 'absent') continue;
      if (e === 'no-market-cap') rows.push(row(l.symbol, l.price, { marketCap: null }));
      else rows.push(row(l.symbol, e ?? l.price, { shares: l.shares }));
    }
    for (let f = 1; f <= 20; f++) {
      rows.push(row(`F${String(f).padStart(2, '0')}`, 10 + (i % 2) * 0.1, { shares: 1e8 }));
    }
    return { date, file: `${date}.json`, rows };
  });
}

/** The 2024-05-31 short interest file, with some positions replaced. */
export function shortInterest(
  settlementDate: IsoDate = '2024-05-31',
  changes: Record<string, number> = {},
  files?: string[],
): ShortInterestFile {
  const shares: Record<string, number> = {};
  for (const l of SHORTED) shares[l.symbol] = changes[l.symbol] ?? l.short;
  return siFile(settlementDate, shares, files);
}

/**
 * The published snapshot as of `asOf`, as compute and publish would produce it (the default methodology
 * unless `methodology` pins another: a gate scenario whose figures a version's rule changes).
 */
export function snapshotAt(
  asOf: IsoDate,
  days: PriceDay[] = market(),
  files: ShortInterestFile[] = [shortInterest()],
  methodology?: MethodologyVersion,
): Snapshot {
  const { body } = buildSnapshot({
    days,
    shortInterest: files,
    splits: [],
    asOf,
    ...(methodology !== undefined ? { methodology } : {}),
  });
  return assembleSnapshot(body, {
    generatedAt: `${asOf}T23:45:00.000Z`,
    sample: false,
    sources: [],
    rejections: [],
  });
}
