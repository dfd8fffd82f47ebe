/**
 * Numbers in the pipeline table (issue 10, item 2): a number a step writes comes back exactly — beyond
 * Number.MAX_SAFE_INTEGER (1e30, 2^53 + 2), negative — and NaN/±Infinity or a value outside DynamoDB's
 * range (1e-300) are refused with the item key and attribute, before anything is sent. The same
 * assertions run on the in-memory fake and on the DynamoDB adapter over dynalite, so they agree.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPipelineTable } from '../../functions/adapters/dynamo-pipeline-table.ts';
import { createMemoryPipelineTable } from '../../functions/adapters/memory-pipeline-table.ts';
import type { LedgerEntry, PipelineTable } from '../../functions/adapters/ports.ts';
import { TableValueError } from '../../functions/adapters/table-values.ts';
import { type LocalAws, startLocalAws } from './helpers/local-aws.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

function ledgerEntry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    source: 'prices',
    file: '2024-06-10.json',
    sha256: 'a'.repeat(64),
    size: 1234,
    receivedAt: '2024-06-10T23:30:00.000Z',
    origin: 'fetch',
    rawKey: 'raw/prices/2024-06-10/2024-06-10.json',
    date: '2024-06-10',
    status: 'accepted',
    rows: 3,
    rejectedRows: 0,
    rejections: [],
    derivedKey: 'derived/prices/2024-06-10.json',
    ...overrides,
  };
}

const tables: [string, () => Promise<PipelineTable>][] = [
  ['memory', async () => createMemoryPipelineTable()],
  [
    'dynamodb (dynalite)',
    async () => createDynamoPipelineTable({ client: aws.dynamo, tableName: await aws.newTable() }),
  ],
];

async function refusal(promise: Promise<unknown>): Promise<TableValueError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TableValueError);
  return error as TableValueError;
}

describe.each(tables)('numbers in the PipelineTable: %s', (_name, make) => {
  it('ledger numbers: beyond 2^53 and negative come back exactly; NaN and out-of-range are refused by name', async () => {
    const table = await make();
    const big = ledgerEntry({
      size: 2 ** 53 + 2,
      rows: 1e30,
      rejectedRows: 1,
      rejections: [{ file: '2024-06-10.json', line: -(2 ** 53 + 2), field: 'marketCap', reason: 'negative' }],
    });
    expect(await table.recordFile(big)).toBe('recorded');
    const got = await table.getFile('prices', '2024-06-10.json', 'a'.repeat(64));
    expect(got).toEqual(big);
    expect(Object.is(got?.size, 2 ** 53 + 2)).toBe(true);

    const nan = await refusal(table.recordFile(ledgerEntry({ sha256: 'b'.repeat(64), size: Number.NaN })));
    expect(nan.message).toBe(
      `table item FILE#prices#2024-06-10.json / SHA#${'b'.repeat(64)}: attribute size is NaN, not a finite number: it cannot be stored`,
    );
    // A plain number attribute is a DynamoDB number: 1e-300 does not fit one, and is refused as such.
    const tiny = await refusal(
      table.recordFile(
        ledgerEntry({
          sha256: 'c'.repeat(64),
          rejections: [{ file: '2024-06-10.json', line: 1e-300, field: 'price', reason: 'x' }],
        }),
      ),
    );
    expect(tiny.message).toContain('attribute rejections.0.line is 1e-300, outside the range of a DynamoDB number');
    expect(await table.listFileVersions('prices', '2024-06-10.json')).toEqual([big]);
  });

  it('the day lock: a non-finite expiry is refused with the day key', async () => {
    const table = await make();
    const error = await refusal(table.acquireDayLock('2024-06-10', 'run-1', Number.POSITIVE_INFINITY, 0));
    expect(error.message).toBe(
      'table item DAY#2024-06-10 / DAY: attribute lockExpiresAt is Infinity, not a finite number: it cannot be stored',
    );
    expect(await table.getDay('2024-06-10')).toBeUndefined();
  });
});

describe('DynamoDB items (dynalite)', () => {
  it('the document client writes and reads numbers beyond ±2^53 as numbers (never a BigInt, never a refusal)', async () => {
    const tableName = await aws.newTable();
    const item = { pk: 'N', sk: 'N', a: 1e30, b: 2 ** 53 + 2, c: -(2 ** 53 + 2), d: -1e30, e: 1.5e-130 };
    await aws.dynamo.send(new PutCommand({ TableName: tableName, Item: item }));
    const got = await aws.dynamo.send(new GetCommand({ TableName: tableName, Key: { pk: 'N', sk: 'N' } }));
    expect(got.Item).toEqual(item);
    for (const k of ['a', 'b', 'c', 'd', 'e'] as const) expect(typeof got.Item?.[k]).toBe('number');
  });
});
