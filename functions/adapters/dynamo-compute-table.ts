/**
 * The PipelineTable calls compute makes (`ComputeTable`: the ledger index, the day records and their locks, the
 * cursor) on DynamoDB, and the pieces dynamo-pipeline-table.ts builds the others on: kept apart so the compute
 * bundle carries neither ingest's ledger writes and look-ups nor the run lock. Layout, conditional writes and
 * the checks of items read back: see dynamo-pipeline-table.ts.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '../../shared/zod.ts';
import { CURSOR_KEY, dayKey, LEDGER_INDEX_PK, SOURCES, type TableKey } from '../pipeline/keys.ts';
import type { ComputeTable, DayRecord, LockResult, PipelineCursor, RecordedLedgerEntry, StepStatus } from './ports.ts';
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

/** The items' schemas, built together on the first read (not at Lambda init; issue 20 item 7); the run lock's: dynamo-pipeline-table.ts. */
export const items = z.onFirstUse(() => {
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
  return { LedgerItem, DayItem, CursorItem, IndexedItem: z.extend(RecordedItem, { pk: z.string() }) };
});

export class TableItemError extends Error {
  readonly key: TableKey;
  constructor(key: TableKey, issues: string) {
    super(`table item ${key.pk} / ${key.sk} does not have the expected shape: ${issues}`);
    this.name = 'TableItemError';
    this.key = key;
  }
}

export function parseItem<T>(schema: z.ZodMiniType<T>, key: TableKey, item: unknown): T {
  const result = schema.safeParse(item);
  if (!result.success) {
    throw new TableItemError(key, result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return result.data;
}

export function isConditionFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** Compute's calls, and what the others build on: the retry, a consistent GET, a conditional UPDATE. */
export function dynamoTableCalls(options: DynamoPipelineTableOptions) {
  const { client, tableName: TableName } = options;
  const policy: RetryPolicy = { ...DEFAULT_AWS_RETRY, ...options.retry };
  const pause = options.sleep ?? ((ms: number) => sleep(ms));
  const random = options.random ?? Math.random;
  const retry = <T>(fn: () => Promise<T>) =>
    withRetry(fn, { ...policy, isRetryable: isRetryableAwsError, random, sleep: pause });

  /** Every item of a consistent QUERY, page after page (each page retried). */
  async function queryAll(keyCondition: string, values: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await retry(() =>
        client.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: keyCondition,
            ExpressionAttributeValues: values,
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      found.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

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

  const table: ComputeTable = {
    async listRecordedAfter(position) {
      const found = await queryAll(position === null ? 'pk = :pk' : 'pk = :pk AND sk > :after', {
        ':pk': LEDGER_INDEX_PK,
        ...(position === null ? {} : { ':after': position }),
      });
      return found.map((item): RecordedLedgerEntry => {
        const {
          pk: _pk,
          sk,
          ...rest
        } = parseItem(items().IndexedItem, { pk: LEDGER_INDEX_PK, sk: String(item.sk) }, item);
        return { ...rest, position: sk };
      });
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

    clearRestateFrom(expected) {
      return conditionalUpdate({
        key: CURSOR_KEY,
        update: 'REMOVE restateFrom',
        condition: 'restateFrom = :expected',
        values: { ':expected': expected },
      });
    },
  };
  return { table, retry, getItem, conditionalUpdate, queryAll };
}

export function createDynamoComputeTable(options: DynamoPipelineTableOptions): ComputeTable {
  return dynamoTableCalls(options).table;
}
