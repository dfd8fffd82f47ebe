/**
 * FINRA's public CDN: consolidated equity short interest (twice a month, about seven business days after
 * settlement) and Reg SHO daily short sale volume (consolidated NMS, each trading evening).
 *   https://cdn.finra.org/equity/otcmarket/biweekly/shrtYYYYMMDD.csv   (pipe-delimited despite .csv)
 *   https://cdn.finra.org/equity/regsho/daily/CNMSshvolYYYYMMDD.txt
 * A 404 means "not published yet"; an HTML page served with 200 is returned as a file (ingest archives it,
 * then the parser refuses it).
 */
import { addCalendarDays, addTradingDays, settlementDates } from '../../shared/calendar.ts';
import type { IsoDate } from '../../shared/domain.ts';
import type { HttpClient } from './http.ts';
import { compactDate, type FetchResult, type SourceProvider } from './source-provider.ts';

export const FINRA_BASE_URL = 'https://cdn.finra.org';

export interface FinraOptions {
  http: HttpClient;
  baseUrl?: string;
}

export interface FinraShortInterestOptions extends FinraOptions {
  /** How far back (calendar days) to look for settlement dates whose file may still be missing. */
  lookbackDays?: number;
  /** No file is asked for before this many trading days after settlement (FINRA needs about seven). */
  minPublicationLag?: number;
}

export function shortInterestUrl(baseUrl: string, settlementDate: IsoDate): string {
  return `${baseUrl.replace(/\/+$/, '')}/equity/otcmarket/biweekly/shrt${compactDate(settlementDate)}.csv`;
}

export function shortVolumeUrl(baseUrl: string, date: IsoDate): string {
  return `${baseUrl.replace(/\/+$/, '')}/equity/regsho/daily/CNMSshvol${compactDate(date)}.txt`;
}

async function fetchOne(http: HttpClient, url: string, name: string, signal?: AbortSignal): Promise<FetchResult> {
  const result = await http.get(url, signal ? { signal } : {});
  if (result.kind === 'not-found') {
    return { status: 'not-yet-available', location: url, reason: `HTTP ${result.status}: not published yet` };
  }
  return { status: 'available', files: [{ name, bytes: result.bytes, location: url }] };
}

export function finraShortInterestProvider(options: FinraShortInterestOptions): SourceProvider {
  const baseUrl = options.baseUrl ?? FINRA_BASE_URL;
  const lookback = options.lookbackDays ?? 35;
  const lag = options.minPublicationLag ?? 5;
  const name = (s: IsoDate) => `shrt${compactDate(s)}.csv`;
  return {
    id: 'finra-short-interest',
    source: 'short-interest',
    datesFor(tradingDate) {
      return settlementDates(addCalendarDays(tradingDate, -lookback), tradingDate).filter(
        (s) => addTradingDays(s, lag) <= tradingDate,
      );
    },
    expectedFiles: (s) => [name(s)],
    fetch: (s, signal) => fetchOne(options.http, shortInterestUrl(baseUrl, s), name(s), signal),
  };
}

export function finraShortVolumeProvider(options: FinraOptions): SourceProvider {
  const baseUrl = options.baseUrl ?? FINRA_BASE_URL;
  const name = (d: IsoDate) => `CNMSshvol${compactDate(d)}.txt`;
  return {
    id: 'finra-short-volume',
    source: 'short-volume',
    datesFor: (d) => [d],
    expectedFiles: (d) => [name(d)],
    fetch: (d, signal) => fetchOne(options.http, shortVolumeUrl(baseUrl, d), name(d), signal),
  };
}
