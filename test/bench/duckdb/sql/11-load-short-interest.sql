-- FINRA short interest (pipe-delimited, 14 columns). Every column is read as text and validated in
-- 30-short-interest.sql. Rows keep the table's insertion order (preserve_insertion_order), which is
-- the listed file order and each file's line order: that is what "a later row replaces an earlier one"
-- needs.
INSERT INTO si_rows
SELECT parse_filename(filename) AS file, symbolCode, currentShortPositionQuantity, settlementDate
FROM read_csv(
  {{files}},
  delim = '|',
  header = true,
  all_varchar = true,
  filename = true,
  null_padding = true,
  quote = '',
  union_by_name = true
);
