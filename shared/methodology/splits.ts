/** Rule 3: split detection from unadjusted prices and the share count behind the market cap. */

/** Rule 3(b): candidate factors k = num/den, tried in this order. */
export const CANDIDATE_FACTORS: readonly (readonly [number, number])[] = [
  [2, 1],
  [3, 1],
  [4, 1],
  [5, 1],
  [6, 1],
  [8, 1],
  [10, 1],
  [15, 1],
  [20, 1],
  [25, 1],
  [30, 1],
  [40, 1],
  [50, 1],
  [1, 2],
  [1, 3],
  [1, 4],
  [1, 5],
  [1, 6],
  [1, 8],
  [1, 10],
  [1, 12],
  [1, 15],
  [1, 20],
  [1, 25],
  [1, 30],
  [1, 40],
  [1, 50],
  [1, 60],
  [1, 75],
  [1, 100],
  [1, 150],
  [1, 200],
  [1, 250],
];

/** How many accepted days after d rule 3(b) may look at. */
export const CONFIRM_DAYS = 10;

/** The price test shared by 3(a) and 3(b): the split-adjusted price moved by less than a third. */
export function priceFits(x: number, k: number): boolean {
  const xk = x * k;
  return xk >= 0.75 && xk <= 4 / 3;
}

/** Rule 3(a): the raw share-count ratio q if it is a split, else null. */
export function ruleA(x: number, sharesPrev: number, sharesNow: number): number | null {
  const q = sharesNow / sharesPrev;
  return (q >= 1.5 || q <= 2 / 3) && priceFits(x, q) ? q : null;
}

/** Rule 3(b) confirmation: a later share count within 10% of k · SO_{d−1}. */
export function confirms(sharesLater: number, k: number, sharesPrev: number): boolean {
  const target = k * sharesPrev;
  return Math.abs(sharesLater - target) <= 0.1 * target;
}

export type RuleBDecision =
  | { kind: 'none' }
  | { kind: 'split'; factor: number }
  | { kind: 'pending'; factor: number; known: number };

/**
 * Rule 3(b) with what is known so far. `later(i)` is the symbol's share count on the i-th accepted
 * day after d (0-based), undefined when it is absent or has no market cap that day; `known` is how
 * many later accepted days are known (only the first 10 count).
 *
 * The first k (in CANDIDATE_FACTORS order) passing the price test and confirmed is the factor. A k
 * that passes the price test but is not confirmed can only be ruled out once all 10 later days are
 * known; until then the decision is pending, because a later day could still confirm it and it comes
 * before any k confirmed further down the list. This is what makes the day-by-day pipeline agree
 * with the batch.
 */
export function ruleB(
  x: number,
  sharesPrev: number,
  later: (i: number) => number | undefined,
  known: number,
): RuleBDecision {
  const n = Math.min(known, CONFIRM_DAYS);
  for (const [num, den] of CANDIDATE_FACTORS) {
    const k = num / den;
    if (!priceFits(x, k)) continue;
    for (let i = 0; i < n; i++) {
      const so = later(i);
      if (so !== undefined && confirms(so, k, sharesPrev)) return { kind: 'split', factor: k };
    }
    if (n < CONFIRM_DAYS) return { kind: 'pending', factor: k, known: n };
  }
  return { kind: 'none' };
}

/** `10-for-1`, `1-for-20`: a factor for people. */
export function describeFactor(factor: number): string {
  if (factor >= 1) return `${Number(factor.toPrecision(6))}-for-1`;
  return `1-for-${Number((1 / factor).toPrecision(6))}`;
}
