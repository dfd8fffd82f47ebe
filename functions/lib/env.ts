/**
 * Environment access for Lambda handlers: read once at init, fail fast naming the variable.
 * The names are constants shared with the CDK function construct (infra/constructs/pulse-function.ts),
 * which sets them through `bindTable` / `bindBucket`, so code and infrastructure cannot disagree.
 */

export const ENV = {
  /** DynamoDB single table (ledger, day status/locks, per-symbol state, aggregates). */
  table: 'TABLE_NAME',
  /** Raw archive bucket: `raw/`, `incoming/`, `derived/`. */
  rawBucket: 'RAW_BUCKET',
  /** Public site bucket: `data/`, `rss.xml`, the built pages. */
  siteBucket: 'SITE_BUCKET',
  /** Optional: contact (URL or e-mail) put in FINRA's User-Agent; an e-mail also goes to Nasdaq as `From`. */
  contact: 'PULSE_CONTACT',
  /** Optional provider settings (functions/providers/config.ts; CDK context keys in infra/config.ts). */
  providers: 'PROVIDERS',
  userAgent: 'PULSE_USER_AGENT',
  nasdaqUserAgent: 'NASDAQ_USER_AGENT',
  finraBaseUrl: 'FINRA_BASE_URL',
  nasdaqBaseUrl: 'NASDAQ_BASE_URL',
  httpTimeoutMs: 'HTTP_TIMEOUT_MS',
  httpMaxAttempts: 'HTTP_MAX_ATTEMPTS',
  httpMaxBytes: 'HTTP_MAX_BYTES',
  /** Absolute origin of the public site (RSS links). */
  siteUrl: 'SITE_URL',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

export type Env = Readonly<Record<string, string | undefined>>;

/** A required environment variable is missing or empty: a deployment error, never retried. */
export class EnvError extends Error {
  readonly variable: string;
  constructor(variable: string, reason: string) {
    super(`environment variable ${variable}: ${reason}`);
    this.name = 'EnvError';
    this.variable = variable;
  }
}

/** The value of `name`, or an `EnvError` naming it when missing or blank. */
export function requireEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined) throw new EnvError(name, 'is not set');
  if (value.trim() === '') throw new EnvError(name, 'is empty');
  return value;
}

/** All of `names` at once, so a handler's init reports the first missing one before any work. */
export function requireEnvs<const K extends string>(env: Env, names: readonly K[]): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of names) out[name] = requireEnv(env, name);
  return out;
}

/** The value of `name`, or `undefined` when unset or blank (optional settings). */
export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}
