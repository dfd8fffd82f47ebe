import { laterSnapshotsOfADay } from '../../lib/input-names.ts';
import { newYorkDate } from '../../lib/new-york-date.ts';
import { INPUT_HELP, INPUT_OPTIONS, inputPaths, parse } from '../args.ts';
import { loadInput } from '../input-folder.ts';
import { progress } from '../progress.ts';
import type { Command } from './types.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'parse every input file and report files, rows and rejections',
  help: `Usage: npm run pulse -- validate [input options] [--json] [--max-rejections N]

Parses every file of the input and prints, per kind, how many files and rows were read, which files were
refused as a whole and every rejected row (file, line, field, reason). Exits 1 when a file was refused.

${INPUT_HELP}
  --json                 print the report as JSON
  --max-rejections N     print at most N rejected rows (default 50; all are counted)`,
  async run(argv) {
    const { values } = parse(argv, {
      ...INPUT_OPTIONS,
      json: { type: 'boolean' },
      'max-rejections': { type: 'string' },
    });
    const paths = inputPaths(values);
    let bar: ReturnType<typeof progress> | null = null;
    const input = loadInput(paths, {
      today: newYorkDate(new Date()),
      onFile: (file, _i, total) => {
        bar ??= progress(total, 'validate');
        bar.tick(file);
      },
    });
    (bar as ReturnType<typeof progress> | null)?.done();

    const rowRejections = input.rejections.filter((r) => r.line > 0);
    // Issue 17: the same day twice (`.json` and `.json.gz`) is said here too; build's rule 2 rejects the
    // second as a duplicate and `pulse run` reads only the first.
    const duplicateDays = laterSnapshotsOfADay(input.priceDays.map((d) => d.file));
    const report = {
      prices: {
        files: input.priceDays.length + input.refusals.filter((r) => r.kind === 'prices').length,
        days: input.priceDays.length,
        firstDay: input.priceDays[0]?.date ?? null,
        lastDay: input.priceDays.at(-1)?.date ?? null,
        rows: input.priceDays.reduce((n, d) => n + d.rows.length, 0),
      },
      shortInterest: {
        settlementDates: input.shortInterest.map((f) => f.settlementDate),
        files: input.shortInterest.flatMap((f) => f.files),
        symbols: input.shortInterest.reduce((n, f) => n + f.shares.size, 0),
      },
      shortVolume: {
        files: input.shortVolume.length,
        rows: input.shortVolume.reduce((n, f) => n + f.records.length, 0),
      },
      // What rule 3(c) applies: splits.csv's rows and the split calendar's entries not superseded by one.
      splits: input.splits.length,
      splitCalendar: {
        files: input.splitCalendar.days.length,
        entries: input.splitCalendar.entries.length,
        superseded: input.splitCalendar.superseded,
      },
      refusedFiles: input.refusals,
      rejectedRows: rowRejections.length,
      rejections: rowRejections,
      ignoredFiles: input.ignored,
      duplicateDays,
    };
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return input.refusals.length > 0 ? 1 : 0;
    }
    const max = Number(values['max-rejections'] ?? 50);
    const lines = [
      `prices:         ${report.prices.days} days parsed (${report.prices.firstDay ?? '-'} … ${report.prices.lastDay ?? '-'}), ${report.prices.rows} rows`,
      `short interest: ${report.shortInterest.settlementDates.length} settlement dates from ${report.shortInterest.files.length} files, ${report.shortInterest.symbols} symbol rows`,
      `short volume:   ${report.shortVolume.files} files, ${report.shortVolume.rows} rows (trailer counts checked)`,
      `splits:         ${report.splits} explicit splits (splits.csv and split calendar)`,
      ...(paths.splitCalendar
        ? [
            `split calendar: ${report.splitCalendar.files} days, ${report.splitCalendar.entries} splits of their day` +
              (report.splitCalendar.superseded.length > 0
                ? `, ${report.splitCalendar.superseded.length} superseded by splits.csv`
                : ''),
          ]
        : []),
      `refused files:  ${input.refusals.length}`,
      ...input.refusals.map((r) => `  ${r.kind}: ${r.message}`),
      `rejected rows:  ${rowRejections.length}`,
      // A screener snapshot is one JSON value: its rejections are rows of its rows array, not lines (issue 21).
      ...rowRejections
        .slice(0, max)
        .map(
          (r) =>
            `  ${r.file} ${/\.json(?:\.gz)?$/i.test(r.file) ? 'row' : 'line'} ${r.line}, field ${r.field}: ${r.reason}`,
        ),
      ...(rowRejections.length > max ? [`  … ${rowRejections.length - max} more (--max-rejections N or --json)`] : []),
      ...duplicateDays.map(
        (d) =>
          `duplicate day:  ${d.file} is another snapshot of ${d.date} (${d.first} comes first): only the first is used (rule 2)`,
      ),
      ...(report.prices.days > 0 && report.shortInterest.settlementDates.length === 0
        ? [
            'warning:        no short interest file: every P&L, exposure and short interest figure would be 0 (add short-interest/shrtYYYYMMDD.csv: npm run pulse -- fetch)',
          ]
        : []),
      ...(input.ignored.length ? [`ignored files:  ${input.ignored.length} (names outside the input convention)`] : []),
      ...input.ignored.slice(0, 10).map((f) => `  ${f}`),
    ];
    console.log(lines.join('\n'));
    return input.refusals.length > 0 ? 1 : 0;
  },
};
