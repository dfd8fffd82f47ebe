/**
 * Reading one input file: bytes, sha256, `decodeText`, the format's parser, and what the reports
 * record for it. Its own module so that a price worker thread (price-worker.ts) loads only the
 * screener parser, not every format.
 */
import { createHash, hash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PriceDay, PriceRow, Rejection } from '../../shared/domain.ts';
import { decodeText, MAX_DECODED_BYTES } from '../../shared/formats/decode.ts';
import { FormatError } from '../../shared/formats/errors.ts';
import { type ScreenerSink, scanScreener, screenerDateFromName } from '../../shared/formats/nasdaq-screener.ts';

export { PRICE_FILE } from '../lib/input-names.ts';

import { PRICE_FILE } from '../lib/input-names.ts';

export interface SourceFile {
  file: string;
  sha256: string;
  rows: number;
}

export interface FileRefusal {
  kind: 'prices' | 'short-interest' | 'short-volume' | 'splits' | 'split-calendar' | 'securities';
  file: string;
  message: string;
}

function sha256(bytes: Uint8Array): string {
  return hash('sha256', bytes);
}

function refusalOf(err: unknown, file: string): Rejection {
  if (err instanceof FormatError) return { file: err.file, line: err.line, field: err.field, reason: err.reason };
  return { file, line: 0, field: '*', reason: (err as Error).message };
}

/** What reading one input file records: its source line, its rejections, and the parse (null when refused). */
export interface FileRead<T> {
  source: SourceFile;
  rejections: Rejection[];
  refusal: FileRefusal | null;
  parsed: T | null;
}

export function readInputFile<T extends { records: unknown[]; rejections: Rejection[] }>(
  kind: FileRefusal['kind'],
  dir: string,
  file: string,
  parse: (text: string) => T,
): FileRead<T> {
  return readFileWith(kind, dir, file, parse, (parsed) => parsed.records.length);
}

/** `readInputFile` for a parse whose kept rows `rowsOf` counts (the source line's `rows`). */
export function readFileWith<T extends { rejections: Rejection[] }>(
  kind: FileRefusal['kind'],
  dir: string,
  file: string,
  parse: (text: string) => T,
  rowsOf: (parsed: T) => number,
): FileRead<T> {
  const full = path.join(dir, file);
  const size = statSync(full).size;
  if (size > MAX_DECODED_BYTES) {
    // Refused before reading (issue 17: a 1.2 GB file was read whole, a 2 GiB one aborted the command
    // without naming it); hashed in chunks so its source line is still exact.
    const error = new FormatError(
      file,
      0,
      '*',
      `is ${size.toLocaleString('en-US')} bytes, above the ${MAX_DECODED_BYTES.toLocaleString('en-US')} bytes any input file may have: refused before reading`,
    );
    return {
      source: { file, sha256: sha256OfFile(full), rows: 0 },
      rejections: [refusalOf(error, file)],
      refusal: { kind, file, message: error.message },
      parsed: null,
    };
  }
  const bytes = readFileSync(full);
  try {
    const parsed = parse(decodeText(bytes, file));
    return {
      source: { file, sha256: sha256(bytes), rows: rowsOf(parsed) },
      rejections: parsed.rejections,
      refusal: null,
      parsed,
    };
  } catch (err) {
    return {
      source: { file, sha256: sha256(bytes), rows: 0 },
      rejections: [refusalOf(err, file)],
      refusal: { kind, file, message: err instanceof Error ? err.message : String(err) },
      parsed: null,
    };
  }
}

/** SHA-256 of a file read 1 MiB at a time (bounded memory, for files too large to read whole). */
export function sha256OfFile(full: string): string {
  const hash = createHash('sha256');
  const fd = openSync(full, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** One price snapshot read: `day` is null when the file was refused. */
export interface PriceFileRead {
  source: SourceFile;
  rejections: Rejection[];
  refusal: FileRefusal | null;
  day: PriceDay | null;
}

/** The trading day a price file is named for (PRICE_FILE names only). */
function priceFileDate(file: string): string | null {
  return PRICE_FILE.exec(file)?.[1] ?? null;
}

/** A price file read with its rows sent to a sink: `date` is null when the file was refused (rows sunk, if any, void). */
export interface PriceFileScan extends Omit<PriceFileRead, 'day'> {
  date: string | null;
}

/** `readPriceFile` with the accepted rows handed to `sink` (`scanScreener`) rather than collected. */
export function scanPriceFile(dir: string, file: string, sink: ScreenerSink): PriceFileScan {
  const read = readFileWith(
    'prices',
    dir,
    file,
    (text) => {
      // A name like 2024-02-30.json.gz matches PRICE_FILE but is no day: refused, never read as one.
      if (screenerDateFromName(file) === null) {
        throw new FormatError(
          file,
          0,
          '*',
          `the file name's date ${JSON.stringify(priceFileDate(file))} is not a calendar date (YYYY-MM-DD)`,
        );
      }
      return scanScreener(text, file, sink);
    },
    (scan) => scan.accepted,
  );
  return {
    source: read.source,
    rejections: read.rejections,
    refusal: read.refusal,
    // scanScreener's date is the name's, which the check above proved a calendar date.
    date: read.parsed?.date ?? null,
  };
}

/** Reads, hashes, decodes and parses one screener snapshot (`prices/<file>`). */
export function readPriceFile(dir: string, file: string): PriceFileRead {
  let rows: PriceRow[] = [];
  const scan = scanPriceFile(dir, file, (symbol, name, price, marketCap, volume, sector, industry) => {
    rows.push({ symbol, name, price, marketCap, volume, sector, industry });
  });
  if (scan.date === null) rows = [];
  return {
    source: scan.source,
    rejections: scan.rejections,
    refusal: scan.refusal,
    day: scan.date !== null ? { date: scan.date, file, rows } : null,
  };
}
