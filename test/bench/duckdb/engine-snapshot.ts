/**
 * The other side of the cross-check: the TypeScript engine (shared/methodology) on the same input
 * files the DuckDB reference reads, in process, through the real parsers (shared/formats). Only the
 * comparison tools use it; reference.ts and the SQL import nothing from here or from the engine.
 * Like `pulse build`, files are read one day at a time, so memory holds the engine state, not a year
 * of rows; unlike it, no worker threads and no source hashing: this is a check, not a benchmark.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { IsoDate, PriceDay, SplitOverride } from '../../../shared/domain.ts';
import {
  decodeText,
  mergeShortInterestRevisions,
  parseScreener,
  parseShortInterest,
  parseSplitsCsv,
} from '../../../shared/formats/index.ts';
import { buildSnapshotFrom } from '../../../shared/methodology/batch.ts';
import type { SnapshotBody } from '../../../shared/methodology/types.ts';
import type { DuckdbReferenceInput } from './reference.ts';

const PRICE_FILE = /^(\d{4}-\d{2}-\d{2})\.json(\.gz)?$/;
const SHORT_INTEREST_FILE = /^shrt\d{8}.*\.csv$/;

function* priceDays(dir: string): Generator<PriceDay> {
  for (const file of readdirSync(dir).sort()) {
    const date = PRICE_FILE.exec(file)?.[1];
    if (date === undefined) continue;
    const parsed = parseScreener(decodeText(readFileSync(path.join(dir, file)), file), file);
    yield { date: parsed.date ?? (date as IsoDate), file, rows: parsed.records };
  }
}

/** The engine's snapshot body for the input folders `duckdbGroupFigures` takes. */
export async function engineSnapshot(input: DuckdbReferenceInput): Promise<SnapshotBody> {
  const siFiles = existsSync(input.shortInterestDir)
    ? readdirSync(input.shortInterestDir)
        .filter((f) => SHORT_INTEREST_FILE.test(f))
        .sort()
    : [];
  const shortInterest = mergeShortInterestRevisions(
    siFiles.map((f) => parseShortInterest(decodeText(readFileSync(path.join(input.shortInterestDir, f)), f), f)),
  );
  let splits: SplitOverride[] = [];
  if (input.splitsFile !== undefined && existsSync(input.splitsFile)) {
    const name = path.basename(input.splitsFile);
    splits = parseSplitsCsv(decodeText(readFileSync(input.splitsFile), name), name).records;
  }
  const result = await buildSnapshotFrom(priceDays(input.pricesDir), {
    shortInterest,
    splits,
    methodology: input.methodology ?? 2,
    ...(input.asOf === undefined ? {} : { asOf: input.asOf }),
  });
  return result.body;
}
