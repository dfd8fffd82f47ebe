/**
 * Quality gate: cdk-nag's AwsSolutions pack as a CDK policy-validation plugin (cdk-nag 3), so synth
 * fails on any finding that is not acknowledged. Every acknowledgement goes through `acknowledge()`
 * with a reason; docs/architecture.md lists them and test/infra/nag.test.ts keeps the two in step.
 */
import { type App, Stack, Validations } from 'aws-cdk-lib';
import cdkNag from 'cdk-nag';
import type { IConstruct } from 'constructs';

const { AwsSolutionsChecks } = cdkNag;

export function addQualityGates(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** Acknowledges one cdk-nag finding on `scope` (and everything under it). The reason is required. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`acknowledgement ${id} at ${scope.node.path} needs a real reason`);
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The text cdk-nag prints for a CloudFormation value in a finding id (`Resource::<text>`): joins are
 * concatenated, `Ref`/`Fn::GetAtt` become `<Id>`/`<Id.Attr>`, `Fn::ImportValue` its export name.
 * Mirrors cdk-nag's flattenCfnReference for the intrinsics this app uses.
 */
export function flattenForNag(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [delimiter, items] = v['Fn::Join'] as [string, unknown[]];
      return items.map(flattenForNag).join(delimiter);
    }
    if ('Fn::ImportValue' in v) return flattenForNag(v['Fn::ImportValue']);
    if ('Ref' in v) return `<${flattenForNag(v.Ref)}>`;
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [id, attr] = v['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenForNag(id)}.${flattenForNag(attr)}>`;
    }
  }
  return JSON.stringify(value);
}

/** The IAM5 finding id for an allowed resource (`arn…/prefix/*`) as it appears from `scope`'s stack. */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenForNag(Stack.of(scope).resolve(resource))}]`;
}

export interface AcknowledgementRecord {
  path: string;
  id: string;
  reason: string;
}

/** Every acknowledgement recorded under `root`, for the docs test and audits. */
export function listAcknowledgements(root: IConstruct): AcknowledgementRecord[] {
  const out: AcknowledgementRecord[] = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: node.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return out;
}
