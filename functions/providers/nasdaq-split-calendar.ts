/**
 * Nasdaq's splits calendar, one day per request (docs/data-formats.md, "Nasdaq split calendar"):
 *   https://api.nasdaq.com/api/calendar/splits?date=YYYY-MM-DD
 * The answer lists the splits whose ex-date is that day and announcements of later ones; a day without any
 * is `data: null` with "No record found" (status 200), which is a file like any other. Past days are
 * served too, so a day missing at its own run is asked for again on the next few trading days. Same host,
 * headers and refusal handling as the screener (./nasdaq-host.ts).
 *
 * The pipeline's `split-calendar` source (PROVIDERS id `nasdaq-split-calendar`); `pulse build` reads the same
 * files from `<input>/split-calendar/`.
 */

import type { IsoDate } from '../../shared/domain.ts';
import { splitCalendarFileName } from '../../shared/formats/nasdaq-split-calendar.ts';
import type { HttpClient } from './http.ts';
import { NASDAQ_BASE_URL, type NasdaqRefusals, nasdaqGet } from './nasdaq-host.ts';
import { type FetchResult, recentTradingDays, type SourceProvider } from './source-provider.ts';

/** Days before today whose calendar is asked for again while it is missing (trading days). */
export const SPLIT_CALENDAR_LOOKBACK_DAYS = 5;

export interface NasdaqSplitCalendarOptions {
  http: HttpClient;
  baseUrl?: string;
  /** Replaces the browser User-Agent sent to this host (NASDAQ_USER_AGENT). */
  userAgent?: string;
  /** An e-mail address sent as `From` (PULSE_CONTACT when it is one). */
  from?: string;
  /** Shared with the screener (createProviders). */
  refusals?: NasdaqRefusals;
  /** The calendar of each of this many trading days before the run's day is asked for again while missing. */
  lookbackTradingDays?: number;
}

export function splitCalendarUrl(baseUrl: string, date: IsoDate): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/calendar/splits?date=${date}`;
}

export function nasdaqSplitCalendarProvider(options: NasdaqSplitCalendarOptions): SourceProvider {
  const baseUrl = options.baseUrl ?? NASDAQ_BASE_URL;
  const lookback = options.lookbackTradingDays ?? SPLIT_CALENDAR_LOOKBACK_DAYS;
  return {
    id: 'nasdaq-split-calendar',
    source: 'split-calendar',
    // The day, and the days before it whose calendar was missing at their run (ingest skips those it holds).
    datesFor: (d) => recentTradingDays(d, lookback),
    expectedFiles: (d) => [splitCalendarFileName(d)],
    async fetch(date: IsoDate, signal?: AbortSignal): Promise<FetchResult> {
      const url = splitCalendarUrl(baseUrl, date);
      const result = await nasdaqGet(options, url, signal);
      if (result.kind === 'not-found') {
        return { status: 'not-yet-available', location: url, reason: `HTTP ${result.status}` };
      }
      return {
        status: 'available',
        files: [{ name: splitCalendarFileName(date), bytes: result.bytes, location: url }],
      };
    },
  };
}
