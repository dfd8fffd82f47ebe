import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBatch } from '../../../shared/methodology/index.ts';
import { SAMPLE_MANIFEST_FILE } from '../../../shared/sample/index.ts';
import { assembleHistory, assembleSnapshot } from '../../../shared/snapshot/assemble.ts';
import { historyJsonSchema, snapshotJsonSchema } from '../../../shared/snapshot/schema.ts';
import { INPUT_HELP, INPUT_OPTIONS, inputPaths, isoDateOption, parse, UsageError } from '../args.ts';
import { AUTO_WORKERS_HELP, openInput } from '../input-folder.ts';
import { progress } from '../progress.ts';
import type { Command } from './types.ts';

/** Written by `pulse sample` beside the data it generates; its presence marks the input as sample data. */
const SAMPLE_MANIFEST = SAMPLE_MANIFEST_FILE;

function workersOption(value: unknown): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) > 16) {
    throw new UsageError(`--workers must be auto or a whole number from 0 to 16, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'compute the snapshot (methodology v1) from an input folder',
  help: `Usage: npm run pulse -- build [input options] --out DIR [--as-of YYYY-MM-DD] [--sample]

Reads the input, applies the methodology (docs/methodology.md) and writes
  OUT/data/latest.json and OUT/data/snapshots/<asOf>.json   the snapshot (identical content)
  OUT/data/history.json                                      1d and YTD group figures of every counted day
  OUT/data/schema/snapshot.v1.json, history.v1.json          JSON Schemas of both

${INPUT_HELP}
  --out DIR              output folder (created)
  --as-of YYYY-MM-DD     compute as of the last accepted trading day on or before this date (default: the last one)
  --sample               label the output as sample data (automatic when the input holds ${SAMPLE_MANIFEST})
  --workers N|auto       threads that read and parse price files ahead of the engine; 0 = all on one
                         thread (default auto: ${AUTO_WORKERS_HELP})`,
  async run(argv) {
    const { values } = parse(argv, {
      ...INPUT_OPTIONS,
      out: { type: 'string' },
      'as-of': { type: 'string' },
      sample: { type: 'boolean' },
      workers: { type: 'string' },
    });
    if (typeof values.out !== 'string') throw new UsageError('--out DIR is required');
    const asOf = isoDateOption(values['as-of'], 'as-of');
    const workers = workersOption(values.workers);
    const paths = inputPaths(values);
    if (!paths.prices) throw new UsageError('no price snapshots: give --input DIR (with prices/) or --prices DIR');

    const started = performance.now();
    let bar: ReturnType<typeof progress> | null = null;
    const input = openInput(paths, {
      onFile: (file, _i, total) => {
        bar ??= progress(total, 'read');
        bar.tick(file);
      },
      workers,
    });
    // One day at a time: each day's rows are garbage once the engine has stepped it.
    const fold = startBatch({ shortInterest: input.shortInterest, splits: input.splits, ...(asOf ? { asOf } : {}) });
    let days = 0;
    for await (const day of input.priceDays()) {
      fold.add(day);
      days += 1;
    }
    (bar as ReturnType<typeof progress> | null)?.done();
    if (days === 0) throw new Error(`no usable price snapshot in ${paths.prices}`);
    const { body, history } = fold.finish();
    const files = input.files();
    const sample =
      values.sample === true || (paths.root !== null && existsSync(path.join(paths.root, SAMPLE_MANIFEST)));
    const generatedAt = new Date().toISOString();
    const snapshot = assembleSnapshot(body, {
      generatedAt,
      sample,
      sources: files.sources,
      rejections: files.rejections,
    });
    const historyDoc = assembleHistory(history, { generatedAt, sample });

    const dataDir = path.join(path.resolve(values.out), 'data');
    mkdirSync(path.join(dataDir, 'snapshots'), { recursive: true });
    mkdirSync(path.join(dataDir, 'schema'), { recursive: true });
    const json = `${JSON.stringify(snapshot, null, 1)}\n`;
    writeFileSync(path.join(dataDir, 'snapshots', `${snapshot.asOf}.json`), json);
    writeFileSync(path.join(dataDir, 'history.json'), `${JSON.stringify(historyDoc, null, 1)}\n`);
    writeFileSync(
      path.join(dataDir, 'schema', 'snapshot.v1.json'),
      `${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`,
    );
    writeFileSync(path.join(dataDir, 'schema', 'history.v1.json'), `${JSON.stringify(historyJsonSchema(), null, 2)}\n`);
    // latest.json last, so a reader never sees a latest that points past what is written.
    writeFileSync(path.join(dataDir, 'latest.json'), json);

    const ytd = snapshot.windows.ytd.groups.total;
    const dq = snapshot.dataQuality;
    console.log(
      [
        `as of ${snapshot.asOf}${sample ? ' (sample data)' : ''}: ${dq.acceptedDays} accepted days, ${dq.rejectedDays.length} rejected, ${dq.splits.length} splits, ${dq.pendingSplits.length} pending, ${dq.rejectedRows} rejected rows`,
        `ytd total: pnl ${ytd.pnlUsd === null ? '—' : `$${(ytd.pnlUsd / 1e9).toFixed(2)}B`}, ${ytd.pnlPct === null ? '—' : `${ytd.pnlPct.toFixed(2)}%`} of average short interest`,
        ...dq.rejectedDays.map((d) => `  rejected day ${d.date} (${d.file}): ${d.reason}`),
        `wrote ${path.relative(process.cwd(), dataDir) || dataDir}/latest.json, snapshots/${snapshot.asOf}.json, history.json (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      ].join('\n'),
    );
    return 0;
  },
};
