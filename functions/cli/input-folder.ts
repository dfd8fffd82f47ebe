/**
 * Reads an input folder (issue 2 convention) from disk: the imperative shell around the pure parsers
 * in shared/formats. A file the parser refuses as a whole is reported (line 0) and left out; its rows
 * never reach the methodology. Nothing here transforms data beyond what the parsers return.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PriceDay, Rejection, ShortInterestFile, ShortVolumeRecord, SplitOverride } from '../../shared/domain.ts';
import {
  decodeText,
  FormatError,
  mergeShortInterestRevisions,
  parseScreener,
  parseShortInterest,
  parseShortVolume,
  parseSplitsCsv,
} from '../../shared/formats/index.ts';
import type { InputPaths } from './args.ts';

export interface SourceFile {
  file: string;
  sha256: string;
  rows: number;
}

export interface FileRefusal {
  kind: 'prices' | 'short-interest' | 'short-volume' | 'splits';
  file: string;
  message: string;
}

export interface LoadedInput {
  priceDays: PriceDay[];
  shortInterest: ShortInterestFile[];
  shortVolume: { file: string; date: string | null; records: ShortVolumeRecord[] }[];
  splits: SplitOverride[];
  sources: SourceFile[];
  /** Row-level rejections and whole-file refusals (line 0), in file order. */
  rejections: Rejection[];
  refusals: FileRefusal[];
  /** Files in an input folder that match no known name pattern (reported, not read). */
  ignored: string[];
}

export const PRICE_FILE = /^(\d{4}-\d{2}-\d{2})\.json(\.gz)?$/;
export const SHORT_INTEREST_FILE = /^shrt\d{8}.*\.csv$/;
export const SHORT_VOLUME_FILE = /^CNMSshvol\d{8}\.txt$/;

function listFiles(dir: string, pattern: RegExp, ignored: string[]): string[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  const kept: string[] = [];
  for (const name of names) {
    if (pattern.test(name)) kept.push(name);
    else if (!name.startsWith('.')) ignored.push(path.join(dir, name));
  }
  return kept;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function refusalOf(err: unknown, file: string): Rejection {
  if (err instanceof FormatError) return { file: err.file, line: err.line, field: err.field, reason: err.reason };
  return { file, line: 0, field: '*', reason: (err as Error).message };
}

export interface LoadOptions {
  /** Called after each file is read, for progress output. */
  onFile?: (file: string, index: number, total: number) => void;
}

export function loadInput(paths: InputPaths, options: LoadOptions = {}): LoadedInput {
  const ignored: string[] = [];
  const priceFiles = paths.prices ? listFiles(paths.prices, PRICE_FILE, ignored) : [];
  const siFiles = paths.shortInterest ? listFiles(paths.shortInterest, SHORT_INTEREST_FILE, ignored) : [];
  const svFiles = paths.shortVolume ? listFiles(paths.shortVolume, SHORT_VOLUME_FILE, ignored) : [];
  const total = priceFiles.length + siFiles.length + svFiles.length + (paths.splits ? 1 : 0);
  let index = 0;

  const out: LoadedInput = {
    priceDays: [],
    shortInterest: [],
    shortVolume: [],
    splits: [],
    sources: [],
    rejections: [],
    refusals: [],
    ignored,
  };

  const read = <T>(
    kind: FileRefusal['kind'],
    dir: string,
    file: string,
    parse: (text: string) => { records: unknown[]; rejections: Rejection[] } & T,
  ): (T & { records: unknown[] }) | null => {
    const bytes = readFileSync(path.join(dir, file));
    index += 1;
    options.onFile?.(file, index, total);
    try {
      const parsed = parse(decodeText(bytes, file));
      out.sources.push({ file, sha256: sha256(bytes), rows: parsed.records.length });
      out.rejections.push(...parsed.rejections);
      return parsed;
    } catch (err) {
      const refusal = refusalOf(err, file);
      out.sources.push({ file, sha256: sha256(bytes), rows: 0 });
      out.rejections.push(refusal);
      out.refusals.push({ kind, file, message: err instanceof Error ? err.message : String(err) });
      return null;
    }
  };

  if (paths.prices) {
    for (const file of priceFiles) {
      const parsed = read('prices', paths.prices, file, (text) => parseScreener(text, file));
      if (!parsed) continue;
      const date = parsed.date ?? PRICE_FILE.exec(file)?.[1] ?? null;
      if (date === null) continue;
      out.priceDays.push({ date, file, rows: parsed.records as PriceDay['rows'] });
    }
  }

  if (paths.shortInterest) {
    const parsedFiles = [];
    for (const file of siFiles) {
      const parsed = read('short-interest', paths.shortInterest, file, (text) => parseShortInterest(text, file));
      if (parsed) parsedFiles.push(parsed);
    }
    out.shortInterest = mergeShortInterestRevisions(parsedFiles as Parameters<typeof mergeShortInterestRevisions>[0]);
  }

  if (paths.shortVolume) {
    for (const file of svFiles) {
      const parsed = read('short-volume', paths.shortVolume, file, (text) => parseShortVolume(text, file));
      if (parsed) out.shortVolume.push({ file, date: parsed.date, records: parsed.records as ShortVolumeRecord[] });
    }
  }

  if (paths.splits) {
    const dir = path.dirname(paths.splits);
    const file = path.basename(paths.splits);
    const parsed = read('splits', dir, file, (text) => parseSplitsCsv(text, file));
    if (parsed) out.splits = parsed.records as SplitOverride[];
  }

  return out;
}
