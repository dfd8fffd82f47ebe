/** Reads a generated sample back through the real parsers (shared/formats). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IsoDate, PriceRow } from '../../shared/domain.ts';
import { decodeText } from '../../shared/formats/decode.ts';
import { parseScreener } from '../../shared/formats/nasdaq-screener.ts';
import type { SampleFile } from '../../shared/sample/index.ts';
import type { OracleDay } from './oracle.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** True once the formats helper's module exists (the sample tests of that parser are pending until then). */
export function hasFormat(module: string): boolean {
  return existsSync(path.join(repoRoot, 'shared/formats', module));
}

export function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : content;
}

export function textOf(file: SampleFile): string {
  return decodeText(bytesOf(file.content), path.basename(file.path));
}

export interface LoadedDay {
  date: IsoDate;
  file: string;
  rows: PriceRow[];
  rejections: number;
}

export function loadPrices(files: readonly SampleFile[]): LoadedDay[] {
  return files
    .filter((f) => f.path.startsWith('prices/'))
    .map((f) => {
      const name = path.basename(f.path);
      const parsed = parseScreener(textOf(f), name);
      if (parsed.date === null) throw new Error(`${name}: no date in the name`);
      return { date: parsed.date, file: name, rows: parsed.records, rejections: parsed.rejections.length };
    });
}

export function toOracle(days: readonly LoadedDay[]): OracleDay[] {
  return days.map((d) => ({
    date: d.date,
    rows: new Map(d.rows.map((r) => [r.symbol, { price: r.price, marketCap: r.marketCap }])),
  }));
}

export function fileAt(files: readonly SampleFile[], p: string): SampleFile {
  const f = files.find((x) => x.path === p);
  if (!f) throw new Error(`no file ${p}`);
  return f;
}
