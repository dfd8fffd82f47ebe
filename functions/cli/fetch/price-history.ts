/**
 * What the price-history fetchers share (issue 18, "Price history from an archive"): the per-day outcome and
 * summary types, the check of a day already in `<outDir>/prices/`, the one way a snapshot is written (API
 * shape, gzipped, read back through `parseScreener` before the atomic rename) and the source manifest
 * `<outDir>/prices-source.json`. docs/data-formats.md, "Price history from a git archive".
 */
import { hash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as z from 'zod';
import { tradingDays } from '../../../shared/calendar.ts';
import type { IsoDate, Rejection } from '../../../shared/domain.ts';
import { decodeText } from '../../../shared/formats/decode.ts';
import { FormatError } from '../../../shared/formats/errors.ts';
import { parseScreener } from '../../../shared/formats/nasdaq-screener.ts';
import { writeFileAtomic } from '../atomic-write.ts';

/**
 * The manifest's name, beside `prices/` rather than inside it: every command reports a file of `prices/`
 * whose name is not `YYYY-MM-DD.json[.gz]` as not read (functions/lib/input-names.ts), and nothing reads the
 * top of an input folder but its named parts.
 */
export const PRICE_SOURCE_MANIFEST = 'prices-source.json';

/** Where a written day came from. */
export type DaySource =
  | {
      kind: 'git';
      /** The URL or the local path given as `repo`. */
      repo: string;
      /** Full sha of the commit read. */
      commit: string;
      /** Its committer time, UTC (`2024-01-03T02:00:00.000Z`). */
      committedAt: string;
      /** The same instant in New York with its offset (`2024-01-02T21:00:00-05:00`). */
      committedAtNewYork: string;
    }
  | {
      kind: 'folder';
      /** The snapshot read (absolute path). */
      file: string;
      /** sha256 of its bytes as read. */
      sha256: string;
    };

/** One reason a day is not written. */
export interface DayProblem {
  /** The file at fault: a path inside the archive (`nyse/nyse_full_tickers.json`), a source file, or `prices/<day>.json`. */
  file: string;
  /** The archive commit the file was read from; null for a folder source or an output file. */
  commit: string | null;
  reason: string;
}

/** What happened to one trading day of the range. */
export type DayOutcome =
  | {
      day: IsoDate;
      kind: 'written';
      /** `<outDir>/prices/<day>.json.gz`. */
      file: string;
      /** Rows `parseScreener` accepted in the written file. */
      rows: number;
      /** Rows it rejected (kept in the file; every reader rejects them the same way). */
      rejections: Rejection[];
      source: DaySource;
      /** Set when an earlier `<day>.json.gz` that does not parse was replaced: why it did not. */
      replaced?: string;
    }
  | {
      day: IsoDate;
      kind: 'skipped';
      /** The file already there, which parses. */
      file: string;
      /** Its manifest entry, null when the manifest has none (a file put there by hand). */
      source: DaySource | null;
    }
  | {
      day: IsoDate;
      kind: 'missing';
      /** `no commit in the night of 2024-01-03 (…)`, `no file 2024-01-03.json[.gz] in …`. */
      reason: string;
    }
  | {
      day: IsoDate;
      kind: 'refused';
      /** Every problem found, not only the first. */
      problems: DayProblem[];
      /** The commit or file that was refused; null when the day was refused before one was read. */
      source: DaySource | null;
    };

/** Called after each trading day with its 1-based index among `total` (the trading days of the range). */
export type PriceHistoryProgress = (day: IsoDate, index: number, total: number, outcome: DayOutcome) => void;

export interface PriceHistorySummary {
  /** `<outDir>/prices`. */
  pricesDir: string;
  /** `<outDir>/prices-source.json`. */
  manifest: string;
  /** Every trading day of [from, to], in order. */
  days: DayOutcome[];
  written: number;
  skipped: number;
  missing: number;
  refused: number;
}

/** A run that cannot start or go on (bad range, an unreadable manifest, git failing): nothing is half-written. */
export class PriceHistoryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PriceHistoryError';
  }
}

/** The trading days of [from, to]; a reversed range is an error, not an empty run. */
export function rangeDays(from: IsoDate, to: IsoDate): IsoDate[] {
  if (from > to) throw new PriceHistoryError(`the range is reversed: from ${from} is after to ${to}`);
  return tradingDays(from, to);
}

export function summarise(pricesDir: string, manifest: string, days: DayOutcome[]): PriceHistorySummary {
  const count = (kind: DayOutcome['kind']) => days.filter((d) => d.kind === kind).length;
  return {
    pricesDir,
    manifest,
    days,
    written: count('written'),
    skipped: count('skipped'),
    missing: count('missing'),
    refused: count('refused'),
  };
}

/** What `prices/` already holds for a day. */
export type ExistingDay =
  | { kind: 'none' }
  | { kind: 'good'; file: string }
  /** `<day>.json.gz` that does not parse: ours to replace. */
  | { kind: 'replaceable'; file: string; reason: string }
  /** `<day>.json` that does not parse: every reader takes it before `.json.gz`, and it is not ours to delete. */
  | { kind: 'blocking'; file: string; reason: string };

function parseProblem(bytes: Uint8Array, name: string): string | null {
  try {
    parseScreener(decodeText(bytes, name), name);
    return null;
  } catch (error) {
    if (error instanceof FormatError) return error.reason;
    throw error;
  }
}

/** Looks at `<day>.json` then `<day>.json.gz` (the order every reader takes them in). */
export function existingDay(pricesDir: string, day: IsoDate): ExistingDay {
  for (const name of [`${day}.json`, `${day}.json.gz`]) {
    const full = path.join(pricesDir, name);
    if (!existsSync(full)) continue;
    const reason = parseProblem(readFileSync(full), name);
    if (reason === null) return { kind: 'good', file: full };
    return name.endsWith('.gz')
      ? { kind: 'replaceable', file: full, reason }
      : { kind: 'blocking', file: full, reason };
  }
  return { kind: 'none' };
}

/** The refusal of a day whose `prices/<day>.json` is there and broken. */
export function blockingProblem(existing: { file: string; reason: string }): DayProblem {
  return {
    file: existing.file,
    commit: null,
    reason: `is already there and does not parse (${existing.reason}); every reader takes it before ${path.basename(existing.file)}.gz, so nothing is written: remove it to fetch the day`,
  };
}

export type WriteResult =
  | { ok: true; file: string; rows: number; rejections: Rejection[] }
  | { ok: false; problem: DayProblem };

/**
 * Writes `{"data":{"rows":rows}}` as `<pricesDir>/<day>.json.gz`, but only once the gzipped bytes, read back
 * the way every command reads a price file (`decodeText`, `parseScreener`), parse: a FormatError leaves the
 * folder as it was and comes back as the day's problem.
 */
export function writeSnapshot(pricesDir: string, day: IsoDate, rows: readonly unknown[]): WriteResult {
  const name = `${day}.json.gz`;
  const file = path.join(pricesDir, name);
  const bytes = gzipSync(JSON.stringify({ data: { rows } }), { level: 9 });
  let parsed: ReturnType<typeof parseScreener>;
  try {
    parsed = parseScreener(decodeText(bytes, name), name);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    return {
      ok: false,
      problem: {
        file: path.join('prices', name),
        commit: null,
        reason: `the merged snapshot is refused: ${error.reason}`,
      },
    };
  }
  mkdirSync(pricesDir, { recursive: true });
  writeFileAtomic(file, bytes);
  return { ok: true, file, rows: parsed.records.length, rejections: parsed.rejections };
}

export function sha256Of(bytes: Uint8Array): string {
  return hash('sha256', bytes);
}

const daySourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('git'),
    repo: z.string(),
    commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
    committedAt: z.string(),
    committedAtNewYork: z.string(),
  }),
  z.object({ kind: z.literal('folder'), file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
]);

/** `prices-source.json`: which source each written day came from (version 1). */
export const priceSourceManifestSchema = z.object({
  version: z.literal(1),
  days: z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), daySourceSchema),
});
export type PriceSourceManifest = z.infer<typeof priceSourceManifestSchema>;

/** The manifest of an output folder, kept up to date after each written day (a killed run loses no entry). */
export class SourceManifest {
  readonly file: string;
  private readonly days: Map<IsoDate, DaySource>;

  private constructor(file: string, days: Map<IsoDate, DaySource>) {
    this.file = file;
    this.days = days;
  }

  /** Reads `<outDir>/prices-source.json`; one this version cannot read stops the run rather than being overwritten. */
  static open(outDir: string): SourceManifest {
    const file = path.join(outDir, PRICE_SOURCE_MANIFEST);
    if (!existsSync(file)) return new SourceManifest(file, new Map());
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new PriceHistoryError(
        `${file}: is not JSON (${(error as Error).message}); move it away to start a new one`,
      );
    }
    const parsed = priceSourceManifestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PriceHistoryError(
        `${file}: is not a version 1 price source manifest (${issue ? `${issue.path.join('.') || 'top'}: ${issue.message}` : 'unknown shape'}); move it away to start a new one`,
      );
    }
    return new SourceManifest(file, new Map(Object.entries(parsed.data.days)));
  }

  get(day: IsoDate): DaySource | null {
    return this.days.get(day) ?? null;
  }

  /** Records the day and rewrites the file (atomically, days in order). */
  set(day: IsoDate, source: DaySource): void {
    this.days.set(day, source);
    const days = Object.fromEntries([...this.days].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const manifest: PriceSourceManifest = { version: 1, days };
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}
