/**
 * The stateful resources and the public edge: pinned logical IDs, the raw bucket never public and
 * TLS-only, the table's settings, and the site bucket readable only by this CloudFront distribution
 * (OAC with a SourceArn condition) which sends the site's security headers and cache policies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DERIVED_COMPUTE_JOURNAL_KEY,
  derivedSideStateKey,
  derivedStateKey,
  derivedStockRunKey,
  derivedStockYearKey,
  FEED_KEY,
  RAW_PREFIX,
  STOCK_RUNS_PREFIX,
  STOCK_YEARS_LIFECYCLE_PREFIX,
} from '../../functions/pipeline/keys.ts';
import { StaticSite } from '../../infra/constructs/static-site.ts';
import {
  CHECKPOINT_LIFECYCLE_PREFIX,
  CHECKPOINT_RETENTION,
  DATA_LOGICAL_IDS,
  SIDE_STATE_PREFIX,
} from '../../infra/stacks/data-stack.ts';
import { SITE_LOGICAL_IDS } from '../../infra/stacks/site-stack.ts';
import {
  CACHE_CONTROL,
  CONTENT_SECURITY_POLICY,
  dataNotFoundBody,
  SECURITY_POLICY,
  SHORT_MAX_AGE_SECONDS,
} from '../../shared/present/security-headers.ts';
import { asArray, resourcesOfType, type Statement, type Synthesized, synthShortPulse } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synthShortPulse();
});
afterAll(() => s.cleanup());

function bucketPolicyStatements(template: Template, bucketLogicalId: string): Statement[] {
  const policies = Object.values(resourcesOfType(template, 'AWS::S3::BucketPolicy')).filter(
    (p) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: bucketLogicalId }),
  );
  expect(policies, `one policy on ${bucketLogicalId}`).toHaveLength(1);
  return (policies[0]!.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
}

const TLS_DENY = (bucket: string) => ({
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  Resource: [{ 'Fn::GetAtt': [bucket, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] }],
});

describe('pinned logical IDs (renaming one would make CloudFormation replace state)', () => {
  it('keeps the raw bucket, the access-log bucket and the table under fixed IDs, retained on delete', () => {
    const expected: Array<[string, string]> = [
      [DATA_LOGICAL_IDS.rawBucket, 'AWS::S3::Bucket'],
      [DATA_LOGICAL_IDS.logsBucket, 'AWS::S3::Bucket'],
      [DATA_LOGICAL_IDS.table, 'AWS::DynamoDB::Table'],
    ];
    expect(DATA_LOGICAL_IDS).toEqual({ rawBucket: 'RawBucket', logsBucket: 'AccessLogsBucket', table: 'PulseTable' });
    const resources = s.data.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>;
    for (const [id, type] of expected) {
      expect(resources[id]?.Type, id).toBe(type);
      expect(resources[id]?.DeletionPolicy, id).toBe('Retain');
    }
  });

  it('keeps the site bucket under a fixed ID', () => {
    expect(SITE_LOGICAL_IDS.siteBucket).toBe('SiteBucket');
    const resources = s.site.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>;
    expect(resources.SiteBucket?.Type).toBe('AWS::S3::Bucket');
    expect(resources.SiteBucket?.DeletionPolicy).toBe('Retain');
  });

  it('lets CloudFormation name them (no hard-coded physical names)', () => {
    for (const id of ['RawBucket', 'AccessLogsBucket']) {
      expect(s.data.toJSON().Resources[id].Properties.BucketName, id).toBeUndefined();
    }
    expect(s.data.toJSON().Resources.PulseTable.Properties.TableName).toBeUndefined();
    expect(s.site.toJSON().Resources.SiteBucket.Properties.BucketName).toBeUndefined();
  });

  it('protects the data stack from deletion', () => {
    expect(s.stacks.data.terminationProtection).toBe(true);
  });
});

describe('raw bucket', () => {
  it('is private, versioned, encrypted, logged and sends S3 events to EventBridge', () => {
    s.data.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: 'AccessLogsBucket' }, LogFilePrefix: 'raw-bucket/' },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
  });

  it('moves archived inputs to infrequent access after 30 days and expires the drop copies', () => {
    const rules = s.data.toJSON().Resources.RawBucket.Properties.LifecycleConfiguration.Rules as Array<
      Record<string, unknown>
    >;
    expect(rules).toContainEqual(
      expect.objectContaining({
        Id: 'raw-to-infrequent-access',
        Prefix: 'raw/',
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ Id: 'expire-incoming', Prefix: 'incoming/', ExpirationInDays: 30 }),
    );
  });

  it('keeps every noncurrent version of raw/ forever, in Glacier Instant Retrieval after 30 days', () => {
    const rules = s.data.toJSON().Resources.RawBucket.Properties.LifecycleConfiguration.Rules as Array<
      Record<string, unknown> & { Prefix?: string }
    >;
    expect(rules).toContainEqual(
      expect.objectContaining({
        Id: 'raw-to-infrequent-access',
        Prefix: 'raw/',
        NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
      }),
    );
    // No rule that applies to raw/ (its prefix, or none: the whole bucket) expires anything there.
    const onRaw = rules.filter(
      (r) => r.Prefix === undefined || 'raw/'.startsWith(r.Prefix) || r.Prefix.startsWith('raw/'),
    );
    expect(onRaw.map((r) => r.Id).sort()).toEqual(['abort-incomplete-uploads', 'raw-to-infrequent-access']);
    for (const rule of onRaw) {
      expect(rule.ExpirationInDays, String(rule.Id)).toBeUndefined();
      expect(rule.NoncurrentVersionExpiration, String(rule.Id)).toBeUndefined();
      expect(rule.ExpiredObjectDeleteMarker, String(rule.Id)).toBeUndefined();
    }
    // What is rebuilt from raw/ (derived/) or archived there (incoming/) still drops its old versions.
    expect(rules).toContainEqual(
      expect.objectContaining({
        Id: 'expire-old-derived-versions',
        Prefix: 'derived/',
        NoncurrentVersionExpiration: { NoncurrentDays: 90 },
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        Id: 'expire-incoming',
        Prefix: 'incoming/',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      }),
    );
  });

  it('expires engine checkpoints 400 days after their last write, and never the journal or raw/', () => {
    const rules = s.data.toJSON().Resources.RawBucket.Properties.LifecycleConfiguration.Rules as Array<
      Record<string, unknown> & { Prefix?: string }
    >;
    expect(CHECKPOINT_RETENTION.toDays()).toBe(400);
    const rule = rules.find((r) => r.Id === 'expire-old-checkpoints');
    expect(rule).toEqual({
      Id: 'expire-old-checkpoints',
      Prefix: CHECKPOINT_LIFECYCLE_PREFIX,
      Status: 'Enabled',
      ExpirationInDays: 400,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
    // The prefix catches every checkpoint key compute writes (any year 2000–2999) …
    for (const day of ['2000-01-03', '2024-06-14', '2035-12-31', '2999-12-31']) {
      expect(derivedStateKey(day).startsWith(rule!.Prefix!), day).toBe(true);
    }
    // … and neither compute's journal (losing it means refolding every day) nor anything else.
    expect(DERIVED_COMPUTE_JOURNAL_KEY.startsWith(rule!.Prefix!)).toBe(false);
    expect(DERIVED_COMPUTE_JOURNAL_KEY).toBe('derived/state/journal.json.gz');
    expect(rule!.Prefix!.startsWith(RAW_PREFIX)).toBe(false);
    expect(FEED_KEY.startsWith(rule!.Prefix!)).toBe(false);
    // The only rules that expire current objects outside incoming/ are this one and issue 19's two: the year
    // objects of the per-stock series (kept as long as the checkpoints) and the stock runs handed to publish.
    expect(
      rules
        .filter((r) => r.ExpirationInDays !== undefined)
        .map((r) => [r.Prefix, r.ExpirationInDays])
        .sort(),
    ).toEqual([
      [CHECKPOINT_LIFECYCLE_PREFIX, 400],
      [SIDE_STATE_PREFIX, 7],
      [STOCK_RUNS_PREFIX, 7],
      [STOCK_YEARS_LIFECYCLE_PREFIX, 400],
      ['incoming/', 30],
    ]);
    expect(derivedStockYearKey('2024').startsWith(STOCK_YEARS_LIFECYCLE_PREFIX)).toBe(true);
    // The chunks' look-ahead states (issue 20 item 3) expire within a week; the journal is not under them.
    expect(derivedSideStateKey('2024-06-14').startsWith(SIDE_STATE_PREFIX)).toBe(true);
    expect(DERIVED_COMPUTE_JOURNAL_KEY.startsWith(SIDE_STATE_PREFIX)).toBe(false);
    expect(derivedStockRunKey('2024-06-14', 'a'.repeat(64)).startsWith(STOCK_RUNS_PREFIX)).toBe(true);
    for (const prefix of [STOCK_RUNS_PREFIX, STOCK_YEARS_LIFECYCLE_PREFIX]) {
      expect(DERIVED_COMPUTE_JOURNAL_KEY.startsWith(prefix)).toBe(false);
      expect(FEED_KEY.startsWith(prefix)).toBe(false);
    }
  });

  it('denies non-TLS requests and every principal outside the account, and allows no one', () => {
    const statements = bucketPolicyStatements(s.data, 'RawBucket');
    expect(statements).toContainEqual(expect.objectContaining(TLS_DENY('RawBucket')));
    // Outside the account means a principal of another account or an anonymous one; an AWS service principal
    // (no aws:PrincipalAccount at all) is not caught by the deny, and is allowed nothing either.
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'DenyOutsideAccount',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Condition: {
          StringNotEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } },
          Bool: { 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
    // Only the TLS deny and this one: no deny without a condition that would catch AWS services.
    expect(statements.filter((st) => st.Effect === 'Deny')).toHaveLength(2);
    // Access is granted to the pipeline roles through IAM only: the bucket policy allows nothing.
    expect(statements.filter((st) => st.Effect === 'Allow')).toEqual([]);
  });

  it('is the only source allowed to write server access logs, under its own prefix', () => {
    const statements = bucketPolicyStatements(s.data, 'AccessLogsBucket');
    expect(statements).toContainEqual(expect.objectContaining(TLS_DENY('AccessLogsBucket')));
    expect(statements.filter((st) => st.Effect === 'Allow')).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['AccessLogsBucket', 'Arn'] }, '/raw-bucket/*']] },
        Condition: {
          ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['RawBucket', 'Arn'] } },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
  });
});

describe('DynamoDB table', () => {
  it('is a pk/sk string single table, on demand, with point-in-time recovery and deletion protection', () => {
    s.data.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: Match.absent(),
    });
  });

  it('exports its name and ARN (and the raw bucket’s) under stable names for the pipeline stack', () => {
    const outputs = s.data.toJSON().Outputs as Record<string, { Value: unknown; Export: { Name: string } }>;
    const exported = Object.fromEntries(Object.values(outputs).map((o) => [o.Export.Name, o.Value]));
    expect(exported).toEqual({
      'ShortPulse-RawBucketName': { Ref: 'RawBucket' },
      'ShortPulse-RawBucketArn': { 'Fn::GetAtt': ['RawBucket', 'Arn'] },
      'ShortPulse-TableName': { Ref: 'PulseTable' },
      'ShortPulse-TableArn': { 'Fn::GetAtt': ['PulseTable', 'Arn'] },
    });
  });
});

describe('site bucket and CloudFront', () => {
  const distributionId = () => Object.keys(resourcesOfType(s.site, 'AWS::CloudFront::Distribution'))[0]!;

  it('is private and TLS-only, and only this distribution (OAC, SourceArn) may read it', () => {
    s.site.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const statements = bucketPolicyStatements(s.site, 'SiteBucket');
    expect(statements).toContainEqual(expect.objectContaining(TLS_DENY('SiteBucket')));
    expect(statements.filter((st) => st.Effect === 'Allow')).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['SiteBucket', 'Arn'] }, '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: distributionId() },
                ],
              ],
            },
          },
        },
      },
    ]);
    const denyWrites = statements.find((st) => st.Sid === 'DenyWritesOutsideAccount');
    expect(denyWrites?.Effect).toBe('Deny');
    expect(asArray(denyWrites!.Action)).toEqual(expect.arrayContaining(['s3:PutObject', 's3:DeleteObject']));
  });

  it('uses origin access control (signed sigv4 S3 requests), not a legacy origin access identity', () => {
    s.site.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const config = s.site.toJSON().Resources[distributionId()].Properties.DistributionConfig;
    // The bucket (twice: on its own, and first in /data/*'s origin group) and the DataNotFound function's URL.
    expect(config.Origins).toHaveLength(3);
    for (const o of config.Origins) expect(o.OriginAccessControlId).toBeDefined();
    const buckets = config.Origins.filter((o: { S3OriginConfig?: unknown }) => o.S3OriginConfig);
    expect(buckets).toHaveLength(2);
    for (const o of buckets) expect(o.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(resourcesOfType(s.site, 'AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual({});
  });

  it('answers a missing /data/ file with JSON, not the HTML 404 page (issue 20 item 6)', async () => {
    const config = s.site.toJSON().Resources[distributionId()].Properties.DistributionConfig;
    // /data/* goes to an origin group: the bucket, then, on S3's 403 or 404, the function's URL (signed, OAC).
    const data = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/data/*');
    const [group] = config.OriginGroups.Items;
    expect(config.OriginGroups.Quantity).toBe(1);
    expect(data.TargetOriginId).toBe(group.Id);
    expect(group.FailoverCriteria.StatusCodes).toEqual({ Items: [403, 404], Quantity: 2 });
    const [primary, fallback] = group.Members.Items.map((m: { OriginId: string }) =>
      config.Origins.find((o: { Id: string }) => o.Id === m.OriginId),
    );
    expect(primary.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(JSON.stringify(fallback.DomainName)).toContain('FunctionUrl');
    s.site.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always' },
    });
    s.site.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    // The rest keeps the site's 404 page; rss.xml is not data.
    for (const path of ['/_astro/*', '/rss.xml']) {
      const b = config.CacheBehaviors.find((x: { PathPattern: string }) => x.PathPattern === path);
      expect(b.TargetOriginId, path).toBe(config.DefaultCacheBehavior.TargetOriginId);
    }
    expect(config.CustomErrorResponses).toEqual([
      expect.objectContaining({ ErrorCode: 403, ResponseCode: 404, ResponsePagePath: '/404.html' }),
    ]);

    // The function's own code, run: a 404 with the local server's JSON body (site/serve.ts), HEAD without one.
    const [fn] = Object.values(resourcesOfType(s.site, 'AWS::Lambda::Function')).filter((f) =>
      JSON.stringify(f.Properties).includes('dataNotFoundBody'),
    );
    expect(fn!.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', Architectures: ['arm64'] });
    const dir = mkdtempSync(path.join(tmpdir(), 'data-not-found-'));
    try {
      const file = path.join(dir, 'index.cjs');
      writeFileSync(file, (fn!.Properties!.Code as { ZipFile: string }).ZipFile);
      const { handler } = createRequire(import.meta.url)(file) as {
        handler: (e: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
      };
      const get = await handler({
        rawPath: '/data/snapshots/1999-01-04.json',
        requestContext: { http: { method: 'GET' } },
      });
      expect(get).toEqual({
        statusCode: 404,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': CACHE_CONTROL.short },
        body: dataNotFoundBody('/data/snapshots/1999-01-04.json'),
      });
      expect(JSON.parse(get.body)).toEqual({
        error: 'not found',
        path: '/data/snapshots/1999-01-04.json',
        see: '/api/',
      });
      const head = await handler({ rawPath: '/data/x.json', requestContext: { http: { method: 'HEAD' } } });
      expect(head).toMatchObject({ statusCode: 404, body: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('redirects HTTP to HTTPS on every behavior', () => {
    const config = s.site.toJSON().Resources[distributionId()].Properties.DistributionConfig;
    const behaviors = [config.DefaultCacheBehavior, ...config.CacheBehaviors];
    expect(behaviors.map((b: { ViewerProtocolPolicy: string }) => b.ViewerProtocolPolicy)).toEqual(
      Array(4).fill('redirect-to-https'),
    );
  });

  it('caches daily-changing paths for a minute and fingerprinted assets for a year', () => {
    const resources = s.site.toJSON().Resources;
    const policies = resourcesOfType(s.site, 'AWS::CloudFront::CachePolicy');
    const ttl = (id: string) => {
      const c = policies[id]!.Properties!.CachePolicyConfig as Record<string, number>;
      return [c.MinTTL, c.DefaultTTL, c.MaxTTL];
    };
    const config = resources[distributionId()].Properties.DistributionConfig;
    const byPath = Object.fromEntries(
      config.CacheBehaviors.map((b: { PathPattern: string; CachePolicyId: { Ref: string } }) => [
        b.PathPattern,
        b.CachePolicyId.Ref,
      ]),
    );
    expect(Object.keys(byPath).sort()).toEqual(['/_astro/*', '/data/*', '/rss.xml']);
    expect(ttl(byPath['/_astro/*'])).toEqual([31_536_000, 31_536_000, 31_536_000]);
    // The edge keeps nothing longer than the one HTTP policy's Cache-Control (publish and the site build send it).
    expect(SHORT_MAX_AGE_SECONDS).toBe(60);
    expect(ttl(byPath['/data/*'])).toEqual([0, SHORT_MAX_AGE_SECONDS, SHORT_MAX_AGE_SECONDS]);
    expect(ttl(byPath['/rss.xml'])).toEqual([0, SHORT_MAX_AGE_SECONDS, SHORT_MAX_AGE_SECONDS]);
    // HTML pages (the default behavior) refresh as fast as the data they show.
    expect(ttl(config.DefaultCacheBehavior.CachePolicyId.Ref)).toEqual([
      0,
      SHORT_MAX_AGE_SECONDS,
      SHORT_MAX_AGE_SECONDS,
    ]);
  });

  it('sends the site’s security headers, with a CSP that allows no inline script', () => {
    const policies = Object.values(resourcesOfType(s.site, 'AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policies).toHaveLength(2);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    for (const policy of policies) {
      const config = policy.Properties!.ResponseHeadersPolicyConfig as Record<string, Record<string, unknown>>;
      expect(config.SecurityHeadersConfig).toEqual({
        ContentSecurityPolicy: { ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true },
        StrictTransportSecurity: {
          AccessControlMaxAgeSec: SECURITY_POLICY.strictTransportSecurity.maxAgeSeconds,
          IncludeSubdomains: true,
          Preload: true,
          Override: true,
        },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
      });
    }
  });

  it('opens CORS (*) only on /data/* and the feed', () => {
    const resources = s.site.toJSON().Resources;
    const config = resources[distributionId()].Properties.DistributionConfig;
    const headersOf = (ref: { Ref: string }) => resources[ref.Ref].Properties.ResponseHeadersPolicyConfig;
    for (const behavior of config.CacheBehaviors) {
      const cors = headersOf(behavior.ResponseHeadersPolicyId).CorsConfig;
      if (behavior.PathPattern === '/_astro/*') {
        expect(cors, behavior.PathPattern).toBeUndefined();
      } else {
        expect(cors.AccessControlAllowOrigins.Items, behavior.PathPattern).toEqual(['*']);
        expect(cors.AccessControlAllowCredentials).toBe(false);
      }
    }
    expect(headersOf(config.DefaultCacheBehavior.ResponseHeadersPolicyId).CorsConfig).toBeUndefined();
  });

  it('has no web ACL by default (WAF is opt-in)', () => {
    const config = s.site.toJSON().Resources[distributionId()].Properties.DistributionConfig;
    expect(config.WebACLId).toBeUndefined();
  });
});

describe('WAF opt-in', () => {
  it('attaches a CloudFront-scope web ACL with managed rules and a rate limit when enabled', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'WafSite', { env: { region: 'us-east-1' } });
    new StaticSite(stack, 'Site', { waf: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'AWSManagedRulesCommonRuleSet',
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
        }),
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Action: { Block: {} },
          Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } },
        }),
      ]),
    });
    const webAclId = Object.keys(template.findResources('AWS::WAFv2::WebACL'))[0]!;
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [webAclId, 'Arn'] } }),
    });
  });
});
