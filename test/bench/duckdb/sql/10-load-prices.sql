-- Nasdaq screener snapshots, `{"data":{"rows":[...]}}` ({{rows_path}} = data."rows") or a bare rows
-- array ({{rows_path}} = "rows", read with records = false). The runner peeks at each file's first
-- byte to pick the shape, so each file is parsed once. Only the columns the group figures need are
-- read; `line` is the 1-based row index, used to keep the first row of a duplicated symbol.
-- Rule 1's parsing happens here, so the text of lastsale/marketCap is never stored.
INSERT INTO price_rows
SELECT
  date,
  line,
  symbol,
  positive_or_null(price_number),
  positive_or_null(mc_number),
  CASE WHEN trim(coalesce(sector, '')) = '' THEN 'Unclassified' ELSE trim(sector) END,
  coalesce(name, '')
FROM (
  SELECT
    CAST(regexp_extract(filename, '(\d{4}-\d{2}-\d{2})\.json(\.gz)?$', 1) AS DATE) AS date,
    line,
    symbol,
    usd_number(lastsale) AS price_number,
    usd_number(marketCap) AS mc_number,
    sector,
    name
  FROM (
    SELECT filename, generate_subscripts({{rows_path}}, 1) AS line, unnest({{rows_path}}, recursive := true)
    FROM read_json(
      {{files}},
      filename = true,
      format = 'unstructured',
      records = {{records}},
      maximum_object_size = 2147483647,
      columns = {{columns}}
    )
  )
);
