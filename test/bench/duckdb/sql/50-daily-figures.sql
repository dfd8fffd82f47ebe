-- Rules 5 and 6. `fig`: one row per symbol-day that enters the aggregates: present on d−1 and d,
-- known MC_{d−1} (hence a tier), and not held out by a pending split on or before d.
-- N is exactly 0 while the same file stays in effect: then SI(s, d) = SI(s, d−1)·f by rule 4, and
-- writing it as 0 keeps rounding noise out of Σ N.
CREATE OR REPLACE TABLE hold AS
SELECT sid, min(arn) AS from_arn FROM split_pending GROUP BY sid;

CREATE OR REPLACE TABLE fig AS
SELECT
  sid,
  arn,
  sector_id,
  CASE
    WHEN prev_mc < 50000000 THEN 'nano'
    WHEN prev_mc < 300000000 THEN 'micro'
    WHEN prev_mc < 2000000000 THEN 'small'
    WHEN prev_mc < 10000000000 THEN 'mid'
    WHEN prev_mc < 200000000000 THEN 'large'
    ELSE 'mega'
  END AS tier,
  prev_mc,
  r,
  e,
  -e * r AS pnl,
  n
FROM (
  SELECT
    s.sid,
    s.arn,
    s.sector_id,
    s.prev_mc,
    (s.price / s.prev_price) * f - 1 AS r,
    -- Rule 11(b): a position above 5 × the shares outstanding counts as none (E, N).
    CASE WHEN implausible_si(si_prev, s.prev_mc, s.prev_price) THEN 0 ELSE si_prev * s.prev_price END AS e,
    CASE
      WHEN ds.prev_settlement IS NULL OR ds.prev_settlement = ds.settlement THEN 0
      WHEN implausible_si(si_prev, s.prev_mc, s.prev_price) OR implausible_si(si_now, s.mc, s.price) THEN 0
      ELSE (si_now - si_prev * f) * s.price
    END AS n
  FROM (
    SELECT
      s.*,
      coalesce(sf.f, 1) AS f,
      coalesce(now.shares, 0) * coalesce(an.adj, 1) AS si_now,
      coalesce(prev.shares, 0) * coalesce(ap.adj, 1) AS si_prev,
      h.from_arn AS hold_from
    FROM sd s
    JOIN day_settle ds0 ON ds0.arn = s.arn
    LEFT JOIN split_factor sf ON sf.sid = s.sid AND sf.arn = s.arn
    LEFT JOIN si now ON now.sid = s.sid AND now.settlement = ds0.settlement
    LEFT JOIN si prev ON prev.sid = s.sid AND prev.settlement = ds0.prev_settlement
    LEFT JOIN si_adjust an ON an.sid = s.sid AND an.arn = s.arn
    LEFT JOIN si_adjust ap ON ap.sid = s.sid AND ap.arn = s.arn - 1
    LEFT JOIN hold h ON h.sid = s.sid
    WHERE s.prev_arn = s.arn - 1 AND s.prev_mc IS NOT NULL
  ) s
  JOIN day_settle ds ON ds.arn = s.arn
  WHERE s.hold_from IS NULL OR s.arn < s.hold_from
);

-- Rule 8 decliningPct compounds each symbol's daily growth (1 + R = x·f) over the window for the
-- symbols priced on the day before `from` and on every day of the window. That condition is about
-- prices only (docs/methodology.md rule 8), so `growth_day` has every symbol-day priced on d−1 and d,
-- including days with an unknown MC_{d−1} that rule 6 leaves out of the sums (f is 1 there unless
-- splits.csv says otherwise). x·f is kept as it is, not as (x·f − 1) + 1, which can differ by an ulp
-- and flip the sign of a product that ends exactly where it started.
CREATE OR REPLACE TABLE growth_day AS
SELECT s.sid, s.arn, (s.price / s.prev_price) * coalesce(sf.f, 1) AS g
FROM sd s
LEFT JOIN split_factor sf ON sf.sid = s.sid AND sf.arn = s.arn
LEFT JOIN hold h ON h.sid = s.sid
WHERE s.prev_arn = s.arn - 1 AND (h.from_arn IS NULL OR s.arn < h.from_arn);
