/**
 * Writes benchmark inputs (in a child process, so the generator's memory does not stay in the parent):
 *   real-si PRICES_DIR OUT SEED          short interest for a folder of real screener snapshots
 *                                        (generateShortInterestFor) into OUT/short-interest/
 *   sample OUT SEED SYMBOLS FROM TO      a whole generated input folder (generateSample)
 *   merge OUT PREFIX DIR...              one input folder from several generated ones: every symbol of
 *                                        the n-th folder gets the n-th PREFIX character (`-` = none), so
 *                                        the universes do not collide; short volume files are left out
 * The parent records what it asked for beside the files and reuses them while that matches.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { PriceDay } from '../../../shared/domain.ts';
import { decodeText, parseScreener } from '../../../shared/formats/index.ts';
import {
  generateSample,
  generateShortInterestFor,
  SAMPLE_MANIFEST_FILE,
  type SampleFile,
} from '../../../shared/sample/index.ts';
import { reportToParent } from '../lib/child.ts';

function write(out: string, files: SampleFile[]): number {
  let bytes = 0;
  for (const f of files) {
    const target = path.join(out, f.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.content);
    bytes += typeof f.content === 'string' ? Buffer.byteLength(f.content) : f.content.byteLength;
  }
  return bytes;
}

/** Symbol columns: screener rows' `symbol`, FINRA's `symbolCode` (2nd field), splits.csv's first field. */
function mergeFolders(dirs: string[], prefixes: string[]): SampleFile[] {
  const out: SampleFile[] = [];
  const names = (dir: string, sub: string) =>
    existsSync(path.join(dir, sub)) ? readdirSync(path.join(dir, sub)).sort() : [];
  const priceNames = [...new Set(dirs.flatMap((d) => names(d, 'prices')))].sort();
  for (const name of priceNames) {
    const rows: Record<string, unknown>[] = [];
    dirs.forEach((dir, i) => {
      const file = path.join(dir, 'prices', name);
      if (!existsSync(file)) return;
      const raw = readFileSync(file);
      const json = JSON.parse((raw[0] === 0x1f ? gunzipSync(raw) : raw).toString('utf8')) as {
        data: { rows: Record<string, unknown>[] };
      };
      for (const row of json.data.rows) rows.push({ ...row, symbol: `${prefixes[i] ?? ''}${String(row.symbol)}` });
    });
    const text = JSON.stringify({ data: { rows } });
    out.push({ path: `prices/${name}`, content: name.endsWith('.gz') ? gzipSync(text) : text });
  }
  const siNames = [...new Set(dirs.flatMap((d) => names(d, 'short-interest')))].sort();
  for (const name of siNames) {
    let header = '';
    const lines: string[] = [];
    dirs.forEach((dir, i) => {
      const file = path.join(dir, 'short-interest', name);
      if (!existsSync(file)) return;
      const [head = '', ...body] = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
      header = head;
      for (const line of body) {
        const fields = line.split('|');
        fields[1] = `${prefixes[i] ?? ''}${fields[1] ?? ''}`;
        lines.push(fields.join('|'));
      }
    });
    out.push({ path: `short-interest/${name}`, content: `${[header, ...lines].join('\n')}\n` });
  }
  const splits = ['symbol,date,ratio'];
  dirs.forEach((dir, i) => {
    const file = path.join(dir, 'splits.csv');
    if (!existsSync(file)) return;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      if (line.trim() !== '') splits.push(`${prefixes[i] ?? ''}${line}`);
    }
  });
  out.push({ path: 'splits.csv', content: `${splits.join('\n')}\n` });
  const manifest = path.join(dirs[0] ?? '', SAMPLE_MANIFEST_FILE);
  if (existsSync(manifest)) out.push({ path: SAMPLE_MANIFEST_FILE, content: readFileSync(manifest, 'utf8') });
  return out;
}

const [mode, ...rest] = process.argv.slice(2);
const started = performance.now();
if (mode === 'real-si') {
  const [pricesDir, out, seed] = rest;
  if (!pricesDir || !out || !seed) throw new Error('usage: generate-inputs.ts real-si PRICES_DIR OUT SEED');
  rmSync(out, { recursive: true, force: true });
  const days: PriceDay[] = [];
  for (const name of readdirSync(pricesDir).sort()) {
    const m = /^(\d{4}-\d{2}-\d{2})\.json(\.gz)?$/.exec(name);
    if (!m) continue;
    const parsed = parseScreener(decodeText(readFileSync(path.join(pricesDir, name)), name), name);
    days.push({ date: parsed.date ?? (m[1] as string), file: name, rows: parsed.records });
  }
  const files = generateShortInterestFor(days, { seed: Number(seed) });
  const bytes = write(out, files);
  reportToParent({ files: files.length, bytes, ms: performance.now() - started });
} else if (mode === 'sample') {
  const [out, seed, symbols, from, to] = rest;
  if (!out || !seed || !symbols || !from || !to)
    throw new Error('usage: generate-inputs.ts sample OUT SEED SYMBOLS FROM TO');
  rmSync(out, { recursive: true, force: true });
  const { files, manifest } = generateSample({ seed: Number(seed), symbols: Number(symbols), from, to, gzip: true });
  const bytes = write(out, files);
  reportToParent({ files: files.length, bytes, tradingDays: manifest.tradingDays, ms: performance.now() - started });
} else if (mode === 'merge') {
  const [out, prefixes, ...dirs] = rest;
  if (!out || !prefixes || dirs.length === 0) throw new Error('usage: generate-inputs.ts merge OUT PREFIXES DIR...');
  rmSync(out, { recursive: true, force: true });
  const files = mergeFolders(
    dirs,
    [...prefixes].map((c) => (c === '-' ? '' : c)),
  );
  const bytes = write(out, files);
  reportToParent({ files: files.length, bytes, ms: performance.now() - started });
} else {
  throw new Error(`generate-inputs.ts: unknown mode ${mode ?? '(none)'} (real-si | sample | merge)`);
}
