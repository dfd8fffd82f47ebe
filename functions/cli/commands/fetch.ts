import path from 'node:path';
import type { IsoDate } from '../../../shared/domain.ts';
import { newYorkDate } from '../../lib/new-york-date.ts';
import { createProviders, type ProviderId, readProvidersConfig } from '../../providers/config.ts';
import type { SourceProvider } from '../../providers/source-provider.ts';
import { isoDateOption, parse, UsageError } from '../args.ts';
import { fetchInputs, formatFetchSummary } from '../fetch/fetch-inputs.ts';
import type { DayOutcome, PriceHistorySummary } from '../fetch/price-history.ts';
import { pricesFromFolder } from '../fetch/prices-from-folder.ts';
import { pricesFromGit } from '../fetch/prices-from-git.ts';
import { progress } from '../progress.ts';
import type { Command } from './types.ts';

export const fetchCommand: Command = {
  name: 'fetch',
  summary: 'download FINRA short interest, Reg SHO, the split calendar and prices into an input folder',
  help: `Usage: npm run pulse -- fetch --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                           [--prices-from-git REPO | --prices-from DIR] [--contact EMAIL_OR_URL] [--json]

Downloads into DIR in the input-folder layout \`pulse build\` and \`pulse run\` read (docs/fetch.md):
  short-interest/shrtYYYYMMDD.csv      FINRA, every settlement date from 20 days before --from to --to
                                       (the file in effect on the first day), from its 8th business day
  short-volume/CNMSshvolYYYYMMDD.txt   FINRA Reg SHO, every trading day in range
  split-calendar/splits-YYYY-MM-DD.json  Nasdaq's split calendar, every trading day in range
  prices/YYYY-MM-DD.json               today's Nasdaq screener snapshot, when the range includes today
                                       (after 16:15 New York time)
Past prices: no public API serves them. --prices-from-git REPO reads a git archive of nightly screener
snapshots (a URL or a local clone; per-exchange files nasdaq/, nyse/, amex/), --prices-from DIR a folder of
saved snapshots YYYY-MM-DD.json[.gz]. A day without one is reported, never invented.

Resumable: a file already in DIR that parses is not asked for again. Polite: one request at a time, a
User-Agent naming the project and your contact (--contact or PULSE_CONTACT), Retry-After honoured.
Network settings as the pipeline's (docs/operations.md): PULSE_CONTACT, NASDAQ_USER_AGENT, FINRA_BASE_URL,
NASDAQ_BASE_URL, HTTP_TIMEOUT_MS, HTTP_MAX_ATTEMPTS, HTTP_MAX_BYTES.

  --from DATE   first trading day (default: January 1st of --to's year)
  --to DATE     last day (default: today in New York)
  --json        print the summary as JSON (every file's outcome)

Then: npm start -- --input DIR   (or npm run pulse -- build --input DIR --out OUT)
Exit codes: 0 when nothing failed or was refused (files not yet published are not failures), 1 otherwise.`,
  async run(argv) {
    const { values } = parse(argv, {
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'prices-from-git': { type: 'string' },
      'prices-from': { type: 'string' },
      contact: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (typeof values.out !== 'string') throw new UsageError('--out DIR is required');
    if (values['prices-from-git'] !== undefined && values['prices-from'] !== undefined) {
      throw new UsageError('give --prices-from-git or --prices-from, not both');
    }
    const now = new Date();
    const today = newYorkDate(now);
    const to = isoDateOption(values.to, 'to') ?? today;
    const from = isoDateOption(values.from, 'from') ?? (`${to.slice(0, 4)}-01-01` as IsoDate);
    if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
    const out = path.resolve(values.out);
    const env = { ...process.env, ...(typeof values.contact === 'string' ? { PULSE_CONTACT: values.contact } : {}) };
    const config = readProvidersConfig({
      ...env,
      PROVIDERS: 'finra-short-interest,finra-short-volume,nasdaq-screener,nasdaq-split-calendar',
    });
    const byId = new Map<string, SourceProvider>();
    for (const p of createProviders(config, () => new Date())) byId.set(p.id, p);
    const provider = (id: ProviderId) => byId.get(id);

    let bar: ReturnType<typeof progress> | null = null;
    const summary = await fetchInputs({
      out,
      from,
      to,
      now,
      providers: {
        ...optional('shortInterest', provider('finra-short-interest')),
        ...optional('shortVolume', provider('finra-short-volume')),
        ...optional('splitCalendar', provider('nasdaq-split-calendar')),
        ...optional('screener', provider('nasdaq-screener')),
      },
      onItem: (item, _index, total) => {
        bar ??= progress(total, 'fetch');
        bar.tick(`${item.source} ${item.date} ${item.status}`);
      },
    });
    (bar as ReturnType<typeof progress> | null)?.done();
    // Past prices (issue 18): from a git archive of nightly snapshots or a folder of saved ones.
    let history: PriceHistorySummary | null = null;
    let historyBar: ReturnType<typeof progress> | null = null;
    const onProgress = (day: string, _i: number, total: number, outcome: DayOutcome) => {
      historyBar ??= progress(total, 'prices');
      historyBar.tick(`${day} ${outcome.kind}`);
    };
    if (typeof values['prices-from-git'] === 'string') {
      history = await pricesFromGit({ repo: values['prices-from-git'], from, to, outDir: out, onProgress });
    } else if (typeof values['prices-from'] === 'string') {
      history = pricesFromFolder({ dir: path.resolve(values['prices-from']), from, to, outDir: out, onProgress });
    }
    (historyBar as ReturnType<typeof progress> | null)?.done();
    const failures =
      summary.items.filter((i) => i.status === 'failed' || i.status === 'refused').length + (history?.refused ?? 0);
    if (values.json) {
      console.log(JSON.stringify(history ? { ...summary, priceHistory: history } : summary, null, 2));
    } else {
      console.log(formatFetchSummary(summary));
      if (history) console.log(formatHistory(history));
    }
    if (!values.json) {
      console.log(`\nNext: npm start -- --input ${path.relative(process.cwd(), out) || '.'}`);
    }
    return failures > 0 ? 1 : 0;
  },
};

function optional<K extends string>(key: K, value: SourceProvider | undefined): Partial<Record<K, SourceProvider>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, SourceProvider>);
}

/** The price history's lines: counts, then each day not written for a reason worth reading. */
function formatHistory(h: PriceHistorySummary, limit = 20): string {
  const lines = [
    `  past prices     ${h.written} written, ${h.skipped} already present, ${h.missing} missing (no snapshot that night), ${h.refused} refused — sources in ${path.basename(h.manifest)}`,
  ];
  const notable = h.days.filter((d) => d.kind === 'missing' || d.kind === 'refused');
  for (const d of notable.slice(0, limit)) {
    lines.push(
      d.kind === 'missing'
        ? `  prices ${d.day}: missing — ${d.reason}`
        : `  prices ${d.day}: refused — ${d.problems.map((p) => `${p.file}${p.commit ? ` @${p.commit.slice(0, 10)}` : ''}: ${p.reason}`).join('; ')}`,
    );
  }
  if (notable.length > limit) lines.push(`  … ${notable.length - limit} more days not written (--json lists them all)`);
  return lines.join('\n');
}
