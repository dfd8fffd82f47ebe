/**
 * Small hand-made input folders in the real formats (written by shared/formats/writers.ts), for tests
 * whose expected figures are computed by hand, and generated samples written to a temporary folder.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inputPaths } from '../../../functions/cli/args.ts';
import { loadInput } from '../../../functions/cli/input-folder.ts';
import type { IsoDate } from '../../../shared/domain.ts';
import {
  type ScreenerRowInput,
  shortInterestFileName,
  toScreenerRow,
  writeScreenerJson,
  writeShortInterest,
} from '../../../shared/formats/writers.ts';
import { buildSnapshot } from '../../../shared/methodology/index.ts';
import { type GenerateSampleOptions, generateSample, type SampleManifest } from '../../../shared/sample/index.ts';
import { assembleSnapshot } from '../../../shared/snapshot/assemble.ts';
import { asPublished } from '../../pipeline/helpers/publish.ts';

export interface Listing {
  symbol: string;
  /** Price per day (index into the day list); 0 = not listed that day. */
  prices: number[];
  /** Shares behind the screener's market cap per day; null = market cap unknown. */
  shares: (number | null)[] | number | null;
  sector?: string;
}

export function screenerDay(listings: Listing[], i: number): string {
  const rows: ScreenerRowInput[] = [];
  for (const l of listings) {
    const price = l.prices[i] ?? 0;
    if (!(price > 0)) continue;
    const shares = Array.isArray(l.shares) ? (l.shares[i] ?? null) : l.shares;
    rows.push({
      symbol: l.symbol,
      name: `${l.symbol} Holdings Inc. Common Stock`,
      price,
      volume: 1_000_000,
      marketCap: shares === null ? null : price * shares,
      sector: l.sector ?? 'Technology',
      industry: 'Computer Software: Prepackaged Software',
      country: 'United States',
      ipoyear: '',
      exchange: 'NASDAQ',
    });
  }
  return writeScreenerJson(rows.map((r) => toScreenerRow(r)));
}

export function shortInterestFile(settlementDate: IsoDate, shares: Record<string, number>): string {
  return writeShortInterest(
    settlementDate,
    Object.entries(shares).map(([symbolCode, currentShares]) => ({
      symbolCode,
      issueName: `${symbolCode} Holdings Inc`,
      exchangeCode: 'R',
      marketClassCode: 'NNM',
      currentShares,
      previousShares: null,
      stockSplit: false,
      averageDailyVolume: 1_000_000,
      revision: false,
    })),
  );
}

export function tempDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `short-pulse-${label}-`));
}

/** Writes a folder in the input convention: prices per day, short interest per settlement date. */
export function writeMarket(
  dir: string,
  dates: IsoDate[],
  listings: Listing[],
  shortInterest: Record<IsoDate, Record<string, number>> = {},
): string {
  mkdirSync(path.join(dir, 'prices'), { recursive: true });
  mkdirSync(path.join(dir, 'short-interest'), { recursive: true });
  dates.forEach((d, i) => {
    writeFileSync(path.join(dir, 'prices', `${d}.json`), screenerDay(listings, i));
  });
  for (const [s, shares] of Object.entries(shortInterest)) {
    writeFileSync(path.join(dir, 'short-interest', shortInterestFileName(s)), shortInterestFile(s, shares));
  }
  return dir;
}

/** A generated sample (docs/sample-data.md) written to `dir`. */
export function writeSample(dir: string, options: GenerateSampleOptions): SampleManifest {
  const { files, manifest } = generateSample(options);
  for (const f of files) {
    const target = path.join(dir, f.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.content);
  }
  return manifest;
}

/**
 * What `pulse build` computes from an input folder, assembled as publish assembles `latest.json` (sample data,
 * the folder's sources and rejections), with the given `generatedAt`: the bytes a local run must publish.
 */
export function expectedLatestJson(input: string, published: { generatedAt: string; publishedAt?: string }): string {
  const loaded = loadInput(inputPaths({ input }));
  const { body } = buildSnapshot({
    days: loaded.priceDays,
    shortInterest: loaded.shortInterest,
    splits: loaded.splits,
  });
  const snapshot = assembleSnapshot(body, {
    generatedAt: published.generatedAt,
    sample: true,
    sources: loaded.sources,
    rejections: loaded.rejections,
  });
  // Publish adds, right after generatedAt, when the day was first published (issue 21 item 12).
  return JSON.stringify(asPublished(snapshot, published.publishedAt));
}
