/**
 * The real 2024 year of ../shared/data (read in place, never copied), for the optional real-data methodology
 * tests: where it lies, whether it is there (the tests skip cleanly without it), and the year read once per file
 * the way `pulse build` reads it (the screener parser for prices, FINRA's files parsed and their R revisions merged).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PriceDay, ShortInterestFile } from '../../shared/domain.ts';
import {
  decodeText,
  mergeShortInterestRevisions,
  type ParsedShortInterest,
  parseScreener,
  parseShortInterest,
} from '../../shared/formats/index.ts';

export const DATA = path.resolve(import.meta.dirname, '../../../shared/data');
export const PRICES_2024 = path.join(DATA, 'nasdaq-screener/2024');
export const FINRA_2024 = path.join(DATA, 'finra/short-interest/2024');
/**
 * The whole-year engine runs (about 20–30 s each: real-v3, real-net-new, real-stocks, test/gates/real-2024) run with `npm run test:real`
 * (env PULSE_REAL_DATA=1) and are skipped by `npm test`, which keeps under about 10 minutes on a 2-core machine;
 * the real-data tests of the parsers and gates (test/formats, test/gates) still run there.
 */
export const REAL_YEAR_REQUESTED = process.env.PULSE_REAL_DATA === '1';
export const REAL_YEAR_PRESENT = REAL_YEAR_REQUESTED && existsSync(PRICES_2024) && existsSync(FINRA_2024);
if (!REAL_YEAR_REQUESTED) {
  console.info('whole-year real-data methodology tests skipped: run them with npm run test:real (PULSE_REAL_DATA=1)');
}

/** The 252 screener days, parsed, in date order. */
export function realPriceDays(): PriceDay[] {
  return readdirSync(PRICES_2024)
    .sort()
    .map((file) => {
      const p = parseScreener(decodeText(readFileSync(path.join(PRICES_2024, file)), file), file);
      return { date: p.date ?? file.slice(0, 10), file, rows: p.records };
    });
}

/** FINRA's 25 files, parsed, in name order. */
export function realFinraParsed(): ParsedShortInterest[] {
  return readdirSync(FINRA_2024)
    .sort()
    .map((name) => parseShortInterest(decodeText(readFileSync(path.join(FINRA_2024, name)), name), name));
}

/** The files as the engine takes them (rule 4(a): R revisions merged). */
export function realShortInterest(parsed = realFinraParsed()): ShortInterestFile[] {
  return mergeShortInterestRevisions(parsed);
}
