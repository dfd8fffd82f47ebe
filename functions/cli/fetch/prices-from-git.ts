/**
 * Price history from a git archive of the Nasdaq screener (issue 18, item 2). No public API serves past
 * screener snapshots, but public archives commit the whole-market table every night, one file per exchange
 * (github.com/rreichel3/US-Stock-Symbols: a GitHub Actions cron at 00:00 UTC, i.e. 19:00/20:00 in New York
 * the same evening, writes `.data.rows` of api.nasdaq.com's screener to `nasdaq/nasdaq_full_tickers.json`,
 * `nyse/…` and `amex/…`). For each trading day this takes the last commit of that night, merges its three
 * files into one snapshot in the API's shape and writes `<outDir>/prices/<day>.json.gz`, never inventing a
 * day the archive does not have. The git command line is the only git used (execFile, no shell).
 * docs/data-formats.md, "Price history from a git archive".
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { addCalendarDays, previousTradingDay } from '../../../shared/calendar.ts';
import type { IsoDate } from '../../../shared/domain.ts';
import { decodeText } from '../../../shared/formats/decode.ts';
import { FormatError } from '../../../shared/formats/errors.ts';
import { readJsonBody } from '../../../shared/formats/text.ts';
import {
  blockingProblem,
  type DayOutcome,
  type DayProblem,
  type DaySource,
  existingDay,
  PriceHistoryError,
  type PriceHistoryProgress,
  type PriceHistorySummary,
  rangeDays,
  SourceManifest,
  summarise,
  writeSnapshot,
} from './price-history.ts';

/**
 * The archive's per-exchange files, in the order their rows are merged: NASDAQ, NYSE, AMEX (the order of the
 * shared 2024 files). A symbol in two files keeps its first row; `parseScreener` rejects the later one.
 */
export const ARCHIVE_EXCHANGES = [
  { exchange: 'NASDAQ', path: 'nasdaq/nasdaq_full_tickers.json' },
  { exchange: 'NYSE', path: 'nyse/nyse_full_tickers.json' },
  { exchange: 'AMEX', path: 'amex/amex_full_tickers.json' },
] as const;

/** The night of a day D runs from D 16:00 (the close) to D+1 09:30 (the next open), New York time. */
export const NIGHT_START = '16:00';
export const NIGHT_END = '09:30';
const NIGHT_START_MINUTES = 16 * 60;
const NIGHT_END_MINUTES = 9 * 60 + 30;

/**
 * Days whose files a partial clone fetches in one request before reading them. Without it git fetches each
 * missing file on its own when it is read: a year of a local file:// archive took 187 s instead of 47 s.
 */
const PREFETCH_DAYS = 25;

/** Git's output limit per command: a real exchange file is about 1 MB, a year's log a few hundred KB. */
const MAX_GIT_OUTPUT = 256 * 1024 * 1024;

/** An instant on New York's wall clock. */
export interface NewYorkTime {
  date: IsoDate;
  /** Minutes since midnight, 0–1439. */
  minutes: number;
  /** `2024-01-02T21:00:00-05:00`. */
  iso: string;
}

// Built on first use, as in functions/lib/new-york-date.ts: the first time-zone formatter loads ICU's zone data.
let wallClock: Intl.DateTimeFormat | undefined;

const pad = (n: number) => String(n).padStart(2, '0');

/** The New York wall-clock time of a unix time in seconds (git's `%ct`). */
export function newYorkTime(unixSeconds: number): NewYorkTime {
  wallClock ??= new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const p of wallClock.formatToParts(new Date(unixSeconds * 1000))) {
    if (p.type !== 'literal') part[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = part;
  const date = `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
  const offset = Math.round((Date.UTC(year, month - 1, day, hour, minute, second) - unixSeconds * 1000) / 60_000);
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return { date, minutes: hour * 60 + minute, iso: `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}${zone}` };
}

/**
 * The calendar day whose night an instant falls in: D when it is in [D 16:00, D+1 09:30) New York time
 * (16:00:00 is in, 09:30:00 is out), null in the daytime. Not checked against the trading calendar: a Saturday
 * evening is Saturday's night, which belongs to no trading day.
 */
export function nightOf(unixSeconds: number): IsoDate | null {
  const t = newYorkTime(unixSeconds);
  if (t.minutes >= NIGHT_START_MINUTES) return t.date;
  if (t.minutes < NIGHT_END_MINUTES) {
    const [y, m, d] = t.date.split('-').map(Number);
    return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) - 1)).toISOString().slice(0, 10);
  }
  return null;
}

export interface PricesFromGitOptions {
  /**
   * The archive: a path to a local clone (bare or not; read in place, never fetched), or a URL
   * (`https://github.com/rreichel3/US-Stock-Symbols`, `file:///…`), cloned bare with `--filter=blob:none`
   * into `cacheDir` on the first run (commits and trees only; each file read is fetched on demand) and
   * fetched on later runs.
   */
  repo: string;
  /** First and last day of the range (inclusive); only trading days are fetched. */
  from: IsoDate;
  to: IsoDate;
  /** The input folder to fill: snapshots go to `<outDir>/prices/`, the manifest to `<outDir>/prices-source.json`. */
  outDir: string;
  /** The git binary (default `git` from PATH). */
  git?: string;
  /** Where a URL is cloned (default `<outDir>/.cache/git`, hidden from every input reader); one bare clone per URL. */
  cacheDir?: string;
  /** The history to read (default `HEAD`, the archive's default branch). */
  ref?: string;
  /** Called after each trading day. */
  onProgress?: PriceHistoryProgress;
}

export interface PricesFromGitSummary extends PriceHistorySummary {
  /** `repo` as given. */
  repo: string;
  /** The repository read: the local clone, or the clone in the cache. */
  gitDir: string;
  /** How it was reached: read in place, cloned now, or an earlier clone fetched. */
  access: 'local' | 'cloned' | 'fetched';
  /** The commit `ref` resolved to. */
  head: string;
  /** Commits in its history. */
  commits: number;
}

interface GitFailure extends Error {
  code?: unknown;
  stderr?: Buffer;
}

const execFileAsync = promisify(execFile);

async function runGit(bin: string, args: readonly string[]): Promise<Buffer> {
  try {
    const { stdout } = await execFileAsync(bin, args, {
      encoding: 'buffer',
      maxBuffer: MAX_GIT_OUTPUT,
      // Never wait for a password on a terminal nobody watches; English messages in the reports.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
    return stdout;
  } catch (error) {
    const e = error as GitFailure;
    if (e.code === 'ENOENT') {
      throw new PriceHistoryError(`git: ${bin} was not found (install git or pass its path as git)`, { cause: error });
    }
    const stderr = e.stderr?.toString('utf8').trim();
    throw new PriceHistoryError(`git ${args.join(' ')}: ${stderr || e.message}`, { cause: error });
  }
}

const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|[^/\s]+@[^/\s]+:)/i;

/** `https://github.com/rreichel3/US-Stock-Symbols` → `github.com_rreichel3_US-Stock-Symbols.git`. */
export function cacheNameOf(url: string): string {
  const bare = url
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^[^@/]*@/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  return `${bare.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '')}.git`;
}

async function openRepository(
  bin: string,
  repo: string,
  cacheDir: string,
): Promise<{ gitDir: string; access: PricesFromGitSummary['access'] }> {
  if (existsSync(repo)) {
    const gitDir = path.resolve(repo);
    await runGit(bin, ['-C', gitDir, 'rev-parse', '--git-dir']);
    return { gitDir, access: 'local' };
  }
  if (!URL_LIKE.test(repo)) throw new PriceHistoryError(`repo ${repo}: is neither an existing folder nor a git URL`);
  const gitDir = path.join(cacheDir, cacheNameOf(repo));
  if (existsSync(gitDir)) {
    const origin = (await runGit(bin, ['-C', gitDir, 'config', '--get', 'remote.origin.url'])).toString('utf8').trim();
    if (origin !== repo) {
      throw new PriceHistoryError(`${gitDir}: is a clone of ${origin}, not of ${repo}; give another cacheDir`);
    }
    await runGit(bin, ['-C', gitDir, 'fetch', '--prune', 'origin', '+refs/heads/*:refs/heads/*']);
    return { gitDir, access: 'fetched' };
  }
  mkdirSync(cacheDir, { recursive: true });
  // Cloned under a temporary name and renamed: a clone cut short never passes for a complete one next run.
  const temp = `${gitDir}.${process.pid}.partial`;
  rmSync(temp, { recursive: true, force: true });
  try {
    await runGit(bin, ['clone', '--quiet', '--bare', '--filter=blob:none', '--', repo, temp]);
    renameSync(temp, gitDir);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  return { gitDir, access: 'cloned' };
}

interface Commit {
  sha: string;
  /** Committer time, unix seconds. */
  time: number;
}

/** The whole history of `head`, newest first (`git log --format='%H %ct'`, read once per run). */
async function history(bin: string, gitDir: string, head: string): Promise<Commit[]> {
  const out = (await runGit(bin, ['-C', gitDir, 'log', '--format=%H %ct', head])).toString('utf8');
  const commits: Commit[] = [];
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{40,64}) (-?\d+)$/.exec(line.trim());
    if (m) commits.push({ sha: m[1] ?? '', time: Number(m[2]) });
  }
  return commits;
}

/** The last commit of each wanted night: the latest committer time; on a tie, the one git log lists first. */
export function lastCommitOfEachNight(commits: readonly Commit[], nights: ReadonlySet<IsoDate>): Map<IsoDate, Commit> {
  const chosen = new Map<IsoDate, Commit>();
  for (const c of commits) {
    const night = nightOf(c.time);
    if (night === null || !nights.has(night)) continue;
    const best = chosen.get(night);
    if (best === undefined || c.time > best.time) chosen.set(night, c);
  }
  return chosen;
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
}

/** The archive files present in a commit (`git ls-tree`, which needs no file contents). */
async function archiveEntries(bin: string, gitDir: string, commit: string): Promise<Map<string, TreeEntry>> {
  const paths = ARCHIVE_EXCHANGES.map((e) => e.path);
  const out = await runGit(bin, ['-C', gitDir, 'ls-tree', '-z', '--full-tree', commit, '--', ...paths]);
  const entries = new Map<string, TreeEntry>();
  for (const record of out.toString('utf8').split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.+)$/s.exec(record);
    if (m) entries.set(m[4] ?? '', { mode: m[1] ?? '', type: m[2] ?? '', oid: m[3] ?? '' });
  }
  return entries;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? `an object with keys ${keys.slice(0, 5).join(', ')}` : 'an empty object';
  }
  return `a ${typeof value}`;
}

function isRowObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One exchange file's rows with `exchange` set to that file's exchange, or why the file cannot be used. */
export function exchangeRows(
  bytes: Uint8Array,
  file: string,
  exchange: string,
): { rows: Record<string, unknown>[] } | { reason: string } {
  let json: unknown;
  try {
    json = readJsonBody(decodeText(bytes, file), file, 'a Nasdaq screener rows array');
  } catch (error) {
    if (error instanceof FormatError) return { reason: error.reason };
    throw error;
  }
  if (!Array.isArray(json)) return { reason: `is not an array of rows: the JSON is ${kindOf(json)}` };
  if (json.length === 0) return { reason: `is an empty array: the night's file has no ${exchange} rows` };
  const bad = json.findIndex((r) => !isRowObject(r));
  if (bad >= 0) return { reason: `is not an array of row objects: row ${bad + 1} is ${kindOf(json[bad])}` };
  return { rows: (json as Record<string, unknown>[]).map((r) => ({ ...r, exchange })) };
}

async function readBlob(bin: string, gitDir: string, oid: string): Promise<Buffer | { reason: string }> {
  try {
    return await runGit(bin, ['-C', gitDir, 'cat-file', 'blob', oid]);
  } catch (error) {
    if ((error as { cause?: GitFailure }).cause?.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      return { reason: `is larger than ${MAX_GIT_OUTPUT / 1024 / 1024} MiB: not read` };
    }
    throw error;
  }
}

/** True for a partial clone (`--filter=blob:none`), whose file contents are fetched on demand. */
async function isPartialClone(bin: string, gitDir: string): Promise<boolean> {
  try {
    const out = await runGit(bin, ['-C', gitDir, 'config', '--bool', '--get', 'remote.origin.promisor']);
    return out.toString('utf8').trim() === 'true';
  } catch {
    return false; // git config exits 1 when the key is not set
  }
}

/**
 * Fetches in one request the `wanted` blobs of `commits` a partial clone does not hold yet (`rev-list
 * --missing=print` lists them without fetching). Best effort: should the server refuse, each file is fetched on
 * its own when read, and a failure there stops the run with git's message.
 */
async function prefetchBlobs(bin: string, gitDir: string, commits: string[], wanted: Set<string>): Promise<void> {
  if (commits.length === 0 || wanted.size === 0) return;
  const listing = await runGit(bin, [
    '-C',
    gitDir,
    'rev-list',
    '--objects',
    '--missing=print',
    '--no-walk',
    ...commits,
  ]);
  const missing = listing
    .toString('utf8')
    .split('\n')
    .filter((line) => line.startsWith('?'))
    .map((line) => line.slice(1).trim())
    .filter((oid) => wanted.has(oid));
  if (missing.length === 0) return;
  try {
    await runGit(bin, [
      '-C',
      gitDir,
      '-c',
      'fetch.negotiationAlgorithm=noop',
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--filter=blob:none',
      'origin',
      ...missing,
    ]);
  } catch {
    // Read one by one instead (see above).
  }
}

function safePreviousTradingDay(day: IsoDate): IsoDate | null {
  try {
    return previousTradingDay(day);
  } catch {
    return null;
  }
}

/**
 * Fills `<outDir>/prices/` with one snapshot per trading day of [from, to] from a git archive of the screener.
 *
 * For each trading day D: the last commit whose committer time falls in the night of D ([D 16:00, D+1 09:30)
 * New York time) is read; its NASDAQ, NYSE and AMEX files are merged in that order into
 * `{"data":{"rows":[…]}}`, each row with `exchange` set to the file it came from, and written as
 * `<outDir>/prices/D.json.gz` once `parseScreener` reads the gzipped bytes. A day is
 * - `skipped` when `prices/D.json[.gz]` is already there and parses (a rerun resumes);
 * - `missing` when no commit falls in its night (never taken from another night);
 * - `refused` (nothing written, every problem with its file and commit) when an exchange file is absent,
 *   not JSON, not a non-empty array of row objects, the same blob as on the previous trading day's night
 *   (the job did not update it: stale prices), or when the merged snapshot does not parse.
 * `<outDir>/prices-source.json` records the repo, commit and commit time of every day written.
 *
 * Throws `PriceHistoryError` when the run cannot start or go on: a reversed range, a repo that is neither a
 * folder nor a URL, an unreadable manifest, a git command failing (a network error while fetching a file);
 * the days written before stay, and a rerun resumes after them.
 */
export async function pricesFromGit(options: PricesFromGitOptions): Promise<PricesFromGitSummary> {
  const { repo, from, to, outDir, onProgress } = options;
  const bin = options.git ?? 'git';
  const days = rangeDays(from, to);
  const pricesDir = path.join(outDir, 'prices');
  const manifest = SourceManifest.open(outDir);
  const { gitDir, access } = await openRepository(bin, repo, options.cacheDir ?? path.join(outDir, '.cache', 'git'));
  const head = (
    await runGit(bin, ['-C', gitDir, 'rev-parse', '--verify', '--end-of-options', `${options.ref ?? 'HEAD'}^{commit}`])
  )
    .toString('utf8')
    .trim();
  const commits = await history(bin, gitDir, head);

  // The previous trading day's night too: a file unchanged since then is stale.
  const previous = new Map(days.map((d) => [d, safePreviousTradingDay(d)]));
  const nightsWanted = new Set<IsoDate>(days);
  for (const p of previous.values()) if (p !== null) nightsWanted.add(p);
  const nights = lastCommitOfEachNight(commits, nightsWanted);
  const entriesOf = new Map<string, Promise<Map<string, TreeEntry>>>();
  const entries = (sha: string) => {
    let e = entriesOf.get(sha);
    if (e === undefined) {
      e = archiveEntries(bin, gitDir, sha);
      entriesOf.set(sha, e);
    }
    return e;
  };

  const partial = await isPartialClone(bin, gitDir);
  const prefetch = async (batch: IsoDate[]) => {
    const shas: string[] = [];
    const blobs = new Set<string>();
    for (const day of batch) {
      const night = nights.get(day);
      // A day already in prices/ (either name) is most likely skipped: not worth its bytes.
      const present = [`${day}.json`, `${day}.json.gz`].some((n) => existsSync(path.join(pricesDir, n)));
      if (night === undefined || present) continue;
      shas.push(night.sha);
      for (const entry of (await entries(night.sha)).values()) if (entry.type === 'blob') blobs.add(entry.oid);
    }
    await prefetchBlobs(bin, gitDir, shas, blobs);
  };

  const outcomes: DayOutcome[] = [];
  for (const [i, day] of days.entries()) {
    if (partial && i % PREFETCH_DAYS === 0) await prefetch(days.slice(i, i + PREFETCH_DAYS));
    const outcome = await fetchDay(day);
    outcomes.push(outcome);
    if (outcome.kind === 'written') manifest.set(day, outcome.source);
    onProgress?.(day, i + 1, days.length, outcome);
  }
  return { ...summarise(pricesDir, manifest.file, outcomes), repo, gitDir, access, head, commits: commits.length };

  async function fetchDay(day: IsoDate): Promise<DayOutcome> {
    const existing = existingDay(pricesDir, day);
    if (existing.kind === 'good') return { day, kind: 'skipped', file: existing.file, source: manifest.get(day) };
    if (existing.kind === 'blocking') {
      return { day, kind: 'refused', problems: [blockingProblem(existing)], source: null };
    }
    const night = nights.get(day);
    if (night === undefined) {
      return {
        day,
        kind: 'missing',
        reason: `no commit in the night of ${day} (${day} ${NIGHT_START} to ${addCalendarDays(day, 1)} ${NIGHT_END} New York time) in ${repo}`,
      };
    }
    const commit = night.sha;
    const source: DaySource = {
      kind: 'git',
      repo,
      commit,
      committedAt: new Date(night.time * 1000).toISOString(),
      committedAtNewYork: newYorkTime(night.time).iso,
    };
    const tree = await entries(commit);
    const prevDay = previous.get(day) ?? null;
    const prevNight = prevDay === null ? undefined : nights.get(prevDay);
    const prevTree = prevNight === undefined ? undefined : await entries(prevNight.sha);

    const problems: DayProblem[] = [];
    const reads = ARCHIVE_EXCHANGES.map(async ({ exchange, path: file }) => {
      const entry = tree.get(file);
      if (entry === undefined) {
        problems.push({
          file,
          commit,
          reason: `is not in the commit: without it every ${exchange} stock would be absent that day (rule 1), so the day is not written`,
        });
        return null;
      }
      if (entry.type !== 'blob' || entry.mode === '120000') {
        problems.push({ file, commit, reason: `is not a file in the commit (${entry.type}, mode ${entry.mode})` });
        return null;
      }
      if (prevNight !== undefined && prevTree?.get(file)?.oid === entry.oid) {
        problems.push({
          file,
          commit,
          reason: `is the same file (blob ${entry.oid.slice(0, 12)}) as in the night of ${prevDay} (commit ${prevNight.sha.slice(0, 12)}): the night's job did not update it, and stale prices are not taken as ${day}'s`,
        });
        return null;
      }
      const bytes = await readBlob(bin, gitDir, entry.oid);
      const read = 'reason' in bytes ? bytes : exchangeRows(bytes, file, exchange);
      if ('reason' in read) {
        problems.push({ file, commit, reason: read.reason });
        return null;
      }
      return read.rows;
    });
    const rows = await Promise.all(reads);
    if (problems.length > 0) {
      const order = (p: DayProblem) => ARCHIVE_EXCHANGES.findIndex((e) => e.path === p.file);
      return { day, kind: 'refused', problems: problems.toSorted((a, b) => order(a) - order(b)), source };
    }
    const written = writeSnapshot(
      pricesDir,
      day,
      rows.flatMap((r) => r ?? []),
    );
    if (!written.ok) return { day, kind: 'refused', problems: [{ ...written.problem, commit }], source };
    return {
      day,
      kind: 'written',
      file: written.file,
      rows: written.rows,
      rejections: written.rejections,
      source,
      ...(existing.kind === 'replaceable' ? { replaced: existing.reason } : {}),
    };
  }
}
