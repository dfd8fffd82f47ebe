/**
 * Builds the real app for the infra tests the way `npx cdk synth` does (cdk.json's feature flags and
 * context, infra/short-pulse.ts), once per test file. Bundling is off by default (CDK's
 * `aws:cdk:bundling-stacks: []`), so template tests need neither esbuild runs nor the handlers'
 * service modules; test/infra/bundling.test.ts turns it on.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readConfig } from '../../infra/config.ts';
import { addQualityGates } from '../../infra/nag.ts';
import { buildShortPulse, type ShortPulseStacks } from '../../infra/short-pulse.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** cdk.json's context: the feature flags and defaults the CLI would pass. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface SynthOptions {
  context?: Record<string, unknown>;
  bundling?: boolean;
  env?: Environment;
  /** Register cdk-nag as in infra/app.ts: synth then throws on any unacknowledged finding. */
  qualityGates?: boolean;
}

export interface Synthesized {
  app: App;
  stacks: ShortPulseStacks;
  data: Template;
  site: Template;
  pipeline: Template;
  outdir: string;
  cleanup: () => void;
}

export function synthShortPulse(options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'short-pulse-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const config = readConfig((key) => app.node.tryGetContext(key));
  const stacks = buildShortPulse(app, config, { projectRoot: repoRoot, ...(options.env ? { env: options.env } : {}) });
  if (options.qualityGates) addQualityGates(app);
  return {
    app,
    stacks,
    data: Template.fromStack(stacks.data),
    site: Template.fromStack(stacks.site),
    pipeline: Template.fromStack(stacks.pipeline),
    outdir,
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

/** All resources of a type, by logical ID. */
export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
  Principal?: unknown;
  Sid?: string;
}

export function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** The statements of every AWS::IAM::Policy attached to `roleLogicalId`. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = resourcesOfType(template, 'AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((p) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** `{ 'Fn::Join': ['', [{ 'Fn::ImportValue': 'X' }, '/raw/*']] }` for an imported ARN plus a suffix. */
export function importedArn(exportName: string, suffix = ''): unknown {
  return suffix ? { 'Fn::Join': ['', [{ 'Fn::ImportValue': exportName }, suffix]] } : { 'Fn::ImportValue': exportName };
}
