/**
 * Composes the app: three stacks split by deployment need (docs/architecture.md):
 * - Data: raw archive, access logs, DynamoDB table. State; deployed rarely; retained.
 * - Site: site bucket + CloudFront. The public address; long-lived.
 * - Pipeline: functions, state machine, triggers, site build, alarms, budget. Redeployed freely.
 * No context or environment is read here (infra/app.ts does that), so tests build the same app.
 */
import { type App, type Environment, Tags } from 'aws-cdk-lib';
import { type PulseConfig, providerEnvironment } from './config.ts';
import { DataStack } from './stacks/data-stack.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';
import { SiteStack } from './stacks/site-stack.ts';

export interface ShortPulseStacks {
  data: DataStack;
  site: SiteStack;
  pipeline: PipelineStack;
}

export interface BuildOptions {
  /** Repository root: handler entries, the lockfile and the site build's sources are under it. */
  projectRoot: string;
  env?: Environment;
}

export class WafRegionError extends Error {
  constructor(region: string | undefined) {
    super(
      `context waf=true needs the site stack in us-east-1 (CloudFront web ACLs live there); deploying to ${region ?? 'an unspecified region'}`,
    );
    this.name = 'WafRegionError';
  }
}

export function buildShortPulse(app: App, config: PulseConfig, options: BuildOptions): ShortPulseStacks {
  const { prefix } = config;
  const env = options.env ?? {};
  if (config.waf && env.region !== 'us-east-1') throw new WafRegionError(env.region);

  const data = new DataStack(app, `${prefix}Data`, {
    env,
    prefix,
    description: 'Short Pulse: raw archive, access logs and the pipeline table (stateful)',
  });
  const site = new SiteStack(app, `${prefix}Site`, {
    env,
    prefix,
    waf: config.waf,
    ...(config.domainName ? { domainName: config.domainName } : {}),
    ...(config.certificateArn ? { certificateArn: config.certificateArn } : {}),
    description: 'Short Pulse: site bucket and CloudFront distribution',
  });
  const pipeline = new PipelineStack(app, `${prefix}Pipeline`, {
    env,
    prefix,
    projectRoot: options.projectRoot,
    budgetUsd: config.budgetUsd,
    ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    providerEnvironment: providerEnvironment(config),
    description: 'Short Pulse: pipeline functions, state machine, schedule, site build and alarms',
  });
  // Named exports are not tracked references: declare the deployment order explicitly.
  pipeline.addStackDependency(data, 'imports the raw bucket and table exports');
  pipeline.addStackDependency(site, 'imports the site bucket exports and reads the site URL parameter');

  Tags.of(app).add('project', 'short-pulse');
  return { data, site, pipeline };
}
