import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Rejection } from '../../../shared/domain.ts';
import {
  checkDay,
  checkSanity,
  GATE_NAMES,
  type GateName,
  type GateViolation,
  gateViewAt,
  previousGateDay,
} from '../../../shared/gates/index.ts';
import { type EngineState, startBatch } from '../../../shared/methodology/index.ts';
import type { StockOutput } from '../../../shared/methodology/stocks.ts';
import { SAMPLE_MANIFEST_FILE } from '../../../shared/sample/index.ts';
import { assembleHistory, assembleSnapshot } from '../../../shared/snapshot/assemble.ts';
import { forClients } from '../../../shared/snapshot/published-schema.ts';
import { historyJsonSchema, snapshotJsonSchema } from '../../../shared/snapshot/schema.ts';
import {
  StockFileSchema,
  StockIndexSchema,
  stockFileName,
  stockIndexJsonSchema,
  stockJsonSchema,
} from '../../../shared/snapshot/stocks-schema.ts';
import { newYorkDate } from '../../lib/new-york-date.ts';
import { INPUT_HELP, INPUT_OPTIONS, inputPaths, isoDateOption, parse, UsageError } from '../args.ts';
import { writeFileAtomic } from '../atomic-write.ts';
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

function acceptGatesOption(value: unknown): GateName[] {
  if (value === undefined) return [];
  const names = String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    if (!(GATE_NAMES as readonly string[]).includes(name) || name === 'json-schema') {
      throw new UsageError(
        `--accept-gates takes gate names from ${GATE_NAMES.filter((g) => g !== 'json-schema').join(', ')}, got ${JSON.stringify(name)}`,
      );
    }
  }
  return names as GateName[];
}

function methodologyOption(value: unknown): 1 | 2 | 3 {
  if (value === undefined || value === '3') return 3;
  if (value === '2') return 2;
  if (value === '1') return 1;
  throw new UsageError(`--methodology must be 1, 2 or 3, got ${JSON.stringify(value)}`);
}

const INPUT_PATTERNS =
  'prices/YYYY-MM-DD.json[.gz], shrtYYYYMMDD*.csv[.gz], CNMSshvolYYYYMMDD.txt[.gz], split-calendar/splits-YYYY-MM-DD.json';
/** More ignored files than this are one line in the snapshot, not one rejection each. */
const IGNORED_LISTED = 10;

/**
 * The files an input folder holds that no pattern reads, as the snapshot reports them (issue 17): by their
 * path inside the input (never the operator's absolute path), and beyond IGNORED_LISTED as one line, so
 * 10,000 junk files do not become 10,000 "rejected rows". The terminal gets every one.
 */
export function ignoredFiles(files: readonly string[], root: string | null): Rejection[] {
  const inside = files.map((f) =>
    root !== null ? path.relative(root, f) : path.join(path.basename(path.dirname(f)), path.basename(f)),
  );
  if (inside.length <= IGNORED_LISTED) {
    return inside.map((name) => ({
      file: path.basename(name),
      line: 0,
      field: '*',
      reason: `not read: the name matches no input pattern (${INPUT_PATTERNS}) in ${path.dirname(name)}/`,
    }));
  }
  return [
    {
      file: '(input folder)',
      line: 0,
      field: '*',
      reason: `${inside.length.toLocaleString('en-US')} files not read: their names match no input pattern (${INPUT_PATTERNS}); first: ${inside.slice(0, 3).join(', ')}`,
    },
  ];
}

/** Exit code when a sanity gate refuses the snapshot (docs/reliability.md). */
export const EXIT_REFUSED = 2;

export const buildCommand: Command = {
  name: 'build',
  summary: 'compute the snapshot (methodology v3, or v2/v1 with --methodology 2|1) from an input folder',
  help: `Usage: npm run pulse -- build [input options] --out DIR [--as-of YYYY-MM-DD] [--sample]

Reads the input, applies the methodology (docs/methodology.md) and writes
  OUT/data/latest.json and OUT/data/snapshots/<asOf>.json   the snapshot (identical content)
  OUT/data/history.json                                      1d and YTD group figures of every counted day
  OUT/data/schema/snapshot.v1.json, history.v1.json          JSON Schemas of both
  OUT/data/stocks/<SYMBOL>.json, stocks/index.json            every stock with short interest in the year:
                                                             its daily series and figures (--no-stocks: not)

${INPUT_HELP}
  --out DIR              output folder (created)
  --as-of YYYY-MM-DD     compute as of the last accepted trading day on or before this date (default: the last one)
  --sample               label the output as sample data (automatic when the input holds ${SAMPLE_MANIFEST})
  --workers N|auto       threads that read and parse price files ahead of the engine; 0 = all on one
                         thread (default auto: ${AUTO_WORKERS_HELP})
  --accept-gates G,…     publish even though these sanity gates trip (after checking the day by hand)
  --methodology 1|2|3    the rules to apply (default 3: FINRA's R revisions and class-share spellings
                         joined, FINRA's split flags, tiers as of A; 2 and 1 reproduce v2 and v1 exactly)

The snapshot goes through the same sanity gates as the pipeline's publish step (shared/gates,
docs/reliability.md), against the accepted day before it. When a gate refuses it, nothing under
OUT/data is replaced: the refused snapshot is written to OUT/refused/<asOf>.json, every violation is
printed, and the exit code is ${EXIT_REFUSED}. Values rule 11 quarantines are listed in dataQuality.quarantined.`,
  async run(argv) {
    const { values } = parse(argv, {
      ...INPUT_OPTIONS,
      out: { type: 'string' },
      'as-of': { type: 'string' },
      sample: { type: 'boolean' },
      workers: { type: 'string' },
      'accept-gates': { type: 'string' },
      methodology: { type: 'string' },
      'no-stocks': { type: 'boolean' },
    });
    if (typeof values.out !== 'string') throw new UsageError('--out DIR is required');
    const withStocks = values['no-stocks'] !== true;
    const asOf = isoDateOption(values['as-of'], 'as-of');
    const workers = workersOption(values.workers);
    const acceptGates = acceptGatesOption(values['accept-gates']);
    const methodology = methodologyOption(values.methodology);
    const paths = inputPaths(values);
    if (!paths.prices) throw new UsageError('no price snapshots: give --input DIR (with prices/) or --prices DIR');

    const started = performance.now();
    let bar: ReturnType<typeof progress> | null = null;
    const input = openInput(paths, {
      today: newYorkDate(new Date()),
      ...(asOf ? { asOf } : {}),
      onFile: (file, _i, total) => {
        bar ??= progress(total, 'read');
        bar.tick(file);
      },
      workers,
    });
    // The figure gates on every day folded, against the day before it, as the pipeline's publish step
    // runs them day by day (issue 17): a bad day in the middle of the year refuses the build too.
    const dayViolations: GateViolation[] = [];
    const dayAcknowledged: GateViolation[] = [];
    // The day before is read as it stands now (`previousGateDay`: a split released today restates it), as
    // the pipeline compares with the republished snapshot.
    const gateEachDay = (state: EngineState) => {
      const view = gateViewAt(state);
      if (view === null) return;
      const r = checkDay(previousGateDay(state), view, { acknowledge: acceptGates });
      dayViolations.push(...r.violations);
      dayAcknowledged.push(...r.acknowledged);
    };
    // One day at a time: each day's rows are garbage once the engine has stepped it.
    const fold = startBatch({
      shortInterest: input.shortInterest,
      splits: input.splits,
      methodology,
      securities: input.securities,
      ...(asOf ? { asOf } : {}),
      onAccepted: gateEachDay,
      stocks: withStocks,
    });
    let days = 0;
    for await (const day of input.priceDays()) {
      fold.add(day);
      days += 1;
    }
    (bar as ReturnType<typeof progress> | null)?.done();
    if (days === 0) throw new Error(`no usable price snapshot in ${paths.prices}`);
    const { body, history, state, stocks } = fold.finish();
    const files = input.files();
    // Nothing dropped silently: a file whose name matches no input pattern is reported, not just skipped.
    const ignored = ignoredFiles(input.ignored, paths.root);
    for (const f of input.ignored) console.error(`warning: ${f}: not read: the name matches no input pattern`);
    // Generated short interest marks itself (GENERATED_COLUMN): whatever is built on it is sample data.
    const generatedSi = input.shortInterest.filter((f) => f.generated === true);
    const sample =
      values.sample === true ||
      (paths.root !== null && existsSync(path.join(paths.root, SAMPLE_MANIFEST))) ||
      generatedSi.length > 0;
    const generatedAt = new Date().toISOString();
    const snapshot = assembleSnapshot(body, {
      generatedAt,
      sample,
      sources: files.sources,
      rejections: [...files.rejections, ...ignored],
    });
    const historyDoc = assembleHistory(history, { generatedAt, sample, methodologyVersion: methodology });

    const last = checkSanity(previousGateDay(state), snapshot, { acknowledge: acceptGates });
    // A's own figure gates are `last`'s (with the schema gate); the days before A come from the fold.
    const earlier = (vs: GateViolation[]) => vs.filter((v) => v.date !== snapshot.asOf);
    const gates = {
      ok: last.ok && earlier(dayViolations).length === 0,
      violations: [...earlier(dayViolations), ...last.violations],
      acknowledged: [...earlier(dayAcknowledged), ...last.acknowledged],
      comparedWith: last.comparedWith,
    };
    for (const v of gates.acknowledged) console.error(`warning: gate accepted by --accept-gates: ${v.message}`);
    if (!gates.ok) {
      const acceptable = [...new Set(gates.violations.map((v) => v.gate))].filter((g) => g !== 'json-schema');
      const refusedDir = path.join(path.resolve(values.out), 'refused');
      mkdirSync(refusedDir, { recursive: true });
      const refusedFile = path.join(refusedDir, `${snapshot.asOf}.json`);
      writeFileAtomic(refusedFile, `${JSON.stringify(snapshot, null, 1)}\n`);
      console.error(
        [
          `refused: the snapshot as of ${snapshot.asOf} fails ${gates.violations.length} sanity gate check(s)${gates.comparedWith ? ` (compared with ${gates.comparedWith})` : ''}:`,
          ...gates.violations.map((v) => `  ${v.message}`),
          `nothing under ${path.join(path.resolve(values.out), 'data')} was replaced; the refused snapshot is in ${refusedFile}`,
          acceptable.length > 0
            ? `after checking the day by hand: --accept-gates ${acceptable.join(',')}`
            : 'the json-schema gate cannot be accepted: the snapshot itself is malformed (a bug to report)',
        ].join('\n'),
      );
      return EXIT_REFUSED;
    }

    const dataDir = path.join(path.resolve(values.out), 'data');
    mkdirSync(path.join(dataDir, 'snapshots'), { recursive: true });
    mkdirSync(path.join(dataDir, 'schema'), { recursive: true });
    const json = `${JSON.stringify(snapshot, null, 1)}\n`;
    // Each file to a temporary name, then renamed (issue 17: a full disk never truncates a good file).
    writeFileAtomic(path.join(dataDir, 'snapshots', `${snapshot.asOf}.json`), json);
    writeFileAtomic(path.join(dataDir, 'history.json'), `${JSON.stringify(historyDoc, null, 1)}\n`);
    writeFileAtomic(
      path.join(dataDir, 'schema', 'snapshot.v1.json'),
      `${JSON.stringify(forClients(snapshotJsonSchema(), 'snapshot.v1.json'), null, 2)}\n`,
    );
    writeFileAtomic(
      path.join(dataDir, 'schema', 'history.v1.json'),
      `${JSON.stringify(forClients(historyJsonSchema(), 'history.v1.json'), null, 2)}\n`,
    );
    const stockCount = stocks ? writeStocks(dataDir, stocks, { generatedAt, sample }) : 0;
    // latest.json last, so a reader never sees a latest that points past what is written.
    writeFileAtomic(path.join(dataDir, 'latest.json'), json);

    const ytd = snapshot.windows.ytd.groups.total;
    const dq = snapshot.dataQuality;
    console.log(
      [
        `as of ${snapshot.asOf}${sample ? ' (sample data)' : ''}: ${dq.acceptedDays} accepted days, ${dq.rejectedDays.length} rejected, ${dq.splits.length} splits, ${dq.pendingSplits.length} pending, ${dq.rejectedRows} rejected rows, ${dq.quarantined.length} quarantined`,
        ...(generatedSi.length > 0 && values.sample !== true
          ? [
              `  sample data: the short interest is generated (${generatedSi
                .flatMap((f) => f.files)
                .slice(0, 3)
                .join(', ')}${generatedSi.length > 3 ? ', …' : ''})`,
            ]
          : []),
        `ytd total: pnl ${ytd.pnlUsd === null ? '—' : `$${(ytd.pnlUsd / 1e9).toFixed(2)}B`}, ${ytd.pnlPct === null ? '—' : `${ytd.pnlPct.toFixed(2)}%`} of average short interest`,
        ...dq.rejectedDays.map((d) => `  rejected day ${d.date} (${d.file}): ${d.reason}`),
        ...dq.quarantined
          .slice(0, 20)
          .map((q) => `  quarantined ${q.date} ${q.symbol} (${q.file}, field ${q.field}, rule ${q.rule}): ${q.reason}`),
        ...(dq.quarantined.length > 20
          ? [`  … and ${dq.quarantined.length - 20} more quarantined (dataQuality.quarantined)`]
          : []),
        `wrote ${path.relative(process.cwd(), dataDir) || dataDir}/latest.json, snapshots/${snapshot.asOf}.json, history.json${stocks ? `, stocks/ (${stockCount} stocks)` : ''} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      ].join('\n'),
    );
    return 0;
  },
};

/**
 * Issue 19: `stocks/<SYMBOL>.json` for every stock with short interest in the year, `stocks/index.json` and their
 * JSON Schemas, each checked against its schema first (a file that does not match is a bug: the build stops).
 * Compact JSON: a year of one stock is its columnar series, a few kilobytes.
 */
function writeStocks(dataDir: string, stocks: StockOutput, meta: { generatedAt: string; sample: boolean }): number {
  const dir = path.join(dataDir, 'stocks');
  mkdirSync(dir, { recursive: true });
  for (const stock of stocks.stocks) {
    const file = StockFileSchema.parse({ ...stock, ...meta });
    writeFileAtomic(path.join(dir, stockFileName(file.symbol)), `${JSON.stringify(file)}\n`);
  }
  const first = stocks.stocks[0];
  const index = StockIndexSchema.parse({
    schemaVersion: 1,
    methodologyVersion: first?.methodologyVersion ?? 3,
    asOf: first?.asOf ?? '',
    ...meta,
    stocks: stocks.index,
  });
  writeFileAtomic(path.join(dir, 'index.json'), `${JSON.stringify(index)}\n`);
  writeFileAtomic(
    path.join(dataDir, 'schema', 'stock.v1.json'),
    `${JSON.stringify(forClients(stockJsonSchema(), 'stock.v1.json'), null, 2)}\n`,
  );
  writeFileAtomic(
    path.join(dataDir, 'schema', 'stocks-index.v1.json'),
    `${JSON.stringify(forClients(stockIndexJsonSchema(), 'stocks-index.v1.json'), null, 2)}\n`,
  );
  return stocks.stocks.length;
}
