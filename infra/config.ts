/**
 * Deployment settings, read from CDK context (cdk.json or `-c key=value`) in infra/app.ts only and
 * validated here, so a typo fails synth with the setting's name instead of deploying something odd.
 * Values given with `-c` arrive as strings; the schema coerces them.
 */
import * as z from 'zod';
import { ENV } from '../functions/lib/env.ts';
import { PROVIDER_IDS } from '../functions/providers/config.ts';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** A whole number in [min, max]; `-c key=value` gives a string. */
const wholeNumber = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional();

/** Providers a Lambda can run: the network ones, or `none` (file drops only); `folder` needs a local INPUT_DIR. */
const LAMBDA_PROVIDERS = PROVIDER_IDS.filter((id) => id !== 'folder');

/** A comma list (`-c providers=finra-short-volume,nasdaq-screener`) or a JSON array (cdk.json), kept as a comma list. */
const providerList = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const ids = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean);
  const bad = ids.find((id) => !(LAMBDA_PROVIDERS as string[]).includes(id));
  if (ids.length === 0 || bad !== undefined) {
    const known = LAMBDA_PROVIDERS.join(', ');
    const message =
      bad === undefined ? `empty; a comma list of ${known}` : `${JSON.stringify(bad)} is not one of ${known}`;
    ctx.addIssue({ code: 'custom', message, input: value });
    return z.NEVER;
  }
  return ids.join(',');
});

export const configSchema = z.strictObject({
  /** Prefix of stack names and export names: two deployments in one account need different prefixes. */
  prefix: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,30}$/, 'letters, digits and hyphens, starting with a letter')
    .default('ShortPulse'),
  /** Monthly AWS Budgets limit in USD (issue 7's target is $5). */
  budgetUsd: z.coerce.number().positive().max(100_000).default(5),
  /** Where alarms and budget notifications are e-mailed (SNS subscription, confirmed by the recipient). */
  alarmEmail: z.email().optional(),
  /** Opt-in AWS WAF web ACL on CloudFront: about $6/month before requests, more than the whole system. */
  waf: flag.default(false),
  /** Contact for the providers (PULSE_CONTACT): in FINRA's User-Agent; an e-mail also goes to Nasdaq as `From`. */
  contact: z.string().min(3).max(200).optional(),
  /** Which providers ingest runs (PROVIDERS); default: all four network providers. */
  providers: providerList.optional(),
  /** Replaces the whole User-Agent sent to FINRA (PULSE_USER_AGENT). */
  userAgent: z.string().min(3).max(300).optional(),
  /** User-Agent for api.nasdaq.com (NASDAQ_USER_AGENT); default a current desktop browser's. */
  nasdaqUserAgent: z.string().min(3).max(300).optional(),
  /** Mirrors of the vendors' hosts (FINRA_BASE_URL, NASDAQ_BASE_URL). */
  finraBaseUrl: httpUrl,
  nasdaqBaseUrl: httpUrl,
  /** Per attempt, body included (HTTP_TIMEOUT_MS); below the ingest function's 5-minute timeout. */
  httpTimeoutMs: wholeNumber(1_000, 240_000).optional(),
  /** Attempts in total for a transient failure (HTTP_MAX_ATTEMPTS). */
  httpMaxAttempts: wholeNumber(1, 10).optional(),
  /** Largest body accepted (HTTP_MAX_BYTES): 1 KiB to 256 MiB, within the ingest function's memory. */
  httpMaxBytes: wholeNumber(1024, 256 * 1024 * 1024).optional(),
  /** Optional custom domain for CloudFront; needs an ACM certificate in us-east-1. */
  domainName: z.string().min(3).optional(),
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/, 'an ACM certificate ARN in us-east-1')
    .optional(),
});

export type PulseConfig = z.output<typeof configSchema>;

/**
 * Context keys that configure the data providers, and the variable each becomes in the ingest function's
 * environment (functions/providers/config.ts reads them; docs/operations.md, "Providers").
 */
export const PROVIDER_CONTEXT_ENV = {
  contact: ENV.contact,
  providers: ENV.providers,
  userAgent: ENV.userAgent,
  nasdaqUserAgent: ENV.nasdaqUserAgent,
  finraBaseUrl: ENV.finraBaseUrl,
  nasdaqBaseUrl: ENV.nasdaqBaseUrl,
  httpTimeoutMs: ENV.httpTimeoutMs,
  httpMaxAttempts: ENV.httpMaxAttempts,
  httpMaxBytes: ENV.httpMaxBytes,
} as const satisfies Partial<Record<keyof PulseConfig, string>>;

/** The ingest function's provider environment: one variable per provider setting given in the context. */
export function providerEnvironment(config: PulseConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, name] of Object.entries(PROVIDER_CONTEXT_ENV) as [keyof typeof PROVIDER_CONTEXT_ENV, string][]) {
    const value = config[key];
    if (value !== undefined) env[name] = String(value);
  }
  return env;
}

/** Context keys this app reads (everything else in the context is CDK's own). */
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof PulseConfig)[];

export class ConfigError extends Error {
  constructor(issues: readonly { path: string; message: string }[]) {
    super(`invalid CDK context: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Builds the config from a context lookup (`(key) => app.node.tryGetContext(key)`). */
export function readConfig(lookup: (key: string) => unknown): PulseConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = lookup(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const config = parsed.data;
  if ((config.domainName === undefined) !== (config.certificateArn === undefined)) {
    throw new ConfigError([{ path: 'domainName', message: 'domainName and certificateArn go together' }]);
  }
  return config;
}
