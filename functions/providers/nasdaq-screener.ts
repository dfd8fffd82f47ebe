/**
 * The Nasdaq stock screener's whole-market snapshot (prices, market cap, sector):
 *   https://api.nasdaq.com/api/screener/stocks?tableonly=true&download=true
 * It only ever serves the current session, so it can answer for today's New York date and nothing else
 * (older days come from the raw archive or a file drop). api.nasdaq.com stalls requests that do not look
 * like a browser's, hence the Accept/Origin/Referer headers; the User-Agent still names us and a contact.
 */
import type { IsoDate } from '../../shared/domain.ts';
import { newYorkDate } from '../lib/new-york-date.ts';
import type { HttpClient } from './http.ts';
import type { FetchResult, SourceProvider } from './source-provider.ts';

export const NASDAQ_BASE_URL = 'https://api.nasdaq.com';

export const NASDAQ_BROWSER_HEADERS: Readonly<Record<string, string>> = {
  accept: 'application/json, text/plain, */*',
  'accept-language': 'en-US,en;q=0.9',
  origin: 'https://www.nasdaq.com',
  referer: 'https://www.nasdaq.com/',
};

export interface NasdaqScreenerOptions {
  http: HttpClient;
  baseUrl?: string;
  /** Current instant (the screener serves the current session only). */
  clock: () => Date;
  /** Overrides the client's User-Agent for this host (some networks need a browser-like one). */
  userAgent?: string;
}

export function screenerUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/screener/stocks?tableonly=true&download=true`;
}

export function nasdaqScreenerProvider(options: NasdaqScreenerOptions): SourceProvider {
  const baseUrl = options.baseUrl ?? NASDAQ_BASE_URL;
  const headers = { ...NASDAQ_BROWSER_HEADERS, ...(options.userAgent ? { 'user-agent': options.userAgent } : {}) };
  return {
    id: 'nasdaq-screener',
    source: 'prices',
    datesFor: (d) => [d],
    expectedFiles: (d) => [`${d}.json`],
    async fetch(date: IsoDate, signal?: AbortSignal): Promise<FetchResult> {
      const url = screenerUrl(baseUrl);
      const today = newYorkDate(options.clock());
      if (date !== today) {
        return {
          status: 'not-yet-available',
          location: url,
          reason: `the screener serves only the current session (${today}), not ${date}: replay it from the archive or drop the file`,
        };
      }
      const result = await options.http.get(url, { headers, ...(signal ? { signal } : {}) });
      if (result.kind === 'not-found') {
        return { status: 'not-yet-available', location: url, reason: `HTTP ${result.status}` };
      }
      return { status: 'available', files: [{ name: `${date}.json`, bytes: result.bytes, location: url }] };
    },
  };
}
