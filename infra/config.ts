/**
 * Deployment settings, read from CDK context (cdk.json or `-c key=value`) in infra/app.ts only and
 * validated here, so a typo fails synth with the setting's name instead of deploying something odd.
 * Values given with `-c` arrive as strings; the schema coerces them.
 */
import * as z from 'zod';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

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
  /** Name (never the value) of an SSM SecureString parameter holding an optional price API key. */
  priceApiKeyParameter: z
    .string()
    .regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/, 'an SSM parameter name starting with "/"')
    .optional(),
  /** Contact put in the providers' User-Agent (FINRA and Nasdaq ask automated clients to identify themselves). */
  contact: z.string().min(3).max(200).optional(),
  /** Optional custom domain for CloudFront; needs an ACM certificate in us-east-1. */
  domainName: z.string().min(3).optional(),
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/, 'an ACM certificate ARN in us-east-1')
    .optional(),
});

export type PulseConfig = z.output<typeof configSchema>;

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
