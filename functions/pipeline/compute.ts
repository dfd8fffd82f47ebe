/**
 * Compute: folds the newly ingested day(s) into the methodology engine, one day at a time exactly as
 * `buildSnapshot` does (rule 2 via `classifyDay`, then `stepDay`), and writes the run's snapshots, in one
 * object, for publish. Incremental: it loads the engine checkpoint of the last day before the work, the price days
 * from there on, and only the short interest files the engine will actually read — never the history.
 *
 * What it keeps (docs/operations.md, "Compute and restatement"):
 *   derived/state/<day>.json.gz   the engine state after each folded day (accepted or refused by rule 2)
 *   derived/state/journal.json.gz the days folded, every ledger entry seen (for `sources` and
 *                                 `dataQuality.rejections`), the position reached in the ledger index,
 *                                 the split overrides in use, and for each day the batch with its
 *                                 latest snapshot
 *   derived/snapshots/runs/<day>-<sha256>.json.gz   the snapshots of one run (its newest day), never replaced
 *
 * Replay. The work starts at the earliest of: the first ingested day not folded yet, and the cursor's
 * `restateFrom` (ingest sets it when a short interest file, a revision, a splits file or a late price
 * day arrives). Everything after the checkpoint before it is folded again, so the state equals a batch
 * run over the same inputs. Days before the run's date that get a new snapshot are `restated: true`,
 * `restatedOn: <run's trading date>`.
 *
 * Pending splits. A split that rule 3(b) can only confirm later is decided by the engine itself on the
 * day the share count arrives: `stepDay` returns the records of the held days, restated. The snapshots
 * of those days are then recomputed with rule 3(b) seeing the days known now (the engine's look-ahead),
 * so an archived day shows the split it had: "what we know today about that day". The checkpoints stay
 * those of the look-ahead-free fold, which is what `pulse build` runs. Every such snapshot is rewritten:
 * a decision changes the figures of each day since the split (measured on the real 2024 data, none of
 * the re-snapshotted days came out unchanged), so skipping "unchanged" days would save nothing.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import type { IsoDate, Rejection, ShortInterestFile } from '../../shared/domain.ts';
import { mergeShortInterestRevisions } from '../../shared/formats/finra-short-interest.ts';
import {
  classifyDay,
  cloneState,
  type EngineState,
  EngineStateError,
  type StepResult as EngineStepResult,
  initialState,
  LOOKAHEAD_DAYS,
  type LookaheadDay,
  lookaheadDay,
  parseEngineState,
  recordRejectedDay,
  type SnapshotBody,
  settlementsNeeded,
  snapshotAt,
  stepDay,
} from '../../shared/methodology/index.ts';
import { assembleSnapshot, MAX_LISTED_REJECTIONS } from '../../shared/snapshot/assemble.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import type { StoredPriceDay } from '../adapters/derived-repository.ts';
import type { RecordedLedgerEntry } from '../adapters/ports.ts';
import type { ComputeResult, IngestResult } from '../lib/events.ts';
import { withDayLock } from './day-lock.ts';
import type { PipelineDeps } from './deps.ts';
import {
  assertIsoDate,
  DERIVED_COMPUTE_JOURNAL_KEY,
  derivedStateKey,
  isArrivalDated,
  SOURCES,
  type SourceName,
} from './keys.ts';
import {
  emptySplitInputs,
  type OverrideContext,
  overrideContext,
  refreshSplitInputs,
  SplitInputsSchema,
} from './split-inputs.ts';
import { type Stopwatch, stopwatch } from './stopwatch.ts';

// ---------------------------------------------------------------- API

/** What compute reads of its event, ingest's result (`computeEventSchema`, ../lib/events.ts). */
export type ComputeInput = Pick<IngestResult, 'date'> & Partial<Pick<IngestResult, 'runId' | 'skipped'>>;

/**
 * Compute's result is publish's event (`publishEventSchema`): `dates` to publish and, for each, the batch
 * holding its latest snapshot (`snapshotKeys`), the only thing publish reads of compute's work.
 */
export type { ComputeResult } from '../lib/events.ts';
export type ComputeRejectedDay = ComputeResult['rejectedDays'][number];

/** A checkpoint or the journal does not have the shape this version writes. */
export class ComputeStateError extends Error {
  readonly key: string;
  readonly field: string;
  constructor(key: string, field: string, reason: string) {
    super(`${key}: ${field}: ${reason}`);
    this.name = 'ComputeStateError';
    this.key = key;
    this.field = field;
  }
}

// ---------------------------------------------------------------- journal

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const JournalFileSchema = z.object({
  source: z.enum(SOURCES),
  file: z.string(),
  sha256: z.string(),
  date: isoDate.nullable(),
  status: z.enum(['accepted', 'rejected']),
  rows: z.number().int().min(0),
  rejectedRows: z.number().int().min(0),
  rejections: z.array(z.object({ file: z.string(), line: z.number(), field: z.string(), reason: z.string() })),
  position: z.string(),
  /** A generated (sample) file: every snapshot built while it is among the inputs says `sample: true`. */
  generated: z.literal(true).optional(),
});

const JournalSchema = z.object({
  v: z.literal(1),
  /** The last day folded. */
  lastDay: isoDate.nullable(),
  /** Every day with a checkpoint, ascending; `accepted` false when rule 2 refused it. */
  folded: z.array(z.object({ date: isoDate, accepted: z.boolean() })),
  /** Position reached in the ledger index. */
  position: z.string().nullable(),
  /** Every ledger entry seen, in the order recorded, one per (source, file, sha256). */
  files: z.array(JournalFileSchema),
  /**
   * The overrides in effect and which content they came from: splits.csv's and the split calendar's
   * (rule 3c), securities.csv's (rule 12). See split-inputs.ts.
   */
  splits: SplitInputsSchema,
  /**
   * Day → key of the snapshot batch holding its latest computed snapshot: a later run of a day answers
   * with it (`snapshotKeys` of the result). Private to compute: publish reads only compute's result.
   */
  snapshotBatches: z.record(isoDate, z.string()).optional(),
  /**
   * The run that saved this journal: its result and the writes that follow the journal (cursor,
   * restateFrom, the day's status). A run killed after the journal is finished from here by the next
   * run of its day, which then returns the same dates to publish (docs/reliability.md, "Faults").
   */
  run: z
    .object({
      date: isoDate,
      restateFrom: isoDate.nullable(),
      status: z.object({ state: z.enum(['done', 'refused']), at: z.string(), runId: z.string(), detail: z.string() }),
      result: z.object({
        dates: z.array(isoDate),
        through: isoDate,
        restated: z.array(isoDate),
        rejectedDays: z.array(z.object({ date: isoDate, file: z.string(), reason: z.string() })),
        replayedFrom: isoDate,
      }),
    })
    .optional(),
});

type Journal = z.infer<typeof JournalSchema>;
type JournalFile = z.infer<typeof JournalFileSchema>;

const emptyJournal = (): Journal => ({
  v: 1,
  lastDay: null,
  folded: [],
  position: null,
  files: [],
  splits: emptySplitInputs(),
});

async function loadJournal(deps: PipelineDeps): Promise<Journal> {
  const key = DERIVED_COMPUTE_JOURNAL_KEY;
  const object = await deps.raw.get(key);
  if (!object) return emptyJournal();
  let value: unknown;
  try {
    value = JSON.parse(gunzipSync(object.bytes).toString('utf8'));
  } catch (error) {
    throw new ComputeStateError(key, '*', `not gzip JSON (${(error as Error).message})`);
  }
  const parsed = JournalSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ComputeStateError(key, issue?.path.join('.') || '*', issue?.message ?? 'invalid');
  }
  return parsed.data;
}

async function saveJournal(deps: PipelineDeps, journal: Journal): Promise<void> {
  await deps.raw.put(DERIVED_COMPUTE_JOURNAL_KEY, gzipSync(JSON.stringify(journal)), {
    contentType: 'application/gzip',
  });
}

const fileId = (f: { source: string; file: string; sha256: string }) => `${f.source}|${f.file}|${f.sha256}`;

/** Adds the ledger entries recorded since the journal's position; returns those it did not know. */
async function readLedger(deps: PipelineDeps, journal: Journal): Promise<JournalFile[]> {
  let after = journal.position;
  const overlap = deps.config.ledgerOverlapMs;
  if (after !== null && overlap > 0) {
    // Positions start with the ISO time recorded; a bare earlier time sorts before every position after it.
    const at = Date.parse(after.slice(0, after.indexOf('#')));
    if (Number.isFinite(at)) after = new Date(at - overlap).toISOString();
  }
  const entries: RecordedLedgerEntry[] = await deps.table.listRecordedAfter(after);
  const known = new Set(journal.files.map(fileId));
  const fresh: JournalFile[] = [];
  for (const e of entries) {
    if (journal.position === null || e.position > journal.position) journal.position = e.position;
    if (known.has(fileId(e))) continue;
    known.add(fileId(e));
    const f: JournalFile = {
      source: e.source,
      file: e.file,
      sha256: e.sha256,
      date: e.date,
      status: e.status,
      rows: e.rows,
      rejectedRows: e.rejectedRows,
      rejections: e.rejections.slice(0, MAX_LISTED_REJECTIONS),
      position: e.position,
      ...(e.generated === true ? { generated: true as const } : {}),
    };
    journal.files.push(f);
    fresh.push(f);
  }
  return fresh;
}

/**
 * The content of each file name that counts: the last accepted one recorded (the one the derived
 * records hold: ingest writes them before recording), else the last one recorded.
 */
function filesInEffect(files: readonly JournalFile[]): JournalFile[] {
  const byName = new Map<string, JournalFile>();
  const ordered = [...files].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  for (const f of ordered) {
    const id = `${f.source}|${f.file}`;
    const current = byName.get(id);
    if (!current || f.status === 'accepted' || current.status === 'rejected') byName.set(id, f);
  }
  return [...byName.values()];
}

const SOURCE_ORDER: Record<SourceName, number> = {
  prices: 0,
  'short-interest': 1,
  'short-volume': 2,
  splits: 3,
  'split-calendar': 4,
  securities: 5,
};

/**
 * `sources` and `dataQuality.rejections` of the snapshot of day `x`: the files about days up to `x`
 * (the splits and securities files count for every day), as `pulse build` lists the files of its input
 * folder — rejections in the order it reads them (prices, short interest, short volume, splits, split
 * calendar, securities; each by name).
 */
function inputsOf(files: readonly JournalFile[], x: IsoDate | null) {
  const counted = files
    .filter((f) => x === null || isArrivalDated(f.source) || f.date === null || f.date <= x)
    .sort(
      (a, b) => SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0),
    );
  const sources = counted.map((f) => ({ file: f.file, sha256: f.sha256, rows: f.status === 'accepted' ? f.rows : 0 }));
  const rejections: Rejection[] = [];
  let rejectedRows = 0;
  for (const f of counted) {
    // A refused file is one rejection (its reason); its row count is of the rows parsed before it failed.
    rejectedRows += f.rejectedRows + (f.status === 'rejected' ? 1 : 0);
    for (const r of f.rejections) if (rejections.length < MAX_LISTED_REJECTIONS) rejections.push(r);
  }
  return { sources, rejections, rejectedRows };
}

// ---------------------------------------------------------------- checkpoints

interface Checkpoint {
  v: 1;
  date: IsoDate;
  state: EngineState;
}

/** A checkpoint as compute wrote it: the envelope here, the engine state by `parseEngineState`. */
function toCheckpoint(date: IsoDate, value: unknown): Checkpoint {
  const key = derivedStateKey(date);
  const fail = (field: string, reason: string): never => {
    throw new ComputeStateError(key, field, reason);
  };
  if (typeof value !== 'object' || value === null) return fail('*', 'not an object');
  const c = value as Partial<Checkpoint>;
  if (c.v !== 1) fail('v', `expected 1, got ${JSON.stringify(c.v)}`);
  if (c.date !== date) fail('date', `expected ${date}, got ${JSON.stringify(c.date)}`);
  if (typeof c.state !== 'object' || c.state === null) return fail('state', 'missing');
  try {
    return { v: 1, date, state: parseEngineState(c.state) };
  } catch (error) {
    if (error instanceof EngineStateError)
      return fail(error.field === '*' ? 'state' : `state.${error.field}`, error.reason);
    throw error;
  }
}

async function loadCheckpoint(deps: PipelineDeps, date: IsoDate): Promise<EngineState> {
  const value = await deps.derived.getCheckpoint(date);
  if (value === undefined) {
    throw new ComputeStateError(derivedStateKey(date), '*', 'checkpoint missing (the journal lists it as folded)');
  }
  return toCheckpoint(date, value).state;
}

// ---------------------------------------------------------------- short interest, loaded on demand

/**
 * The short interest files of the engine's context. The engine reads a file's shares only when the file
 * in effect changes (rule 4) and, for a symbol seen for the first time, those of the ring's days; every
 * other settlement date is passed as an empty stand-in, enough for `fileInEffect` to find the date in
 * effect. So an ordinary day reads no short interest file at all.
 */
class ShortInterestFiles {
  readonly #deps: PipelineDeps;
  /** Settlement dates with at least one accepted file, ascending. */
  readonly #dates: IsoDate[];
  readonly #loaded = new Map<IsoDate, ShortInterestFile>();
  #list: ShortInterestFile[] | null = null;

  constructor(deps: PipelineDeps, dates: IsoDate[]) {
    this.#deps = deps;
    this.#dates = dates;
  }

  /** The settlement date in effect on `date` (rule 4), or null before the first. */
  inEffect(date: IsoDate): IsoDate | null {
    let best: IsoDate | null = null;
    for (const s of this.#dates) if (s <= date) best = s;
    return best;
  }

  async ensure(settlements: Iterable<IsoDate>): Promise<void> {
    const missing = [...new Set(settlements)].filter((s) => s !== '' && !this.#loaded.has(s));
    if (missing.length === 0) return;
    const loaded = await Promise.all(missing.map((s) => this.#deps.derived.getShortInterestFiles(s)));
    missing.forEach((s, i) => {
      const files = loaded[i] ?? [];
      const merged = mergeShortInterestRevisions(files).find((f) => f.settlementDate === s);
      this.#loaded.set(s, merged ?? { settlementDate: s, files: [], shares: new Map() });
    });
    this.#list = null;
  }

  list(): ShortInterestFile[] {
    this.#list ??= this.#dates.map(
      (s) => this.#loaded.get(s) ?? { settlementDate: s, files: [], shares: new Map<string, number>() },
    );
    return this.#list;
  }
}

// ---------------------------------------------------------------- folding

/** An engine state being stepped, with the set of its symbols (to spot first-seen symbols cheaply). */
interface Fold {
  state: EngineState;
  known: Set<string>;
  knownCount: number;
}

function newFold(state: EngineState): Fold {
  return { state, known: new Set(state.symbols), knownCount: state.symbols.length };
}

function hasNewSymbol(fold: Fold, day: StoredPriceDay): boolean {
  const symbols = fold.state.symbols;
  for (let i = fold.knownCount; i < symbols.length; i++) fold.known.add(symbols[i] as string);
  fold.knownCount = symbols.length;
  for (const row of day.rows) {
    if (Number.isFinite(row.price) && row.price > 0 && !fold.known.has(row.symbol)) return true;
  }
  return false;
}

/** Loads the short interest the engine will read while stepping `day` (see ShortInterestFiles). */
async function prepare(fold: Fold, day: StoredPriceDay, si: ShortInterestFiles): Promise<void> {
  await si.ensure(settlementsNeeded(fold.state, si.inEffect(day.date), hasNewSymbol(fold, day)));
}

type Stepped = { rejected: string } | { rejected: null; result: EngineStepResult };

async function step(
  fold: Fold,
  day: StoredPriceDay,
  si: ShortInterestFiles,
  overrides: OverrideContext,
  lookahead: readonly LookaheadDay[],
): Promise<Stepped> {
  const reason = classifyDay(fold.state, day);
  if (reason !== null) {
    recordRejectedDay(fold.state, { date: day.date, file: day.file, reason });
    return { rejected: reason };
  }
  await prepare(fold, day, si);
  const result = stepDay(fold.state, day, { shortInterest: si.list(), ...overrides, lookahead });
  fold.state = result.state;
  return { rejected: null, result };
}

/**
 * Lets the event loop run once. The folds below only await settled promises (microtasks), so without
 * this a request started beside them is not even sent, nor its answer decoded, before they end.
 */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

const minDate = (a: IsoDate | null, b: IsoDate | null): IsoDate | null =>
  a === null ? b : b === null ? a : a < b ? a : b;

const maxDate = (a: IsoDate | null, b: IsoDate | null): IsoDate | null =>
  a === null ? b : b === null ? a : a > b ? a : b;

/**
 * Stored price days, read on demand a few ahead and kept for a while: a long replay (an override in
 * splits.csv for a day months ago) folds the days twice without holding a year of prices in memory,
 * and an ordinary restatement (≤ 10 days) reads each day once.
 */
class PriceDays {
  static readonly KEEP = 32;
  static readonly AHEAD = 4;
  readonly #deps: PipelineDeps;
  readonly #cache = new Map<IsoDate, Promise<StoredPriceDay | undefined>>();

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  #load(date: IsoDate): Promise<StoredPriceDay | undefined> {
    let hit = this.#cache.get(date);
    if (!hit) {
      hit = this.#deps.derived.getPriceDay(date);
      this.#cache.set(date, hit);
      for (const old of this.#cache.keys()) {
        if (this.#cache.size <= PriceDays.KEEP) break;
        this.#cache.delete(old);
      }
    }
    return hit;
  }

  /**
   * Starts reading `dates` (parallel GETs) for a later `at`. Only as many as the cache keeps at once: a
   * day evicted before it is used would be read twice.
   */
  prefetch(dates: readonly IsoDate[]): void {
    for (const d of dates.slice(0, PriceDays.KEEP / 2)) void this.#load(d).catch(() => undefined);
  }

  /** The day `dates[i]`, after asking for the next few (parallel GETs); undefined when not stored. */
  async at(dates: readonly IsoDate[], i: number): Promise<StoredPriceDay | undefined> {
    for (const d of dates.slice(i + 1, i + 1 + PriceDays.AHEAD)) void this.#load(d).catch(() => undefined);
    const day = await this.#load(dates[i] as IsoDate);
    if (!day) {
      this.#deps.log.warn('price day listed in the ledger has no derived record: left out', { date: dates[i] });
    }
    return day;
  }
}

// ---------------------------------------------------------------- the service

interface Work {
  date: IsoDate;
  runId: string;
  journal: Journal;
  cursorRestateFrom: IsoDate | null;
  watch: Stopwatch;
}

function snapshotOf(
  deps: PipelineDeps,
  body: SnapshotBody,
  files: readonly JournalFile[],
  restatedOn: IsoDate | null,
  generatedAt: string,
  latest: boolean,
): Snapshot {
  // The newest snapshot lists every file received, as `pulse build` lists every file of its folder
  // (a short interest file settled after the last accepted day included); an earlier day, the files
  // about days up to it.
  const inputs = inputsOf(files, latest ? null : body.asOf);
  return assembleSnapshot(
    { ...body, restated: restatedOn !== null, restatedOn },
    {
      generatedAt,
      // Generated short interest marks itself (issue 10), whatever SAMPLE_DATA says.
      sample: deps.config.sample || filesInEffect(files).some((f) => f.status === 'accepted' && f.generated === true),
      sources: inputs.sources,
      rejections: inputs.rejections,
      rejectedRows: inputs.rejectedRows,
    },
  );
}

async function fold(deps: PipelineDeps, work: Work, start: IsoDate): Promise<ComputeResult> {
  const { date, runId, journal, watch } = work;
  const previousLastDay = journal.lastDay;
  const effective = filesInEffect(journal.files);
  const priceDates = effective
    .filter((f) => f.source === 'prices' && f.status === 'accepted' && f.date !== null)
    .map((f) => f.date as IsoDate)
    .sort();
  const settlements = [
    ...new Set(
      effective
        .filter((f) => f.source === 'short-interest' && f.status === 'accepted' && f.date !== null)
        .map((f) => f.date as IsoDate),
    ),
  ].sort();
  const upTo = maxDate(date, previousLastDay) as IsoDate;

  const before = journal.folded.filter((f) => f.date < start);
  const baseDay = before.at(-1)?.date ?? null;
  const candidates = priceDates.filter((d) => (baseDay === null || d > baseDay) && d <= upTo);
  const prices = new PriceDays(deps);
  // The first days' prices are read while the checkpoint is: both are known from the journal alone.
  const loadingBase = baseDay === null ? Promise.resolve(initialState()) : loadCheckpoint(deps, baseDay);
  prices.prefetch(candidates.slice(0, PriceDays.AHEAD + 1));
  const baseState = await loadingBase;
  watch.lap('load checkpoint');
  const si = new ShortInterestFiles(deps, settlements);
  const splits = overrideContext(journal.splits);

  // The look-ahead-free fold: what `pulse build` runs; its states are the checkpoints.
  const sideBase = cloneState(baseState);
  const main = newFold(baseState);
  const outcomes: { date: IsoDate; accepted: boolean }[] = [];
  const released = new Set<IsoDate>();
  const rejectedDays: ComputeRejectedDay[] = [];
  // The look-ahead fold's inputs, started as soon as the last day is stepped (see `planSide`).
  let side: SidePlan | null | undefined;
  const startSide = () => {
    if (side !== undefined || outcomes.length === 0) return;
    side = planSide(deps, {
      outcomes,
      released,
      folded: journal.folded,
      start,
      baseDay,
      baseState: sideBase,
      priceDates,
      prices,
    });
  };
  // The checkpoint being written: one at a time, in day order; the last completes during the look-ahead fold.
  let writing: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < candidates.length; i++) {
    const day = await prices.at(candidates, i);
    watch.lap('read prices');
    if (!day) continue;
    const stepped = await step(main, day, si, splits, []);
    watch.lap('fold');
    if (stepped.rejected !== null) {
      outcomes.push({ date: day.date, accepted: false });
      if (previousLastDay === null || day.date > previousLastDay) {
        rejectedDays.push({ date: day.date, file: day.file, reason: stepped.rejected });
      }
    } else {
      outcomes.push({ date: day.date, accepted: true });
      for (const r of stepped.result.restated) {
        // Replayed days repeat releases already published; only a new day's release restates anything.
        if (previousLastDay === null || day.date > previousLastDay) released.add(r.date);
      }
    }
    // The look-ahead's checkpoint and price days are read while this day's state is serialised and snapshotted.
    if (i === candidates.length - 1) {
      startSide();
      await yieldToIo();
    }
    // putCheckpoint serialises the state before it returns (the next step mutates it in place).
    await writing;
    writing = deps.derived.putCheckpoint(day.date, { v: 1, date: day.date, state: main.state } satisfies Checkpoint);
    // Awaited before the snapshots are written; meanwhile a failure must not count as unhandled.
    writing.catch(() => undefined);
    await yieldToIo();
    watch.lap('write checkpoints');
  }
  if (outcomes.length === 0) {
    deps.log.warn('nothing to fold: no stored price day in range', { date, start, upTo });
    return unchanged(deps, work, 'no stored price day to compute');
  }

  startSide();
  await yieldToIo();
  const last = outcomes.at(-1) as { date: IsoDate; accepted: boolean };
  const lastDay = maxDate(previousLastDay, last.date) as IsoDate;
  const runDate = maxDate(date, lastDay) as IsoDate;
  const generatedAt = deps.clock().toISOString();
  const restatedOn = (x: IsoDate) => (previousLastDay !== null && x <= previousLastDay && x < runDate ? runDate : null);

  const snapshots: Snapshot[] = [];
  if (last.accepted) {
    snapshots.push(snapshotOf(deps, snapshotAt(main.state), journal.files, restatedOn(last.date), generatedAt, true));
  }
  watch.lap('snapshots');

  if (side) {
    const bodies = await lookaheadFold({ ...side, last: last.date, prices, si, splits, watch });
    // When the last day folded was refused by rule 2, the newest snapshot is an earlier day's.
    const newest = main.state.lastDate;
    for (const body of bodies) {
      snapshots.push(snapshotOf(deps, body, journal.files, restatedOn(body.asOf), generatedAt, body.asOf === newest));
    }
    watch.lap('snapshots');
  }
  snapshots.sort((a, b) => (a.asOf < b.asOf ? -1 : 1));
  // One object for the run's snapshots (1 PUT here, 1 GET in publish, instead of one of each per day:
  // with rule 3(b) releases an ordinary day rewrites about 11). Batches are never replaced, so a day's
  // entry in the journal, saved after the batch, always names an object that holds its latest snapshot.
  // The last checkpoint and the batch are independent; both land before the journal that commits the run.
  const [, key] = await Promise.all([
    writing,
    snapshots.length > 0 ? deps.derived.putSnapshotBatch(runDate, snapshots) : undefined,
  ]);
  if (key !== undefined) {
    journal.snapshotBatches = {
      ...journal.snapshotBatches,
      ...Object.fromEntries(snapshots.map((s) => [s.asOf, key])),
    };
  }
  watch.lap('write checkpoint and snapshots');

  journal.folded = [...before, ...outcomes];
  journal.lastDay = lastDay;
  const dates = snapshots.map((s) => s.asOf);
  const restated = snapshots.filter((s) => s.restated).map((s) => s.asOf);
  const refused = outcomes.find((o) => o.date === date && !o.accepted);
  journal.run = {
    date,
    restateFrom: work.cursorRestateFrom,
    status: {
      state: refused ? 'refused' : 'done',
      at: deps.clock().toISOString(),
      runId,
      detail: [
        `folded ${outcomes.length} day(s) from ${start} through ${lastDay}`,
        `${dates.length} snapshot(s)${restated.length > 0 ? `, ${restated.length} restated` : ''}`,
        ...rejectedDays.map((r) => `refused ${r.date} (${r.file}): ${r.reason}`),
      ]
        .join('; ')
        .slice(0, 1000),
    },
    result: { dates, through: lastDay, restated, rejectedDays, replayedFrom: start },
  };
  await saveJournal(deps, journal);
  await finishRun(deps, journal.run);
  watch.lap('write journal and cursor');
  deps.log.info('computed', {
    date,
    runId,
    from: start,
    through: lastDay,
    snapshots: dates,
    restated,
    rejectedDays,
    ms: watch.ms(),
  });
  return withSnapshotKeys(resultOf(journal.run, runId), journal);
}

/**
 * Where publish finds the snapshot of each day of `result.dates`: the batch the journal names for it. Every
 * day this version folds gets one; a day without is a journal of a version that wrote per-day objects.
 */
function withSnapshotKeys(result: Omit<ComputeResult, 'snapshotKeys'>, journal: Journal): ComputeResult {
  const snapshotKeys: Record<IsoDate, string> = {};
  for (const d of result.dates) {
    const key = journal.snapshotBatches?.[d];
    if (key === undefined) {
      throw new ComputeStateError(
        DERIVED_COMPUTE_JOURNAL_KEY,
        `snapshotBatches.${d}`,
        'no snapshot batch for a day to publish (delete derived/state/ to fold every day again)',
      );
    }
    snapshotKeys[d] = key;
  }
  return { ...result, snapshotKeys };
}

type CommittedRun = NonNullable<Journal['run']>;

/** The writes after the journal; each is idempotent, so a run killed among them is finished by running them again. */
async function finishRun(deps: PipelineDeps, run: CommittedRun): Promise<void> {
  const lastDay = run.result.through;
  await deps.table.advanceCursor('lastComputed', lastDay);
  if (run.restateFrom !== null && run.restateFrom <= lastDay) {
    // Only if no later file asked for an earlier restatement meanwhile (the next run does it).
    await deps.table.clearRestateFrom(run.restateFrom);
  }
  await deps.table.setStepStatus(run.date, 'compute', run.status);
}

function resultOf(run: CommittedRun, runId: string): Omit<ComputeResult, 'snapshotKeys'> {
  const { dates, rejectedDays } = run.result;
  return {
    date: run.date,
    runId,
    skipped: dates.length === 0,
    ...(dates.length === 0 ? { reason: `no snapshot: ${rejectedDays.map((r) => r.reason).join('; ')}` } : {}),
    ...run.result,
  };
}

interface SideInput {
  /** This run's days, as folded. */
  outcomes: readonly { date: IsoDate; accepted: boolean }[];
  /** Days whose held split a new day released. */
  released: ReadonlySet<IsoDate>;
  /** Rule 2's verdict on the days folded by earlier runs. */
  folded: Journal['folded'];
  start: IsoDate;
  baseDay: IsoDate | null;
  baseState: EngineState;
  priceDates: IsoDate[];
  prices: PriceDays;
}

/** What the look-ahead fold needs, its reads already started. */
interface SidePlan {
  sideDates: Set<IsoDate>;
  /** Rule 2's verdict on every folded day (this run's and earlier ones). */
  accepted: Map<IsoDate, boolean>;
  /** The state before the first side day (a checkpoint being read, or the run's base). */
  state: Promise<EngineState>;
  /** The price days from there through the run's last day. */
  dates: IsoDate[];
}

/**
 * The earlier days with a new snapshot — those folded again and those whose held split was released —
 * or null when there are none. Known once the run's last day is stepped, so the checkpoint before the
 * first of them and the price days after it are read from here, beside the main fold's remaining work:
 * the same objects `lookaheadFold` would read, only sooner.
 */
function planSide(deps: PipelineDeps, input: SideInput): SidePlan | null {
  const last = (input.outcomes.at(-1) as { date: IsoDate }).date;
  const accepted = new Map<IsoDate, boolean>([
    ...input.folded.map((f) => [f.date, f.accepted] as const),
    ...input.outcomes.map((o) => [o.date, o.accepted] as const),
  ]);
  const sideDates = new Set<IsoDate>();
  for (const o of input.outcomes) if (o.accepted && o.date < last) sideDates.add(o.date);
  for (const d of input.released) if (d < last && accepted.get(d)) sideDates.add(d);
  if (sideDates.size === 0) return null;
  const first = [...sideDates].sort()[0] as IsoDate;
  let state = Promise.resolve(input.baseState);
  let from = input.baseDay;
  if (first < input.start) {
    from = input.folded.filter((f) => f.date < first).at(-1)?.date ?? null;
    state = from === null ? Promise.resolve(initialState()) : loadCheckpoint(deps, from);
    // Awaited by the look-ahead fold; meanwhile a failure must not count as unhandled.
    state.catch(() => undefined);
  }
  const dates = input.priceDates.filter((d) => (from === null || d > from) && d <= last);
  input.prices.prefetch(dates);
  return { sideDates, accepted, state, dates };
}

interface LookaheadInput extends SidePlan {
  last: IsoDate;
  prices: PriceDays;
  si: ShortInterestFiles;
  splits: OverrideContext;
  watch: Stopwatch;
}

/**
 * The snapshots of earlier days as known now: the same fold from the checkpoint before the first of
 * them, with rule 3(b) seeing the accepted days after each day up to the last one (at most
 * LOOKAHEAD_DAYS). A split pending on the day but confirmed since is counted there.
 */
async function lookaheadFold(input: LookaheadInput): Promise<SnapshotBody[]> {
  const { watch, dates } = input;
  const state = await input.state;
  watch.lap('look-ahead: load checkpoint');
  const shares = new Map<IsoDate, LookaheadDay>();
  const lookaheadAfter = async (i: number): Promise<LookaheadDay[]> => {
    const out: LookaheadDay[] = [];
    for (let j = i + 1; j < dates.length && out.length < LOOKAHEAD_DAYS; j++) {
      const d = dates[j] as IsoDate;
      if (!input.accepted.get(d)) continue;
      let l = shares.get(d);
      if (!l) {
        const day = await input.prices.at(dates, j);
        if (!day) continue;
        l = lookaheadDay(day);
        shares.set(d, l);
      }
      out.push(l);
    }
    for (const d of shares.keys()) if (d <= (dates[i] as IsoDate)) shares.delete(d);
    return out;
  };
  const side = newFold(state);
  const bodies: SnapshotBody[] = [];
  for (let i = 0; i < dates.length && (dates[i] as IsoDate) < input.last; i++) {
    const day = await input.prices.at(dates, i);
    const lookahead = await lookaheadAfter(i);
    watch.lap('look-ahead: read prices');
    if (!day) continue;
    const stepped = await step(side, day, input.si, input.splits, lookahead);
    watch.lap('look-ahead: fold');
    if (stepped.rejected === null && input.sideDates.has(day.date)) bodies.push(snapshotAt(side.state));
    watch.lap('look-ahead: snapshots');
    await yieldToIo();
  }
  return bodies;
}

async function unchanged(deps: PipelineDeps, work: Work, why: string): Promise<ComputeResult> {
  const { date, runId, journal } = work;
  if (journal.lastDay !== null) await deps.table.advanceCursor('lastComputed', journal.lastDay);
  const own = journal.folded.find((f) => f.date === date);
  const dates = own?.accepted ? [date] : [];
  return withSnapshotKeys(
    {
      date,
      runId,
      skipped: dates.length === 0,
      reason: dates.length === 0 ? `nothing to compute for ${date}: ${why}` : `${date} already computed: ${why}`,
      dates,
      through: journal.lastDay,
      restated: [],
      rejectedDays: [],
      replayedFrom: null,
    },
    journal,
  );
}

/**
 * Folds what is new since the last run through the engine (see the file comment) and writes the
 * snapshots publish needs. Takes the day's lock; another run holding it → `skipped`.
 */
export async function runCompute(deps: PipelineDeps, input: ComputeInput): Promise<ComputeResult> {
  const date = assertIsoDate(input.date);
  const runId = typeof input.runId === 'string' ? input.runId : deps.newRunId();
  const none = {
    date,
    runId,
    dates: [],
    snapshotKeys: {},
    through: null,
    restated: [],
    rejectedDays: [],
    replayedFrom: null,
  };
  if (input.skipped === true) return { ...none, skipped: true, reason: 'the previous step skipped this day' };

  const busy = (reason: string): ComputeResult => ({ ...none, skipped: true, reason });
  return withDayLock(deps, { step: 'compute', date, runId }, () => computeLocked(deps, date, runId), busy);
}

/** Under the day lock: reads the journal and the ledger, then folds what is new (or finishes a stopped run). */
async function computeLocked(deps: PipelineDeps, date: IsoDate, runId: string): Promise<ComputeResult> {
  const watch = stopwatch();
  const [cursor, journal] = await Promise.all([deps.table.getCursor(), loadJournal(deps)]);
  const fresh = await readLedger(deps, journal);
  const effective = filesInEffect(journal.files);

  journal.splits = await refreshSplitInputs(deps, effective, journal.splits);

  const upTo = maxDate(date, journal.lastDay) as IsoDate;
  const firstNew =
    effective
      .filter((f) => f.source === 'prices' && f.status === 'accepted' && f.date !== null)
      .map((f) => f.date as IsoDate)
      .filter((d) => (journal.lastDay === null || d > journal.lastDay) && d <= upTo)
      .sort()[0] ?? null;
  const restateFrom = cursor.restateFrom !== null && cursor.restateFrom <= upTo ? cursor.restateFrom : null;
  const start = minDate(firstNew, restateFrom);
  const work: Work = { date, runId, journal, cursorRestateFrom: cursor.restateFrom, watch };
  watch.lap('read journal and ledger');
  const committed = journal.run;
  if (
    committed?.date === date &&
    fresh.length === 0 &&
    firstNew === null &&
    (restateFrom === null || restateFrom === committed.restateFrom)
  ) {
    // Nothing arrived since the last run of this day. If it stopped after its journal (killed, or its
    // answer lost before publish ran), finish it and answer what it would have: folding again would
    // call the days it computed first "restated", answering `date` alone would leave the others unpublished.
    const day = await deps.table.getDay(date);
    const status = day?.steps.compute;
    const finished = status?.runId === committed.status.runId && status.at === committed.status.at;
    const publish = day?.steps.publish;
    if (!finished || publish?.state !== 'done' || publish.at < committed.status.at) {
      if (!finished) {
        deps.log.warn('finishing a compute run stopped after its journal', {
          date,
          runId,
          of: committed.status.runId,
        });
        await finishRun(deps, committed);
      }
      return withSnapshotKeys(resultOf(committed, runId), journal);
    }
  }
  if (start === null) {
    if (fresh.length > 0) await saveJournal(deps, journal);
    return await unchanged(deps, work, 'no new day and nothing to restate');
  }
  return await fold(deps, work, start);
}
