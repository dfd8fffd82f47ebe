/**
 * The event boundary of the pipeline (STYLE §3: one schema per boundary): one zod schema per step
 * event, in the shapes Step Functions passes (infra/constructs/pipeline-state-machine.ts: each Lambda
 * task's result is the next task's input, `payloadResponseOnly`). Nothing else in the code sees AWS
 * event shapes.
 *
 * - ingest: the execution input — a day `{ date }` (an operator's date, or a backfill Map item), a
 *   schedule `{ scheduledTime }` (EventBridge Scheduler's `<aws.scheduler.scheduled-time>`, turned into
 *   the New York date: 19:30 there is already tomorrow in UTC in winter), a backfill `{ from, to }`, or a
 *   file drop: the S3 "Object Created" event as the EventBridge rule delivers it (keys arrive URL-encoded,
 *   `+` for a space, and are decoded).
 * - compute: ingest's result (`IngestResult`), nothing else.
 * - publish: compute's result (`ComputeResult`), plus `acceptGates` when an operator re-runs publish
 *   after checking a refused day (docs/reliability.md). Compute's result is publish's only channel: it
 *   names the snapshot batch of every day to publish (`snapshotKeys`).
 *
 * Our own events are strict: a field no step writes is refused, naming it, never passed through. The
 * result types of ingest and compute are `z.output` of these schemas, so a step cannot return what the
 * next one refuses. The drop event is AWS's envelope: its fields are read and checked, the others (AWS
 * adds some, e.g. `detail.event-version`, `detail.bucket.aws-generated-tags`) are dropped, not refused:
 * a new AWS field must not fail every drop.
 */

import { GATE_NAMES } from '../../shared/gates/names.ts';
import * as z from '../../shared/zod.ts';
import { INCOMING_PREFIX, SNAPSHOT_BATCH_KEY, SOURCES, STOCK_RUN_KEY } from '../pipeline/keys.ts';
import { newYorkDate } from './new-york-date.ts';

/** Prefix of the raw bucket under which an uploaded file triggers ingest. */
export const DROP_PREFIX = INCOMING_PREFIX;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export { newYorkDate };

/** S3 event keys are form-encoded (`+` is a space, `%2B` a plus). */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * Every schema here is built on first use, one at a time: zod schema construction is a measurable
 * part of Lambda init (docs/benchmarks.md §4), and each handler needs only its own event's schema.
 */
/* @__NO_SIDE_EFFECTS__ */
function once<T extends object>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/** What the middy parser and the tests call on an event schema; the zod schema behind it is built on first parse. */
export interface EventSchema<T> {
  safeParse(input: unknown): z.util.SafeParseResult<T>;
  /** Throws zod's `ZodError`, as the schema's own `parse` does. */
  parse(input: unknown): T;
}

/* @__NO_SIDE_EFFECTS__ */
function lazySchema<S extends z.ZodMiniType>(build: () => S): EventSchema<z.output<S>> {
  const schema = once(build);
  return {
    safeParse: (input) => schema().safeParse(input),
    parse: (input) => schema().parse(input),
  };
}

// ---------------------------------------------------------------- refusals

/** The event did not match the step's schema: a caller error, never retried (functions/pipeline/steps.ts). */
export class EventValidationError extends Error {
  readonly issues: readonly { path: string; message: string }[];
  constructor(step: string, issues: readonly { path: string; message: string }[]) {
    const detail = issues.map((i) => `${i.path || '(event)'}: ${i.message}`).join('; ');
    super(`${step}: invalid event: ${detail}`);
    this.name = 'EventValidationError';
    this.issues = issues;
  }
}

/** zod's issues as `path: message`, one per unknown field (zod reports them together, on the parent). */
export function eventIssues(error: z.core.$ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...at, key].join('.'),
        message: 'unexpected field: no step writes it (strict event)',
      }));
    }
    return [{ path: at.join('.'), message: issue.message }];
  });
}

/** Parses a step's event or throws EventValidationError naming each wrong, missing or unexpected field. */
export function parseStepEvent<T>(step: string, schema: EventSchema<T>, event: unknown): T {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new EventValidationError(step, eventIssues(parsed.error));
  return parsed.data;
}

// ---------------------------------------------------------------- shared pieces

/** A real calendar date written `YYYY-MM-DD`. */
export const isoDateSchema = once(() =>
  z.string().check(
    z.refine((s) => {
      const m = ISO_DATE.exec(s);
      if (!m) return false;
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      return d.toISOString().slice(0, 10) === s;
    }, 'expected a calendar date YYYY-MM-DD'),
  ),
);

const count = () => z.number().check(z.int(), z.minimum(0));

const rejectionSchema = once(() =>
  z.strictObject({ file: z.string(), line: z.number(), field: z.string(), reason: z.string() }),
);

// ---------------------------------------------------------------- ingest

/** What the ingest handler acts on. */
export type IngestRequest = (
  | { kind: 'day'; date: string; scheduled: boolean; archiveOnly?: boolean }
  | { kind: 'backfill'; from: string; to: string }
  | { kind: 'drop'; bucket: string; key: string }
) & {
  /** The run's id, the day lock's owner: the state machine passes its execution's id (issue 20 item 2). */
  runId?: string;
};

const dropKeySchema = once(() =>
  z
    .pipe(
      z.string().check(z.minLength(1)),
      z.transform((key, ctx) => {
        try {
          return decodeS3Key(key);
        } catch {
          ctx.issues.push({ code: 'custom', message: 'key is not valid URL encoding', input: key });
          return z.NEVER;
        }
      }),
    )
    .check(
      z.refine((k) => k.startsWith(DROP_PREFIX) && k.length > DROP_PREFIX.length, `key must be under ${DROP_PREFIX}`),
    ),
);

const scheduledRequest = once(() =>
  z.pipe(
    z.strictObject({ scheduledTime: z.iso.datetime({ offset: true }) }),
    z.transform(
      (e): IngestRequest => ({
        kind: 'day',
        date: newYorkDate(new Date(e.scheduledTime)),
        scheduled: true,
      }),
    ),
  ),
);

const backfillRequest = once(() =>
  z.pipe(
    z
      .strictObject({ from: isoDateSchema(), to: isoDateSchema() })
      .check(z.refine((b) => b.from <= b.to, { message: '`from` must not be after `to`', path: ['to'] })),
    z.transform((e): IngestRequest => ({ kind: 'backfill', from: e.from, to: e.to })),
  ),
);

/** AWS's envelope: only the fields read are checked (see the file comment); `z.object` drops the rest. */
const dropRequest = once(() =>
  z.pipe(
    z.object({
      source: z.literal('aws.s3'),
      'detail-type': z.literal('Object Created'),
      detail: z.object({
        bucket: z.object({ name: z.string().check(z.minLength(1)) }),
        object: z.object({ key: dropKeySchema() }),
      }),
    }),
    z.transform(
      (e): IngestRequest => ({
        kind: 'drop',
        bucket: e.detail.bucket.name,
        key: e.detail.object.key,
      }),
    ),
  ),
);

const dayRequest = once(() =>
  z.pipe(
    z.strictObject({ date: isoDateSchema(), archiveOnly: z.optional(z.boolean()) }),
    z.transform(
      (e): IngestRequest => ({
        kind: 'day',
        date: e.date,
        scheduled: false,
        ...(e.archiveOnly === true ? { archiveOnly: true } : {}),
      }),
    ),
  ),
);

/**
 * The state machine's envelope (issue 20 item 2): `{ runId: $$.Execution.Id, event: <what started the run> }`, so
 * every attempt of the run's ingest, retries after a timeout or a kill included, owns the day lock under one id.
 * The inner event is checked as it would be alone; its issues are reported under `event.`.
 */
const RUN_ID_MAX = 256;
const envelopeRequest = once(() =>
  z.pipe(
    z.strictObject({ runId: z.string().check(z.minLength(1), z.maxLength(RUN_ID_MAX)), event: z.unknown() }),
    z.transform((e, ctx): IngestRequest => {
      if (typeof e.event === 'object' && e.event !== null && 'runId' in e.event && 'event' in e.event) {
        ctx.issues.push({ code: 'custom', message: 'an envelope inside an envelope', input: e.event, path: ['event'] });
        return z.NEVER;
      }
      const inner = ingestShape(e.event).safeParse(e.event);
      if (!inner.success) {
        for (const issue of inner.error.issues) ctx.issues.push({ ...issue, path: ['event', ...issue.path] } as never);
        return z.NEVER;
      }
      return { ...inner.data, runId: e.runId };
    }),
  ),
);

/** Picks the one shape an event claims to be, so a bad event gets that shape's precise errors. */
function ingestShape(event: unknown): z.ZodMiniType<IngestRequest, unknown> {
  const keys = typeof event === 'object' && event !== null ? Object.keys(event) : [];
  if (keys.includes('runId') && keys.includes('event')) return envelopeRequest();
  if (keys.includes('detail-type') || keys.includes('detail')) return dropRequest();
  if (keys.includes('scheduledTime')) return scheduledRequest();
  if (keys.includes('from') || keys.includes('to')) return backfillRequest();
  return dayRequest();
}

export const ingestEventSchema: EventSchema<IngestRequest> = {
  safeParse: (input) => ingestShape(input).safeParse(input),
  parse: (input) => ingestShape(input).parse(input),
};

// ---------------------------------------------------------------- ingest's result = compute's event

const fileOutcomeShape = once(() =>
  z.strictObject({
    source: z.enum(SOURCES),
    /** File name as received (or the name expected, for not-yet-available/failed/present). */
    file: z.string(),
    /** The date the file is about (trading, settlement or calendar date; arrival date for splits and securities). */
    date: z.nullable(isoDateSchema()),
    /**
     * accepted: parsed and normalised now; rejected: refused as a whole (HTML page, bad header, truncated,
     * not a trading day…), archived all the same; duplicate: this exact content was ingested before;
     * present: already accepted in the ledger, not fetched again; not-yet-available; failed: the provider
     * failed after its retries (network, 5xx, 403…), nothing archived, a later run retries.
     */
    status: z.enum(['accepted', 'rejected', 'duplicate', 'present', 'not-yet-available', 'failed']),
    /** For `duplicate`/`present`: the ledger's verdict on that content. */
    ledgerStatus: z.optional(z.enum(['accepted', 'rejected'])),
    sha256: z.optional(z.string()),
    size: z.optional(count()),
    rawKey: z.optional(z.string()),
    derivedKey: z.optional(z.nullable(z.string())),
    rows: count(),
    rejectedRows: count(),
    /** Why a file was rejected, not available or failed. */
    reason: z.optional(z.string()),
  }),
);
export type FileOutcome = z.output<ReturnType<typeof fileOutcomeShape>>;
export type FileStatusOutcome = FileOutcome['status'];

const ingestResultShape = once(() =>
  z.strictObject({
    /** The trading day the next steps should compute through. */
    date: isoDateSchema(),
    /** Nothing for the next steps: not a trading day, nothing new in a drop (a locked day throws, issue 20). */
    skipped: z.boolean(),
    reason: z.optional(z.string()),
    /** The run's id: the day lock's owner in every step of the run. */
    runId: z.string().check(z.minLength(1)),
    files: z.array(fileOutcomeShape()),
    /** Accepted rows in files accepted by this run. */
    rows: count(),
    rejectedRows: count(),
    /** Row and file rejections of this run (file/line/field/reason), at most MAX_SUMMARY_REJECTIONS. */
    rejections: z.array(rejectionSchema()),
    /** Earliest computed day that late data of this run changes (short interest settlement date, …), or null. */
    restateFrom: z.nullable(isoDateSchema()),
    /** True when the day's prices are accepted (this run or before). */
    pricesReady: z.boolean(),
  }),
);
/** What ingest returns for a day or a drop, and so what compute receives. */
export type IngestResult = z.output<ReturnType<typeof ingestResultShape>>;

/** Compute's event: ingest's result, exactly. */
export const computeEventSchema: EventSchema<IngestResult> = lazySchema(ingestResultShape);

// ---------------------------------------------------------------- compute's result = publish's event

const computeResultFields = () => ({
  date: isoDateSchema(),
  skipped: z.boolean(),
  reason: z.optional(z.string()),
  runId: z.string().check(z.minLength(1)),
  /** Days with a snapshot for publish, ascending: restated days first, then the newest. */
  dates: z.array(isoDateSchema()),
  /** For each of `dates`, the snapshot batch compute wrote its latest snapshot to. */
  snapshotKeys: z.record(
    isoDateSchema(),
    z.string().check(z.regex(SNAPSHOT_BATCH_KEY, 'expected a derived/snapshots/runs/… batch key')),
  ),
  /** The last day folded (the pipeline's current trading day), or null before the first one. */
  through: z.nullable(isoDateSchema()),
  /** Days before `through` whose snapshot this run rewrote after it had been computed before. */
  restated: z.array(isoDateSchema()),
  /** Days this run refused for the first time by rule 2 (stale, partial, …), with the reason. */
  rejectedDays: z.array(z.strictObject({ date: isoDateSchema(), file: z.string(), reason: z.string() })),
  /** First day folded again, or null when nothing was folded (the same day twice). */
  replayedFrom: z.nullable(isoDateSchema()),
  /**
   * Issue 20 item 3: the run is folded in chunks and this was not its last: publish these days, then compute
   * again (the state machine's loop, functions/pipeline/compute/fold.ts).
   */
  more: z.optional(z.boolean()),
  /**
   * The per-stock files (issue 19) as of `asOf`, one of `dates`: the stock run compute wrote them to. Absent
   * when this run has none (publish then leaves the site's stock files as they are).
   */
  stocks: z.optional(
    z.strictObject({
      asOf: isoDateSchema(),
      key: z.string().check(z.regex(STOCK_RUN_KEY, 'expected a derived/stocks/runs/… key')),
    }),
  ),
});

/** Every day to publish has its batch, and a batch is named only for a day to publish. */
function batchPerDate(
  r: { dates: string[]; snapshotKeys: Record<string, string> },
  ctx: z.core.$RefinementCtx<{ dates: string[]; snapshotKeys: Record<string, string> }>,
): void {
  for (const d of r.dates) {
    if (r.snapshotKeys[d] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['snapshotKeys'], message: `no snapshot batch for ${d} of \`dates\`` });
    }
  }
  for (const d of Object.keys(r.snapshotKeys)) {
    if (!r.dates.includes(d)) {
      ctx.addIssue({ code: 'custom', path: ['snapshotKeys', d], message: `${d} is not one of \`dates\`` });
    }
  }
}

const computeResultShape = once(() => z.strictObject(computeResultFields()).check(z.superRefine(batchPerDate)));
/** What compute returns, and so what publish receives. */
export type ComputeResult = z.output<ReturnType<typeof computeResultShape>>;

const publishEventShape = once(() =>
  z
    .strictObject({
      ...computeResultFields(),
      /**
       * Sanity gates an operator has checked and accepts for this run (e.g. `["short-interest-move"]` on a
       * real crash day); `json-schema` cannot be accepted (publish refuses it). docs/reliability.md.
       */
      acceptGates: z.optional(z.array(z.enum(GATE_NAMES))),
    })
    .check(z.superRefine(batchPerDate)),
);
/** Publish's event: compute's result, and the gates an operator accepts on a re-run. */
export type PublishEvent = z.output<ReturnType<typeof publishEventShape>>;

export const publishEventSchema: EventSchema<PublishEvent> = lazySchema(publishEventShape);
