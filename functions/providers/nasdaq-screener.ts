/**
 * The Nasdaq stock screener's whole-market snapshot (prices, market cap, sector):
 *   https://api.nasdaq.com/api/screener/stocks?tableonly=true&download=true
 * It only ever serves the current session, so it can answer for today's New York date and nothing else
 * (older days come from the raw archive or a file drop). Headers, refusals and stalls: ./nasdaq-host.ts.
 */
import type { IsoDate } from '../../shared/domain.ts';
import { newYorkDate } from '../lib/new-york-date.ts';
import type { HttpClient } from './http.ts';
import { NASDAQ_BASE_URL, type NasdaqRefusals, nasdaqGet } from './nasdaq-host.ts';
import type { FetchResult, SourceProvider } from './source-provider.ts';

export interface NasdaqScreenerOptions {
  http: HttpClient;
  baseUrl?: string;
  /** Current instant (the screener serves the current session only). */
  clock: () => Date;
  /** Replaces the browser User-Agent sent to this host (NASDAQ_USER_AGENT). */
  userAgent?: string;
  /** An e-mail address sent as `From` (PULSE_CONTACT when it is one). */
  from?: string;
  /** Shared with the split calendar: a refusal or stall of the host stops the other requests for a while. */
  refusals?: NasdaqRefusals;
}

export function screenerUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/screener/stocks?tableonly=true&download=true`;
}

export function nasdaqScreenerProvider(options: NasdaqScreenerOptions): SourceProvider {
  const baseUrl = options.baseUrl ?? NASDAQ_BASE_URL;
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
      const result = await nasdaqGet(options, url, signal);
      if (result.kind === 'not-found') {
        return { status: 'not-yet-available', location: url, reason: `HTTP ${result.status}` };
      }
      return { status: 'available', files: [{ name: `${date}.json`, bytes: result.bytes, location: url }] };
    },
  };
}
