/**
 * CDK context → validated settings (infra/config.ts) → the ingest function's environment (the provider
 * settings functions/providers/config.ts reads), and the guard on WAF's region.
 */
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/lib/env.ts';
import { readProvidersConfig } from '../../functions/providers/config.ts';
import { ConfigError, PROVIDER_CONTEXT_ENV, providerEnvironment, readConfig } from '../../infra/config.ts';
import { buildShortPulse, WafRegionError } from '../../infra/short-pulse.ts';
import { cdkJsonContext, repoRoot, synthShortPulse } from './synth.ts';

const lookup = (context: Record<string, unknown>) => (key: string) => context[key];

describe('readConfig', () => {
  it('defaults to a $5 budget, no WAF, the ShortPulse prefix and no optional settings', () => {
    expect(readConfig(lookup({}))).toEqual({ prefix: 'ShortPulse', budgetUsd: 5, waf: false });
  });

  it('reads cdk.json as committed', () => {
    expect(readConfig(lookup(cdkJsonContext()))).toEqual({ prefix: 'ShortPulse', budgetUsd: 5, waf: false });
  });

  it('coerces the strings `-c key=value` gives', () => {
    expect(
      readConfig(
        lookup({
          budgetUsd: '12.5',
          waf: 'true',
          alarmEmail: 'ops@example.org',
          contact: 'ops@example.org',
          prefix: 'PulseStaging',
          providers: ' finra-short-volume, nasdaq-screener ',
          httpTimeoutMs: '20000',
          httpMaxAttempts: '2',
          httpMaxBytes: '33554432',
          finraBaseUrl: 'https://finra-mirror.example.org/',
        }),
      ),
    ).toEqual({
      prefix: 'PulseStaging',
      budgetUsd: 12.5,
      waf: true,
      alarmEmail: 'ops@example.org',
      contact: 'ops@example.org',
      providers: 'finra-short-volume,nasdaq-screener',
      httpTimeoutMs: 20_000,
      httpMaxAttempts: 2,
      httpMaxBytes: 33_554_432,
      finraBaseUrl: 'https://finra-mirror.example.org/',
    });
  });

  it('names a provider a Lambda cannot run (folder reads a local INPUT_DIR)', () => {
    expect(() => readConfig(lookup({ providers: 'finra-short-volume,folder' }))).toThrow(
      'invalid CDK context: providers: "folder" is not one of finra-short-interest, finra-short-volume, nasdaq-screener, nasdaq-split-calendar, none',
    );
  });

  it('takes the providers as a JSON array too (cdk.json)', () => {
    expect(readConfig(lookup({ providers: ['nasdaq-split-calendar', 'finra-short-interest'] })).providers).toBe(
      'nasdaq-split-calendar,finra-short-interest',
    );
    expect(readConfig(lookup({ providers: 'none' })).providers).toBe('none');
  });

  it.each([
    [{ budgetUsd: '-1' }, 'budgetUsd'],
    [{ budgetUsd: 'five' }, 'budgetUsd'],
    [{ waf: 'yes' }, 'waf'],
    [{ alarmEmail: 'not-an-address' }, 'alarmEmail'],
    [{ providers: 'finra-short-volume,bloomberg' }, 'providers'],
    [{ providers: 'folder' }, 'providers'],
    [{ providers: ' , ' }, 'providers'],
    [{ httpTimeoutMs: '500' }, 'httpTimeoutMs'],
    [{ httpTimeoutMs: '600000' }, 'httpTimeoutMs'],
    [{ httpMaxAttempts: '0' }, 'httpMaxAttempts'],
    [{ httpMaxAttempts: '2.5' }, 'httpMaxAttempts'],
    [{ httpMaxBytes: 'lots' }, 'httpMaxBytes'],
    [{ finraBaseUrl: 'ftp://cdn.finra.org' }, 'finraBaseUrl'],
    [{ nasdaqBaseUrl: 'api.nasdaq.com' }, 'nasdaqBaseUrl'],
    [{ prefix: 'has space' }, 'prefix'],
    [{ domainName: 'pulse.example.org' }, 'domainName'],
    [{ certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }, 'certificateArn'],
  ])('refuses %j, naming %s', (context, key) => {
    expect(() => readConfig(lookup(context))).toThrow(ConfigError);
    expect(() => readConfig(lookup(context))).toThrow(new RegExp(`^invalid CDK context: ${key}: `));
  });
});

describe('provider settings: context → the ingest function’s environment', () => {
  const context = {
    contact: 'ops@example.org',
    providers: 'finra-short-interest,finra-short-volume,nasdaq-split-calendar',
    userAgent: 'ShortPulse/0.1 (+https://pulse.example.org; ops@example.org)',
    nasdaqUserAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    finraBaseUrl: 'https://finra-mirror.example.org',
    nasdaqBaseUrl: 'https://nasdaq-mirror.example.org',
    httpTimeoutMs: '20000',
    httpMaxAttempts: '3',
    httpMaxBytes: '33554432',
  };
  const expected = {
    PULSE_CONTACT: 'ops@example.org',
    PROVIDERS: 'finra-short-interest,finra-short-volume,nasdaq-split-calendar',
    PULSE_USER_AGENT: 'ShortPulse/0.1 (+https://pulse.example.org; ops@example.org)',
    NASDAQ_USER_AGENT: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    FINRA_BASE_URL: 'https://finra-mirror.example.org',
    NASDAQ_BASE_URL: 'https://nasdaq-mirror.example.org',
    HTTP_TIMEOUT_MS: '20000',
    HTTP_MAX_ATTEMPTS: '3',
    HTTP_MAX_BYTES: '33554432',
  };

  it('maps every provider key to the variable the providers read, and only those given', () => {
    expect(providerEnvironment(readConfig(lookup(context)))).toEqual(expected);
    expect(providerEnvironment(readConfig(lookup({ contact: 'https://pulse.example.org/contact' })))).toEqual({
      [ENV.contact]: 'https://pulse.example.org/contact',
    });
    expect(providerEnvironment(readConfig(lookup({})))).toEqual({});
    // Every variable readProvidersConfig documents for the network providers has a context key.
    expect(Object.values(PROVIDER_CONTEXT_ENV).sort()).toEqual(Object.keys(expected).sort());
  });

  it('the synthesized ingest function carries them; compute and publish do not', () => {
    const s = synthShortPulse({ context });
    try {
      const variables = (step: 'ingest' | 'compute' | 'publish'): Record<string, unknown> => {
        const fn = s.stacks.pipeline.functions[step].function.node.defaultChild as CfnFunction;
        return s.pipeline.toJSON().Resources[s.stacks.pipeline.getLogicalId(fn)].Properties.Environment.Variables;
      };
      const ingest = variables('ingest');
      expect(ingest).toMatchObject(expected);
      // What the function will read at init, from exactly that environment.
      const env = Object.fromEntries(Object.entries(ingest).filter(([, v]) => typeof v === 'string')) as Record<
        string,
        string
      >;
      expect(readProvidersConfig(env)).toMatchObject({
        ids: ['finra-short-interest', 'finra-short-volume', 'nasdaq-split-calendar'],
        userAgent: 'ShortPulse/0.1 (+https://pulse.example.org; ops@example.org)',
        nasdaqUserAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
        contactEmail: 'ops@example.org',
        finraBaseUrl: 'https://finra-mirror.example.org',
        nasdaqBaseUrl: 'https://nasdaq-mirror.example.org',
        timeoutMs: 20_000,
        retry: { attempts: 3 },
        maxBytes: 33_554_432,
      });
      for (const step of ['compute', 'publish'] as const) {
        expect(Object.keys(variables(step)).filter((name) => name in expected)).toEqual([]);
      }
    } finally {
      s.cleanup();
    }
  });
});

describe('WAF region guard', () => {
  it('refuses waf=true outside us-east-1, where CloudFront web ACLs cannot be created', () => {
    const config = readConfig(lookup({ waf: true }));
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => buildShortPulse(app, config, { projectRoot: repoRoot, env: { region: 'eu-west-1' } })).toThrow(
      WafRegionError,
    );
    expect(() => buildShortPulse(new App(), config, { projectRoot: repoRoot })).toThrow(
      'context waf=true needs the site stack in us-east-1',
    );
  });
});
