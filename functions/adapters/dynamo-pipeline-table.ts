/**
 * PipelineTable on DynamoDB (AWS, or dynalite locally): one table, keys `pk`/`sk` (layout in
 * functions/pipeline/keys.ts). Conditional writes give the ledger its idempotence and the day lock its
 * single winner, as it gives the run lock (functions/pipeline/run-lock.ts) its one holder. Items read back are checked with zod (the table is a boundary: an item written by an
 * older version must fail loudly, not be mis-read). Numbers: see table-values.ts (checked before each write).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from '../../shared/zod.ts';
import {
  CURSOR_KEY,
  dayKey,
  LEDGER_INDEX_PK,
  ledgerIndexKey,
  ledgerKey,
  ledgerPk,
  RUN_LOCK_KEY,
  SOURCES,
  type TableKey,
} from '../pipeline/keys.ts';
import { RUN_LOCK_ACQUIRE, RUN_LOCK_RELEASE, type RunLockResult } from '../pipeline/run-lock.ts';
import {
  type DayRecord,
  LEDGER_MAX_REJECTIONS,
  type LedgerEntry,
  type LockResult,
  type PipelineCursor,
  type PipelineTable,
  type RecordedLedgerEntry,
  type StepStatus,
} from './ports.ts';
import { DEFAULT_AWS_RETRY, errorName, isRetryableAwsError, type RetryPolicy, sleep, withRetry } from './retry.ts';
import { assertStorableNumbers } from './table-values.ts';

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

/** The items' schemas, built together on the first read (not at Lambda init; issue 20 item 7). */
const items = z.onFirstUse(() => {
  const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

  const RejectionItem = z.object({ file: z.string(), line: z.number(), field: z.string(), reason: z.string() });

  const LedgerItem = z.object({
    source: z.enum(SOURCES),
    file: z.string(),
    sha256: z.string(),
    size: z.number(),
    receivedAt: z.string(),
    origin: z.enum(['fetch', 'drop', 'archive']),
    rawKey: z.string(),
    date: z.nullable(isoDate),
    status: z.enum(['accepted', 'rejected']),
    rows: z.number(),
    rejectedRows: z.number(),
    rejections: z.array(RejectionItem),
    derivedKey: z.nullable(z.string()),
    generated: z.optional(z.literal(true)),
  });

  const StepStatusItem = z.object({
    state: z.enum(['done', 'incomplete', 'failed', 'refused']),
    at: z.string(),
    runId: z.string(),
    detail: z.optional(z.string()),
  });

  const DayItem = z.object({
    date: isoDate,
    ingest: z.optional(StepStatusItem),
    compute: z.optional(StepStatusItem),
    publish: z.optional(StepStatusItem),
    lockOwner: z.optional(z.string()),
    lockExpiresAt: z.optional(z.number()),
  });

  const CursorItem = z.object({
    lastIngested: z.optional(isoDate),
    lastComputed: z.optional(isoDate),
    lastPublished: z.optional(isoDate),
    restateFrom: z.optional(isoDate),
  });

  const RecordedItem = z.extend(LedgerItem, { recordedAt: z.string(), sk: z.string() });
  const RunLockItem = z.object({ runOwner: z.optional(z.string()), runExpiresAt: z.optional(z.string()) });
  return { LedgerItem, DayItem, CursorItem, RunLockItem, IndexedItem: z.extend(RecordedItem, { pk: z.string() }) };
});

export class TableItemError extends Error {
  readonly key: TableKey;
  constructor(key: TableKey, issues: string) {
    super(`table item ${key.pk} / ${key.sk} does not have the expected shape: ${issues}`);
    this.name = 'TableItemError';
    this.key = key;
  }
}

function parseItem<T>(schema: z.ZodMiniType<T>, key: TableKey, item: unknown): T {
  const result = schema.safeParse(item);
  if (!result.success) {
    throw new TableItemError(key, result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return result.data;
}

function isConditionFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
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
    const day = parseItem(items().DayItem, key, item);
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
      return item ? parseItem(items().LedgerItem, key, item) : undefined;
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
          entries.push(parseItem(items().LedgerItem, { pk, sk: String(item.sk) }, item));
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
          } = parseItem(items().IndexedItem, { pk: LEDGER_INDEX_PK, sk: String(item.sk) }, item);
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

    // The state machine makes these same two updates itself (RUN_LOCK_ACQUIRE / RUN_LOCK_RELEASE).
    async acquireRunLock(owner, expiresAt, now): Promise<RunLockResult> {
      const acquired = await conditionalUpdate({
        key: RUN_LOCK_KEY,
        update: RUN_LOCK_ACQUIRE.update,
        condition: RUN_LOCK_ACQUIRE.condition,
        values: { ':owner': owner, ':expires': expiresAt, ':now': now },
      });
      if (acquired) return { acquired: true, lock: { owner, expiresAt } };
      const item = await getItem(RUN_LOCK_KEY);
      const held = item ? parseItem(items().RunLockItem, RUN_LOCK_KEY, item) : {};
      return {
        acquired: false,
        heldBy:
          held.runOwner !== undefined && held.runExpiresAt !== undefined
            ? { owner: held.runOwner, expiresAt: held.runExpiresAt }
            : null,
      };
    },

    releaseRunLock(owner) {
      return conditionalUpdate({
        key: RUN_LOCK_KEY,
        update: RUN_LOCK_RELEASE.update,
        condition: RUN_LOCK_RELEASE.condition,
        values: { ':owner': owner },
      });
    },

    async getCursor(): Promise<PipelineCursor> {
      const item = await getItem(CURSOR_KEY);
      const c = item ? parseItem(items().CursorItem, CURSOR_KEY, item) : {};
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
  };
}
