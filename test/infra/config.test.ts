/** CDK context → validated settings (infra/config.ts), and the guard on WAF's region. */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../infra/config.ts';
import { buildShortPulse, WafRegionError } from '../../infra/short-pulse.ts';
import { cdkJsonContext, repoRoot } from './synth.ts';

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
          priceApiKeyParameter: '/short-pulse/price-api-key',
          contact: 'ops@example.org',
          prefix: 'PulseStaging',
        }),
      ),
    ).toEqual({
      prefix: 'PulseStaging',
      budgetUsd: 12.5,
      waf: true,
      alarmEmail: 'ops@example.org',
      priceApiKeyParameter: '/short-pulse/price-api-key',
      contact: 'ops@example.org',
    });
  });

  it.each([
    [{ budgetUsd: '-1' }, 'budgetUsd'],
    [{ budgetUsd: 'five' }, 'budgetUsd'],
    [{ waf: 'yes' }, 'waf'],
    [{ alarmEmail: 'not-an-address' }, 'alarmEmail'],
    [{ priceApiKeyParameter: 'sk-live-1234' }, 'priceApiKeyParameter'],
    [{ prefix: 'has space' }, 'prefix'],
    [{ domainName: 'pulse.example.org' }, 'domainName'],
    [{ certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }, 'certificateArn'],
  ])('refuses %j, naming %s', (context, key) => {
    expect(() => readConfig(lookup(context))).toThrow(ConfigError);
    expect(() => readConfig(lookup(context))).toThrow(new RegExp(`^invalid CDK context: ${key}: `));
  });

  it('refuses an API key value where a parameter name belongs (the value must never be in context)', () => {
    expect(() => readConfig(lookup({ priceApiKeyParameter: 'abc123' }))).toThrow(
      'priceApiKeyParameter: an SSM parameter name starting with "/"',
    );
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
