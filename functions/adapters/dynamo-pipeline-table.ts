/**
 * PipelineTable on DynamoDB (AWS, or dynalite locally): one table, keys `pk`/`sk` (layout in
 * functions/pipeline/keys.ts). Conditional writes give the ledger its idempotence and the day lock its
 * single winner, as it gives the run lock (functions/pipeline/run-lock.ts) its one holder. Items read back are checked with zod (the table is a boundary: an item written by an
 * older version must fail loudly, not be mis-read). Numbers: see table-values.ts (checked before each write).
 * Compute's calls are in dynamo-compute-table.ts; this file adds ingest's ledger writes and look-ups, its
 * restate mark and the run lock.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '../../shared/zod.ts';
import { CURSOR_KEY, ledgerIndexKey, ledgerKey, ledgerPk, RUN_LOCK_KEY } from '../pipeline/keys.ts';
import { RUN_LOCK_ACQUIRE, RUN_LOCK_RELEASE, type RunLockResult } from '../pipeline/run-lock.ts';
import {
  type DynamoPipelineTableOptions,
  dynamoTableCalls,
  isConditionFailed,
  items,
  parseItem,
} from './dynamo-compute-table.ts';
import { LEDGER_MAX_REJECTIONS, type LedgerEntry, type PipelineTable } from './ports.ts';
import { assertStorableNumbers } from './table-values.ts';

export { type DynamoPipelineTableOptions, TableItemError } from './dynamo-compute-table.ts';

/** The run lock item's schema, built on its first read. */
const runLockItem = z.onFirstUse(() =>
  z.object({ runOwner: z.optional(z.string()), runExpiresAt: z.optional(z.string()) }),
);

export function createDynamoPipelineTable(options: DynamoPipelineTableOptions): PipelineTable {
  const { client, tableName: TableName } = options;
  const { table, retry, getItem, conditionalUpdate, queryAll } = dynamoTableCalls(options);
  const clock = options.clock ?? (() => new Date());
  // Strictly increasing within this client, so entries recorded one after the other sort in that order.
  let lastRecorded = 0;
  const nextRecordedAt = () => {
    lastRecorded = Math.max(clock().getTime(), lastRecorded + 1);
    return new Date(lastRecorded).toISOString();
  };

  return {
    ...table,

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
      const entries: LedgerEntry[] = (await queryAll('pk = :pk', { ':pk': pk })).map((item) =>
        parseItem(items().LedgerItem, { pk, sk: String(item.sk) }, item),
      );
      return entries.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
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
      const held = item ? parseItem(runLockItem(), RUN_LOCK_KEY, item) : {};
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

    async markRestateFrom(date) {
      await conditionalUpdate({
        key: CURSOR_KEY,
        update: 'SET restateFrom = :date',
        condition: 'attribute_not_exists(restateFrom) OR restateFrom > :date',
        values: { ':date': date },
      });
    },
  };
}
