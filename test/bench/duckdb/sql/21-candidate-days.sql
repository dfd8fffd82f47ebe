-- Rule 2, set-based part. `cand`: every price file ≤ as-of in date order with its symbol count.
-- `pair_same`: for each weekday candidate and each of the {{lookback}} weekday candidates before it,
-- how many of the candidate's symbols have exactly the same price there. The sequential walk (22)
-- only ever compares a candidate with the previous ACCEPTED day, which is one of these unless more
-- than {{lookback}} weekday candidates in a row were rejected; the walk flags that case and the
-- runner retries with a longer look-back, so the result is exact whatever the data.
CREATE OR REPLACE TABLE cand AS
SELECT
  f.date,
  row_number() OVER (ORDER BY f.date) AS rn,
  coalesce(c.n, 0) AS n,
  -- "weekend" is any closed day: Saturday, Sunday or an exchange holiday (rule 2, shared/calendar.ts).
  dayofweek(f.date) IN (0, 6) OR coalesce(f.date IN ({{holidays}}), false) AS weekend,
  CASE WHEN dayofweek(f.date) IN (0, 6) THEN 'weekend' WHEN coalesce(f.date IN ({{holidays}}), false) THEN 'holiday' END AS closed_reason
FROM (SELECT DISTINCT date FROM price_files WHERE date <= {{as_of}}) f
LEFT JOIN (SELECT date, count(*) AS n FROM px GROUP BY date) c USING (date);

CREATE OR REPLACE TABLE cand_pairs AS
WITH weekday AS (
  SELECT date, row_number() OVER (ORDER BY date) AS wrn FROM cand WHERE NOT weekend
)
SELECT c.date AS cdate, p.date AS pdate
FROM weekday c
JOIN weekday p ON p.wrn < c.wrn AND p.wrn >= c.wrn - {{lookback}};

CREATE OR REPLACE TABLE pair_same AS
SELECT cp.cdate, cp.pdate, coalesce(s.same, 0) AS same
FROM cand_pairs cp
LEFT JOIN (
  SELECT a.date AS cdate, b.date AS pdate, count(*) AS same
  FROM px a
  JOIN cand_pairs q ON q.cdate = a.date
  JOIN px b ON b.date = q.pdate AND b.sid = a.sid AND b.price = a.price
  GROUP BY ALL
) s USING (cdate, pdate);
