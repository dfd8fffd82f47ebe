/**
 * A literal, slow transcription of methodology rules 2 (which candidate days are accepted) and
 * 3(a)/(b) (which symbol-days are splits) from issue 3, used as an independent oracle: the sample
 * generator's manifest must be exactly what these rules find in its files.
 */
import { isWeekend } from '../../shared/calendar.ts';
import type { IsoDate } from '../../shared/domain.ts';

export interface OracleRow {
  price: number;
  marketCap: number | null;
}

export interface OracleDay {
  date: IsoDate;
  rows: Map<string, OracleRow>;
}

export interface RejectedDay {
  date: IsoDate;
  reason: 'weekend' | 'partial' | 'stale';
}

export function acceptDays(candidates: readonly OracleDay[]): { accepted: OracleDay[]; rejected: RejectedDay[] } {
  const sorted = [...candidates].sort((a, b) => (a.date < b.date ? -1 : 1));
  const accepted: OracleDay[] = [];
  const rejected: RejectedDay[] = [];
  for (const day of sorted) {
    if (isWeekend(day.date)) {
      rejected.push({ date: day.date, reason: 'weekend' });
      continue;
    }
    const prev = accepted.at(-1);
    if (!prev) {
      accepted.push(day);
      continue;
    }
    if (day.rows.size < 0.7 * prev.rows.size) {
      rejected.push({ date: day.date, reason: 'partial' });
      continue;
    }
    let same = 0;
    for (const [symbol, row] of day.rows) if (prev.rows.get(symbol)?.price === row.price) same++;
    if (same >= 0.9 * day.rows.size) {
      rejected.push({ date: day.date, reason: 'stale' });
      continue;
    }
    accepted.push(day);
  }
  return { accepted, rejected };
}

const K = [
  2,
  3,
  4,
  5,
  6,
  8,
  10,
  15,
  20,
  25,
  30,
  40,
  50,
  1 / 2,
  1 / 3,
  1 / 4,
  1 / 5,
  1 / 6,
  1 / 8,
  1 / 10,
  1 / 12,
  1 / 15,
  1 / 20,
  1 / 25,
  1 / 30,
  1 / 40,
  1 / 50,
  1 / 60,
  1 / 75,
  1 / 100,
  1 / 150,
  1 / 200,
  1 / 250,
];

export interface FoundSplit {
  symbol: string;
  date: IsoDate;
  factor: number;
  rule: '3a' | '3b';
}

export function findSplits(accepted: readonly OracleDay[]): FoundSplit[] {
  const out: FoundSplit[] = [];
  for (let i = 1; i < accepted.length; i++) {
    const prev = accepted[i - 1] as OracleDay;
    const day = accepted[i] as OracleDay;
    for (const [symbol, row] of day.rows) {
      const before = prev.rows.get(symbol);
      if (!before || before.marketCap === null) continue;
      const x = row.price / before.price;
      const soBefore = before.marketCap / before.price;
      if (row.marketCap !== null) {
        const q = row.marketCap / row.price / soBefore;
        if ((q >= 1.5 || q <= 2 / 3) && x * q >= 0.75 && x * q <= 4 / 3) {
          out.push({ symbol, date: day.date, factor: q, rule: '3a' });
          continue;
        }
      }
      for (const k of K) {
        if (!(x * k >= 0.75 && x * k <= 4 / 3)) continue;
        let later = false;
        for (let j = i + 1; j <= i + 10 && j < accepted.length; j++) {
          const r = (accepted[j] as OracleDay).rows.get(symbol);
          if (r && r.marketCap !== null && Math.abs(r.marketCap / r.price - k * soBefore) <= 0.1 * k * soBefore) {
            later = true;
            break;
          }
        }
        if (later) {
          out.push({ symbol, date: day.date, factor: k, rule: '3b' });
          break;
        }
      }
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.symbol < b.symbol ? -1 : 1));
}
