/**
 * The public edge: the site bucket with its CloudFront distribution. Separate from the pipeline
 * because its address (the distribution's domain) must outlive any redeploy of the functions, and
 * separate from the data stack because CloudFront's OAC bucket policy names the distribution, so
 * bucket and distribution must live together. The bucket only holds what publish and the site build
 * derive from the raw archive, so it can be rebuilt by a backfill; it is retained anyway.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type { Construct } from 'constructs';
import { StaticSite } from '../constructs/static-site.ts';
import { pinLogicalId } from './data-stack.ts';

export const SITE_LOGICAL_IDS = { siteBucket: 'SiteBucket' } as const;

export function siteExportNames(prefix: string) {
  return {
    siteBucketName: `${prefix}-SiteBucketName`,
    siteBucketArn: `${prefix}-SiteBucketArn`,
    siteUrl: `${prefix}-SiteUrl`,
  } as const;
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

    new CfnOutput(this, 'SiteUrl', {
      value: `https://${props.domainName ?? this.site.distribution.distributionDomainName}`,
      description: 'The public page',
      exportName: exportNames.siteUrl,
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
