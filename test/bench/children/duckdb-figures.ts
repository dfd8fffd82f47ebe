/**
 * Runs the DuckDB reference (test/bench/duckdb) once in this process and writes its result as JSON, so
 * the parent measures its wall time and peak memory like any other build.
 * Usage: node duckdb-figures.ts '{"pricesDir":…,"shortInterestDir":…,"splitsFile"?:…}' OUT.json
 */
import { writeFileSync } from 'node:fs';
import { reportToParent } from '../lib/child.ts';

const [inputJson, out] = process.argv.slice(2);
if (!inputJson || !out) throw new Error('usage: duckdb-figures.ts INPUT_JSON OUT_FILE');
const { duckdbGroupFigures } = await import('../duckdb/reference.ts');
const result = await duckdbGroupFigures(JSON.parse(inputJson));
writeFileSync(out, JSON.stringify(result));
reportToParent({ timings: result.timings });
