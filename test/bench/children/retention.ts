/**
 * Diagnostic for a missed batch budget: parse every price file with the project's own parser
 * (decodeText + parseScreener) on one thread and either drop each day's rows (`discard`: the parser's
 * own cost, what `pulse build` pays per day now that it streams) or keep them all until the end
 * (`keep`: what loading the whole folder before the engine cost, garbage collection re-tracing a
 * year of rows).
 * Usage: node retention.ts PRICES_DIR keep|discard
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeText, parseScreener } from '../../../shared/formats/index.ts';
import { reportToParent } from '../lib/child.ts';

const [dir, mode] = process.argv.slice(2);
if (!dir || (mode !== 'keep' && mode !== 'discard')) throw new Error('usage: retention.ts PRICES_DIR keep|discard');
const kept: unknown[] = [];
const started = performance.now();
let rows = 0;
for (const name of readdirSync(dir).sort()) {
  if (!/^\d{4}-\d{2}-\d{2}\.json(\.gz)?$/.test(name)) continue;
  const parsed = parseScreener(decodeText(readFileSync(path.join(dir, name)), name), name);
  rows += parsed.records.length;
  if (mode === 'keep') kept.push(parsed.records);
}
reportToParent({ mode, rows, workMs: performance.now() - started, kept: kept.length });
