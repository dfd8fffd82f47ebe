/**
 * Quality gate: the whole app passes cdk-nag's AwsSolutions pack with the plugin registered as in
 * infra/app.ts (synth would throw otherwise), every acknowledgement carries a reason, and every one
 * is listed in docs/architecture.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import cdkNag from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addQualityGates, flattenForNag, listAcknowledgements } from '../../infra/nag.ts';
import { repoRoot, type Synthesized, synthShortPulse } from './synth.ts';

const { AwsSolutionsChecks } = cdkNag;

let s: Synthesized;
beforeAll(() => {
  // Throws if the validation plugin reports any unacknowledged finding.
  s = synthShortPulse({ qualityGates: true });
});
afterAll(() => s.cleanup());

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the three stacks', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves no failing plugin report in the cloud assembly', () => {
    const report = JSON.parse(readFileSync(path.join(s.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; conclusion: string }>;
    };
    expect(report.pluginReports.filter((r) => r.conclusion !== 'success')).toEqual([]);
  });

  it('fails synth on an unacknowledged finding (the gate is real)', () => {
    const app = new App();
    const stack = new Stack(app, 'Careless');
    new s3.Bucket(stack, 'Open', { enforceSSL: false });
    addQualityGates(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
    const report = JSON.parse(readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; conclusion: string; violations: Array<{ ruleName: string }> }>;
    };
    const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect(nag?.conclusion).toBe('failure');
    expect(nag?.violations.map((v) => v.ruleName).sort()).toEqual(['AwsSolutions-S1', 'AwsSolutions-S10']);
  });
});

describe('acknowledgements', () => {
  const acknowledgements = () => listAcknowledgements(s.app);

  it('each has a real reason', () => {
    expect(acknowledgements().length).toBeGreaterThan(0);
    for (const a of acknowledgements()) {
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThanOrEqual(40);
      expect(a.id, a.path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
    }
  });

  it('each is listed in docs/architecture.md with its construct path', () => {
    const docs = readFileSync(path.join(repoRoot, 'docs/architecture.md'), 'utf8');
    const rows = docs.split('\n').filter((line) => line.startsWith('| `'));
    const missing = acknowledgements().filter(
      (a) => !rows.some((row) => row.includes(`\`${a.path}\``) && row.includes(`\`${a.id}\``)),
    );
    expect(missing.map((a) => `| \`${a.path}\` | \`${a.id}\` | ${a.reason} |`)).toEqual([]);
  });

  it('wildcards appear only on object ARNs under a prefix, log streams, report groups, X-Ray and the state machine’s own child executions', () => {
    const wildcards = acknowledgements()
      .filter((a) => a.id.startsWith('AwsSolutions-IAM5[Resource::'))
      .map((a) => a.id.slice('AwsSolutions-IAM5[Resource::'.length, -1));
    for (const resource of wildcards) {
      expect(resource).toMatch(
        /^(\*|ShortPulse-(Raw|Site)BucketArn\/([a-z-]+\/)?\*|<\w+\.Arn>:\*|<(Ingest|Compute|Publish)Live\w+>:\*|arn:<AWS::Partition>:(logs|codebuild):.*|arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:\{"Fn::Select":\[6,\{"Fn::Split":\[":",\{"Ref":"PipelineStateMachine[0-9A-F]{8}"\}\]\}\]\}(\/ArchivedDay)?:\*|arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:ShortPulsePipeline-Pipeline:\*)$/,
      );
    }
  });
});

describe('flattenForNag', () => {
  it('renders intrinsics the way cdk-nag prints them in finding ids', () => {
    expect(flattenForNag({ 'Fn::Join': ['', [{ 'Fn::ImportValue': 'X-Arn' }, '/raw/*']] })).toBe('X-Arn/raw/*');
    expect(flattenForNag({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Fn1', 'Arn'] }, ':*']] })).toBe('<Fn1.Arn>:*');
    expect(flattenForNag({ 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }]] })).toBe('arn:<AWS::Partition>');
    // Fn::Sub-style placeholders become <…> too.
    expect(flattenForNag(['arn:$', '{AWS::Region}:x'].join(''))).toBe('arn:<AWS::Region>:x');
  });
});
