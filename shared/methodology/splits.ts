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

/**
 * Rule 3(d) (v3): the split a FINRA `S` flag stands for, given the day's price ratio x: the candidate k
 * whose x·k is nearest 1 (in ratio), if the price test passes; null otherwise.
 */
export function flaggedFactor(x: number): number | null {
  let best: number | null = null;
  let distance = Number.POSITIVE_INFINITY;
  for (const [num, den] of CANDIDATE_FACTORS) {
    const k = num / den;
    if (!priceFits(x, k)) continue;
    const d = Math.abs(Math.log(x * k));
    if (d < distance) {
      distance = d;
      best = k;
    }
  }
  return best;
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

/**
 * Methodology v2, rule 3(b'): how close to a split ratio an ordinary move must sit to be held as a
 * possible split. v1 holds every move a k brings within [0.75, 4/3] (on 2024-12-31: 410 pending, most of
 * them ordinary ±50% days); v2 holds a move within [1/3, 3] only when x·k is within 5% of 1 (a split
 * with at most a ±5% move on top), and a move beyond [1/3, 3] — which no stock makes in a day without a
 * split — when x·k lies within [0.5, 2] (a reverse split followed by a crash or a squeeze: GWAV).
 */
export const V2_TIGHT = 0.05;
export const V2_ORDINARY_MOVE = 3;

/**
 * Later accepted days a v2 candidate may wait for its share count. Measured on the real 2024 year: of the
 * 13 splits confirmed near a split ratio, 12 within 3 days (CIM's 1-for-3 on the 8th); of the 305 beyond
 * [1/3, 3], 303 within 4 days (NDRA's 1-for-30 and SCPX on the 10th). What arrives later — and a split
 * with a move of more than 5% on top within [1/3, 3] — needs splits.csv or the split calendar (3(c)).
 */
export const V2_TIGHT_CONFIRM_DAYS = 3;
export const V2_EXTREME_CONFIRM_DAYS = 4;

/**
 * Rule 3(b') price test (v2): null when k is no candidate, else how many later days may confirm it. A move
 * beyond [1/3, 3] (no stock makes one in a day without a split) is a candidate when x·k lies within
 * [0.5, 2], for 4 days; an ordinary move within [1/3, 3] only when x·k is within 5% of 1, for 3 days. An
 * ordinary ±50% day that a split would merely bring within v1's band [0.75, 4/3] is no candidate: it is
 * counted as a move unless splits.csv or the split calendar lists a split (rule 3(c)).
 */
export function candidateDaysV2(x: number, k: number): number | null {
  const xk = x * k;
  if (x < 1 / V2_ORDINARY_MOVE || x > V2_ORDINARY_MOVE) return xk >= 0.5 && xk <= 2 ? V2_EXTREME_CONFIRM_DAYS : null;
  return Math.abs(xk - 1) <= V2_TIGHT ? V2_TIGHT_CONFIRM_DAYS : null;
}

/**
 * Rule 3(b') confirmation (v2): a later share count within 10% of k · SO_{d−1} (as v1), or — when the
 * price sits within 5% of the split ratio — a share count that moved the split's way by at least two
 * thirds of it and at most half again (k/1.5 ≤ SO/SO_{d−1} ≤ 1.5k): a split with an issuance or buyback
 * around it (NYCB's 1-for-3 with ×0.43 shares). A flat price never sits near a split ratio, so a
 * share-count glitch alone confirms nothing.
 */
export function confirmsV2(sharesLater: number, k: number, sharesPrev: number, x: number): boolean {
  if (confirms(sharesLater, k, sharesPrev)) return true;
  if (Math.abs(x * k - 1) > V2_TIGHT) return false;
  const q = sharesLater / sharesPrev;
  return k >= 1 ? q >= k / 1.5 && q <= k * 1.5 : q <= k * 1.5 && q >= k / 1.5;
}

/**
 * Rule 3(b') look-back (v2): how many accepted days before d−1 the share count may have moved ahead of the
 * price. Measured on the real 2024 year: the screener took LRCX's 10-for-1 (ex-date 2024-10-03) into its
 * count 2 accepted days early and SONY's 5-for-1 (2024-10-09) 6 days early (both on 2024-10-01), SISI's
 * 1-for-10 (2024-02-16) 4 days early; the next pairing, at 7 days, is WHLR's price doubling of 2024-10-02
 * with the halved count of 2024-09-23, which followed an earlier doubling (2024-09-20): no early count.
 */
export const V2_LOOKBACK_DAYS = 6;

/** A symbol on one accepted day as the look-back reads it: raw price, market cap (0 if unknown), factor. */
export type LookBackDay = { price: number; marketCap: number; factor: number };

/**
 * Rule 3(b') look-back (v2): the share counts SO_{d−1−j}, j = 1 … V2_LOOKBACK_DAYS, that SO_{d−1} may be
 * compared with. `day(j)` is the symbol on accepted day d−1−j (j = 0: d−1), undefined when absent. The
 * walk back stops at the first day the symbol is absent, and before a day d−j whose price moved by a third
 * or more (the test of priceFits with k = 1) or on which a split was applied: the count must have moved
 * while the price stood still, and a split already applied (rule 3(a) or 3(c)) has used its count change.
 * No day of the window can be a 3(b) split: its price moved by less than a third. A day without a known
 * market cap is passed over, not a stop.
 */
export function lookBackShares(day: (j: number) => LookBackDay | undefined): number[] {
  const out: number[] = [];
  let cur = day(0);
  for (let j = 1; cur !== undefined && j <= V2_LOOKBACK_DAYS; j++) {
    const prev = day(j);
    if (prev === undefined || cur.factor !== 1 || !priceFits(cur.price / prev.price, 1)) break;
    if (prev.marketCap > 0) out.push(prev.marketCap / prev.price);
    cur = prev;
  }
  return out;
}

/**
 * Rule 3(b') look-back confirmation (v2): the count on d−1 is already within 10% of k times a count of
 * the look-back (`lookBackShares`), and the split leaves a move of less than a third (v1's price test,
 * 0.75 ≤ x·k ≤ 4/3; VATE's ×9.1 of 2024-08-09 after a count ×0.153 is no 1-for-6). Confirm targets
 * k · SO_{d−1} of later days cannot work here, SO_{d−1} being the count after the split.
 */
export function confirmsLookBack(x: number, k: number, sharesPrev: number, earlier: readonly number[]): boolean {
  return priceFits(x, k) && earlier.some((so) => confirms(sharesPrev, k, so));
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
  methodology: 1 | 2 = 1,
  earlier: readonly number[] = [],
): RuleBDecision {
  if (methodology === 2) return ruleBV2(x, sharesPrev, later, known, earlier);
  for (const [num, den] of CANDIDATE_FACTORS) {
    const k = num / den;
    if (!priceFits(x, k)) continue;
    const n = Math.min(known, CONFIRM_DAYS);
    for (let i = 0; i < n; i++) {
      const so = later(i);
      if (so !== undefined && confirms(so, k, sharesPrev)) return { kind: 'split', factor: k };
    }
    if (n < CONFIRM_DAYS) return { kind: 'pending', factor: k, known: n };
  }
  return { kind: 'none' };
}

/**
 * Rule 3(b') (v2). A candidate k confirmed by the look-back (`confirmsLookBack`, with `earlier` from
 * `lookBackShares`) decides on d itself, the k leaving the smallest move |ln(x·k)| first, then list order:
 * that evidence is known on d, before any later day. Otherwise the later days are read in order; the first day on which a share count confirms
 * some candidate k (`candidateDaysV2`, within its own days) decides: of the k it confirms, one within 10%
 * (v1's evidence) before one only within the wider band of `confirmsV2`, then the one leaving the smallest
 * move |ln(x·k)|, then list order. With no confirmation among the days known, the day is pending while a
 * candidate still has days to wait, else no split. Unlike v1 a confirmed k does not wait for an earlier k
 * of the list to be ruled out (TSCO's 5-for-1 is applied the day its count arrives, not 10 days later);
 * the decision depends only on the first confirming day, so the day-by-day pipeline and a batch that
 * sees every later day decide alike.
 */
function ruleBV2(
  x: number,
  sharesPrev: number,
  later: (i: number) => number | undefined,
  known: number,
  earlier: readonly number[],
): RuleBDecision {
  const candidates: { k: number; days: number; fit: number }[] = [];
  for (const [num, den] of CANDIDATE_FACTORS) {
    const k = num / den;
    const days = candidateDaysV2(x, k);
    if (days !== null) candidates.push({ k, days, fit: Math.abs(Math.log(x * k)) });
  }
  if (candidates.length === 0) return { kind: 'none' };
  if (earlier.length > 0) {
    let early: { k: number; fit: number } | null = null;
    for (const c of candidates) {
      if ((early === null || c.fit < early.fit) && confirmsLookBack(x, c.k, sharesPrev, earlier)) early = c;
    }
    if (early !== null) return { kind: 'split', factor: early.k };
  }
  const n = Math.min(known, CONFIRM_DAYS);
  for (let i = 0; i < n; i++) {
    const so = later(i);
    if (so === undefined) continue;
    let best: number | null = null;
    let bestRank = Number.POSITIVE_INFINITY;
    for (const c of candidates) {
      if (i >= c.days) continue;
      // 0: within 10% (v1's evidence); 1: only the wider band. fit < 1, so one number orders both.
      const level = confirms(so, c.k, sharesPrev) ? 0 : confirmsV2(so, c.k, sharesPrev, x) ? 1 : -1;
      if (level < 0) continue;
      const rank = level * 1000 + c.fit;
      if (rank < bestRank) {
        best = c.k;
        bestRank = rank;
      }
    }
    if (best !== null) return { kind: 'split', factor: best };
  }
  const waiting = candidates.find((c) => known < c.days);
  return waiting ? { kind: 'pending', factor: waiting.k, known: Math.min(known, waiting.days) } : { kind: 'none' };
}

/** `10-for-1`, `1-for-20`: a factor for people. */
export function describeFactor(factor: number): string {
  if (factor >= 1) return `${Number(factor.toPrecision(6))}-for-1`;
  return `1-for-${Number((1 / factor).toPrecision(6))}`;
}
