/**
 * A local stand-in for cdn.finra.org and api.nasdaq.com (node:http on 127.0.0.1, a free port) that replays
 * scripted, real-shaped answers per path: a file, 403/404, an HTML error page served with 200, a slow
 * answer, a body cut short under a larger Content-Length, a reset connection.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../../functions/providers/http.ts';

export interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Wait before sending the status line. */
  delayMs?: number;
  /** Send the headers and the first half of the body, then wait this long before the rest. */
  stallBodyMs?: number;
  /** Announce this Content-Length but send only `body`, then close the connection. */
  declaredLength?: number;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** Stream the body in 1 KiB chunks without a Content-Length. */
  chunked?: boolean;
}

export interface ReplayServer {
  baseUrl: string;
  /** Answers for a path, used in order; the last one repeats. */
  script(path: string, ...answers: Scripted[]): void;
  hits(path: string): IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startReplayServer(): Promise<ReplayServer> {
  const scripts = new Map<string, Scripted[]>();
  const seen = new Map<string, IncomingHttpHeaders[]>();
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    seen.set(path, [...(seen.get(path) ?? []), req.headers]);
    const queue = scripts.get(path);
    const answer: Scripted =
      queue && queue.length > 1 ? (queue.shift() as Scripted) : (queue?.[0] ?? { status: 404, body: 'Not Found' });
    if (answer.reset) {
      req.socket.destroy();
      return;
    }
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (req.socket.destroyed) return;
    const body =
      typeof answer.body === 'string' ? Buffer.from(answer.body) : Buffer.from(answer.body ?? new Uint8Array());
    if (answer.chunked) {
      res.writeHead(answer.status ?? 200, { ...answer.headers });
      for (let i = 0; i < body.length && !res.destroyed; i += 1024) res.write(body.subarray(i, i + 1024));
      res.end();
      return;
    }
    res.writeHead(answer.status ?? 200, {
      'content-length': String(answer.declaredLength ?? body.length),
      ...answer.headers,
    });
    if (answer.declaredLength !== undefined) {
      res.write(body);
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    if (answer.stallBodyMs) {
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      await new Promise((r) => setTimeout(r, answer.stallBodyMs));
      if (req.socket.destroyed) return;
      res.end(body.subarray(Math.floor(body.length / 2)));
      return;
    }
    res.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    script(path, ...answers) {
      scripts.set(path, answers);
    },
    hits: (path) => seen.get(path) ?? [],
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Real-shaped bodies (column layouts as the vendors publish them). */
export const FIXTURES = {
  shortInterest: [
    'accountingYearMonthNumber|symbolCode|issueName|issuerServicesGroupExchangeCode|marketClassCode|currentShortPositionQuantity|previousShortPositionQuantity|stockSplitFlag|averageDailyVolumeQuantity|daysToCoverQuantity|revisionFlag|changePercent|changePreviousNumber|settlementDate',
    '20240131|AAPL|Apple Inc. Common Stock|R|NMS|120000000|110000000||60000000|2.00||9.09|10000000|2024-01-31',
    '20240131|BRK/B|Berkshire Hathaway Inc. Class B|A|NYSE|9000000|9500000||4000000|2.25||-5.26|-500000|2024-01-31',
    '20240131|ABRpD|Arbor Realty Trust 6.375% Pfd D|A|NYSE|12000|10000||5000|2.40||20.00|2000|2024-01-31',
    '',
  ].join('\n'),
  shortVolume: [
    'Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market',
    '20240610|AAPL|4196812|12512|9876543|B,Q,N',
    '20240610|BRK/B|512345.5|0|1234567.25|Q,N',
    '2',
    '',
  ].join('\r\n'),
  screener: JSON.stringify({
    data: {
      asOf: null,
      headers: { symbol: 'Symbol', name: 'Name', lastsale: 'Last Sale', volume: 'Volume', marketCap: 'Market Cap' },
      rows: [
        {
          symbol: 'AAPL',
          name: 'Apple Inc. Common Stock',
          lastsale: '$193.12',
          netchange: '-3.77',
          pctchange: '-1.915%',
          volume: '97262077',
          marketCap: '2961313536000.00',
          country: 'United States',
          ipoyear: '1980',
          industry: 'Computer Manufacturing',
          sector: 'Technology',
          url: '/market-activity/stocks/aapl',
        },
        {
          symbol: 'NVDA',
          name: 'NVIDIA Corporation Common Stock',
          lastsale: '$121.79',
          netchange: '1.91',
          pctchange: '1.593%',
          volume: '314162700',
          marketCap: '2995766370000.00',
          country: 'United States',
          ipoyear: '1999',
          industry: 'Semiconductors',
          sector: 'Technology',
          url: '/market-activity/stocks/nvda',
        },
        {
          symbol: 'BRK/B',
          name: 'Berkshire Hathaway Inc.',
          lastsale: '$405.29',
          netchange: '0.45',
          pctchange: '0.111%',
          volume: '3046721',
          marketCap: '874395310000.00',
          country: 'United States',
          ipoyear: '',
          industry: 'Property-Casualty Insurers',
          sector: 'Finance',
          url: '/market-activity/stocks/brk-b',
        },
      ],
    },
    message: null,
    status: { rCode: 200, bCodeMessage: null, developerMessage: null },
  }),
  /** What a CDN or an API gateway answers with status 200 when something upstream is wrong. */
  htmlErrorPage:
    '<!DOCTYPE html>\n<html><head><title>404 - Not Found</title></head><body><h1>Page not found</h1><p>The requested document was not found on this server.</p></body></html>\n',
};

/** The test HTTP client the provider tests talk to the replay server with. */
export const TEST_USER_AGENT = 'ShortPulse/0.1 (+https://github.com/short-pulse/short-pulse; ops@example.org)';

/**
 * One replay server for a test file (started before its tests, closed after), the back-off sleeps the
 * HTTP client asked for (emptied before each test), and `http()`: a client with short timeouts, three
 * attempts, no jitter, whose sleeps are recorded instead of waited.
 */
export function useReplayServer(): {
  server: ReplayServer;
  sleeps: number[];
  http(overrides?: Partial<HttpClientOptions>): HttpClient;
} {
  const replay = {
    server: undefined as unknown as ReplayServer,
    sleeps: [] as number[],
    http: (overrides: Partial<HttpClientOptions> = {}) =>
      createHttpClient({
        userAgent: TEST_USER_AGENT,
        timeoutMs: 250,
        retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
        maxBytes: 1024 * 1024,
        sleep: async (ms) => {
          replay.sleeps.push(ms);
        },
        random: () => 1,
        ...overrides,
      }),
  };
  beforeAll(async () => {
    replay.server = await startReplayServer();
  });
  afterAll(async () => {
    await replay.server?.close();
  });
  beforeEach(() => {
    replay.sleeps = [];
  });
  return replay;
}
