/**
 * Writes benchmark inputs (in a child process, so the generator's memory does not stay in the parent):
 *   real-si PRICES_DIR OUT SEED          short interest for a folder of real screener snapshots
 *                                        (generateShortInterestFor) into OUT/short-interest/
 *   sample OUT SEED SYMBOLS FROM TO      a whole generated input folder (generateSample)
 * The parent records what it asked for beside the files and reuses them while that matches.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PriceDay } from '../../../shared/domain.ts';
import { decodeText, parseScreener } from '../../../shared/formats/index.ts';
import { generateSample, generateShortInterestFor, type SampleFile } from '../../../shared/sample/index.ts';
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
} else {
  throw new Error(`generate-inputs.ts: unknown mode ${mode ?? '(none)'} (real-si | sample)`);
}
