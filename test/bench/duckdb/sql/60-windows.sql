-- Rules 7 and 8. A = the last accepted day (all days here are ≤ as-of). A day is counted when it is
-- accepted and not the first accepted day (arn ≥ 2).
CREATE OR REPLACE TABLE as_of_day AS
SELECT max(date) AS a, max(arn) AS aarn FROM days;

CREATE OR REPLACE TABLE window_names AS
SELECT * FROM (VALUES (1, '1d'), (2, 'mtd'), (3, '30d'), (4, 'ytd')) t(ord, w);

CREATE OR REPLACE TABLE win_days AS
SELECT n.w, d.date, d.arn
FROM days d
CROSS JOIN as_of_day a
CROSS JOIN window_names n
WHERE d.arn >= 2
  AND d.date <= a.a
  AND CASE n.w
    WHEN '1d' THEN d.date = a.a
    WHEN 'mtd' THEN year(d.date) = year(a.a) AND month(d.date) = month(a.a)
    WHEN '30d' THEN d.date >= a.a - 29
    ELSE year(d.date) = year(a.a)
  END;

CREATE OR REPLACE TABLE win AS
SELECT n.ord, n.w, min(wd.date) AS from_date, any_value(a.a) AS to_date, count(wd.date)::INTEGER AS trading_days
FROM window_names n
CROSS JOIN as_of_day a
LEFT JOIN win_days wd ON wd.w = n.w
GROUP BY n.ord, n.w;

CREATE OR REPLACE TABLE group_tiers AS
SELECT *
FROM (
  VALUES
    (1, 'nano', 'nano'), (2, 'micro', 'micro'), (3, 'small', 'small'), (4, 'mid', 'mid'), (5, 'large', 'large'),
    (6, 'mega', 'mega'), (7, 'megaLarge', 'mega'), (7, 'megaLarge', 'large'), (8, 'smallMicroNano', 'small'),
    (8, 'smallMicroNano', 'micro'), (8, 'smallMicroNano', 'nano'), (9, 'total', 'nano'), (9, 'total', 'micro'),
    (9, 'total', 'small'), (9, 'total', 'mid'), (9, 'total', 'large'), (9, 'total', 'mega')
) t(ord, grp, tier);

-- Sums per day and (tier, sector) first: a few thousand rows instead of one per symbol-day per bucket.
CREATE OR REPLACE TABLE cell_day AS
SELECT arn, tier, sector_id, sum(pnl) AS pnl, sum(e) AS e, sum(n) AS n, sum(prev_mc * (1 + r)) AS num, sum(prev_mc) AS den
FROM fig
GROUP BY arn, tier, sector_id;

-- A bucket is a group (kind 'group', by the tier on d) or a sector (kind 'sector', by the sector on d).
CREATE OR REPLACE TABLE bucket_day AS
SELECT 'group' AS kind, g.grp AS key, c.arn, sum(c.pnl) AS pnl, sum(c.e) AS e, sum(c.n) AS n, sum(c.num) AS num, sum(c.den) AS den
FROM cell_day c
JOIN group_tiers g USING (tier)
GROUP BY g.grp, c.arn
UNION ALL
SELECT 'sector', s.sector, c.arn, sum(c.pnl), sum(c.e), sum(c.n), sum(c.num), sum(c.den)
FROM cell_day c
JOIN sectors s USING (sector_id)
GROUP BY s.sector, c.arn;

-- returnPct chains the day ratios in date order (ordered aggregate) so the product is reproducible.
CREATE OR REPLACE TABLE bucket_win AS
SELECT
  wd.w,
  b.kind,
  b.key,
  sum(b.pnl) AS pnl,
  sum(b.e) AS e,
  sum(b.n) AS n,
  product(b.num / b.den ORDER BY b.arn) FILTER (WHERE b.den > 0) AS growth
FROM win_days wd
JOIN bucket_day b USING (arn)
GROUP BY wd.w, b.kind, b.key;

-- Membership "as of A" for decliningPct and symbols: the symbol's tier and sector on A, from its
-- figure row on A (a symbol without one has no tier on A, or is held out).
CREATE OR REPLACE TABLE sym_a AS
SELECT f.sid, f.tier, s.sector, f.e
FROM fig f
JOIN as_of_day a ON f.arn = a.aarn
JOIN sectors s USING (sector_id);

CREATE OR REPLACE TABLE sym_a_bucket AS
SELECT 'group' AS kind, g.grp AS key, s.sid, s.e
FROM sym_a s
JOIN group_tiers g USING (tier)
UNION ALL
SELECT 'sector', sector, sid, e
FROM sym_a;

-- A symbol qualifies for decliningPct when it is priced on the day before `from` and on every day of
-- the window, that is when it has a `growth_day` row on every counted day of the window (rule 8; an
-- unknown market cap on some day does not disqualify it, see 50-daily-figures.sql). Only the sign of
-- Π(1+R) − 1 matters, and rounding can decide it when the price ends where it started (10 → 11 → 10
-- gives 1 ± 1 ulp). The product is therefore chained in date order, the same left fold a day-by-day
-- engine does; an ordered aggregate costs a sort, so it is recomputed in date order only for the few
-- symbols whose unordered product is within 1e-9 of 1 (the two orders differ by far less than that).
CREATE OR REPLACE TABLE sym_win AS
WITH unordered AS (
  SELECT wd.w, g.sid, count(*) AS days, product(g.g) AS growth
  FROM growth_day g
  JOIN win_days wd USING (arn)
  WHERE g.sid IN (SELECT sid FROM sym_a)
  GROUP BY wd.w, g.sid
),
borderline AS (
  SELECT w, sid FROM unordered WHERE abs(growth - 1) < 1e-9
),
chained AS (
  SELECT wd.w, g.sid, product(g.g ORDER BY g.arn) AS growth
  FROM growth_day g
  JOIN win_days wd USING (arn)
  JOIN borderline b ON b.w = wd.w AND b.sid = g.sid
  GROUP BY wd.w, g.sid
)
SELECT u.w, u.sid, u.days, coalesce(c.growth, u.growth) AS growth
FROM unordered u
LEFT JOIN chained c USING (w, sid);

CREATE OR REPLACE TABLE declining AS
SELECT
  sw.w,
  b.kind,
  b.key,
  count(*) AS eligible,
  count(*) FILTER (WHERE sw.growth - 1 < 0) AS down
FROM sym_win sw
JOIN win w USING (w)
JOIN sym_a_bucket b USING (sid)
WHERE sw.days = w.trading_days
GROUP BY sw.w, b.kind, b.key;

CREATE OR REPLACE TABLE shorted AS
SELECT kind, key, count(*) FILTER (WHERE e > 0) AS symbols
FROM sym_a_bucket
GROUP BY kind, key;

-- Every window lists the nine groups; sectors are those with a figure row in the window.
CREATE OR REPLACE TABLE figures AS
WITH keys AS (
  SELECT w.w, 'group' AS kind, g.grp AS key, g.ord
  FROM win w
  CROSS JOIN (SELECT DISTINCT ord, grp FROM group_tiers) g
  UNION ALL
  SELECT w, kind, key, 100 AS ord
  FROM bucket_win
  WHERE kind = 'sector'
)
SELECT
  k.w,
  k.kind,
  k.key,
  k.ord,
  w.trading_days,
  CASE WHEN w.trading_days > 0 THEN coalesce(b.pnl, 0) END AS pnl_usd,
  CASE WHEN w.trading_days > 0 THEN coalesce(b.e, 0) / w.trading_days END AS avg_short_interest_usd,
  CASE WHEN w.trading_days > 0 THEN coalesce(b.n, 0) END AS net_new_shorting_usd,
  CASE WHEN w.trading_days > 0 THEN (b.growth - 1) * 100 END AS return_pct,
  CASE WHEN w.trading_days > 0 AND d.eligible > 0 THEN d.down / d.eligible * 100 END AS declining_pct,
  CASE WHEN w.trading_days > 0 THEN coalesce(s.symbols, 0) ELSE 0 END::INTEGER AS symbols
FROM keys k
JOIN win w USING (w)
LEFT JOIN bucket_win b ON b.w = k.w AND b.kind = k.kind AND b.key = k.key
LEFT JOIN declining d ON d.w = k.w AND d.kind = k.kind AND d.key = k.key
LEFT JOIN shorted s ON s.kind = k.kind AND s.key = k.key;
