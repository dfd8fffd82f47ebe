/** Command-line option handling shared by every `pulse` command (node:util parseArgs, no framework). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { IsoDate } from '../../shared/domain.ts';
import { parseIsoDate } from '../../shared/formats/text.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where each part of the input lives (issue 2, "Input folder convention"). */
export interface InputPaths {
  prices: string | null;
  shortInterest: string | null;
  shortVolume: string | null;
  splits: string | null;
  /** Nasdaq split calendar days `splits-YYYY-MM-DD.json`: more rule 3(c) overrides (splits.csv wins). */
  splitCalendar: string | null;
  /** securities.csv: rule 12 overrides (methodology v2). */
  securities: string | null;
  /** The `--input` folder, when one was given (for its sample manifest). */
  root: string | null;
}

export const INPUT_OPTIONS = {
  input: { type: 'string' },
  prices: { type: 'string' },
  'short-interest': { type: 'string' },
  'short-volume': { type: 'string' },
  splits: { type: 'string' },
  'split-calendar': { type: 'string' },
  securities: { type: 'string' },
} as const;

export const INPUT_HELP = `Input (a folder in the input convention, or each part on its own):
  --input DIR            DIR/prices, DIR/short-interest, DIR/short-volume, DIR/splits.csv, DIR/split-calendar,
                         DIR/securities.csv
  --prices DIR           Nasdaq screener snapshots YYYY-MM-DD.json[.gz]
  --short-interest DIR   FINRA short interest files shrtYYYYMMDD*.csv
  --short-volume DIR     FINRA Reg SHO files CNMSshvolYYYYMMDD.txt
  --splits FILE          explicit splits: symbol,date,ratio
  --split-calendar DIR   Nasdaq split calendar days splits-YYYY-MM-DD.json, applied like splits.csv rows
                         (a splits.csv row wins for the same symbol and day)
  --securities FILE      security types overriding rule 12's (methodology v2): symbol,type`;

type Values = Record<string, string | boolean | undefined>;

export function parse<T extends ParseArgsOptionsConfig>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } } as T, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function optionalPart(root: string | null, explicit: unknown, name: string): string | null {
  if (typeof explicit === 'string') {
    const p = path.resolve(explicit);
    if (!existsSync(p)) throw new UsageError(`${p} does not exist`);
    return p;
  }
  if (root === null) return null;
  const p = path.join(root, name);
  return existsSync(p) ? p : null;
}

export function inputPaths(values: Values): InputPaths {
  const root = typeof values.input === 'string' ? path.resolve(values.input) : null;
  if (root !== null && !existsSync(root)) throw new UsageError(`input folder ${root} does not exist`);
  const paths: InputPaths = {
    root,
    prices: optionalPart(root, values.prices, 'prices'),
    shortInterest: optionalPart(root, values['short-interest'], 'short-interest'),
    shortVolume: optionalPart(root, values['short-volume'], 'short-volume'),
    splits: optionalPart(root, values.splits, 'splits.csv'),
    splitCalendar: optionalPart(root, values['split-calendar'], 'split-calendar'),
    securities: optionalPart(root, values.securities, 'securities.csv'),
  };
  if (!paths.prices && !paths.shortInterest && !paths.shortVolume && !paths.splits && !paths.splitCalendar) {
    throw new UsageError(
      'no input: give --input DIR or at least one of --prices, --short-interest, --short-volume, --splits, --split-calendar',
    );
  }
  return paths;
}

/** A `YYYY-MM-DD` option that names a real day: `Date.parse` would take 2024-02-30 as March 1st. */
export function isoDateOption(value: unknown, name: string): IsoDate | undefined {
  if (value === undefined) return undefined;
  const expected = `--${name} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`;
  // parseIsoDate also reads YYYYMMDD (the FINRA file names); the option is written with dashes only.
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UsageError(expected);
  const date = parseIsoDate(value);
  if (date === null) throw new UsageError(`${expected}: not a day of the calendar`);
  return date;
}
