/**
 * How we talk to api.nasdaq.com, shared by the screener and the split calendar. The host refuses (401/403)
 * or stalls (no answer until the timeout) requests that do not look like a browser's, so by default we send
 * a desktop browser's User-Agent with the headers its XHR from www.nasdaq.com carries, and our contact as
 * `From` when PULSE_CONTACT is an e-mail (RFC 9110 §10.1.2: From holds a mailbox; the project URL is not
 * sent here, the User-Agent and Referer being the headers the host inspects). NASDAQ_USER_AGENT replaces
 * the User-Agent. A refusal or a stall fails at once with a ProviderError naming that setting: it is not
 * retried, and for a few minutes the other Nasdaq requests of the run are not even sent (one 30 s stall,
 * not one per split-calendar day).
 */
import type { HttpClient, HttpGetResult } from './http.ts';
import { ProviderError } from './http.ts';

export const NASDAQ_BASE_URL = 'https://api.nasdaq.com';

/**
 * Desktop Chrome on Windows, Chrome's reduced User-Agent (only the major version is real; 143 = stable
 * in December 2025). Bump it to the current stable major when Nasdaq starts refusing it.
 */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36';

export const NASDAQ_BROWSER_HEADERS: Readonly<Record<string, string>> = {
  accept: 'application/json, text/plain, */*',
  'accept-language': 'en-US,en;q=0.9',
  origin: 'https://www.nasdaq.com',
  referer: 'https://www.nasdaq.com/',
};

/** The setting to change when api.nasdaq.com refuses us, as the error names it. */
export const NASDAQ_USER_AGENT_SETTING = 'NASDAQ_USER_AGENT (CDK context nasdaqUserAgent)';

/** How long one refusal or stall keeps the other Nasdaq requests from being sent: one ingest run (5 min). */
export const NASDAQ_REFUSAL_HOLD_MS = 5 * 60_000;

export interface NasdaqRequestOptions {
  http: HttpClient;
  /** Replaces the browser User-Agent (NASDAQ_USER_AGENT). */
  userAgent?: string;
  /** An e-mail address sent as `From` (PULSE_CONTACT when it is one). */
  from?: string;
  /** Shared by the Nasdaq providers of one process (createProviders makes one). */
  refusals?: NasdaqRefusals;
}

export function nasdaqHeaders(options: Pick<NasdaqRequestOptions, 'userAgent' | 'from'>): Record<string, string> {
  return {
    ...NASDAQ_BROWSER_HEADERS,
    'user-agent': options.userAgent ?? BROWSER_USER_AGENT,
    ...(options.from ? { from: options.from } : {}),
  };
}

/** The last refusal (401/403) or stall of api.nasdaq.com, remembered for `holdMs`. */
export interface NasdaqRefusals {
  /** Throws the remembered refusal, re-addressed to `url`, while it holds. */
  check(url: string): void;
  record(error: ProviderError): void;
}

export function createNasdaqRefusals(clock: () => Date, holdMs = NASDAQ_REFUSAL_HOLD_MS): NasdaqRefusals {
  let last: { error: ProviderError; at: number } | undefined;
  return {
    check(url) {
      if (!last) return;
      const ago = clock().getTime() - last.at;
      if (ago < 0 || ago >= holdMs) return;
      const { error } = last;
      throw new ProviderError(
        url,
        `not asked: api.nasdaq.com refused ${error.url} ${Math.round(ago / 1000)} s ago — ${error.message.slice(error.url.length + 2)}`,
        { ...(error.status !== undefined ? { status: error.status } : {}), retryable: true, timedOut: error.timedOut },
      );
    },
    record(error) {
      last = { error, at: clock().getTime() };
    },
  };
}

function isRefusal(error: ProviderError): boolean {
  return error.status === 401 || error.status === 403 || error.timedOut;
}

/** GET on api.nasdaq.com: browser headers, no retry of a refusal or a stall, and an error that says what to change. */
export async function nasdaqGet(
  options: NasdaqRequestOptions,
  url: string,
  signal?: AbortSignal,
): Promise<HttpGetResult> {
  options.refusals?.check(url);
  const headers = nasdaqHeaders(options);
  try {
    return await options.http.get(url, { headers, retryTimeouts: false, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (!(error instanceof ProviderError) || !isRefusal(error)) throw error;
    const what = error.timedOut ? 'stalls' : 'refuses';
    const refusal = new ProviderError(
      url,
      `${error.message.slice(url.length + 2)} — api.nasdaq.com ${what} clients it does not take for a browser ` +
        `(User-Agent "${headers['user-agent']}"): set ${NASDAQ_USER_AGENT_SETTING} to a browser User-Agent it accepts from this network`,
      {
        ...(error.status !== undefined ? { status: error.status } : {}),
        // A stall may pass by the next run; a refusal needs the setting changed.
        retryable: error.timedOut,
        timedOut: error.timedOut,
        cause: error,
      },
    );
    options.refusals?.record(refusal);
    throw refusal;
  }
}
