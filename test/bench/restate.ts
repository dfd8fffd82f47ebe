/**
 * Part 7 (issue 20 item 3): a restatement of ten years at 7,000 symbols, on generated data, through the Lambda
 * handlers against dynalite and s3rver (in their own process), each invocation in a fresh process as Lambda
 * runs it. First the backfill that builds the ten years (the archive upload, the archive-only ingest of every
 * day, then compute and publish chunk by chunk), then the restatement itself: a corrected short interest file
 * for the first settlement date dropped under `incoming/`, which restates every day since. Each compute and
 * publish invocation's time and peak memory is set against its function's Lambda sizing
 * (infra/stacks/pipeline-stack.ts SIZING), and the published state is checked at the end of each run.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createS3Client } from '../../functions/adapters/aws-clients.ts';
import { createS3ObjectStore } from '../../functions/adapters/s3-object-store.ts';
import { nextChunkEvent } from '../../functions/local/runner.ts';
import { DEFAULT_PIPELINE_CONFIG } from '../../functions/pipeline/deps.ts';
import { SIZING } from '../../infra/stacks/pipeline-stack.ts';
import { isTradingDay } from '../../shared/calendar.ts';
import { SAMPLE_MANIFEST_FILE } from '../../shared/sample/index.ts';
import { startEmulatorProcess } from './daily.ts';
import { runChild } from './lib/child.ts';
import { sampleDataset } from './lib/inputs.ts';
import { atMost, type BenchContext, PartBuilder } from './lib/part.ts';
import { mdTable, type PartResult } from './lib/report.ts';
import { bytes, int, maxOf, ms, ratio } from './lib/stats.ts';

const CHILD = path.join(import.meta.dirname, 'children', 'restate.ts');
/** Lambda gives a function of 1,769 MB one full vCPU and less in proportion (docs/benchmarks.md part 6). */
const FULL_VCPU_MB = 1769;
/**
 * "Each chunk well inside the limits" (issue 20 item 3): at most half the function's timeout once scaled to its vCPU
 * share, and a peak RSS (under Lambda's Node flags, lambdaNodeArgs) of at most three quarters of its memory.
 */
export const WELL_INSIDE = { timeout: 0.5, memory: 0.75 } as const;
/** Step Functions' payload limit: compute's answer is the state's output. */
const PAYLOAD_LIMIT = 256 * 1024;

const LAST_YEAR = 2024;

interface Invocation {
  ms: number;
  peakBytes: number;
}

interface Chunk {
  compute: Invocation & { days: number; first: string; last: string; payloadBytes: number };
  publish: Invocation & { published: number };
}

interface RunFigures {
  label: string;
  chunks: Chunk[];
  wallMs: number;
}

/** Time a step would take in Lambda at its memory size: scaled by its vCPU share (never below the measured one). */
export function lambdaMs(measuredMs: number, memoryMb: number): number {
  return measuredMs * Math.max(1, FULL_VCPU_MB / memoryMb);
}

/**
 * Node's flags for a step, as Lambda's Node runtime starts Node for a function of `memoryMb`: `--max-semi-space-size`
 * at 5% and `--max-old-space-size` at 90% of the memory. V8 uses the heap it is allowed before it collects, so the
 * peak RSS measured under these flags is the one the function would reach.
 */
function lambdaNodeArgs(memoryMb: number): string[] {
  return [`--max-semi-space-size=${Math.floor(memoryMb * 0.05)}`, `--max-old-space-size=${Math.floor(memoryMb * 0.9)}`];
}

async function step(base: object, name: 'compute' | 'publish', input: Record<string, unknown>) {
  const run = await runChild(CHILD, ['step', JSON.stringify({ ...base, step: name, input })], {
    nodeArgs: lambdaNodeArgs(SIZING[name].memorySize),
  });
  const r = run.report as { ms: number; output: Record<string, unknown>; warnings: string[] };
  return { ms: r.ms, peakBytes: run.maxRssBytes, output: r.output, warnings: r.warnings };
}

/** Compute and publish, chunk after chunk, as the state machine's `MoreChunks` loop runs them. */
async function runChunks(ctx: BenchContext, base: object, label: string, first: Record<string, unknown>) {
  const chunks: Chunk[] = [];
  const started = performance.now();
  let event = first;
  for (;;) {
    const c = await step(base, 'compute', event);
    if (c.output.skipped === true) throw new Error(`${label}: compute skipped (${String(c.output.reason)})`);
    const dates = (c.output.dates as string[] | undefined) ?? [];
    const p = await step(base, 'publish', c.output);
    for (const w of [...c.warnings, ...p.warnings]) ctx.log(`    ${w}`);
    const chunk: Chunk = {
      compute: {
        ms: c.ms,
        peakBytes: c.peakBytes,
        days: dates.length,
        first: dates[0] ?? '',
        last: dates.at(-1) ?? '',
        payloadBytes: Buffer.byteLength(JSON.stringify(c.output)),
      },
      publish: {
        ms: p.ms,
        peakBytes: p.peakBytes,
        published: ((p.output.published as string[] | undefined) ?? []).length,
      },
    };
    chunks.push(chunk);
    ctx.log(
      `  ${label} chunk ${chunks.length}: ${chunk.compute.first} … ${chunk.compute.last} (${chunk.compute.days} days): compute ${ms(c.ms)}, peak ${bytes(c.peakBytes)}; publish ${ms(p.ms)}, peak ${bytes(p.peakBytes)}`,
    );
    if (p.output.more !== true) break;
    event = nextChunkEvent(String(p.output.date), String(p.output.runId)) as unknown as Record<string, unknown>;
  }
  return { label, chunks, wallMs: performance.now() - started };
}

/** The generated folder's first short interest file with one position's quantity changed: FINRA's revision. */
export function correctedFirstFile(shortInterestDir: string): { name: string; content: string; settlement: string } {
  const name = readdirSync(shortInterestDir)
    .filter((n) => /^shrt\d{8}\.(csv|txt)$/.test(n))
    .sort()[0];
  if (!name) throw new Error(`no short interest file in ${shortInterestDir}`);
  const lines = readFileSync(path.join(shortInterestDir, name), 'utf8').split('\n');
  const header = (lines[0] ?? '').split('|');
  const column = header.indexOf('currentShortPositionQuantity');
  if (column < 0) throw new Error(`${name}: no currentShortPositionQuantity column`);
  const cells = (lines[1] ?? '').split('|');
  cells[column] = String(Number(cells[column]) + 100_000);
  lines[1] = cells.join('|');
  const m = /^shrt(\d{4})(\d{2})(\d{2})/.exec(name) as RegExpExecArray;
  return { name, content: lines.join('\n'), settlement: `${m[1]}-${m[2]}-${m[3]}` };
}

interface Published {
  latest: string;
  rows: number;
  restatedRows: number;
  /** A day in the middle of the span: its snapshot's `restated` and `restatedOn`. */
  middle: { date: string; restated: boolean; restatedOn: string | null };
}

async function readPublished(env: Record<string, string>, middle: string): Promise<Published> {
  const client = createS3Client({
    region: env.AWS_REGION ?? 'us-east-1',
    ...(env.AWS_ENDPOINT_URL_S3 ? { s3Endpoint: env.AWS_ENDPOINT_URL_S3 } : {}),
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
  });
  const site = createS3ObjectStore({ client, bucket: env.SITE_BUCKET ?? '' });
  const json = async (key: string) => {
    const o = await site.get(key);
    if (!o) throw new Error(`site bucket: ${key} is missing`);
    return JSON.parse(Buffer.from(o.bytes).toString('utf8')) as Record<string, unknown>;
  };
  const latest = await json('data/latest.json');
  const history = (await json('data/history.json')).rows as { date: string; restated: boolean }[];
  const snap = await json(`data/snapshots/${middle}.json`);
  client.destroy();
  return {
    latest: String(latest.asOf),
    rows: history.length,
    restatedRows: history.filter((r) => r.restated).length,
    middle: { date: middle, restated: snap.restated === true, restatedOn: (snap.restatedOn as string | null) ?? null },
  };
}

export async function runRestatePart(ctx: BenchContext): Promise<PartResult> {
  const part = new PartBuilder('restate');
  const { log } = ctx;
  const size = ctx.options.restateSize;
  const from = `${LAST_YEAR - size.years + 1}-01-01`;
  const to = `${LAST_YEAR}-12-31`;
  const ds = await sampleDataset(size.symbols, from, to, log);
  const inputDir = ds.inputDir as string;
  const tradingDays = readdirSync(ds.pricesDir)
    .map((n) => /^(\d{4}-\d{2}-\d{2})\.json/.exec(n)?.[1])
    .filter((d): d is string => d !== undefined && isTradingDay(d))
    .sort();
  // The sample's hostile days that the gates refuse (a stale and a partial screener file): never published.
  const manifest = JSON.parse(readFileSync(path.join(inputDir, SAMPLE_MANIFEST_FILE), 'utf8')) as {
    staleDays: string[];
    partialDays: string[];
  };
  const refused = new Set([...manifest.staleDays, ...manifest.partialDays]);
  const publishable = tradingDays.filter((d) => !refused.has(d));
  const lastDay = tradingDays.at(-1) as string;
  const middle = tradingDays[Math.floor(tradingDays.length / 2)] as string;
  const emulators = await startEmulatorProcess(path.join(ctx.tmpDir, 'restate-emulators'));
  // The evening of the last day (New York), moving with real time in every process.
  const clock = { clockBase: Date.parse(`${lastDay}T23:45:00Z`), realBase: Date.now() };
  const base = { env: emulators.env, clock };
  const runs: RunFigures[] = [];
  const checks: { what: string; ok: boolean; seen: string }[] = [];
  let correction: ReturnType<typeof correctedFirstFile> | null = null;
  let setup = { uploadMs: 0, files: 0, ingestMs: 0, ingested: 0 };
  try {
    log(`  uploading ${ds.label} to the raw bucket`);
    const up = await runChild(CHILD, ['upload', JSON.stringify({ ...base, inputDir })]);
    const upload = up.report as { files: number; from: string; to: string };
    log(
      `  ${int(upload.files)} files archived in ${ms(up.wallMs)}; archive-only ingest of ${upload.from} … ${upload.to}`,
    );
    const ing = await runChild(CHILD, ['backfill', JSON.stringify({ ...base, from: upload.from, to: upload.to })], {
      nodeArgs: ['--max-old-space-size=4096'],
    });
    const backfill = ing.report as { days: number; event: Record<string, unknown> };
    log(`  ${int(backfill.days)} days ingested in ${ms(ing.wallMs)}`);
    setup = { uploadMs: up.wallMs, files: upload.files, ingestMs: ing.wallMs, ingested: backfill.days };

    runs.push(await runChunks(ctx, base, 'backfill', backfill.event));
    const afterBackfill = await readPublished(emulators.env, middle);
    checks.push(
      {
        what: 'backfill: latest.json is the last day',
        ok: afterBackfill.latest === lastDay,
        seen: afterBackfill.latest,
      },
      {
        what: "backfill: history.json has a row for every trading day but the sample's refused ones",
        ok: afterBackfill.rows === publishable.length,
        seen: `${int(afterBackfill.rows)} rows, ${int(tradingDays.length)} trading days, ${refused.size} refused`,
      },
    );

    correction = correctedFirstFile(ds.shortInterestDir);
    log(`  dropping a corrected ${correction.name} (settlement ${correction.settlement})`);
    // Through a file: a short interest file of 7,000 symbols is larger than a command line may be.
    const correctedPath = path.join(ctx.tmpDir, correction.name);
    writeFileSync(correctedPath, correction.content);
    const drop = await runChild(CHILD, ['drop', JSON.stringify({ ...base, file: correctedPath })]);
    const dropped = (drop.report as { event: Record<string, unknown> }).event;
    checks.push({
      what: `the corrected file marks the restatement from its settlement date`,
      ok: dropped.restateFrom === correction.settlement,
      seen: String(dropped.restateFrom),
    });
    runs.push(await runChunks(ctx, base, 'restatement', dropped));
    const after = await readPublished(emulators.env, middle);
    const restatedDays = runs[1]?.chunks.reduce((n, c) => n + c.publish.published, 0) ?? 0;
    const since = publishable.filter((d) => d >= (correction?.settlement ?? '')).length;
    checks.push(
      { what: 'restatement: latest.json is still the last day', ok: after.latest === lastDay, seen: after.latest },
      {
        what: 'restatement: every publishable day since the settlement date republished',
        ok: restatedDays === since,
        seen: `${int(restatedDays)} published, ${int(since)} publishable days since ${correction.settlement}`,
      },
      {
        what: `restatement: the middle day (${middle}) is marked restated on the last day`,
        ok: after.middle.restated && after.middle.restatedOn === lastDay,
        seen: `restated ${after.middle.restated}, restatedOn ${after.middle.restatedOn}`,
      },
      {
        what: 'restatement: history.json keeps its rows, each but the last marked restated',
        ok: after.rows === publishable.length && after.restatedRows === publishable.length - 1,
        seen: `${int(after.rows)} rows, ${int(after.restatedRows)} marked restated`,
      },
    );
  } finally {
    await emulators.stop();
  }

  const limits = {
    compute: { ms: SIZING.compute.timeout.toMilliseconds(), mb: SIZING.compute.memorySize },
    publish: { ms: SIZING.publish.timeout.toMilliseconds(), mb: SIZING.publish.memorySize },
  };
  const all = runs.flatMap((r) => r.chunks);
  const worst = (f: (c: Chunk) => number) => maxOf(all.map(f));
  const computeMs = worst((c) => lambdaMs(c.compute.ms, limits.compute.mb));
  const publishMs = worst((c) => lambdaMs(c.publish.ms, limits.publish.mb));
  const computePeak = worst((c) => c.compute.peakBytes);
  const publishPeak = worst((c) => c.publish.peakBytes);
  const mb = 1024 * 1024;
  part.figure({
    name: `dataset`,
    value: `${ds.label}: ${int(tradingDays.length)} trading days; chunks of ${DEFAULT_PIPELINE_CONFIG.computeChunkDays} days`,
  });
  for (const r of runs) {
    part.figure({
      name: `${r.label}: chunks, compute + publish wall`,
      value: `${r.chunks.length} chunks, ${ms(r.wallMs)} (each invocation a fresh process)`,
    });
  }
  part.figure({
    name: `slowest compute chunk, scaled to Lambda (${int(limits.compute.mb)} MB)`,
    value: `${ms(computeMs)} of ${ms(limits.compute.ms)} (${ratio(computeMs / limits.compute.ms)})`,
    budget: `≤ ${WELL_INSIDE.timeout * 100}% of the timeout`,
    verdict: atMost(computeMs, limits.compute.ms * WELL_INSIDE.timeout),
  });
  part.figure({
    name: 'largest compute peak RSS',
    value: `${bytes(computePeak)} of ${int(limits.compute.mb)} MB`,
    budget: `≤ ${WELL_INSIDE.memory * 100}% of memory`,
    verdict: atMost(computePeak, limits.compute.mb * mb * WELL_INSIDE.memory),
  });
  part.figure({
    name: `slowest publish chunk, scaled to Lambda (${int(limits.publish.mb)} MB)`,
    value: `${ms(publishMs)} of ${ms(limits.publish.ms)} (${ratio(publishMs / limits.publish.ms)})`,
    budget: `≤ ${WELL_INSIDE.timeout * 100}% of the timeout`,
    verdict: atMost(publishMs, limits.publish.ms * WELL_INSIDE.timeout),
  });
  part.figure({
    name: 'largest publish peak RSS',
    value: `${bytes(publishPeak)} of ${int(limits.publish.mb)} MB`,
    budget: `≤ ${WELL_INSIDE.memory * 100}% of memory`,
    verdict: atMost(publishPeak, limits.publish.mb * mb * WELL_INSIDE.memory),
  });
  part.figure({
    name: "largest compute answer (the state's payload)",
    value: `${bytes(worst((c) => c.compute.payloadBytes))} of 256 kB`,
    budget: '≤ 25% of the payload limit',
    verdict: atMost(
      worst((c) => c.compute.payloadBytes),
      PAYLOAD_LIMIT / 4,
    ),
  });
  const failed = checks.filter((c) => !c.ok);
  for (const c of failed) log(`  CHECK FAILED: ${c.what}: ${c.seen}`);
  part.figure({
    name: 'published state checked',
    value: `${checks.length - failed.length} of ${checks.length} checks hold`,
    verdict: failed.length === 0 ? 'met' : 'missed',
  });
  part.detail(
    [
      `Generated input (\`generateSample\`, seed in part 2): ${int(setup.files)} files archived into the raw bucket in ${ms(setup.uploadMs)} (\`uploadFolder\`, as \`pulse upload-history\`), then the backfill's archive-only ingest of ${int(setup.ingested)} days in ${ms(setup.ingestMs)} (one process here; on AWS the Distributed Map runs one ingest a day). Compute and publish then run as the state machine runs them (\`MoreChunks\` → \`ComputeNextChunk\`), each invocation in a fresh Node process against dynalite and s3rver (in a process of their own): its time is measured inside the process (the handler call), its peak is the process's maximum RSS (Node and the TypeScript sources included). Lambda gives a function of ${int(FULL_VCPU_MB)} MB one vCPU and less in proportion, so times are scaled by ${int(FULL_VCPU_MB)}/memory before they are set against the timeout (this machine's core stands for one vCPU). "Well inside": at most ${WELL_INSIDE.timeout * 100}% of the timeout, and a peak RSS of at most ${WELL_INSIDE.memory * 100}% of the memory with Node started as Lambda's Node runtime starts it for that memory (\`--max-old-space-size\` at 90%, \`--max-semi-space-size\` at 5%), since V8 uses the heap it is allowed before it collects (infra/stacks/pipeline-stack.ts SIZING: compute ${int(limits.compute.mb)} MB, ${ms(limits.compute.ms)}; publish ${int(limits.publish.mb)} MB, ${ms(limits.publish.ms)}). Compute runs as its Lambda wires it (\`createAwsComputeDeps\`). A first run at 1,024 MB (the functions' memory then) measured peaks that grew toward the heap limit chunk after chunk (compute 602 MB → 852 MB, then 1.06 GB in the last chunk, which also builds the current year's stock files; publish 468 MB → 815 MB, then 1.27 GB): the last chunk's publish went past the 1,024 MB a Lambda of that size is killed at. Compute and publish now have 2,048 MB.`,
      '',
      correction
        ? `The restatement: \`${correction.name}\` dropped again under \`incoming/\` with one position's quantity changed (a FINRA revision), ingested as its S3 event is; it marks \`restateFrom\` = ${correction.settlement}, and compute folds every day since again.`
        : '',
      '',
      mdTable(
        ['Check', 'Holds', 'Seen'],
        checks.map((c) => [c.what, c.ok ? 'yes' : '**no**', c.seen]),
      ),
      '',
      mdTable(
        [
          'Run',
          'Chunk',
          'Days published',
          'Compute',
          `Compute at ${int(limits.compute.mb)} MB`,
          'Compute peak',
          'Publish',
          'Publish peak',
          'Answer',
        ],
        runs.flatMap((r) =>
          r.chunks.map((c, i) => [
            r.label,
            String(i + 1),
            `${c.compute.first} … ${c.compute.last} (${c.compute.days})`,
            ms(c.compute.ms),
            ms(lambdaMs(c.compute.ms, limits.compute.mb)),
            bytes(c.compute.peakBytes),
            ms(c.publish.ms),
            bytes(c.publish.peakBytes),
            bytes(c.compute.payloadBytes),
          ]),
        ),
      ),
    ].join('\n'),
  );
  part.data({
    size,
    tradingDays: tradingDays.length,
    setup,
    runs: runs.map((r) => ({ label: r.label, wallMs: r.wallMs, chunks: r.chunks })),
    checks,
  });
  return part.finish(
    failed.length === 0 ? 'done' : 'failed',
    failed.length ? `${failed.length} check(s) failed` : undefined,
  );
}
