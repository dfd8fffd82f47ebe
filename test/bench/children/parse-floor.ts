/**
 * The parse floor: read every input file, gunzip it when gzipped, decode UTF-8 and JSON.parse the price
 * snapshots (other files are only read and decoded). Nothing is kept between files, nothing validated:
 * no implementation of the methodology can do less with the same files.
 * Usage: node parse-floor.ts PATH... (folders are read flat, every file in name order).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { reportToParent } from '../lib/child.ts';

const started = performance.now();
let files = 0;
let inputBytes = 0;
let rows = 0;
let days = 0;
for (const arg of process.argv.slice(2)) {
  const names = statSync(arg).isDirectory()
    ? readdirSync(arg)
        .sort()
        .map((n) => path.join(arg, n))
    : [arg];
  for (const file of names) {
    if (!statSync(file).isFile()) continue;
    const raw = readFileSync(file);
    files += 1;
    inputBytes += raw.byteLength;
    const body = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    const text = body.toString('utf8');
    if (/\.json(\.gz)?$/.test(file)) {
      const json = JSON.parse(text) as { data?: { rows?: unknown[] } } | unknown[];
      const list = Array.isArray(json) ? json : json.data?.rows;
      rows += list?.length ?? 0;
      days += 1;
    }
  }
}
reportToParent({ files, inputBytes, rows, days, workMs: performance.now() - started });
