/**
 * FINRA's public CDN: consolidated equity short interest (twice a month, on the 7th trading day after
 * settlement: FINRA's "8th business day") and Reg SHO daily short sale volume (consolidated NMS, each
 * trading evening).
 *   https://cdn.finra.org/equity/otcmarket/biweekly/shrtYYYYMMDD.csv   (pipe-delimited despite .csv)
 *   https://cdn.finra.org/equity/regsho/daily/CNMSshvolYYYYMMDD.txt
 * The CDN answers 403 (not 404) for a file it does not have yet, so 403 and 404 both mean "not published
 * yet" and are never retried. An HTML page served with 200 is returned as a file (ingest archives it, then
 * the parser refuses it).
 */
import { addCalendarDays, publicationDate, settlementDates } from '../../shared/calendar.ts';
import type { IsoDate } from '../../shared/domain.ts';
import type { HttpClient } from './http.ts';
import { compactDate, type FetchResult, recentTradingDays, type SourceProvider } from './source-provider.ts';

export const FINRA_BASE_URL = 'https://cdn.finra.org';

/**
 * The trading day after settlement from which a short interest file is asked for. FINRA "provides it for
 * publication on the 8th business day after the reporting settlement date" (nasdaqtrader.com, Short Interest
 * Publication Schedule), counting the settlement day as the first: Nasdaq's releases of 2024 came out on
 * `addTradingDays(s, 7)` every time (settled 2024-01-12 → Jan 24, 01-31 → Feb 9, 03-28 → Apr 9, 05-15 →
 * May 24, 05-31 → Jun 11, 06-14 → Jun 26), after 16:00 ET; the pipeline runs at 19:30 ET. So this is
 * `publicationDate(s)` (shared/calendar.ts, 7), the folder provider's default lag too. If the CDN has the
 * file only later that evening, the request gets 403 ("not yet available") and the next day asks again.
 */
export const SHORT_INTEREST_PUBLICATION_LAG = 7;

/** Days before today whose Reg SHO file is asked for again while it is missing (trading days). */
export const SHORT_VOLUME_LOOKBACK_DAYS = 5;

/** What cdn.finra.org answers for a file it does not have (yet), besides 404 (the real-data notes: 403). */
const FINRA_NOT_PUBLISHED = [403];

export interface FinraOptions {
  http: HttpClient;
  baseUrl?: string;
}

export interface FinraShortInterestOptions extends FinraOptions {
  /** How far back (calendar days) to look for settlement dates whose file may still be missing. */
  lookbackDays?: number;
  /** No file is asked for before this trading day after settlement (default 7: the publication day). */
  minPublicationLag?: number;
}

export interface FinraShortVolumeOptions extends FinraOptions {
  /** The file of each of this many trading days before the run's day is asked for again while missing. */
  lookbackTradingDays?: number;
}

export function shortInterestUrl(baseUrl: string, settlementDate: IsoDate): string {
  return `${baseUrl.replace(/\/+$/, '')}/equity/otcmarket/biweekly/shrt${compactDate(settlementDate)}.csv`;
}

export function shortVolumeUrl(baseUrl: string, date: IsoDate): string {
  return `${baseUrl.replace(/\/+$/, '')}/equity/regsho/daily/CNMSshvol${compactDate(date)}.txt`;
}

async function fetchOne(http: HttpClient, url: string, name: string, signal?: AbortSignal): Promise<FetchResult> {
  const result = await http.get(url, { notFoundStatuses: FINRA_NOT_PUBLISHED, ...(signal ? { signal } : {}) });
  if (result.kind === 'not-found') {
    return {
      status: 'not-yet-available',
      location: url,
      reason:
        result.status === 403
          ? 'HTTP 403: not published yet (the FINRA CDN answers 403 for a file it does not have; if it lasts days past the publication date, check whether our address is blocked)'
          : `HTTP ${result.status}: not published yet`,
    };
  }
  return { status: 'available', files: [{ name, bytes: result.bytes, location: url }] };
}

export function finraShortInterestProvider(options: FinraShortInterestOptions): SourceProvider {
  const baseUrl = options.baseUrl ?? FINRA_BASE_URL;
  const lookback = options.lookbackDays ?? 35;
  const lag = options.minPublicationLag ?? SHORT_INTEREST_PUBLICATION_LAG;
  const name = (s: IsoDate) => `shrt${compactDate(s)}.csv`;
  return {
    id: 'finra-short-interest',
    source: 'short-interest',
    // Every settlement date of the last `lookback` days already due: a file late past its day is asked again.
    datesFor(tradingDate) {
      return settlementDates(addCalendarDays(tradingDate, -lookback), tradingDate).filter(
        (s) => publicationDate(s, lag) <= tradingDate,
      );
    },
    expectedFiles: (s) => [name(s)],
    fetch: (s, signal) => fetchOne(options.http, shortInterestUrl(baseUrl, s), name(s), signal),
  };
}

export function finraShortVolumeProvider(options: FinraShortVolumeOptions): SourceProvider {
  const baseUrl = options.baseUrl ?? FINRA_BASE_URL;
  const lookback = options.lookbackTradingDays ?? SHORT_VOLUME_LOOKBACK_DAYS;
  const name = (d: IsoDate) => `CNMSshvol${compactDate(d)}.txt`;
  return {
    id: 'finra-short-volume',
    source: 'short-volume',
    // The day, and the days before it whose file was missing at their run (ingest skips those it holds).
    datesFor: (d) => recentTradingDays(d, lookback),
    expectedFiles: (d) => [name(d)],
    fetch: (d, signal) => fetchOne(options.http, shortVolumeUrl(baseUrl, d), name(d), signal),
  };
}
