/**
 * Nasdaq's splits calendar, one day per request (docs/data-formats.md, "Nasdaq split calendar"):
 *   https://api.nasdaq.com/api/calendar/splits?date=YYYY-MM-DD
 * The answer lists the splits whose ex-date is that day and announcements of later ones; a day without any
 * is `data: null` with "No record found" (status 200), which is a file like any other. Past days are
 * served too, so a missed day can be fetched later. Same host and headers as the screener.
 *
 * The pipeline's `split-calendar` source (PROVIDERS id `nasdaq-split-calendar`); `pulse build` reads the same
 * files from `<input>/split-calendar/`.
 */

import type { IsoDate } from '../../shared/domain.ts';
import { splitCalendarFileName } from '../../shared/formats/nasdaq-split-calendar.ts';
import type { HttpClient } from './http.ts';
import { NASDAQ_BASE_URL, NASDAQ_BROWSER_HEADERS } from './nasdaq-screener.ts';
import type { FetchResult, SourceProvider } from './source-provider.ts';

export interface NasdaqSplitCalendarOptions {
  http: HttpClient;
  baseUrl?: string;
  /** Overrides the client's User-Agent for this host (as for the screener). */
  userAgent?: string;
}

export function splitCalendarUrl(baseUrl: string, date: IsoDate): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/calendar/splits?date=${date}`;
}

export function nasdaqSplitCalendarProvider(options: NasdaqSplitCalendarOptions): SourceProvider {
  const baseUrl = options.baseUrl ?? NASDAQ_BASE_URL;
  const headers = { ...NASDAQ_BROWSER_HEADERS, ...(options.userAgent ? { 'user-agent': options.userAgent } : {}) };
  return {
    id: 'nasdaq-split-calendar',
    source: 'split-calendar',
    datesFor: (d) => [d],
    expectedFiles: (d) => [splitCalendarFileName(d)],
    async fetch(date: IsoDate, signal?: AbortSignal): Promise<FetchResult> {
      const url = splitCalendarUrl(baseUrl, date);
      const result = await options.http.get(url, { headers, ...(signal ? { signal } : {}) });
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
