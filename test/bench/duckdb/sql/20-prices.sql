-- Rule 1. `px`: one row per (candidate day, symbol) with a valid price. A symbol written twice in one
-- file (possibly under two raw spellings of one canonical symbol) keeps its first row that has a
-- valid price (rows without one are absent anyway). arg_min_null, unlike arg_min, keeps a NULL
-- market cap. Canonicalisation runs once per distinct raw symbol, and the rest of the SQL works on
-- integer ids (`sid`, `sector_id`): joins and windows over 1.8M rows are faster on integers.
CREATE OR REPLACE TABLE symbol_map AS
SELECT raw, canonical_symbol(raw) AS symbol
FROM (SELECT DISTINCT symbol AS raw FROM price_rows WHERE symbol IS NOT NULL);

CREATE OR REPLACE TABLE symbols AS
SELECT symbol, row_number() OVER (ORDER BY symbol)::INTEGER AS sid
FROM (SELECT DISTINCT symbol FROM symbol_map WHERE symbol <> '');

CREATE OR REPLACE TABLE raw_sid AS
SELECT m.raw, y.sid FROM symbol_map m JOIN symbols y USING (symbol);

CREATE OR REPLACE TABLE sectors AS
SELECT sector, row_number() OVER (ORDER BY sector)::INTEGER AS sector_id
FROM (SELECT DISTINCT sector FROM price_rows);

CREATE OR REPLACE TABLE px AS
SELECT
  r.date,
  i.sid,
  arg_min(r.price, r.line) AS price,
  arg_min_null(r.mc, r.line) AS mc,
  arg_min(c.sector_id, r.line) AS sector_id,
  arg_min(coalesce(sc.counted, true), r.line) AS counted
FROM price_rows r
JOIN raw_sid i ON i.raw = r.symbol
JOIN sectors c ON c.sector = r.sector
LEFT JOIN security_counted sc ON sc.raw = r.symbol AND sc.name = r.name
-- Rule 11's ceilings reject the row at the parser: a price above $10M, a market cap above $10T.
WHERE r.price IS NOT NULL AND r.price <= 1e7 AND (r.mc IS NULL OR r.mc <= 1e13) AND r.date <= {{as_of}}
GROUP BY r.date, i.sid;
