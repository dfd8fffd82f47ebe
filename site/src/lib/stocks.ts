/**
 * Every stock (issue 19) at build time: the index from its content collection (absent when the data
 * directory has no `stocks/`), and one stock's file, read and validated when its page is built.
 */
import { getEntry } from 'astro:content';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isSafeSymbol } from '../../../shared/present/stock-links.ts';
import {
  type StockFile,
  StockFileSchema,
  type StockIndex,
  stockFileName,
} from '../../../shared/snapshot/stocks-schema.ts';
import { DataFileError, dataDir, readDataFile } from './data-files.ts';

let index: Promise<StockIndex | null> | undefined;

/** `stocks/index.json`, or null when the data directory publishes no per-stock data. */
export function stockIndex(): Promise<StockIndex | null> {
  index ??= (async () => {
    const entry = await getEntry('stocks', 'index');
    return entry ? (entry.data as StockIndex) : null;
  })();
  return index;
}

let symbols: Promise<ReadonlySet<string>> | undefined;

/**
 * Symbols that get a page: every index entry whose symbol is a canonical ticker (a symbol that could not be a
 * path stays plain text everywhere, and its file is not copied).
 */
export function stockPageSymbols(): Promise<ReadonlySet<string>> {
  symbols ??= stockIndex().then((i) => new Set((i?.stocks ?? []).map((s) => s.symbol).filter(isSafeSymbol)));
  return symbols;
}

let schema: Promise<boolean> | undefined;

/** Whether the data directory publishes `schema/stock.v1.json` (checked once, not once per stock page). */
export function hasStockSchema(): Promise<boolean> {
  schema ??= Promise.resolve(existsSync(path.join(dataDir(), 'schema', 'stock.v1.json')));
  return schema;
}

/** The stock's own file; it must be the file of that symbol and of the index's day. */
export async function readStockFile(symbol: string, asOf: string): Promise<StockFile> {
  const relative = `stocks/${stockFileName(symbol)}`;
  const file = await readDataFile(relative, StockFileSchema);
  if (file.symbol !== symbol) throw new DataFileError(relative, 'symbol', `is ${file.symbol}, expected ${symbol}`);
  if (file.asOf !== asOf) throw new DataFileError(relative, 'asOf', `is ${file.asOf}, but the index is of ${asOf}`);
  // The series is columnar: one element per day in every array, or the chart would pair the wrong days.
  const days = file.series.date.length;
  for (const [field, values] of Object.entries(file.series)) {
    if (values.length !== days) {
      throw new DataFileError(relative, `series.${field}`, `has ${values.length} values for ${days} dates`);
    }
  }
  return file;
}
