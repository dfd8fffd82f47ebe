/**
 * Price history from a plain folder of saved screener snapshots (issue 18, item 2): `YYYY-MM-DD.json[.gz]`
 * files in the API's shape or as a bare rows array, each checked with `parseScreener` and written to
 * `<outDir>/prices/` in one form (the API shape, gzipped), as the git archive source writes them.
 * docs/data-formats.md, "Price history from a git archive".
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isTradingDay } from '../../../shared/calendar.ts';
import type { IsoDate } from '../../../shared/domain.ts';
import { decodeText, MAX_DECODED_BYTES } from '../../../shared/formats/decode.ts';
import { FormatError } from '../../../shared/formats/errors.ts';
import { parseScreener } from '../../../shared/formats/nasdaq-screener.ts';
import { laterSnapshotsOfADay, listFolder, PRICE_FILE } from '../../lib/input-names.ts';
import {
  blockingProblem,
  type DayOutcome,
  type DaySource,
  existingDay,
  PriceHistoryError,
  type PriceHistoryProgress,
  type PriceHistorySummary,
  rangeDays,
  SourceManifest,
  sha256Of,
  summarise,
  writeSnapshot,
} from './price-history.ts';

export interface PricesFromFolderOptions {
  /** The folder of saved snapshots `YYYY-MM-DD.json[.gz]`. */
  dir: string;
  /** First and last day of the range (inclusive); only trading days are read. */
  from: IsoDate;
  to: IsoDate;
  /** The input folder to fill: snapshots go to `<outDir>/prices/`, the manifest to `<outDir>/prices-source.json`. */
  outDir: string;
  /** Called after each trading day. */
  onProgress?: PriceHistoryProgress;
}

export interface PricesFromFolderSummary extends PriceHistorySummary {
  /** `dir`, resolved. */
  dir: string;
  /** Files of `dir` not read, with why: a name that is not a snapshot's, a day in the range the market was closed, a second snapshot of a day, a broken link. */
  ignored: { file: string; reason: string }[];
}

/** The rows array of a snapshot `parseScreener` accepted (one of its three envelopes). */
function rowsOf(json: unknown): unknown[] {
  if (Array.isArray(json)) return json;
  const data = (json as { data?: { rows?: unknown; table?: { rows?: unknown } } }).data;
  const rows = data?.rows ?? data?.table?.rows;
  return Array.isArray(rows) ? rows : [];
}

function inRange(name: string, from: IsoDate, to: IsoDate): IsoDate | null {
  const date = PRICE_FILE.exec(name)?.[1];
  return date !== undefined && date >= from && date <= to ? date : null;
}

/**
 * Copies the snapshots of the trading days of [from, to] from `dir` to `<outDir>/prices/<day>.json.gz`,
 * normalised to `{"data":{"rows":[…]}}` (rows untouched). A day is `skipped` when the output already has a file
 * that parses, `missing` when `dir` has no `<day>.json[.gz]`, `refused` when its file does not parse (the
 * `FormatError`'s reason). When `dir` has both `<day>.json` and `<day>.json.gz`, the first in name order is read,
 * as every command does, and the other is listed in `ignored`. Throws `PriceHistoryError` for a reversed range,
 * a `dir` that is not a folder or an unreadable manifest.
 */
export function pricesFromFolder(options: PricesFromFolderOptions): PricesFromFolderSummary {
  const { from, to, outDir, onProgress } = options;
  const dir = path.resolve(options.dir);
  const days = rangeDays(from, to);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new PriceHistoryError(`${dir}: is not a folder`);
  const pricesDir = path.join(outDir, 'prices');
  const manifest = SourceManifest.open(outDir);

  const { files, broken } = listFolder(dir);
  const ignored: PricesFromFolderSummary['ignored'] = broken.map((name) => ({
    file: path.join(dir, name),
    reason: 'a link whose target is missing or not a file',
  }));
  const later = new Set(laterSnapshotsOfADay(files).map((l) => l.file));
  const fileOfDay = new Map<IsoDate, string>();
  for (const name of files) {
    const day = inRange(name, from, to);
    const closed = day === null ? null : closedReason(day);
    if (PRICE_FILE.exec(name) === null) {
      ignored.push({ file: path.join(dir, name), reason: 'the name is not YYYY-MM-DD.json[.gz]' });
    } else if (day === null) {
      // Outside the range: not asked for, not a problem.
    } else if (later.has(name)) {
      ignored.push({
        file: path.join(dir, name),
        reason: `another snapshot of ${day} comes first in name order and is the one read`,
      });
    } else if (closed !== null) {
      ignored.push({ file: path.join(dir, name), reason: closed });
    } else {
      fileOfDay.set(day, name);
    }
  }

  const outcomes: DayOutcome[] = [];
  for (const [i, day] of days.entries()) {
    const outcome = copyDay(day);
    outcomes.push(outcome);
    if (outcome.kind === 'written') manifest.set(day, outcome.source);
    onProgress?.(day, i + 1, days.length, outcome);
  }
  return { ...summarise(pricesDir, manifest.file, outcomes), dir, ignored };

  function copyDay(day: IsoDate): DayOutcome {
    const existing = existingDay(pricesDir, day);
    if (existing.kind === 'good') return { day, kind: 'skipped', file: existing.file, source: manifest.get(day) };
    if (existing.kind === 'blocking') {
      return { day, kind: 'refused', problems: [blockingProblem(existing)], source: null };
    }
    const name = fileOfDay.get(day);
    if (name === undefined) return { day, kind: 'missing', reason: `no file ${day}.json[.gz] in ${dir}` };
    const file = path.join(dir, name);
    const size = statSync(file).size;
    if (size > MAX_DECODED_BYTES) {
      const reason = `is ${size.toLocaleString('en-US')} bytes, above the ${MAX_DECODED_BYTES.toLocaleString('en-US')} bytes any input file may have`;
      return { day, kind: 'refused', problems: [{ file, commit: null, reason }], source: null };
    }
    const bytes = readFileSync(file);
    const source: DaySource = { kind: 'folder', file, sha256: sha256Of(bytes) };
    let rows: unknown[];
    try {
      const text = decodeText(bytes, name);
      parseScreener(text, name);
      rows = rowsOf(JSON.parse(text));
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      return { day, kind: 'refused', problems: [{ file, commit: null, reason: error.reason }], source };
    }
    const written = writeSnapshot(pricesDir, day, rows);
    if (!written.ok) return { day, kind: 'refused', problems: [written.problem], source };
    return {
      day,
      kind: 'written',
      file: written.file,
      rows: written.rows,
      rejections: written.rejections,
      source,
      ...(existing.kind === 'replaceable' ? { replaced: existing.reason } : {}),
    };
  }
}

/** Why a file's day is not read: the market was closed, or the name is no calendar day (`2024-02-30`). */
function closedReason(day: IsoDate): string | null {
  try {
    return isTradingDay(day) ? null : `${day} is not a trading day`;
  } catch {
    return `${day} is not a calendar day`;
  }
}
