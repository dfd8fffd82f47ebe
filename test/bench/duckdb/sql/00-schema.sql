-- Macros and the raw staging tables. The loaders (10–12) append to the staging tables only when
-- the input has files of that kind, so an input without short interest or splits still runs.

-- Canonical symbols (brief): CQS preferred `ABRpD` must be recognised before upper-casing, because
-- `ABRPD` would be a plausible five-letter ticker; Nasdaq preferred `ABR^D` → `ABR-PD` (series-less
-- `ABR^` → `ABR-P`); class shares, warrants, units and rights written with `/` or a space → `.`.
CREATE OR REPLACE MACRO canonical_symbol(raw) AS (
  CASE
    WHEN regexp_full_match(trim(raw), '[A-Z]+p[A-Z]?') THEN regexp_replace(trim(raw), '^([A-Z]+)p([A-Z]?)$', '\1-P\2')
    WHEN regexp_full_match(upper(trim(raw)), '[A-Z0-9.]+\^[A-Z]?')
      THEN regexp_replace(upper(trim(raw)), '^([A-Z0-9.]+)\^([A-Z]?)$', '\1-P\2')
    ELSE upper(regexp_replace(trim(raw), '[/ ]+', '.', 'g'))
  END
);

-- Rule 1: `"$1,209.98"` → 1209.98 (NULL when not a number). Applied once per value, then
-- `positive_or_null` keeps finite numbers > 0 (a macro argument is substituted, not evaluated once,
-- so the parse and the test are two steps to avoid parsing three times).
CREATE OR REPLACE MACRO usd_number(s) AS TRY_CAST(replace(replace(trim(s), '$', ''), ',', '') AS DOUBLE);
CREATE OR REPLACE MACRO positive_or_null(x) AS (CASE WHEN isfinite(x) AND x > 0 THEN x END);

-- Rule 11 (plausibility; shared/gates/plausibility.ts): a threefold move, short interest above 5 × the
-- shares outstanding. (Rule 3(b)'s list is the table split_ks, 30-splits.sql.)
CREATE OR REPLACE MACRO within3(g) AS (g >= 1 / 3::DOUBLE AND g <= 3);
CREATE OR REPLACE MACRO implausible_si(si, mc, p) AS (si > 0 AND coalesce(mc, 0) > 0 AND si > 5 * (mc / p));

-- Settlement dates are written `2024-12-31` in the real file; `20241231` is accepted too.
CREATE OR REPLACE MACRO settlement_date(s) AS (
  coalesce(TRY_CAST(try_strptime(trim(s), '%Y-%m-%d') AS DATE), TRY_CAST(try_strptime(trim(s), '%Y%m%d') AS DATE))
);

-- One row per candidate price file (from the file name), even when the file holds no usable row.
CREATE OR REPLACE TABLE price_files (date DATE, file VARCHAR);
-- price_rows holds rule 1's parsed values: price and mc are NULL when not a finite number > 0.
CREATE OR REPLACE TABLE price_rows (date DATE, line BIGINT, symbol VARCHAR, price DOUBLE, mc DOUBLE, sector VARCHAR, name VARCHAR);
-- Rule 12 (methodology v2): whether a listing (raw symbol, screener name) is a common stock or ADR. Filled
-- by the runner from shared/methodology/securities.ts, as the exchange calendar is: the reference checks
-- what the figures do with the classification, not the name patterns (tested on real names on their own).
CREATE OR REPLACE TABLE security_counted (raw VARCHAR, name VARCHAR, counted BOOLEAN);
CREATE OR REPLACE TABLE si_rows (file VARCHAR, symbol VARCHAR, shares VARCHAR, settlement VARCHAR);
CREATE OR REPLACE TABLE split_rows (symbol VARCHAR, date VARCHAR, ratio VARCHAR);
