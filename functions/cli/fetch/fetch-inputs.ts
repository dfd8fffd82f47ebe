/**
 * `pulse fetch`: downloads public data into the input-folder layout `pulse build` and `pulse run` read
 * (docs/data-formats.md, "Input folder"): FINRA's short interest files for every settlement date in range,
 * FINRA's Reg SHO daily files, Nasdaq's split calendar for each day, and today's screener snapshot when the
 * range includes today (past prices come from an archive: prices-from-git.ts). docs/fetch.md.
 *
 * Through the same providers the pipeline ingests with (functions/providers/), so a file fetched here is the
 * file the pipeline would have archived. Sequential and polite: one request at a time, the providers' contact
 * User-Agent, Retry-After honoured by the HTTP client. Resumable: a file already in the folder that parses
 * is not asked for again. Every file is checked with the project's parser before it is written; a refused
 * body is reported, never written where `pulse build` would read it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  addCalendarDays,
  isTradingDay,
  publicationDate,
  settlementDates,
  tradingDays,
} from '../../../shared/calendar.ts';
import type { IsoDate } from '../../../shared/domain.ts';
import {
  decodeText,
  FormatError,
  parseScreener,
  parseShortInterest,
  parseShortVolume,
} from '../../../shared/formats/index.ts';
import { parseSplitCalendar } from '../../../shared/formats/nasdaq-split-calendar.ts';
import { newYorkDate } from '../../lib/new-york-date.ts';
import { SHORT_INTEREST_PUBLICATION_LAG } from '../../providers/finra.ts';
import type { SourceProvider } from '../../providers/source-provider.ts';
import { writeFileAtomic } from '../atomic-write.ts';

/** The sources `pulse fetch` writes, in the order it asks for them, with their folder in the input layout. */
export const FETCH_SOURCES = ['short-interest', 'short-volume', 'split-calendar', 'prices'] as const;
export type FetchSource = (typeof FETCH_SOURCES)[number];

export const FETCH_FOLDERS: Readonly<Record<FetchSource, string>> = {
  'short-interest': 'short-interest',
  'short-volume': 'short-volume',
  'split-calendar': 'split-calendar',
  prices: 'prices',
};

/**
 * Short interest is asked for from this many calendar days before `from`, so the file in effect on the first
 * day (the previous settlement, at most about 16 days earlier) is in the folder too.
 */
export const SHORT_INTEREST_LEAD_DAYS = 20;

/** The screener's snapshot of a day is taken after the close: asked for from 16:15 New York time. */
const SCREENER_FROM_MINUTES = 16 * 60 + 15;

export type FetchStatus = 'fetched' | 'skipped' | 'not-yet-published' | 'refused' | 'failed' | 'not-asked';

export interface FetchItem {
  source: FetchSource;
  /** The file's date: the settlement date for short interest, the trading day otherwise. */
  date: IsoDate;
  status: FetchStatus;
  /** The files written (fetched) or found (skipped), relative to the output folder. */
  files: string[];
  /** Why it was not fetched, refused or failed; where it came from when fetched. */
  detail?: string;
}

export interface FetchSummary {
  out: string;
  from: IsoDate;
  to: IsoDate;
  items: FetchItem[];
  counts: Record<FetchSource, Record<FetchStatus, number>>;
}

export interface FetchProviders {
  shortInterest?: SourceProvider;
  shortVolume?: SourceProvider;
  splitCalendar?: SourceProvider;
  /** The Nasdaq screener: only ever today's snapshot. */
  screener?: SourceProvider;
}

export interface FetchInputsOptions {
  out: string;
  from: IsoDate;
  to: IsoDate;
  providers: FetchProviders;
  /** The current instant (tests fix it). */
  now: Date;
  /** Called once per planned file date, before asking (`index` from 1). */
  onItem?: (item: FetchItem, index: number, total: number) => void;
  signal?: AbortSignal;
}

interface Planned {
  source: FetchSource;
  date: IsoDate;
  provider: SourceProvider | undefined;
  /** Set when the file cannot be published yet: reported without a request. */
  notYet?: string;
}

/** Minutes since midnight in New York. */
function newYorkMinutes(instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** What `fetchInputs` will ask for, in order (exported for the command's dry run and tests). */
export function planFetch(from: IsoDate, to: IsoDate, providers: FetchProviders, now: Date): Planned[] {
  const today = newYorkDate(now);
  const last = to < today ? to : today;
  const plan: Planned[] = [];
  for (const s of settlementDates(addCalendarDays(from, -SHORT_INTEREST_LEAD_DAYS), last)) {
    // FINRA's "8th business day after settlement" counts the settlement day (functions/providers/finra.ts).
    const due = publicationDate(s, SHORT_INTEREST_PUBLICATION_LAG);
    plan.push({
      source: 'short-interest',
      date: s,
      provider: providers.shortInterest,
      ...(due > today
        ? { notYet: `FINRA publishes it on ${due} (its 8th business day, the settlement day counted)` }
        : {}),
    });
  }
  const days = from <= last ? tradingDays(from, last) : [];
  for (const d of days) plan.push({ source: 'short-volume', date: d, provider: providers.shortVolume });
  for (const d of days) plan.push({ source: 'split-calendar', date: d, provider: providers.splitCalendar });
  if (to >= today && from <= today && isTradingDay(today)) {
    plan.push({
      source: 'prices',
      date: today,
      provider: providers.screener,
      ...(newYorkMinutes(now) < SCREENER_FROM_MINUTES
        ? { notYet: "the screener's snapshot of the day is taken after the close (from 16:15 New York time)" }
        : {}),
    });
  }
  return plan;
}

/** Parses a file as `pulse build` would (the problem as text, or null when it reads). */
export function fileProblem(source: FetchSource, name: string, bytes: Uint8Array): string | null {
  try {
    const text = decodeText(bytes, name);
    if (source === 'short-interest') parseShortInterest(text, name);
    else if (source === 'short-volume') parseShortVolume(text, name);
    else if (source === 'split-calendar') parseSplitCalendar(text, name);
    else parseScreener(text, name);
    return null;
  } catch (error) {
    if (error instanceof FormatError) return error.message;
    throw error;
  }
}

function emptyCounts(): FetchSummary['counts'] {
  const row = (): Record<FetchStatus, number> => ({
    fetched: 0,
    skipped: 0,
    'not-yet-published': 0,
    refused: 0,
    failed: 0,
    'not-asked': 0,
  });
  return { 'short-interest': row(), 'short-volume': row(), 'split-calendar': row(), prices: row() };
}

/** The files of `expected` already in `dir` that parse: all of them, or null. */
function presentAndValid(source: FetchSource, dir: string, expected: readonly string[]): string[] | null {
  if (expected.length === 0) return null;
  for (const name of expected) {
    const file = path.join(dir, name);
    if (!existsSync(file)) return null;
    if (fileProblem(source, name, readFileSync(file)) !== null) return null;
  }
  return [...expected];
}

export async function fetchInputs(options: FetchInputsOptions): Promise<FetchSummary> {
  const out = path.resolve(options.out);
  const plan = planFetch(options.from, options.to, options.providers, options.now);
  const counts = emptyCounts();
  const items: FetchItem[] = [];
  /** A provider that failed for good is not asked again in this run (polite: no hammering a refusal). */
  const failed = new Map<string, string>();
  let index = 0;
  for (const p of plan) {
    index += 1;
    const dir = path.join(out, FETCH_FOLDERS[p.source]);
    const item = await fetchOne(p, dir, failed, options.signal);
    counts[p.source][item.status] += 1;
    items.push(item);
    options.onItem?.(item, index, plan.length);
  }
  return { out, from: options.from, to: options.to, items, counts };
}

async function fetchOne(
  p: Planned,
  dir: string,
  failed: Map<string, string>,
  signal: AbortSignal | undefined,
): Promise<FetchItem> {
  const base = { source: p.source, date: p.date };
  const folder = FETCH_FOLDERS[p.source];
  const rel = (name: string) => `${folder}/${name}`;
  if (p.provider === undefined)
    return { ...base, status: 'not-asked', files: [], detail: 'no provider for this source' };
  const expected = (await p.provider.expectedFiles?.(p.date)) ?? [];
  const present = presentAndValid(p.source, dir, expected);
  if (present !== null)
    return { ...base, status: 'skipped', files: present.map(rel), detail: 'already present and valid' };
  if (p.notYet !== undefined) return { ...base, status: 'not-yet-published', files: [], detail: p.notYet };
  const earlier = failed.get(p.provider.id);
  if (earlier !== undefined) {
    return {
      ...base,
      status: 'not-asked',
      files: [],
      detail: `${p.provider.id} failed earlier in this run (${earlier})`,
    };
  }
  let result: Awaited<ReturnType<SourceProvider['fetch']>>;
  try {
    result = await p.provider.fetch(p.date, signal);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    failed.set(p.provider.id, `${p.date}: ${reason}`);
    return { ...base, status: 'failed', files: [], detail: reason };
  }
  if (result.status === 'not-yet-available') {
    return { ...base, status: 'not-yet-published', files: [], detail: `${result.location}: ${result.reason}` };
  }
  for (const file of result.files) {
    const problem = fileProblem(p.source, file.name, file.bytes);
    if (problem !== null) {
      return { ...base, status: 'refused', files: [], detail: `${file.location}: ${problem} (not written)` };
    }
  }
  mkdirSync(dir, { recursive: true });
  for (const file of result.files) writeFileAtomic(path.join(dir, file.name), file.bytes);
  return {
    ...base,
    status: 'fetched',
    files: result.files.map((f) => rel(f.name)),
    detail: result.files.map((f) => f.location).join(', '),
  };
}

/** The closing summary, one line per source, then every file not fetched for a reason worth reading. */
export function formatFetchSummary(summary: FetchSummary, limit = 20): string {
  const lines = [`fetch ${summary.from} … ${summary.to} into ${summary.out}:`];
  for (const source of FETCH_SOURCES) {
    const c = summary.counts[source];
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    if (total === 0) continue;
    const parts = (Object.entries(c) as [FetchStatus, number][])
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status.replaceAll('-', ' ')}`);
    lines.push(`  ${source.padEnd(15)} ${parts.join(', ')}`);
  }
  const notable = summary.items.filter((i) => i.status !== 'fetched' && i.status !== 'skipped');
  for (const i of notable.slice(0, limit)) lines.push(`  ${i.source} ${i.date}: ${i.status} — ${i.detail ?? ''}`);
  if (notable.length > limit) lines.push(`  … ${notable.length - limit} more not fetched (--json lists them all)`);
  return lines.join('\n');
}
