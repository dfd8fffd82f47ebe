-- Rule 2, sequential part: a recursive CTE walks the candidates in date order carrying the last
-- accepted day, because whether a day is stale or partial depends on which earlier days were accepted.
-- Thresholds are compared in integers (10·n < 7·n_prev, 10·same ≥ 9·n) so no rounding decides a
-- boundary case. `missing` marks a stale test whose pair was outside the look-back (see 21).
CREATE OR REPLACE TABLE walk AS
WITH RECURSIVE w(rn, date, reason, last_date, last_n, missing) AS (
  SELECT
    rn,
    date,
    CASE WHEN weekend THEN closed_reason END,
    CASE WHEN NOT weekend THEN date END,
    CASE WHEN NOT weekend THEN n END,
    false
  FROM cand
  WHERE rn = 1
  UNION ALL
  SELECT
    rn,
    date,
    reason,
    CASE WHEN reason IS NULL THEN date ELSE last_date END,
    CASE WHEN reason IS NULL THEN n ELSE last_n END,
    missing
  FROM (
    SELECT
      c.rn,
      c.date,
      c.n,
      w.last_date,
      w.last_n,
      CASE
        WHEN c.weekend THEN c.closed_reason
        WHEN w.last_date IS NULL THEN NULL
        WHEN 10 * c.n < 7 * w.last_n THEN 'partial'
        WHEN 10 * p.same >= 9 * c.n THEN 'stale'
      END AS reason,
      (NOT c.weekend AND w.last_date IS NOT NULL AND 10 * c.n >= 7 * w.last_n AND p.cdate IS NULL) AS missing
    FROM w
    JOIN cand c ON c.rn = w.rn + 1
    LEFT JOIN pair_same p ON p.cdate = c.date AND p.pdate = w.last_date
  )
)
SELECT rn, date, reason, missing FROM w;

-- Accepted days; `arn` numbers them so "the previous accepted day" is arn − 1.
CREATE OR REPLACE TABLE days AS
SELECT date, row_number() OVER (ORDER BY date)::INTEGER AS arn
FROM walk
WHERE reason IS NULL;
