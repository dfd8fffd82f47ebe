/**
 * Compute's journal (derived/state/journal.json.gz): the commit record of compute. It lists the days folded
 * (rule 2's verdict on each), every ledger entry seen (for `sources` and `dataQuality.rejections`), the
 * position reached in the ledger index, the overrides in use (splits.csv, split calendar, securities.csv), for each day the batch holding its
 * latest snapshot, and the last run (`run`): its result and the writes derived from it (cursor,
 * restateFrom, the day's status), which `finishRun` (./commit.ts) repeats until they have landed.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { IsoDate, Rejection } from '../../../shared/domain.ts';
import { MAX_LISTED_REJECTIONS } from '../../../shared/snapshot/assemble.ts';
import * as z from '../../../shared/zod.ts';
import type { RecordedLedgerEntry } from '../../adapters/ports.ts';
import type { ComputeDeps } from '../deps.ts';
import { DERIVED_COMPUTE_JOURNAL_KEY, isArrivalDated, SOURCES, type SourceName } from '../keys.ts';
import { emptySplitInputs, SplitInputsSchema } from '../split-inputs.ts';

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

const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
const count = () => z.number().check(z.int(), z.minimum(0));

const JournalFileSchema = () =>
  z.object({
    source: z.enum(SOURCES),
    file: z.string(),
    sha256: z.string(),
    date: z.nullable(isoDate),
    status: z.enum(['accepted', 'rejected']),
    rows: count(),
    rejectedRows: count(),
    rejections: z.array(z.object({ file: z.string(), line: z.number(), field: z.string(), reason: z.string() })),
    position: z.string(),
    /** A generated (sample) file: every snapshot built while it is among the inputs says `sample: true`. */
    generated: z.optional(z.literal(true)),
  });

/** The journal's schema, built on the first load (not at Lambda init). */
const JournalSchema = z.onFirstUse(() =>
  z.object({
    v: z.literal(1),
    /** The last day folded. */
    lastDay: z.nullable(isoDate),
    /** Every day with a checkpoint, ascending; `accepted` false when rule 2 refused it. */
    folded: z.array(z.object({ date: isoDate, accepted: z.boolean() })),
    /** Position reached in the ledger index. */
    position: z.nullable(z.string()),
    /** Every ledger entry seen, in the order recorded, one per (source, file, sha256). */
    files: z.array(JournalFileSchema()),
    /**
     * The overrides in effect and which content they came from: splits.csv's and the split calendar's
     * (rule 3c), securities.csv's (rule 12). See split-inputs.ts.
     */
    splits: SplitInputsSchema(),
    /**
     * Day → key of the snapshot batch holding its latest computed snapshot: a later run of a day answers
     * with it (`snapshotKeys` of the result). Private to compute: publish reads only compute's result.
     */
    snapshotBatches: z.optional(z.record(isoDate, z.string())),
    /**
     * The per-stock files (issue 19) as of the last accepted day folded: the stock run holding them. Absent when
     * the recorder could not be resumed (a day of its series missing: see ../compute/stocks.ts).
     */
    stocks: z.optional(z.object({ asOf: isoDate, key: z.string() })),
    /**
     * A run folded in chunks (issue 20 item 3; ./fold.ts), between two of its invocations: where it stopped.
     */
    chunk: z.optional(
      z.object({
        /** The run's day and id, and the cursor's restateFrom when it started. */
        date: isoDate,
        runId: z.string(),
        restateFrom: z.nullable(isoDate),
        /** The run's first day folded, and `lastDay` before it (what was published: restatement marks). */
        start: isoDate,
        previousLastDay: z.nullable(isoDate),
        /** The run's newest day (`restatedOn` of its snapshots). */
        runDate: isoDate,
        /** The last day the main fold has committed (checkpoint written, in `folded`). */
        through: isoDate,
        /** The day after which the look-ahead fold's state is saved (derived/state/side/), or null before it starts. */
        sideThrough: z.nullable(isoDate),
        /** Days the look-ahead fold still owes a snapshot (released by a new day, not reached yet). */
        sideDates: z.array(isoDate),
        /** Rule 2's first refusals so far in this run. */
        rejectedDays: z.array(z.object({ date: isoDate, file: z.string(), reason: z.string() })),
        /** The snapshots of the last chunk, handed to publish (`at`: when, against the day's publish status). */
        handed: z.object({
          dates: z.array(isoDate),
          restated: z.array(isoDate),
          rejectedDays: z.array(z.object({ date: isoDate, file: z.string(), reason: z.string() })),
          at: z.string(),
        }),
        /** How many chunks have been committed. */
        chunks: z.number(),
      }),
    ),
    /**
     * The run that saved this journal: its result and the writes that follow the journal (cursor,
     * restateFrom, the day's status). A run killed after the journal is finished from here by the next
     * run of its day, which then returns the same dates to publish (docs/reliability.md, "Faults").
     */
    run: z.optional(
      z.object({
        date: isoDate,
        restateFrom: z.nullable(isoDate),
        status: z.object({ state: z.enum(['done', 'refused']), at: z.string(), runId: z.string(), detail: z.string() }),
        result: z.object({
          dates: z.array(isoDate),
          through: isoDate,
          restated: z.array(isoDate),
          rejectedDays: z.array(z.object({ date: isoDate, file: z.string(), reason: z.string() })),
          replayedFrom: isoDate,
        }),
      }),
    ),
  }),
);

export type Journal = z.infer<ReturnType<typeof JournalSchema>>;
export type JournalFile = z.infer<ReturnType<typeof JournalFileSchema>>;

export const emptyJournal = (): Journal => ({
  v: 1,
  lastDay: null,
  folded: [],
  position: null,
  files: [],
  splits: emptySplitInputs(),
});

/**
 * The version of the journal object each loaded journal was read from (issue 20 item 1): `saveJournal` writes
 * only over that version (`onlyIf`), so a run that lost the run lock cannot overwrite another run's commit
 * (`ObjectChangedError`, retried: the step starts again from the journal as it now is).
 */
const readFrom = new WeakMap<Journal, { etag: string } | 'absent'>();

export async function loadJournal(deps: ComputeDeps): Promise<Journal> {
  const key = DERIVED_COMPUTE_JOURNAL_KEY;
  const object = await deps.raw.get(key);
  if (!object) {
    const empty = emptyJournal();
    readFrom.set(empty, 'absent');
    return empty;
  }
  let value: unknown;
  try {
    value = JSON.parse(gunzipSync(object.bytes).toString('utf8'));
  } catch (error) {
    throw new ComputeStateError(key, '*', `not gzip JSON (${(error as Error).message})`);
  }
  const parsed = JournalSchema().safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ComputeStateError(key, issue?.path.join('.') || '*', issue?.message ?? 'invalid');
  }
  if (object.etag !== undefined) readFrom.set(parsed.data, { etag: object.etag });
  return parsed.data;
}

export async function saveJournal(deps: ComputeDeps, journal: Journal): Promise<void> {
  const onlyIf = readFrom.get(journal);
  const written = await deps.raw.put(DERIVED_COMPUTE_JOURNAL_KEY, gzipSync(JSON.stringify(journal)), {
    contentType: 'application/gzip',
    ...(onlyIf ? { onlyIf } : {}),
  });
  // Saved again later in the same run (the ledger read, then the commit): over what this save wrote.
  if (written.etag !== undefined) readFrom.set(journal, { etag: written.etag });
  else readFrom.delete(journal);
}

const fileId = (f: { source: string; file: string; sha256: string }) => `${f.source}|${f.file}|${f.sha256}`;

/** Adds the ledger entries recorded since the journal's position; returns those it did not know. */
export async function readLedger(deps: ComputeDeps, journal: Journal): Promise<JournalFile[]> {
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
export function filesInEffect(files: readonly JournalFile[]): JournalFile[] {
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
export function inputsOf(files: readonly JournalFile[], x: IsoDate | null) {
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

/** The run a journal commits (see `run` above). */
export type CommittedRun = NonNullable<Journal['run']>;
/** A run folded in chunks, not finished yet (issue 20 item 3; ./fold.ts). */
export type ChunkedRun = NonNullable<Journal['chunk']>;
