/**
 * Numbers in the pipeline table (issue 10, item 2): any finite double a step writes comes back exactly —
 * beyond Number.MAX_SAFE_INTEGER (1e30, 2^53 + 2), below DynamoDB's own range (1e-300), negative — and
 * NaN/±Infinity are refused with the item key and attribute, before anything is sent. The same
 * assertions run on the in-memory fake and on the DynamoDB adapter over dynalite, so they agree.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPipelineTable, TableItemError } from '../../functions/adapters/dynamo-pipeline-table.ts';
import { createMemoryPipelineTable } from '../../functions/adapters/memory-pipeline-table.ts';
import type { JsonObject, LedgerEntry, PipelineTable } from '../../functions/adapters/ports.ts';
import { TableValueError } from '../../functions/adapters/table-values.ts';
import { type LocalAws, startLocalAws } from './helpers/local-aws.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

/** Every awkward finite double, each with its name (the path in the error message, the label in failures). */
const EXTREMES: Record<string, number> = {
  'sum of market caps': 1e30,
  'above 2^53': 2 ** 53 + 2,
  tiny: 1e-300,
  'negative huge': -1e30,
  'negative above 2^53': -(2 ** 53 + 2),
  'negative tiny': -1e-300,
  'largest double': Number.MAX_VALUE,
  'smallest subnormal': Number.MIN_VALUE,
  '17 significant digits': 0.1 + 0.2,
  'dollar exposure': 35980006387087396,
  ordinary: 1234.5,
};

const aggregates = (): JsonObject => ({
  tiers: {
    mega: { pnl: -629999946524167.1, exposure: 35980006387087396, capPrev: 1e30, capNext: 1e30 * 1.01 },
    nano: { pnl: -1e-300, exposure: 1e-300, capPrev: 7752487127, capNext: 7684916911.15833 },
  },
  extremes: { ...EXTREMES },
  list: Object.values(EXTREMES),
  note: null,
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
  it('aggregates: every finite double comes back exactly (1e30, 2^53 + 2, 1e-300, negatives)', async () => {
    const table = await make();
    await table.putAggregates([{ date: '2024-06-10', aggregates: aggregates() }]);
    const got = (await table.getAggregates(['2024-06-10'])).get('2024-06-10') as JsonObject;
    expect(got).toEqual(aggregates());
    const back = got.extremes as Record<string, number>;
    for (const [name, value] of Object.entries(EXTREMES)) {
      expect(Object.is(back[name], value), `${name}: ${back[name]} read back for ${value}`).toBe(true);
    }
    expect((got.list as number[]).every((v, i) => Object.is(v, Object.values(EXTREMES)[i]))).toBe(true);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])(
    'aggregates: %s is refused with the item key and attribute, and nothing of the batch is written',
    async (shown, bad) => {
      const table = await make();
      const poisoned = aggregates();
      (poisoned.tiers as Record<string, Record<string, number>>).mega = { pnl: 1, exposure: bad };
      const error = await refusal(
        table.putAggregates([
          { date: '2024-06-07', aggregates: aggregates() },
          { date: '2024-06-10', aggregates: poisoned },
        ]),
      );
      expect(error.message).toBe(
        `table item AGG#2024-06-10 / AGG: attribute aggregates.tiers.mega.exposure is ${shown}, not a finite number: it cannot be stored`,
      );
      expect(error.key).toEqual({ pk: 'AGG#2024-06-10', sk: 'AGG' });
      expect(error.field).toBe('aggregates.tiers.mega.exposure');
      expect((await table.getAggregates(['2024-06-07', '2024-06-10'])).size).toBe(0);
    },
  );

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
  it('aggregates are one JSON text attribute; a day written as a map of numbers by earlier versions still reads', async () => {
    const tableName = await aws.newTable();
    const table = createDynamoPipelineTable({ client: aws.dynamo, tableName });
    await table.putAggregates([{ date: '2024-06-10', aggregates: aggregates() }]);
    const raw = await aws.dynamo.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'AGG#2024-06-10', sk: 'AGG' } }),
    );
    expect(raw.Item).toEqual({
      pk: 'AGG#2024-06-10',
      sk: 'AGG',
      date: '2024-06-10',
      aggregatesJson: JSON.stringify(aggregates()),
    });

    // The shape written before: the aggregates as a DynamoDB map (numbers within ±MAX_SAFE_INTEGER).
    const old = { tiers: { mega: { pnl: -1.5, exposure: 9007199254740991, symbols: 3 } }, note: null };
    await aws.dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'AGG#2024-06-07', sk: 'AGG', date: '2024-06-07', aggregates: old },
      }),
    );
    const got = await table.getAggregates(['2024-06-07', '2024-06-10']);
    expect(got.get('2024-06-07')).toEqual(old);
    expect(got.get('2024-06-10')).toEqual(aggregates());
  });

  it('an aggregates item whose JSON text is broken fails loudly with its key', async () => {
    const tableName = await aws.newTable();
    const table = createDynamoPipelineTable({ client: aws.dynamo, tableName });
    await aws.dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'AGG#2024-06-10', sk: 'AGG', date: '2024-06-10', aggregatesJson: '{"tiers":' },
      }),
    );
    const error = await table.getAggregates(['2024-06-10']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TableItemError);
    expect((error as Error).message).toContain('AGG#2024-06-10 / AGG');
  });

  it('the document client writes and reads numbers beyond ±2^53 as numbers (never a BigInt, never a refusal)', async () => {
    const tableName = await aws.newTable();
    const item = { pk: 'N', sk: 'N', a: 1e30, b: 2 ** 53 + 2, c: -(2 ** 53 + 2), d: -1e30, e: 1.5e-130 };
    await aws.dynamo.send(new PutCommand({ TableName: tableName, Item: item }));
    const got = await aws.dynamo.send(new GetCommand({ TableName: tableName, Key: { pk: 'N', sk: 'N' } }));
    expect(got.Item).toEqual(item);
    for (const k of ['a', 'b', 'c', 'd', 'e'] as const) expect(typeof got.Item?.[k]).toBe('number');
  });
});
