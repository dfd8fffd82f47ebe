-- A ratio of 1 says nothing (the splits.csv parser rejects it); a symbol listed twice for a day keeps
-- its first row.
CREATE OR REPLACE TABLE split_overrides AS
SELECT y.sid, o.date, o.ratio
FROM (
  SELECT
    rowid AS line,
    canonical_symbol(symbol) AS symbol,
    TRY_CAST(trim(date) AS DATE) AS date,
    positive_or_null(TRY_CAST(trim(ratio) AS DOUBLE)) AS ratio
  FROM split_rows
) o
JOIN symbols y USING (symbol)
-- Rule 11's ceiling: a ratio outside 1/1000 … 1000 is rejected by the parser.
WHERE o.ratio IS NOT NULL AND o.ratio <> 1 AND o.date IS NOT NULL
  AND NOT (o.ratio::DOUBLE < 0.001 OR o.ratio::DOUBLE > 1000.0)
QUALIFY row_number() OVER (PARTITION BY y.sid, o.date ORDER BY o.line) = 1;

-- Rule 3(b)'s k list; `ord` is the order in which the k are tried.
CREATE OR REPLACE TABLE split_ks AS
SELECT ord::INTEGER AS ord, k
FROM (
  VALUES
    (1, 2::DOUBLE), (2, 3::DOUBLE), (3, 4::DOUBLE), (4, 5::DOUBLE), (5, 6::DOUBLE), (6, 8::DOUBLE),
    (7, 10::DOUBLE), (8, 15::DOUBLE), (9, 20::DOUBLE), (10, 25::DOUBLE), (11, 30::DOUBLE), (12, 40::DOUBLE),
    (13, 50::DOUBLE), (14, 1 / 2::DOUBLE), (15, 1 / 3::DOUBLE), (16, 1 / 4::DOUBLE), (17, 1 / 5::DOUBLE),
    (18, 1 / 6::DOUBLE), (19, 1 / 8::DOUBLE), (20, 1 / 10::DOUBLE), (21, 1 / 12::DOUBLE), (22, 1 / 15::DOUBLE),
    (23, 1 / 20::DOUBLE), (24, 1 / 25::DOUBLE), (25, 1 / 30::DOUBLE), (26, 1 / 40::DOUBLE), (27, 1 / 50::DOUBLE),
    (28, 1 / 60::DOUBLE), (29, 1 / 75::DOUBLE), (30, 1 / 100::DOUBLE), (31, 1 / 150::DOUBLE),
    (32, 1 / 200::DOUBLE), (33, 1 / 250::DOUBLE)
) t(ord, k);

-- `sd`: every symbol (sid) on every accepted day with its values on its own previous row; the symbol was
-- present on the previous accepted day d−1 exactly when prev_arn = arn − 1.
-- Rule 12 (v2): only common stocks and ADRs (`counted`) enter splits and figures; every listing still
-- counted for rule 2 above (px).
CREATE OR REPLACE TABLE sd_raw AS
SELECT
  p.sid,
  d.arn,
  p.date,
  p.price,
  p.mc,
  p.sector_id,
  lag(d.arn) OVER w AS prev_arn,
  lag(p.price) OVER w AS prev_price,
  lag(p.mc) OVER w AS prev_mc
FROM px p
JOIN days d USING (date)
WHERE p.counted
WINDOW w AS (PARTITION BY p.sid ORDER BY d.arn);


-- Rule 11(a): a move no split of rule 3 explains within a threefold change quarantines the row (the
-- symbol is absent that day). The engine checks a day against the previous day's row as it kept it, so
-- in a run of consecutive implausible days the 2nd, 4th, … are not checked (their previous row is
-- absent): the 1st, 3rd, … of each run are quarantined. Rule 11(c): a splits.csv ratio counts only when
-- listed or matched by the price.
-- `override_ok`: the day's splits.csv ratio is in rule 3(b)'s list (to 1e-3, as `inSplitList`) or the
-- price moved by it (x·ratio within [0.75, 4/3]).
CREATE OR REPLACE TABLE override_ok AS
SELECT s.sid, s.arn, o.ratio
FROM sd_raw s
JOIN split_overrides o ON o.sid = s.sid AND o.date = s.date
WHERE s.prev_arn = s.arn - 1
  AND (
    (s.price / s.prev_price) * o.ratio BETWEEN 0.75 AND 4 / 3::DOUBLE
    OR EXISTS (SELECT 1 FROM split_ks k WHERE abs(o.ratio / k.k - 1) < 1e-3)
  );

CREATE OR REPLACE TABLE q_bad AS
SELECT s.sid, s.arn
FROM sd_raw s
LEFT JOIN override_ok o USING (sid, arn)
WHERE s.prev_arn = s.arn - 1
  AND NOT within3(s.price / s.prev_price)
  AND NOT coalesce(within3(s.price / s.prev_price * o.ratio), false)
  AND NOT coalesce(
    (s.mc / s.price) / (s.prev_mc / s.prev_price) BETWEEN 0.001 AND 1000.0
    AND within3(s.price / s.prev_price * ((s.mc / s.price) / (s.prev_mc / s.prev_price))),
    false
  )
  AND NOT EXISTS (SELECT 1 FROM split_ks k WHERE within3(s.price / s.prev_price * k.k));

CREATE OR REPLACE TABLE quarantine_a AS
SELECT sid, arn
FROM (
  SELECT sid, arn, row_number() OVER (PARTITION BY sid, arn - rn ORDER BY arn) AS pos
  FROM (SELECT sid, arn, row_number() OVER (PARTITION BY sid ORDER BY arn) AS rn FROM q_bad)
)
WHERE pos % 2 = 1;

-- `sd`: every symbol (sid) on every accepted day with its values on its own previous row; the symbol was
-- present on the previous accepted day d−1 exactly when prev_arn = arn − 1.
CREATE OR REPLACE TABLE sd AS
SELECT
  p.sid,
  p.arn,
  p.date,
  p.price,
  p.mc,
  p.sector_id,
  lag(p.arn) OVER (PARTITION BY p.sid ORDER BY p.arn) AS prev_arn,
  lag(p.price) OVER (PARTITION BY p.sid ORDER BY p.arn) AS prev_price,
  lag(p.mc) OVER (PARTITION BY p.sid ORDER BY p.arn) AS prev_mc
FROM (SELECT r.* FROM sd_raw r ANTI JOIN quarantine_a q USING (sid, arn)) p;

-- Rules 3(a) and 3(b) apply to symbol-days present on d−1 with known MC_{d−1}; a 3(c) override to any
-- symbol-day present on d−1 and d, market cap or not (docs/methodology.md rule 3(c) decision: it is a
-- statement of fact; it matters for SI scaling and decliningPct's compounded return). Only rows that
-- can give a factor are evaluated: an override, a share-count jump (q ≥ 1.5 or q ≤ 2/3), or a price
-- move outside [0.75, 4/3] (for x inside it, x·k lands in [0.75, 4/3] only for k in [0.5625, 1.78], and
-- no k of the list is there).
CREATE OR REPLACE TABLE split_base AS
SELECT
  s.sid,
  s.arn,
  s.date,
  s.price / s.prev_price AS x,
  s.prev_mc / s.prev_price AS so_prev,
  (s.mc / s.price) / (s.prev_mc / s.prev_price) AS q,
  o.ratio AS override
FROM sd s
LEFT JOIN override_ok o ON o.sid = s.sid AND o.arn = s.arn
WHERE s.prev_arn = s.arn - 1
  AND (
    o.ratio IS NOT NULL
    OR (
      s.prev_mc IS NOT NULL
      AND (
        s.price / s.prev_price < 0.75
        OR s.price / s.prev_price > 4 / 3::DOUBLE
        OR (s.mc / s.price) / (s.prev_mc / s.prev_price) >= 1.5
        OR (s.mc / s.price) / (s.prev_mc / s.prev_price) <= 2 / 3::DOUBLE
      )
    )
  );

CREATE OR REPLACE TABLE split_a AS
SELECT
  *,
  override IS NULL
  AND q IS NOT NULL
  AND (q >= 1.5 OR q <= 2 / 3::DOUBLE)
  AND x * q >= 0.75
  AND x * q <= 4 / 3::DOUBLE AS rule_a
FROM split_base;

-- 3(b): every k whose price test passes, with how many later accepted days (≤ as-of) may confirm it.
-- v1: x·k within [0.75, 4/3], 10 days. v2 (rule 3(b'), shared/methodology/splits.ts): a move beyond
-- [1/3, 3] when x·k lies within [0.5, 2], 4 days; an ordinary move only when x·k is within 5% of 1, 3 days.
CREATE OR REPLACE TABLE split_b_candidates AS
SELECT * FROM (
  SELECT
    a.sid,
    a.arn,
    a.date,
    a.so_prev,
    a.x,
    k.ord,
    k.k,
    CASE
      WHEN NOT {{v2}} THEN CASE WHEN a.x * k.k >= 0.75 AND a.x * k.k <= 4 / 3::DOUBLE THEN 10 END
      WHEN a.x < 1 / 3::DOUBLE OR a.x > 3 THEN CASE WHEN a.x * k.k >= 0.5 AND a.x * k.k <= 2 THEN 4 END
      WHEN abs(a.x * k.k - 1) <= 0.05 THEN 3
    END AS days
  FROM split_a a
  CROSS JOIN split_ks k
  WHERE a.override IS NULL AND NOT a.rule_a
)
WHERE days IS NOT NULL;

-- v2, rule 3(b') look-back (shared/methodology/splits.ts, lookBackShares and confirmsLookBack): the count
-- on d−1 may already be k times a count of one of the V2_LOOKBACK_DAYS = 6 accepted days before d−1. The
-- walk back from d−1 steps over a day i (to i−1) while the symbol was priced on i−1 and i, its price moved
-- by less than a third (x_i within [0.75, 4/3]) and no split was applied on i (3(a) or 3(c): a 3(b) split
-- needs a bigger move). `lb_streak`: how many such steps end at day i, so day d−1−j is reached when
-- j ≤ streak(d−1); its count counts when its market cap is known.
CREATE OR REPLACE TABLE lb_step AS
SELECT s.sid, s.arn
FROM sd s
LEFT JOIN split_a a USING (sid, arn)
WHERE s.prev_arn = s.arn - 1
  AND s.price / s.prev_price BETWEEN 0.75 AND 4 / 3::DOUBLE
  AND NOT coalesce(a.override IS NOT NULL OR a.rule_a, false);

CREATE OR REPLACE TABLE lb_streak AS
SELECT sid, arn, arn - min(arn) OVER (PARTITION BY sid, island) + 1 AS streak
FROM (SELECT sid, arn, arn - row_number() OVER (PARTITION BY sid ORDER BY arn) AS island FROM lb_step);

-- A candidate k confirmed by the look-back: x·k within [0.75, 4/3] and SO_{d−1} within 10% of k·SO_{d−1−j}.
-- The k leaving the smallest move |ln(x·k)| decides on d (then list order).
CREATE OR REPLACE TABLE split_b_lookback AS
SELECT c.sid, c.arn, arg_min(c.ord, (abs(ln(c.x * c.k)), c.ord)) AS lb_ord
FROM split_b_candidates c
JOIN lb_streak w ON w.sid = c.sid AND w.arn = c.arn - 1
CROSS JOIN range(1, 7) t(j)
JOIN sd e ON e.sid = c.sid AND e.arn = c.arn - 1 - t.j
WHERE {{v2}}
  AND t.j <= w.streak
  AND e.mc IS NOT NULL
  AND c.x * c.k BETWEEN 0.75 AND 4 / 3::DOUBLE
  AND abs(c.so_prev - c.k * (e.mc / e.price)) <= 0.1 * (c.k * (e.mc / e.price))
GROUP BY c.sid, c.arn;

-- Confirmation on one of the k's later days: a known MC with SO within 10% of k·SO_{d−1}; in v2 also,
-- when x·k is within 5% of 1, SO/SO_{d−1} within [k/1.5, 1.5k]. The look-ahead is an equi-join on
-- (sid, arn + 1..10): a range condition here makes DuckDB fall back to a nested-loop join.
-- v1's decision takes the k's in order: the first one confirmed, or still waiting (fewer known days
-- than its own), decides — a split, or a pending day; a k whose days are all known unconfirmed is passed
-- over; none left: no split. (MTC on 2024-12-18: 1/6 passes the price test before 1/8, so 1/8 cannot
-- win while 1/6 may still be confirmed; TSCO on 2024-12-20: 4 before 5.) v2: see split_b_decision.
CREATE OR REPLACE TABLE split_b AS
WITH confirmed AS (
  SELECT
    c.sid,
    c.arn,
    c.ord,
    t.ahead,
    abs(j.mc / j.price - c.k * c.so_prev) <= 0.1 * (c.k * c.so_prev) AS strong,
    abs(ln(c.x * c.k)) AS fit
  FROM split_b_candidates c
  CROSS JOIN range(1, 11) t(ahead)
  JOIN sd j ON j.sid = c.sid AND j.arn = c.arn + t.ahead
  WHERE t.ahead <= c.days
    AND j.mc IS NOT NULL
    AND (
      abs(j.mc / j.price - c.k * c.so_prev) <= 0.1 * (c.k * c.so_prev)
      OR ({{v2}} AND abs(c.x * c.k - 1) <= 0.05 AND (j.mc / j.price) / c.so_prev BETWEEN c.k / 1.5 AND c.k * 1.5)
    )
),
cand AS (
  SELECT
    c.sid,
    c.arn,
    c.ord,
    EXISTS (SELECT 1 FROM confirmed f WHERE f.sid = c.sid AND f.arn = c.arn AND f.ord = c.ord) AS conf,
    least((SELECT max(arn) FROM days) - c.arn, 10) < c.days AS waiting
  FROM split_b_candidates c
),
-- v2: the first later day with any confirmation decides.
first_day AS (
  SELECT sid, arn, arg_min(ord, (ahead, NOT strong, fit, ord)) AS best_ord
  FROM confirmed
  GROUP BY sid, arn
)
SELECT
  c.sid,
  c.arn,
  arg_min(c.conf, c.ord) FILTER (WHERE c.conf OR c.waiting) AS live_conf,
  min(c.ord) FILTER (WHERE c.conf OR c.waiting) AS live_ord,
  bool_or(c.waiting) AS any_waiting,
  any_value(d.best_ord) AS best_ord
FROM cand c
LEFT JOIN first_day d USING (sid, arn)
GROUP BY c.sid, c.arn;

-- v1: the first live k decides (a split when confirmed, else pending). v2: the look-back decides on d;
-- else the first confirming day (see first_day); with no confirmation, pending while a candidate waits,
-- else no split.
CREATE OR REPLACE TABLE split_b_decision AS
SELECT
  b.sid,
  b.arn,
  CASE WHEN {{v2}} THEN coalesce(l.lb_ord, b.best_ord) WHEN b.live_conf THEN b.live_ord END AS decided_ord,
  CASE
    WHEN {{v2}} THEN l.lb_ord IS NOT NULL OR b.best_ord IS NOT NULL OR NOT b.any_waiting
    ELSE b.live_ord IS NULL OR b.live_conf
  END AS decided
FROM split_b b
LEFT JOIN split_b_lookback l USING (sid, arn);

-- `split_factor`: every day with a factor other than "nothing found" (3c, 3a, 3b); `split_pending`: the
-- 3(b) days still undecided (see split_b_decision), which hold the symbol out from that day on.
CREATE OR REPLACE TABLE split_factor AS
SELECT
  a.sid,
  a.arn,
  a.date,
  CASE WHEN a.override IS NOT NULL THEN a.override WHEN a.rule_a THEN a.q ELSE k.k END AS f,
  CASE WHEN a.override IS NOT NULL THEN '3c' WHEN a.rule_a THEN '3a' ELSE '3b' END AS rule
FROM split_a a
LEFT JOIN split_b_decision b USING (sid, arn)
LEFT JOIN split_ks k ON k.ord = b.decided_ord
WHERE a.override IS NOT NULL OR a.rule_a OR b.decided_ord IS NOT NULL;

CREATE OR REPLACE TABLE split_pending AS
SELECT b.sid, b.arn, d.date
FROM split_b_decision b
JOIN days d USING (arn)
WHERE NOT b.decided;
