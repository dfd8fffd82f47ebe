/**
 * The public edge: the site bucket with its CloudFront distribution. Separate from the pipeline
 * because its address (the distribution's domain) must outlive any redeploy of the functions, and
 * separate from the data stack because CloudFront's OAC bucket policy names the distribution, so
 * bucket and distribution must live together. The bucket only holds what publish and the site build
 * derive from the raw archive, so it can be rebuilt by a backfill; it is retained anyway.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { StaticSite } from '../constructs/static-site.ts';
import { pinLogicalId } from './data-stack.ts';

export const SITE_LOGICAL_IDS = { siteBucket: 'SiteBucket' } as const;

/** Named exports, for what never changes once the stack exists: the site bucket's name and ARN. */
export function siteExportNames(prefix: string) {
  return {
    siteBucketName: `${prefix}-SiteBucketName`,
    siteBucketArn: `${prefix}-SiteBucketArn`,
  } as const;
}

/**
 * The site URL changes when a custom domain is added (or removed) after the first deploy, and CloudFormation
 * refuses to change an export another stack imports: it is handed over in an SSM parameter instead, which the
 * pipeline stack reads at deploy time (a CloudFormation parameter resolved on each deploy of that stack).
 */
export function siteUrlParameterName(prefix: string): string {
  return `/${prefix}/site-url`;
}

export interface SiteStackProps extends StackProps {
  readonly prefix: string;
  readonly waf: boolean;
  readonly domainName?: string;
  readonly certificateArn?: string;
}

export class SiteStack extends Stack {
  readonly site: StaticSite;

  constructor(scope: Construct, id: string, props: SiteStackProps) {
    super(scope, id, props);
    const exportNames = siteExportNames(props.prefix);
    const certificate = props.certificateArn
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)
      : undefined;

    this.site = new StaticSite(this, 'Site', {
      waf: props.waf,
      ...(props.domainName ? { domainName: props.domainName } : {}),
      ...(certificate ? { certificate } : {}),
    });
    pinLogicalId(this.site.bucket, SITE_LOGICAL_IDS.siteBucket);

    const siteUrl = `https://${props.domainName ?? this.site.distribution.distributionDomainName}`;
    new CfnOutput(this, 'SiteUrl', { value: siteUrl, description: 'The public page' });
    new ssm.StringParameter(this, 'SiteUrlParameter', {
      parameterName: siteUrlParameterName(props.prefix),
      stringValue: siteUrl,
      description: 'The public page, read by the pipeline stack at deploy time (links in the feed and pages)',
    });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId });
    new CfnOutput(this, 'SiteBucketNameOutput', {
      value: this.site.bucket.bucketName,
      exportName: exportNames.siteBucketName,
    });
    new CfnOutput(this, 'SiteBucketArnOutput', {
      value: this.site.bucket.bucketArn,
      exportName: exportNames.siteBucketArn,
    });
  }
}
