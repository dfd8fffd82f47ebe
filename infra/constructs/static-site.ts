/**
 * L3 static site: a private S3 bucket served only through CloudFront with origin access control
 * (OAC, not the legacy OAI), HTTPS only, the site's security headers on every response, open CORS
 * on the public data, and two cache policies: a minute for what changes daily (pages, data, feed),
 * a year for fingerprinted assets. Header values and lifetimes are the site's one HTTP policy in
 * shared/present/security-headers.ts, which publish and the local server also apply, so browser tests
 * run under the production CSP and the edge never keeps an object longer than its Cache-Control says.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  DATA_CORS,
  DATA_NOT_FOUND_HANDLER,
  IMMUTABLE_MAX_AGE_SECONDS,
  IMMUTABLE_PATH_PREFIX,
  SECURITY_POLICY,
  SHORT_MAX_AGE_SECONDS,
} from '../../shared/present/security-headers.ts';
import { acknowledge } from '../nag.ts';

/**
 * Edge TTLs from the HTTP policy. Origin Cache-Control (set by publish and the site build from the same
 * policy) is honoured within [min, max]; max = the policy's lifetime, so no object outlives it at the edge.
 */
export const SHORT_TTL = {
  min: Duration.seconds(0),
  default: Duration.seconds(SHORT_MAX_AGE_SECONDS),
  max: Duration.seconds(SHORT_MAX_AGE_SECONDS),
};
export const IMMUTABLE_TTL = Duration.seconds(IMMUTABLE_MAX_AGE_SECONDS);

/** Paths refreshed daily that other sites may fetch (CORS *). */
export const CORS_PATHS = DATA_CORS.pathPatterns;
/** The published JSON (a CORS path): a missing file answers JSON (`dataOrigin`). */
export const DATA_PATH = '/data/*';
export const IMMUTABLE_PATH = `${IMMUTABLE_PATH_PREFIX}*`;

/** Astro emits `dir/index.html` for routes; an S3 REST origin needs the file name spelled out. */
const INDEX_REWRITE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
  } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    request.uri = uri + '/index.html';
  }
  return request;
}`;

export interface StaticSiteProps {
  /** Attach an AWS WAF web ACL (CloudFront scope: the stack must be in us-east-1). */
  readonly waf: boolean;
  readonly domainName?: string;
  readonly certificate?: acm.ICertificate;
}

export class StaticSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Publish overwrites latest.json and history.json daily: keep a month of previous versions
      // so a bad day can be rolled back by hand.
      versioned: true,
      lifecycleRules: [
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      // Answers CORS preflights for /data/* and the feed (CloudFront forwards them to S3).
      cors: [
        {
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: [...DATA_CORS.allowOrigins],
          allowedHeaders: [...DATA_CORS.allowHeaders],
          maxAge: DATA_CORS.maxAgeSeconds,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Nobody outside the account may write, delete or change ACLs, whatever a future policy says.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyWritesOutsideAccount',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:PutBucketPolicy'],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: { StringNotEquals: { 'aws:PrincipalAccount': Stack.of(this).account } },
      }),
    );
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Only CloudFront (OAC) reads this bucket and only the publish function and site build write it, each logged in its own log group; S3 access logs would only record CloudFront cache fills.',
    );

    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });

    const shortTtl = new cloudfront.CachePolicy(this, 'ShortTtl', {
      comment: 'Pages, data and feed: refreshed within a minute of a publish',
      minTtl: SHORT_TTL.min,
      defaultTtl: SHORT_TTL.default,
      maxTtl: SHORT_TTL.max,
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const immutable = new cloudfront.CachePolicy(this, 'Immutable', {
      comment: 'Fingerprinted build assets: never change under the same name',
      minTtl: IMMUTABLE_TTL,
      defaultTtl: IMMUTABLE_TTL,
      maxTtl: IMMUTABLE_TTL,
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const pageHeaders = this.headersPolicy('PageHeaders', 'same-origin');
    const dataHeaders = this.headersPolicy('DataHeaders', 'cross-origin', {
      accessControlAllowOrigins: [...DATA_CORS.allowOrigins],
      accessControlAllowMethods: [...DATA_CORS.allowMethods],
      accessControlAllowHeaders: [...DATA_CORS.allowHeaders],
      accessControlAllowCredentials: false,
      accessControlMaxAge: Duration.seconds(DATA_CORS.maxAgeSeconds),
      originOverride: true,
    });

    const indexRewrite = new cloudfront.Function(this, 'IndexRewrite', {
      code: cloudfront.FunctionCode.fromInline(INDEX_REWRITE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Serve dir/index.html for /dir and /dir/',
    });

    const webAcl = props.waf ? this.webAcl() : undefined;

    const dataBehavior: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
      cachePolicy: shortTtl,
      originRequestPolicy: cloudfront.OriginRequestPolicy.CORS_S3_ORIGIN,
      responseHeadersPolicy: dataHeaders,
      compress: true,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Short Pulse site',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: shortTtl,
        responseHeadersPolicy: pageHeaders,
        compress: true,
        functionAssociations: [{ function: indexRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [IMMUTABLE_PATH]: {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: immutable,
          responseHeadersPolicy: pageHeaders,
          compress: true,
        },
        ...Object.fromEntries(CORS_PATHS.map((p) => [p, dataBehavior])),
        [DATA_PATH]: { ...dataBehavior, origin: this.dataOrigin(origin) },
      },
      // With OAC and no s3:ListBucket, S3 answers 403 for a missing key: show the site's 404 page.
      errorResponses: [
        {
          httpStatus: 403,
          responseHttpStatus: 404,
          responsePagePath: '/404.html',
          ttl: Duration.seconds(SHORT_MAX_AGE_SECONDS),
        },
      ],
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      ...(props.domainName && props.certificate
        ? {
            domainNames: [props.domainName],
            certificate: props.certificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      ...(webAcl ? { webAclId: webAcl.attrArn } : {}),
    });

    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'A public market-data page for readers anywhere: no country has a reason to be blocked.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'No CloudFront access logs: they hold visitor IP addresses (personal data) and standard logging needs an ACL-enabled bucket; CloudFront metrics cover traffic.',
    );
    if (!props.certificate) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'The default *.cloudfront.net certificate cannot pin a minimum TLS version; with the domainName/certificateArn context the distribution uses TLSv1.2_2021.',
      );
    }
    if (!webAcl) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR2',
        'WAF is opt-in (context waf=true): a web ACL with managed rules costs about $9/month, more than the whole system, for a read-only static site.',
      );
    }
  }

  /**
   * Issue 20 item 6: `/data/*` answers a missing file with JSON, never the HTML 404 page. CloudFront's custom
   * error responses are distribution-wide (S3's 403 for a missing key becomes the site's `/404.html` on every
   * path), so `/data/*` is served by an origin group instead: S3 first, and when S3 answers 403 or 404, the
   * `DataNotFound` function (a few lines, inline; shared/present/security-headers.ts DATA_NOT_FOUND_HANDLER),
   * reached through its URL with origin access control, answers 404 with the JSON body the local server sends.
   * Its 404 is no 403, so the distribution's error page never replaces it. It runs only on misses.
   */
  private dataOrigin(s3Origin: cloudfront.IOrigin): cloudfront.IOrigin {
    const logGroup = new logs.LogGroup(this, 'DataNotFoundLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'DataNotFoundRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'DataNotFound: writes its own log group, nothing else',
    });
    logGroup.grantWrite(role);
    const fn = new lambda.Function(this, 'DataNotFound', {
      description: 'Short Pulse: the JSON 404 of a missing /data/ file (CloudFront fallback origin)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(DATA_NOT_FOUND_HANDLER),
      memorySize: 128,
      timeout: Duration.seconds(3),
      role,
      logGroup,
    });
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::<SiteDataNotFoundLogsB5A3B1B4.Arn>:*]',
      "Log streams of the function's own log group (the grant CDK writes for a log group).",
    );
    return new origins.OriginGroup({
      primaryOrigin: s3Origin,
      fallbackOrigin: origins.FunctionUrlOrigin.withOriginAccessControl(url),
      fallbackStatusCodes: [403, 404],
    });
  }

  private headersPolicy(
    id: string,
    resourcePolicy: 'same-origin' | 'cross-origin',
    cors?: cloudfront.ResponseHeadersCorsBehavior,
  ): cloudfront.ResponseHeadersPolicy {
    const hsts = SECURITY_POLICY.strictTransportSecurity;
    return new cloudfront.ResponseHeadersPolicy(this, id, {
      comment: `Short Pulse security headers (${resourcePolicy})`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: SECURITY_POLICY.contentSecurityPolicy, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(hsts.maxAgeSeconds),
          includeSubdomains: hsts.includeSubdomains,
          preload: hsts.preload,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: frameOption(SECURITY_POLICY.frameOptions), override: true },
        referrerPolicy: { referrerPolicy: referrerPolicy(SECURITY_POLICY.referrerPolicy), override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          ...Object.entries(SECURITY_POLICY.customHeaders).map(([header, value]) => ({
            header,
            value,
            override: true,
          })),
          { header: 'Cross-Origin-Resource-Policy', value: resourcePolicy, override: true },
        ],
      },
      ...(cors ? { corsBehavior: cors } : {}),
    });
  }

  private webAcl(): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('ShortPulseSite'),
      rules: [
        managed('AWSManagedRulesCommonRuleSet', 0),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
        managed('AWSManagedRulesAmazonIpReputationList', 2),
        {
          name: 'RateLimitPerIp',
          priority: 3,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
      ],
    });
  }
}

function frameOption(value: string): cloudfront.HeadersFrameOption {
  const option = Object.values(cloudfront.HeadersFrameOption).find((v) => v === value);
  if (!option) throw new Error(`security-headers: frame option ${value} has no CloudFront equivalent`);
  return option;
}

function referrerPolicy(value: string): cloudfront.HeadersReferrerPolicy {
  const policy = Object.values(cloudfront.HeadersReferrerPolicy).find((v) => v === value);
  if (!policy) throw new Error(`security-headers: referrer policy ${value} has no CloudFront equivalent`);
  return policy;
}
