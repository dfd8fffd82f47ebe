/**
 * PipelineTable on DynamoDB (AWS, or dynalite locally): one table, keys `pk`/`sk` (layout in
 * functions/pipeline/keys.ts). Conditional writes give the ledger its idempotence and the day lock its
 * single winner; batch writes loop on UnprocessedItems with backoff. Items read back are checked with zod
 * (the table is a boundary: an item written by an older version must fail loudly, not be mis-read).
 * Numbers: see table-values.ts (checked before each write; aggregates are stored as JSON text).
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { IsoDate } from '../../shared/domain.ts';
import {
  aggregatesKey,
  CURSOR_KEY,
  dayKey,
  LEDGER_INDEX_PK,
  ledgerIndexKey,
  ledgerKey,
  ledgerPk,
  SOURCES,
  type TableKey,
} from '../pipeline/keys.ts';
import {
  BatchIncompleteError,
  type DayRecord,
  type JsonObject,
  LEDGER_MAX_REJECTIONS,
  type LedgerEntry,
  type LockResult,
  type PipelineCursor,
  type PipelineTable,
  type RecordedLedgerEntry,
  type StepStatus,
} from './ports.ts';
import {
  backoffDelay,
  DEFAULT_AWS_RETRY,
  errorName,
  isRetryableAwsError,
  type RetryPolicy,
  sleep,
  withRetry,
} from './retry.ts';
import { assertStorableNumbers, encodeJsonAttribute } from './table-values.ts';

export interface DynamoPipelineTableOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  retry?: Partial<RetryPolicy>;
  /** For tests: deterministic jitter and no real waiting. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** When ledger entries are recorded (the ledger index's order); default the system clock. */
  clock?: () => Date;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const RejectionItem = z.object({ file: z.string(), line: z.number(), field: z.string(), reason: z.string() });

const LedgerItem = z.object({
  source: z.enum(SOURCES),
  file: z.string(),
  sha256: z.string(),
  size: z.number(),
  receivedAt: z.string(),
  origin: z.enum(['fetch', 'drop', 'archive']),
  rawKey: z.string(),
  date: isoDate.nullable(),
  status: z.enum(['accepted', 'rejected']),
  rows: z.number(),
  rejectedRows: z.number(),
  rejections: z.array(RejectionItem),
  derivedKey: z.string().nullable(),
  generated: z.literal(true).optional(),
});

const StepStatusItem = z.object({
  state: z.enum(['done', 'incomplete', 'failed', 'refused']),
  at: z.string(),
  runId: z.string(),
  detail: z.string().optional(),
});

const DayItem = z.object({
  date: isoDate,
  ingest: StepStatusItem.optional(),
  compute: StepStatusItem.optional(),
  publish: StepStatusItem.optional(),
  lockOwner: z.string().optional(),
  lockExpiresAt: z.number().optional(),
});

const CursorItem = z.object({
  lastIngested: isoDate.optional(),
  lastComputed: isoDate.optional(),
  lastPublished: isoDate.optional(),
  restateFrom: isoDate.optional(),
});

const RecordedItem = LedgerItem.extend({ recordedAt: z.string(), sk: z.string() });

const JsonObjectSchema = z.record(z.string(), z.json());

/** JSON text holding an object (parsed to unknown, then checked: never cast). */
const JsonObjectText = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not JSON (${(error as Error).message})` });
      return z.NEVER;
    }
  })
  .pipe(JsonObjectSchema);

/** Name of the attribute holding a day's aggregates as JSON text (any finite double, exactly). */
const AGGREGATES_JSON = 'aggregatesJson';

const AggregatesItem = z.union([
  z.object({ date: isoDate, [AGGREGATES_JSON]: JsonObjectText }).transform((item) => ({
    date: item.date,
    aggregates: item[AGGREGATES_JSON],
  })),
  // Written before the JSON text (a map of DynamoDB numbers, all within ±MAX_SAFE_INTEGER): read as it is.
  z.object({ date: isoDate, aggregates: JsonObjectSchema }),
]);

export class TableItemError extends Error {
  readonly key: TableKey;
  constructor(key: TableKey, issues: string) {
    super(`table item ${key.pk} / ${key.sk} does not have the expected shape: ${issues}`);
    this.name = 'TableItemError';
    this.key = key;
  }
}

function parseItem<T>(schema: z.ZodType<T>, key: TableKey, item: unknown): T {
  const result = schema.safeParse(item);
  if (!result.success) {
    throw new TableItemError(key, result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return result.data;
}

function isConditionFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function createDynamoPipelineTable(options: DynamoPipelineTableOptions): PipelineTable {
  const { client, tableName: TableName } = options;
  const policy: RetryPolicy = { ...DEFAULT_AWS_RETRY, ...options.retry };
  const pause = options.sleep ?? ((ms: number) => sleep(ms));
  const random = options.random ?? Math.random;
  const clock = options.clock ?? (() => new Date());
  // Strictly increasing within this client, so entries recorded one after the other sort in that order.
  let lastRecorded = 0;
  const nextRecordedAt = () => {
    lastRecorded = Math.max(clock().getTime(), lastRecorded + 1);
    return new Date(lastRecorded).toISOString();
  };
  const retry = <T>(fn: () => Promise<T>) =>
    withRetry(fn, { ...policy, isRetryable: isRetryableAwsError, random, sleep: pause });

  async function getItem(key: TableKey): Promise<Record<string, unknown> | undefined> {
    const out = await retry(() => client.send(new GetCommand({ TableName, Key: key, ConsistentRead: true })));
    return out.Item;
  }

  async function conditionalUpdate(input: {
    key: TableKey;
    update: string;
    condition: string;
    names?: Record<string, string>;
    values: Record<string, unknown>;
  }): Promise<boolean> {
    try {
      await retry(() =>
        client.send(
          new UpdateCommand({
            TableName,
            Key: input.key,
            UpdateExpression: input.update,
            ConditionExpression: input.condition,
            ...(input.names ? { ExpressionAttributeNames: input.names } : {}),
            ExpressionAttributeValues: input.values,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  function toDayRecord(key: TableKey, item: Record<string, unknown>): DayRecord {
    const day = parseItem(DayItem, key, item);
    const steps: DayRecord['steps'] = {};
    if (day.ingest) steps.ingest = day.ingest;
    if (day.compute) steps.compute = day.compute;
    if (day.publish) steps.publish = day.publish;
    const lock =
      day.lockOwner !== undefined && day.lockExpiresAt !== undefined
        ? { owner: day.lockOwner, expiresAt: day.lockExpiresAt }
        : null;
    return { date: day.date, steps, lock };
  }

  return {
    async recordFile(entry) {
      const key = ledgerKey(entry.source, entry.file, entry.sha256);
      const item = { ...key, ...entry, rejections: entry.rejections.slice(0, LEDGER_MAX_REJECTIONS) };
      assertStorableNumbers(key, item);
      const recordedAt = nextRecordedAt();
      const indexKey = ledgerIndexKey(recordedAt, entry.source, entry.file, entry.sha256);
      await retry(() => client.send(new PutCommand({ TableName, Item: { ...item, ...indexKey, recordedAt } })));
      try {
        await retry(() =>
          client.send(new PutCommand({ TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
        );
        return 'recorded';
      } catch (error) {
        if (isConditionFailed(error)) return 'duplicate';
        throw error;
      }
    },

    async getFile(source, file, sha256) {
      const key = ledgerKey(source, file, sha256);
      const item = await getItem(key);
      return item ? parseItem(LedgerItem, key, item) : undefined;
    },

    async listFileVersions(source, file) {
      const pk = ledgerPk(source, file);
      const entries: LedgerEntry[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await retry(() =>
          client.send(
            new QueryCommand({
              TableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': pk },
              ConsistentRead: true,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          entries.push(parseItem(LedgerItem, { pk, sk: String(item.sk) }, item));
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return entries.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
    },

    async listRecordedAfter(position) {
      const entries: RecordedLedgerEntry[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await retry(() =>
          client.send(
            new QueryCommand({
              TableName,
              KeyConditionExpression: position === null ? 'pk = :pk' : 'pk = :pk AND sk > :after',
              ExpressionAttributeValues: {
                ':pk': LEDGER_INDEX_PK,
                ...(position === null ? {} : { ':after': position }),
              },
              ConsistentRead: true,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          const {
            pk: _pk,
            sk,
            ...rest
          } = parseItem(RecordedItem.extend({ pk: z.string() }), { pk: LEDGER_INDEX_PK, sk: String(item.sk) }, item);
          entries.push({ ...rest, position: sk });
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return entries;
    },

    async getDay(date) {
      const key = dayKey(date);
      const item = await getItem(key);
      return item ? toDayRecord(key, item) : undefined;
    },

    async setStepStatus(date, step, status: StepStatus) {
      assertStorableNumbers(dayKey(date), { [step]: status });
      await retry(() =>
        client.send(
          new UpdateCommand({
            TableName,
            Key: dayKey(date),
            UpdateExpression: 'SET #step = :status, #date = :date',
            ExpressionAttributeNames: { '#step': step, '#date': 'date' },
            ExpressionAttributeValues: { ':status': status, ':date': date },
          }),
        ),
      );
    },

    async acquireDayLock(date, owner, expiresAt, now): Promise<LockResult> {
      const key = dayKey(date);
      assertStorableNumbers(key, { lockExpiresAt: expiresAt, now });
      const acquired = await conditionalUpdate({
        key,
        update: 'SET lockOwner = :owner, lockExpiresAt = :expires, #date = :date',
        condition: 'attribute_not_exists(lockOwner) OR lockExpiresAt < :now OR lockOwner = :owner',
        names: { '#date': 'date' },
        values: { ':owner': owner, ':expires': expiresAt, ':now': now, ':date': date },
      });
      if (acquired) return { acquired: true, lock: { owner, expiresAt } };
      const item = await getItem(key);
      return { acquired: false, heldBy: item ? toDayRecord(key, item).lock : null };
    },

    releaseDayLock(date, owner) {
      return conditionalUpdate({
        key: dayKey(date),
        update: 'REMOVE lockOwner, lockExpiresAt',
        condition: 'lockOwner = :owner',
        values: { ':owner': owner },
      });
    },

    async getCursor(): Promise<PipelineCursor> {
      const item = await getItem(CURSOR_KEY);
      const c = item ? parseItem(CursorItem, CURSOR_KEY, item) : {};
      return {
        lastIngested: c.lastIngested ?? null,
        lastComputed: c.lastComputed ?? null,
        lastPublished: c.lastPublished ?? null,
        restateFrom: c.restateFrom ?? null,
      };
    },

    async advanceCursor(field, date) {
      await conditionalUpdate({
        key: CURSOR_KEY,
        update: 'SET #f = :date',
        condition: 'attribute_not_exists(#f) OR #f < :date',
        names: { '#f': field },
        values: { ':date': date },
      });
    },

    async markRestateFrom(date) {
      await conditionalUpdate({
        key: CURSOR_KEY,
        update: 'SET restateFrom = :date',
        condition: 'attribute_not_exists(restateFrom) OR restateFrom > :date',
        values: { ':date': date },
      });
    },

    clearRestateFrom(expected) {
      return conditionalUpdate({
        key: CURSOR_KEY,
        update: 'REMOVE restateFrom',
        condition: 'restateFrom = :expected',
        values: { ':expected': expected },
      });
    },

    async putAggregates(entries) {
      // Last write wins within one call, as it would with sequential puts (BatchWrite rejects duplicate keys).
      const byDate = new Map(entries.map((e) => [e.date, e]));
      // Encoded (and refused when not finite) before anything is sent: no batch goes out half-checked.
      const requests = [...byDate.values()].map((e) => {
        const key = aggregatesKey(e.date);
        return {
          PutRequest: {
            Item: { ...key, date: e.date, [AGGREGATES_JSON]: encodeJsonAttribute(key, 'aggregates', e.aggregates) },
          },
        };
      });
      for (const chunk of chunks(requests, 25)) {
        let pending: typeof chunk = chunk;
        for (let attempt = 1; ; attempt++) {
          const out = await retry(() => client.send(new BatchWriteCommand({ RequestItems: { [TableName]: pending } })));
          const unprocessed = (out.UnprocessedItems?.[TableName] ?? []) as typeof chunk;
          if (unprocessed.length === 0) break;
          if (attempt >= policy.attempts) throw new BatchIncompleteError('BatchWriteItem', unprocessed.length, attempt);
          pending = unprocessed;
          await pause(backoffDelay(attempt, policy, random));
        }
      }
    },

    async getAggregates(dates: IsoDate[]) {
      const found = new Map<IsoDate, JsonObject>();
      for (const chunk of chunks([...new Set(dates)], 100)) {
        let keys: Record<string, unknown>[] = chunk.map((d) => ({ ...aggregatesKey(d) }));
        for (let attempt = 1; keys.length > 0; attempt++) {
          const out: BatchGetCommandOutput = await retry(() =>
            client.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys, ConsistentRead: true } } })),
          );
          for (const item of out.Responses?.[TableName] ?? []) {
            const parsed = parseItem(AggregatesItem, { pk: String(item.pk), sk: String(item.sk) }, item);
            found.set(parsed.date, parsed.aggregates);
          }
          keys = (out.UnprocessedKeys?.[TableName]?.Keys ?? []) as Record<string, unknown>[];
          if (keys.length === 0) break;
          if (attempt >= policy.attempts) throw new BatchIncompleteError('BatchGetItem', keys.length, attempt);
          await pause(backoffDelay(attempt, policy, random));
        }
      }
      return found;
    },
  };
}
