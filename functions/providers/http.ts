/**
 * GET with a per-attempt timeout (covering the body too), retries with exponential backoff + full jitter on
 * 429/5xx/network errors/timeouts/truncated bodies, a bounded body (memory stays bounded for an oversized
 * answer) and a contact User-Agent. A 404 (or a status the provider declares as "not published yet") is an
 * answer, not an error: it is never retried.
 */
import { type RetryPolicy, withRetry } from '../adapters/retry.ts';

export interface HttpClientOptions {
  /** Sent on every request: who we are and how to reach us. */
  userAgent: string;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Larger bodies are refused without reading them whole. */
  maxBytes: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (url: string, error: unknown, attempt: number, delayMs: number) => void;
}

export type HttpGetResult =
  | { kind: 'ok'; url: string; status: number; contentType: string | undefined; bytes: Uint8Array }
  | { kind: 'not-found'; url: string; status: number };

/** A request that failed for good (after retries, or a status that retrying cannot fix). */
export class ProviderError extends Error {
  readonly url: string;
  readonly status: number | undefined;
  readonly field = 'http';
  readonly retryable: boolean;
  /** No complete answer came within the per-attempt timeout (a stall, not a refusal). */
  readonly timedOut: boolean;
  constructor(
    url: string,
    reason: string,
    options: { status?: number; retryable?: boolean; timedOut?: boolean; cause?: unknown } = {},
  ) {
    super(`${url}: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.url = url;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.timedOut = options.timedOut ?? false;
  }
}

export const DEFAULT_HTTP_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 15_000 };

function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

class RetryableHttpError extends ProviderError {
  readonly retryAfterMs: number | undefined;
  constructor(url: string, reason: string, status?: number, retryAfter?: number, cause?: unknown, timedOut = false) {
    super(url, reason, { ...(status !== undefined ? { status } : {}), retryable: true, timedOut, cause });
    this.retryAfterMs = retryAfter;
  }
}

async function readBounded(url: string, response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new ProviderError(url, `body of ${declared} bytes exceeds the ${maxBytes}-byte limit`, {
      status: response.status,
    });
  }
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ProviderError(url, `body exceeds the ${maxBytes}-byte limit`, { status: response.status });
    }
    parts.push(value);
  }
  const bytes = Buffer.concat(parts, total);
  // fetch decodes gzip/br transparently; Content-Length then counts the encoded bytes, so only compare identity bodies.
  const encoding = response.headers.get('content-encoding');
  if (declared !== null && (encoding === null || encoding === 'identity') && Number(declared) !== total) {
    throw new RetryableHttpError(url, `truncated body: ${total} of ${declared} bytes`, response.status);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // undici: TypeError('fetch failed') on connect/reset, TypeError('terminated') when the body is cut; timeouts.
  return error.name === 'TypeError' || error.name === 'TimeoutError' || error.name === 'AbortError';
}

export interface GetOptions {
  /** Statuses meaning "not published yet" (404 always is). */
  notFoundStatuses?: number[];
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * `false`: a timeout ends the request at once (a host that stalls clients it refuses will stall every
   * attempt); 429, 5xx and cut connections are still retried. Default `true`.
   */
  retryTimeouts?: boolean;
}

export function createHttpClient(options: HttpClientOptions) {
  const doFetch = options.fetch ?? fetch;

  async function attempt(url: string, get: GetOptions): Promise<HttpGetResult> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = get.signal ? AbortSignal.any([get.signal, timeout]) : timeout;
    try {
      const response = await doFetch(url, {
        method: 'GET',
        redirect: 'follow',
        signal,
        headers: { 'user-agent': options.userAgent, ...options.headers, ...get.headers },
      });
      const status = response.status;
      if (status === 404 || get.notFoundStatuses?.includes(status)) {
        await response.body?.cancel().catch(() => {});
        return { kind: 'not-found', url, status };
      }
      if (status === 429 || status >= 500) {
        await response.body?.cancel().catch(() => {});
        throw new RetryableHttpError(url, `HTTP ${status}`, status, retryAfterMs(response.headers));
      }
      if (status < 200 || status >= 300) {
        await response.body?.cancel().catch(() => {});
        throw new ProviderError(url, `HTTP ${status} (not retried: the request itself is refused)`, { status });
      }
      const bytes = await readBounded(url, response, options.maxBytes);
      return { kind: 'ok', url, status, contentType: response.headers.get('content-type') ?? undefined, bytes };
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      if (get.signal?.aborted) throw error;
      if (isNetworkError(error)) {
        if (timeout.aborted) {
          const reason = `no complete answer within ${options.timeoutMs} ms`;
          if (get.retryTimeouts === false) {
            throw new ProviderError(url, `${reason} (not retried)`, { retryable: true, timedOut: true, cause: error });
          }
          throw new RetryableHttpError(url, reason, undefined, undefined, error, true);
        }
        throw new RetryableHttpError(url, (error as Error).message, undefined, undefined, error);
      }
      throw error;
    }
  }

  return {
    async get(url: string, get: GetOptions = {}): Promise<HttpGetResult> {
      try {
        return await withRetry(() => attempt(url, get), {
          ...options.retry,
          isRetryable: (e) => e instanceof RetryableHttpError,
          suggestedDelayMs: (e) => (e instanceof RetryableHttpError ? e.retryAfterMs : undefined),
          ...(options.onRetry ? { onRetry: (e, n, d) => options.onRetry?.(url, e, n, d) } : {}),
          ...(options.sleep ? { sleep: options.sleep } : {}),
          ...(options.random ? { random: options.random } : {}),
          ...(get.signal ? { signal: get.signal } : {}),
        });
      } catch (error) {
        if (error instanceof RetryableHttpError) {
          throw new ProviderError(
            url,
            `${error.message.slice(url.length + 2)} after ${options.retry.attempts} attempts`,
            {
              ...(error.status !== undefined ? { status: error.status } : {}),
              retryable: true,
              timedOut: error.timedOut,
              cause: error,
            },
          );
        }
        throw error;
      }
    },
  };
}

export type HttpClient = ReturnType<typeof createHttpClient>;
