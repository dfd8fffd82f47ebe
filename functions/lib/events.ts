/**
 * The Lambda event boundary of the pipeline (STYLE §3: one schema per boundary). Each handler
 * parses its raw event here into a small request type; nothing else in the code sees AWS event shapes.
 *
 * Shapes accepted:
 * - a day `{ date: 'YYYY-MM-DD', ... }`: the Step Functions per-day input (and each step's output);
 * - a schedule `{ scheduledTime: ISO-8601 }`: EventBridge Scheduler's `<aws.scheduler.scheduled-time>`,
 *   turned into the US/Eastern calendar date (19:30 New York is already tomorrow in UTC in winter);
 * - a backfill `{ from, to }`: replay a date range;
 * - a file drop: an S3 "Object Created" event, either as EventBridge delivers it (what the state
 *   machine receives in AWS) or as an S3 notification `{ Records: [...] }` (what a direct S3 → Lambda
 *   trigger or the local emulator sends). Keys arrive URL-encoded (`+` for space) and are decoded.
 */
import * as z from 'zod';
import { INCOMING_PREFIX } from '../pipeline/keys.ts';
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
 * part of Lambda init (docs/benchmarks.md §4), compute and publish need only the day shape, and an
 * ingest invocation needs only the shape its event claims.
 */
function once<T extends object>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/** What the middy parser and the tests call on an event schema; the zod schema behind it is built on first parse. */
export interface EventSchema<T> {
  safeParse(input: unknown): z.ZodSafeParseResult<T>;
  /** Throws zod's `ZodError`, as the schema's own `parse` does. */
  parse(input: unknown): T;
}

function lazySchema<S extends z.ZodType>(build: () => S): EventSchema<z.output<S>> {
  const schema = once(build);
  return {
    safeParse: (input) => schema().safeParse(input),
    parse: (input) => schema().parse(input),
  };
}

/** A real calendar date written `YYYY-MM-DD`. */
export const isoDateSchema = once(() =>
  z.string().refine((s) => {
    const m = ISO_DATE.exec(s);
    if (!m) return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.toISOString().slice(0, 10) === s;
  }, 'expected a calendar date YYYY-MM-DD'),
);

const dropKeySchema = once(() =>
  z
    .string()
    .min(1)
    .transform((key, ctx) => {
      try {
        return decodeS3Key(key);
      } catch {
        ctx.issues.push({ code: 'custom', message: 'key is not valid URL encoding', input: key });
        return z.NEVER;
      }
    })
    .refine((k) => k.startsWith(DROP_PREFIX) && k.length > DROP_PREFIX.length, `key must be under ${DROP_PREFIX}`),
);

const dayShape = once(() => z.looseObject({ date: isoDateSchema(), skipped: z.boolean().optional() }));
export type DayEvent = z.output<ReturnType<typeof dayShape>>;

/** Step input/output between day steps: a date plus whatever the previous step returned. */
export const dayEventSchema: EventSchema<DayEvent> = lazySchema(dayShape);

/** What the ingest handler acts on. */
export type IngestRequest =
  | { kind: 'day'; date: string; scheduled: boolean }
  | { kind: 'backfill'; from: string; to: string }
  | { kind: 'drop'; bucket: string; key: string };

const scheduledRequest = once(() =>
  z
    .strictObject({ scheduledTime: z.iso.datetime({ offset: true }) })
    .transform((e): IngestRequest => ({ kind: 'day', date: newYorkDate(new Date(e.scheduledTime)), scheduled: true })),
);

const backfillRequest = once(() =>
  z
    .strictObject({ from: isoDateSchema(), to: isoDateSchema() })
    .refine((b) => b.from <= b.to, { message: '`from` must not be after `to`', path: ['to'] })
    .transform((e): IngestRequest => ({ kind: 'backfill', from: e.from, to: e.to })),
);

const eventBridgeDropRequest = once(() =>
  z
    .looseObject({
      source: z.literal('aws.s3'),
      'detail-type': z.literal('Object Created'),
      detail: z.looseObject({
        bucket: z.looseObject({ name: z.string().min(1) }),
        object: z.looseObject({ key: dropKeySchema() }),
      }),
    })
    .transform((e): IngestRequest => ({ kind: 'drop', bucket: e.detail.bucket.name, key: e.detail.object.key })),
);

const s3DropRequest = once(() =>
  z
    .looseObject({
      Records: z
        .array(
          z.looseObject({
            eventSource: z.literal('aws:s3'),
            eventName: z.string().startsWith('ObjectCreated:'),
            s3: z.looseObject({
              bucket: z.looseObject({ name: z.string().min(1) }),
              object: z.looseObject({ key: dropKeySchema() }),
            }),
          }),
        )
        // S3 sends one record per notification; several would hide all but one file from the ledger.
        .length(1, 'expected exactly one S3 record per event'),
    })
    .transform((e): IngestRequest => {
      const record = e.Records[0]!;
      return { kind: 'drop', bucket: record.s3.bucket.name, key: record.s3.object.key };
    }),
);

const dayRequest = once(() =>
  dayShape().transform((e): IngestRequest => ({ kind: 'day', date: e.date, scheduled: false })),
);

/** Picks the one shape an event claims to be, so a bad event gets that shape's precise errors. */
function ingestShape(event: unknown): z.ZodType<IngestRequest, unknown> {
  const keys = typeof event === 'object' && event !== null ? Object.keys(event) : [];
  if (keys.includes('Records')) return s3DropRequest();
  if (keys.includes('detail-type')) return eventBridgeDropRequest();
  if (keys.includes('scheduledTime')) return scheduledRequest();
  if (keys.includes('from') || keys.includes('to')) return backfillRequest();
  return dayRequest();
}

export const ingestEventSchema: EventSchema<IngestRequest> = lazySchema(
  (): z.ZodType<IngestRequest, unknown> =>
    z.unknown().transform((event, ctx) => {
      const parsed = ingestShape(event).safeParse(event);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) {
        ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: event });
      }
      return z.NEVER;
    }),
);
