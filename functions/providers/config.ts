/**
 * Which providers run and how they talk to the network, from the environment (read once at init).
 *   PROVIDERS            comma list (default: finra-short-interest,finra-short-volume,nasdaq-screener,
 *                        nasdaq-split-calendar);
 *                        `folder` reads INPUT_DIR instead (local runs), `none` = file drops only
 *   PULSE_CONTACT        URL or e-mail put in FINRA's User-Agent (strongly recommended in production);
 *                        an e-mail is also sent to api.nasdaq.com as `From`
 *   PULSE_USER_AGENT     replaces the whole User-Agent sent to FINRA
 *   NASDAQ_USER_AGENT    User-Agent for api.nasdaq.com (default: a desktop browser's, nasdaq-host.ts)
 *   FINRA_BASE_URL, NASDAQ_BASE_URL   (tests and mirrors)
 *   HTTP_TIMEOUT_MS (30000), HTTP_MAX_ATTEMPTS (4), HTTP_MAX_BYTES (64 MiB)
 *   INPUT_DIR, SHORT_INTEREST_LAG_DAYS (7)   folder provider
 * The names are functions/lib/env.ts's ENV, which the CDK sets from the context (infra/config.ts).
 */
import type { RetryPolicy } from '../adapters/retry.ts';
import { ENV, EnvError } from '../lib/env.ts';
import { finraShortInterestProvider, finraShortVolumeProvider } from './finra.ts';
import { folderProviders } from './folder.ts';
import { createHttpClient, DEFAULT_HTTP_RETRY } from './http.ts';
import { createNasdaqRefusals } from './nasdaq-host.ts';
import { nasdaqScreenerProvider } from './nasdaq-screener.ts';
import { nasdaqSplitCalendarProvider } from './nasdaq-split-calendar.ts';
import type { SourceProvider } from './source-provider.ts';

export const PROVIDER_IDS = [
  'finra-short-interest',
  'finra-short-volume',
  'nasdaq-screener',
  'nasdaq-split-calendar',
  'folder',
  'none',
] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
export const DEFAULT_PROVIDERS: ProviderId[] = [
  'finra-short-interest',
  'finra-short-volume',
  'nasdaq-screener',
  'nasdaq-split-calendar',
];

export const PROJECT_URL = 'https://github.com/short-pulse/short-pulse';
export const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

/** `ShortPulse/0.1 (+https://github.com/short-pulse/short-pulse; contact)` */
export function contactUserAgent(contact?: string): string {
  return `ShortPulse/0.1 (+${PROJECT_URL}${contact ? `; ${contact}` : ''})`;
}

/**
 * The e-mail address in a contact (`ops@example.org` or `mailto:ops@example.org`), for the `From` header,
 * which RFC 9110 reserves for a mailbox; `undefined` for a URL.
 */
export function contactEmail(contact: string | undefined): string | undefined {
  const address = contact?.trim().replace(/^mailto:/i, '');
  return address && /^[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(address) ? address : undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

function opt(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = opt(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new EnvError(name, `expected a whole number >= 0, got ${raw}`);
  return n;
}

function url(env: Env, name: string): string | undefined {
  const raw = opt(env, name);
  if (raw === undefined) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new EnvError(name, `expected an http(s) URL, got ${raw}`);
  }
  return raw;
}

export interface ProvidersConfig {
  ids: ProviderId[];
  userAgent: string;
  nasdaqUserAgent: string | undefined;
  /** PULSE_CONTACT when it is an e-mail address: sent to api.nasdaq.com as `From`. */
  contactEmail: string | undefined;
  finraBaseUrl: string | undefined;
  nasdaqBaseUrl: string | undefined;
  timeoutMs: number;
  retry: RetryPolicy;
  maxBytes: number;
  inputDir: string | undefined;
  shortInterestLag: number;
}

export function readProvidersConfig(env: Env): ProvidersConfig {
  const listed = (opt(env, ENV.providers) ?? DEFAULT_PROVIDERS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of listed) {
    if (!(PROVIDER_IDS as readonly string[]).includes(id)) {
      throw new EnvError(ENV.providers, `unknown provider ${JSON.stringify(id)} (known: ${PROVIDER_IDS.join(', ')})`);
    }
  }
  const ids = listed as ProviderId[];
  const inputDir = opt(env, 'INPUT_DIR');
  if (ids.includes('folder') && inputDir === undefined) {
    throw new EnvError('INPUT_DIR', 'is not set (PROVIDERS includes folder)');
  }
  return {
    ids,
    userAgent: opt(env, ENV.userAgent) ?? contactUserAgent(opt(env, ENV.contact)),
    nasdaqUserAgent: opt(env, ENV.nasdaqUserAgent),
    contactEmail: contactEmail(opt(env, ENV.contact)),
    finraBaseUrl: url(env, ENV.finraBaseUrl),
    nasdaqBaseUrl: url(env, ENV.nasdaqBaseUrl),
    timeoutMs: positiveInt(env, ENV.httpTimeoutMs, 30_000),
    retry: {
      ...DEFAULT_HTTP_RETRY,
      attempts: Math.max(1, positiveInt(env, ENV.httpMaxAttempts, DEFAULT_HTTP_RETRY.attempts)),
    },
    maxBytes: positiveInt(env, ENV.httpMaxBytes, MAX_DOWNLOAD_BYTES),
    inputDir,
    shortInterestLag: positiveInt(env, 'SHORT_INTEREST_LAG_DAYS', 7),
  };
}

export function createProviders(config: ProvidersConfig, clock: () => Date): SourceProvider[] {
  const http = createHttpClient({
    userAgent: config.userAgent,
    timeoutMs: config.timeoutMs,
    retry: config.retry,
    maxBytes: config.maxBytes,
  });
  // One for both Nasdaq providers: after a refusal or a stall of the host, the other is not sent.
  const nasdaq = {
    http,
    refusals: createNasdaqRefusals(clock),
    ...(config.nasdaqBaseUrl ? { baseUrl: config.nasdaqBaseUrl } : {}),
    ...(config.nasdaqUserAgent ? { userAgent: config.nasdaqUserAgent } : {}),
    ...(config.contactEmail ? { from: config.contactEmail } : {}),
  };
  const providers: SourceProvider[] = [];
  for (const id of config.ids) {
    if (id === 'finra-short-interest') {
      providers.push(
        finraShortInterestProvider({ http, ...(config.finraBaseUrl ? { baseUrl: config.finraBaseUrl } : {}) }),
      );
    } else if (id === 'finra-short-volume') {
      providers.push(
        finraShortVolumeProvider({ http, ...(config.finraBaseUrl ? { baseUrl: config.finraBaseUrl } : {}) }),
      );
    } else if (id === 'nasdaq-screener') {
      providers.push(nasdaqScreenerProvider({ ...nasdaq, clock }));
    } else if (id === 'nasdaq-split-calendar') {
      providers.push(nasdaqSplitCalendarProvider(nasdaq));
    } else if (id === 'folder' && config.inputDir !== undefined) {
      providers.push(...folderProviders({ dir: config.inputDir, publicationLag: config.shortInterestLag }));
    }
  }
  return providers;
}
