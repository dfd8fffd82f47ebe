import path from 'node:path';
import type { Log } from '../../adapters/ports.ts';
import { historyFiles, type UploadReport, uploadHistoryAws, uploadHistoryLocal } from '../../local/upload-history.ts';
import type { UploadOutcome } from '../../pipeline/ingest.ts';
import { isoDateOption, parse, UsageError } from '../args.ts';
import { progress } from '../progress.ts';
import type { Command } from './types.ts';

const consoleLog: Log = {
  debug() {},
  info() {},
  warn: (m) => console.error(`warning: ${m}`),
  error: (m) => console.error(`error: ${m}`),
};

function summary(upload: UploadReport): string {
  const count = (s: UploadOutcome['status']) => upload.outcomes.filter((o) => o.status === s).length;
  const lines = [
    `uploaded into the raw archive: ${count('archived')} archived, ${count('present')} already there, ${count('refused')} refused` +
      (upload.ignored.length > 0 ? `, ${upload.ignored.length} ignored (not an input file name)` : ''),
  ];
  for (const o of upload.outcomes) if (o.status === 'refused') lines.push(`  refused ${o.rel}: ${o.reason}`);
  for (const f of upload.ignored.slice(0, 10)) lines.push(`  ignored ${f}`);
  return lines.join('\n');
}

export const uploadHistoryCommand: Command = {
  name: 'upload-history',
  summary: "put a folder of history into a deployment's raw archive and start one backfill",
  help: `Usage: npm run pulse -- upload-history --input DIR --bucket RAW_BUCKET --state-machine ARN [--region R]
       npm run pulse -- upload-history --input DIR --state STATE_DIR      (the local emulators)
         [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--no-backfill]

Uploads every input file of DIR (prices/, short-interest/, short-volume/, split-calendar/, splits.csv,
securities.csv: what \`pulse fetch --prices-from-git\` writes) into the raw archive of a deployment, under the
keys ingest archives received files under (raw/<source>/<date>/<file>; a file already there is not uploaded
again), then starts ONE backfill execution { "from", "to" }: it ingests the archived days from the archive
only, computes once and publishes every day (docs/operations.md, "Onboarding: a year of history").
Not through incoming/, where each file would start an execution of its own.

  --bucket, --state-machine   the stack outputs RawBucketName and StateMachineArn (AWS credentials from the
                              usual chain: AWS_PROFILE, AWS_REGION …)
  --state DIR                 a local state folder instead (as \`pulse run --state\`): the emulators are started
                              on it, the backfill route is walked locally, then the site is built
  --from, --to                the backfill's range (default: the first and last day with prices in DIR)
  --no-backfill               upload only`,
  async run(argv) {
    const { values } = parse(argv, {
      input: { type: 'string' },
      bucket: { type: 'string' },
      'state-machine': { type: 'string' },
      region: { type: 'string' },
      state: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'no-backfill': { type: 'boolean' },
    });
    if (typeof values.input !== 'string') throw new UsageError('--input DIR is required');
    const local = typeof values.state === 'string';
    if (local === (typeof values.bucket === 'string')) {
      throw new UsageError('give --state DIR (local emulators) or --bucket RAW_BUCKET (a deployment), one of them');
    }
    if (!local && values['no-backfill'] !== true && typeof values['state-machine'] !== 'string') {
      throw new UsageError('--state-machine ARN is required to start the backfill (or --no-backfill)');
    }
    const inputDir = path.resolve(values.input);
    if (historyFiles(inputDir).files.length === 0) {
      throw new UsageError(
        `nothing to upload: ${inputDir} holds no input file (prices/, short-interest/, short-volume/, split-calendar/, splits.csv, securities.csv)`,
      );
    }
    const from = isoDateOption(values.from, 'from');
    const to = isoDateOption(values.to, 'to');
    if (from !== undefined && to !== undefined && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
    let bar: ReturnType<typeof progress> | null = null;
    const onFile = (o: UploadOutcome & { rel: string }, _i: number, total: number) => {
      bar ??= progress(total, 'upload');
      bar.tick(`${o.rel} ${o.status}`);
    };
    if (local) {
      const result = await uploadHistoryLocal({
        inputDir,
        stateDir: path.resolve(values.state as string),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        backfill: values['no-backfill'] !== true,
        log: consoleLog,
        onFile,
      });
      (bar as ReturnType<typeof progress> | null)?.done();
      console.log(summary(result.upload));
      const execution = result.execution;
      if (execution) {
        const published = execution.steps.outputs.publish?.published.length ?? 0;
        console.log(
          `backfill ${execution.plan.dates[0] ?? '—'} … ${execution.plan.dates.at(-1) ?? '—'}: ${execution.plan.dates.length} day(s) ingested from the archive, ${published} snapshot(s) published`,
        );
        if (execution.plan.missing.length > 0) {
          console.log(
            `  ${execution.plan.missing.length} trading day(s) without archived prices (not computed): ${execution.plan.missing.slice(0, 10).join(', ')}${execution.plan.missing.length > 10 ? ' …' : ''}`,
          );
        }
        const refused = execution.ingests.filter((r) => r.skipped);
        for (const r of refused) console.log(`  ${r.date}: ${r.reason ?? 'skipped'}`);
      }
      if (result.site) console.log(`site: ${result.site.outDir}`);
      return result.upload.outcomes.some((o) => o.status === 'refused') ? 1 : 0;
    }
    const result = await uploadHistoryAws({
      inputDir,
      bucket: values.bucket as string,
      ...(typeof values['state-machine'] === 'string' && values['no-backfill'] !== true
        ? { stateMachineArn: values['state-machine'] }
        : {}),
      ...(typeof values.region === 'string' ? { region: values.region } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      log: consoleLog,
      onFile,
    });
    (bar as ReturnType<typeof progress> | null)?.done();
    console.log(summary(result.upload));
    if (result.executionArn) {
      console.log(`started the backfill ${JSON.stringify(result.input)}: ${result.executionArn}`);
      console.log('follow it in the Step Functions console; the trading days without archived prices are in its plan');
    }
    return result.upload.outcomes.some((o) => o.status === 'refused') ? 1 : 0;
  },
};
