/**
 * The published data directory (PULSE_DATA_DIR, resolved by astro.config.ts): which files the site
 * copies to `/data/` and how a file is read and validated. Build-time only (node:fs).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as z from '../../../shared/zod.ts';

export class DataFileError extends Error {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  constructor(file: string, field: string, reason: string, line = 0) {
    super(`${file}${line ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${reason}`);
    this.name = 'DataFileError';
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

export function dataDir(): string {
  const dir = process.env.PULSE_DATA_DIR;
  if (!dir) throw new DataFileError('PULSE_DATA_DIR', '', 'not set (astro.config.ts resolves it before the build)');
  return dir;
}

export const SNAPSHOT_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;
const SCHEMA_FILE = /^[a-z0-9][a-z0-9.-]*\.json$/;
/** The stock index (issue 19), relative to the data directory. */
export const STOCK_INDEX_FILE = 'stocks/index.json';
/** `stocks/index.json` and one `stocks/<SYMBOL>.json` per stock, canonical symbols only (`BRK.B`, `ABR-PD`). */
const STOCKS_FILE = /^(?:index|[A-Z0-9]+(?:[.-][A-Z0-9]+)*)\.json$/;

/** Relative paths (POSIX) of every file served under `/data/`: nothing else in the directory is published. */
export async function listDataFiles(dir = dataDir()): Promise<string[]> {
  const out: string[] = [];
  const top = new Set(await readdir(dir));
  for (const name of ['latest.json', 'history.json']) if (top.has(name)) out.push(name);
  const sub = async (name: string, pattern: RegExp): Promise<void> => {
    if (!top.has(name)) return;
    for (const file of (await readdir(path.join(dir, name))).sort())
      if (pattern.test(file)) out.push(`${name}/${file}`);
  };
  await sub('snapshots', SNAPSHOT_FILE);
  await sub('schema', SCHEMA_FILE);
  await sub('stocks', STOCKS_FILE);
  return out;
}

/** Reads a JSON file of the data directory and validates it; errors name the file and the field. */
export async function readDataFile<S extends z.ZodMiniType>(
  relative: string,
  schema: S,
  dir = dataDir(),
): Promise<z.infer<S>> {
  const text = await readFile(path.join(dir, relative), 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DataFileError(relative, '*', `not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataFileError(relative, issue?.path.join('.') || '*', issue?.message ?? 'does not match the schema');
  }
  return parsed.data;
}
