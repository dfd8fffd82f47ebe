/**
 * What the cost model needs from the infrastructure, read from the synthesized templates (bundling
 * off, as the infra tests do) rather than typed in: each function's memory and architecture, the
 * state transitions of an ordinary and a non-trading day (walking the state machine's definition),
 * how many metrics the alarms watch, the buckets' version and transition rules, the site build's
 * compute type and which CloudFront paths run the viewer-request function.
 */
import { METRIC } from '../../../functions/lib/metric-names.ts';
import { synthShortPulse } from '../../infra/synth.ts';
import { reportToParent } from '../lib/child.ts';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
}

/** A Fn::Join definition with ARNs in it, as a plain JSON string (the ARNs become placeholders). */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((p) => (typeof p === 'string' ? p : 'arn:placeholder')).join(join[0]);
  return JSON.stringify(value);
}

interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Branches?: { StartAt: string; States: Record<string, State> }[];
}

/**
 * States entered from StartAt to the end; at a Choice, `pick` chooses (default branch unless it says); a Parallel's
 * (one) branch is walked before its Next (the run lock's `Run`, issue 20 item 1).
 */
function walk(
  definition: { StartAt: string; States: Record<string, State> },
  pick: (s: State) => string | undefined,
): string[] {
  const path: string[] = [];
  let name: string | undefined = definition.StartAt;
  while (name !== undefined && path.length < 200) {
    const state: State | undefined = definition.States[name];
    if (!state) break;
    path.push(name);
    if (state.Type === 'Parallel' && state.Branches?.[0]) path.push(...walk(state.Branches[0], pick));
    if (state.Type === 'Choice') name = pick(state) ?? state.Default;
    else if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') name = undefined;
    else name = state.Next;
  }
  return path;
}

const s = synthShortPulse();
try {
  const resources = (t: { toJSON(): Json }) => Object.entries((t.toJSON().Resources ?? {}) as Record<string, Resource>);
  const pipeline = resources(s.pipeline);
  const memory: Record<string, { memoryMb: number; architecture: string }> = {};
  for (const [step, construct] of Object.entries(s.stacks.pipeline.functions)) {
    const id = s.stacks.pipeline.getLogicalId(construct.function.node.defaultChild as never);
    const props = pipeline.find(([rid]) => rid === id)?.[1].Properties ?? {};
    memory[step] = {
      memoryMb: Number(props.MemorySize ?? 128),
      architecture: String((props.Architectures as string[] | undefined)?.[0] ?? 'x86_64'),
    };
  }
  const alarms = pipeline
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([id, r]) => {
      const metrics = ((r.Properties?.Metrics ?? []) as Json[]).filter((m) => m.MetricStat).length;
      return { id, metrics: Math.max(1, metrics) };
    });
  const machine = pipeline.find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')?.[1];
  const definition = JSON.parse(flatten(machine?.Properties?.DefinitionString)) as {
    StartAt: string;
    States: Record<string, State>;
  };
  // A trading day publishes, so a site build is owed and, with no other execution waiting, made (issue 20 item 4);
  // a skipped day owes none (the last build paid).
  const ordinaryPath = walk(definition, (st) => st.Choices?.find((c) => /^ListRunningExecutions$/.test(c.Next))?.Next);
  const skippedPath = walk(definition, (st) => st.Choices?.find((c) => /skip/i.test(c.Next))?.Next);
  const project = pipeline.find(([, r]) => r.Type === 'AWS::CodeBuild::Project')?.[1];
  const environment = (project?.Properties?.Environment ?? {}) as Json;
  const lifecycle = (t: { toJSON(): Json }) =>
    resources(t)
      .filter(([, r]) => r.Type === 'AWS::S3::Bucket')
      .map(([id, r]) => ({
        id,
        rules: ((r.Properties?.LifecycleConfiguration as { Rules?: Json[] } | undefined)?.Rules ?? []).map((rule) => ({
          noncurrentDays:
            (rule.NoncurrentVersionExpiration as { NoncurrentDays?: number } | undefined)?.NoncurrentDays ?? null,
          transitions: ((rule.Transitions ?? []) as { StorageClass: string; TransitionInDays: number }[]).map(
            (x) => `${x.StorageClass}@${x.TransitionInDays}`,
          ),
          prefix: rule.Prefix ?? null,
        })),
      }));
  const distribution = resources(s.site).find(([, r]) => r.Type === 'AWS::CloudFront::Distribution')?.[1];
  const config = (distribution?.Properties?.DistributionConfig ?? {}) as Json;
  const withFunction = (b: Json | undefined) => {
    const list = b?.FunctionAssociations;
    return Array.isArray(list) && list.length > 0;
  };
  const behaviors = ((config.CacheBehaviors ?? []) as Json[]).map((b) => ({
    path: String(b.PathPattern),
    viewerFunction: withFunction(b),
  }));
  reportToParent({
    memory,
    alarms,
    customMetrics: Object.keys(METRIC).length,
    transitions: {
      ordinary: ordinaryPath.length,
      ordinaryPath,
      nonTrading: skippedPath.length,
      nonTradingPath: skippedPath,
    },
    siteBuild: { computeType: environment.ComputeType ?? null, type: environment.Type ?? null },
    buckets: [...lifecycle(s.data), ...lifecycle(s.site)],
    cloudfront: {
      defaultViewerFunction: withFunction(config.DefaultCacheBehavior as Json),
      behaviors,
      priceClass: config.PriceClass ?? null,
    },
  });
} finally {
  s.cleanup();
}
