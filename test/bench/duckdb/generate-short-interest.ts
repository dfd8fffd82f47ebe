/**
 * Writes FINRA-format short interest files for a folder of real screener snapshots, so the DuckDB
 * reference can be timed on the real 2024 prices (no full year of real short interest is available).
 * Settlement dates follow FINRA's schedule: the 15th and the last day of each month, moved back to
 * the latest day that has a price file. Each symbol with a market cap on that day is short a
 * deterministic 2–8% of its shares outstanding (varying by symbol and date, so net new shorting is
 * not zero), written under its raw screener symbol so canonicalisation is exercised.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const FINRA_HEADER = [
  'accountingYearMonthNumber',
  'symbolCode',
  'issueName',
  'issuerServicesGroupExchangeCode',
  'marketClassCode',
  'currentShortPositionQuantity',
  'previousShortPositionQuantity',
  'stockSplitFlag',
  'averageDailyVolumeQuantity',
  'daysToCoverQuantity',
  'revisionFlag',
  'changePercent',
  'changePreviousNumber',
  'settlementDate',
] as const;

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Writes `shrtYYYYMMDD.csv` files into outDir from the `YYYY-MM-DD.json.gz` snapshots of pricesDir
 * dated on or before `through` (default: all); returns their paths in date order.
 */
export async function generateShortInterest(pricesDir: string, outDir: string, through?: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const snapshots = readdirSync(pricesDir)
    .filter(
      (name) => /^\d{4}-\d{2}-\d{2}\.json\.gz$/.test(name) && (through === undefined || name.slice(0, 10) <= through),
    )
    .sort()
    .map((name) => sqlString(path.join(pricesDir, name)));
  if (snapshots.length === 0) return [];
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const glob = `[${snapshots.join(', ')}]`;
    await connection.run(`
      CREATE TABLE snap AS
      SELECT
        CAST(regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})\\.json\\.gz$', 1) AS DATE) AS date,
        unnest(data."rows", recursive := true)
      FROM read_json(${glob}, filename = true, format = 'unstructured', maximum_object_size = 2147483647,
        columns = {data: 'STRUCT("rows" STRUCT(symbol VARCHAR, name VARCHAR, lastsale VARCHAR, marketCap VARCHAR, exchange VARCHAR)[])'});
      CREATE TABLE targets AS
      SELECT DISTINCT t AS target
      FROM (SELECT DISTINCT date_trunc('month', date)::DATE AS m FROM snap),
        LATERAL (SELECT unnest([m + 14, last_day(m)]) AS t);
      CREATE TABLE settle AS
      SELECT target, (SELECT max(date) FROM snap WHERE date <= target) AS settlement
      FROM targets;
    `);
    const settlements = (
      await connection.runAndReadAll(
        `SELECT DISTINCT settlement::VARCHAR AS s FROM settle WHERE settlement IS NOT NULL ORDER BY s`,
      )
    ).getRowObjectsJS();
    const files: string[] = [];
    for (const row of settlements) {
      const settlement = String(row.s);
      const file = path.join(outDir, `shrt${settlement.replaceAll('-', '')}.csv`);
      await connection.run(`
        COPY (
          SELECT
            strftime(date, '%Y%m%d') AS accountingYearMonthNumber,
            trim(symbol) AS symbolCode,
            translate(coalesce(name, ''), '|"', '') AS issueName,
            'A' AS issuerServicesGroupExchangeCode,
            coalesce(exchange, '') AS marketClassCode,
            round(so * (0.02 + 0.06 * ((hash(symbol || ${sqlString(settlement)}) % 1000) / 1000)))::BIGINT
              AS currentShortPositionQuantity,
            '' AS previousShortPositionQuantity,
            '' AS stockSplitFlag,
            '' AS averageDailyVolumeQuantity,
            '' AS daysToCoverQuantity,
            '' AS revisionFlag,
            '' AS changePercent,
            '' AS changePreviousNumber,
            date::VARCHAR AS settlementDate
          FROM (
            SELECT *,
              TRY_CAST(marketCap AS DOUBLE) / TRY_CAST(replace(replace(lastsale, '$', ''), ',', '') AS DOUBLE) AS so
            FROM snap
            WHERE date = DATE ${sqlString(settlement)}
          )
          WHERE so > 0 AND isfinite(so)
          ORDER BY symbolCode
        ) TO ${sqlString(file)} (FORMAT csv, DELIMITER '|', HEADER true, QUOTE '')
      `);
      files.push(file);
    }
    return files;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
