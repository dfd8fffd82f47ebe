-- Rule 4. Revisions of one settlement date are applied in file-name order, where the order is taken
-- on the name without its revision suffix first, then the revision number: plain byte order would put
-- `shrt20240131-r1.csv` BEFORE `shrt20240131.csv` ('-' < '.') and let the original undo its revision.
CREATE OR REPLACE TABLE si_files AS
SELECT file, row_number() OVER (ORDER BY stem, rev, file)::BIGINT AS file_order
FROM (
  SELECT DISTINCT
    file,
    regexp_replace(file, '(-[rR]\d+)?\.[cC][sS][vV]$', '') AS stem,
    coalesce(TRY_CAST(regexp_extract(file, '-[rR](\d+)\.[cC][sS][vV]$', 1) AS INTEGER), 0) AS rev
  FROM si_rows
);

-- The settlement date is each row's settlementDate; shares must be a finite number ≥ 0.
-- Symbols that never have a price are dropped here: they cannot enter any figure.
CREATE OR REPLACE TABLE si AS
SELECT settlement, y.sid, arg_max(shares, ord) AS shares
FROM (
  SELECT
    settlement_date(r.settlement) AS settlement,
    canonical_symbol(r.symbol) AS symbol,
    TRY_CAST(trim(r.shares) AS DOUBLE) AS shares,
    f.file_order * 10000000000 + r.rowid AS ord
  FROM si_rows r
  JOIN si_files f USING (file)
) v
JOIN symbols y USING (symbol)
WHERE settlement IS NOT NULL AND settlement <= {{as_of}} AND isfinite(shares) AND shares >= 0 AND shares <= 1e11
GROUP BY settlement, y.sid;

CREATE OR REPLACE TABLE settlements AS
SELECT DISTINCT settlement FROM si;

-- The file in effect on each accepted day and on the day before it (NULL: none yet).
CREATE OR REPLACE TABLE day_settle AS
SELECT arn, date, settlement, lag(settlement) OVER (ORDER BY arn) AS prev_settlement
FROM (
  SELECT d.arn, d.date, s.settlement
  FROM days d
  ASOF LEFT JOIN settlements s ON d.date >= s.settlement
);

-- SI(s, d) = shares in the file in effect on d × the split factors of s on accepted days after that
-- settlement date up to and including d. A factor on day t therefore scales SI on the days from t up
-- to (not including) the first settlement date ≥ t; `si_adjust` holds that product per (symbol, day)
-- for the few days it is not 1, so the 1.8M symbol-days need only equi-joins, not a running product.
CREATE OR REPLACE TABLE si_adjust AS
WITH reach AS (
  SELECT f.sid, f.arn, f.f, (SELECT max(d.arn) FROM days d WHERE nxt.settlement IS NULL OR d.date < nxt.settlement) AS last_arn
  FROM split_factor f
  ASOF LEFT JOIN settlements nxt ON nxt.settlement >= f.date
)
SELECT sid, arn, product(f) AS adj
FROM (SELECT sid, unnest(range(arn, last_arn + 1)) AS arn, f FROM reach WHERE last_arn >= arn)
GROUP BY sid, arn;
