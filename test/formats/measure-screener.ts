/**
 * Measures the screener parser on the real 2024 year against a bare JSON.parse of the same text
 * (the full-year benchmark's budget is ≤ 1.5 × JSON.parse). Not a test: timings depend on the
 * machine, so nothing asserts them. CPU time (user + system) is reported next to wall time because
 * on a shared machine wall time mostly measures the neighbours.
 *
 *   npm exec -- node test/formats/measure-screener.ts [rounds]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { checkScreenerRow, parseScreener, screenerRowSchema, toPriceRow } from '../../shared/formats/index.ts';
import { repoRoot } from './fixtures.ts';

const dir = path.resolve(repoRoot, '../shared/data/nasdaq-screener/2024');
if (!existsSync(dir)) {
  console.log(`${dir} is absent: nothing to measure`);
  process.exit(0);
}
const rounds = Number(process.argv[2] ?? 3);
const compiledRow = z.compile(screenerRowSchema());

const variants: Record<string, (text: string, file: string) => number> = {
  'JSON.parse only': (text) => (JSON.parse(text) as { data: { rows: unknown[] } }).data.rows.length,
  'parseScreener (text scanner)': (text, file) => parseScreener(text, file).records.length,
  'parseScreener (JSON.parse + fast rows)': (text, file) =>
    parseScreener(text, file, { rowCheck: 'json' }).records.length,
  'parseScreener (zod safeParse rows)': (text, file) => parseScreener(text, file, { rowCheck: 'zod' }).records.length,
  // Rows only (no envelope, duplicates or file checks): the hand-written check against zod's AOT compiler.
  'JSON.parse + checkScreenerRow + map': (text) => {
    let n = 0;
    for (const raw of (JSON.parse(text) as { data: { rows: unknown[] } }).data.rows) {
      const r = checkScreenerRow(raw);
      if (r) n += toPriceRow(r).price > 0 ? 1 : 0;
    }
    return n;
  },
  'JSON.parse + z.compile rows + map': (text) => {
    let n = 0;
    for (const raw of (JSON.parse(text) as { data: { rows: unknown[] } }).data.rows) {
      const r = compiledRow.safeParse(raw);
      if (r.success) n += toPriceRow(r.data).price > 0 ? 1 : 0;
    }
    return n;
  },
};

const files = readdirSync(dir).sort();
const cpu: Record<string, number[]> = {};
const wall: Record<string, number[]> = {};
for (const name of Object.keys(variants)) {
  cpu[name] = [];
  wall[name] = [];
}
for (let round = 0; round < rounds; round++) {
  const c: Record<string, number> = {};
  const w: Record<string, number> = {};
  for (const file of files) {
    const text = gunzipSync(readFileSync(path.join(dir, file))).toString('utf8');
    // Interleaved per file so load changes on the machine hit every variant alike.
    for (const [name, fn] of Object.entries(variants)) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      fn(text, file);
      w[name] = (w[name] ?? 0) + performance.now() - w0;
      const d = process.cpuUsage(c0);
      c[name] = (c[name] ?? 0) + (d.user + d.system) / 1000;
    }
  }
  for (const name of Object.keys(variants)) {
    cpu[name]?.push(c[name] ?? 0);
    wall[name]?.push(w[name] ?? 0);
  }
}
const best = (xs: number[] | undefined) => Math.min(...(xs ?? [Number.NaN]));
const base = best(cpu['JSON.parse only']);
console.log(`${files.length} files, best of ${rounds} rounds (ms, all files)`);
for (const name of Object.keys(variants)) {
  const c = best(cpu[name]);
  console.log(
    `${name.padEnd(40)} cpu ${c.toFixed(0).padStart(6)}  wall ${best(wall[name]).toFixed(0).padStart(6)}  ×JSON.parse ${(c / base).toFixed(2)}`,
  );
}
