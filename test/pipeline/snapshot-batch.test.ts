/**
 * The compute → publish hand-over (docs/architecture.md, "Compute → publish"): a run's snapshots in one
 * gzip object named by its content, read back by publish from the keys compute returns; and the derived
 * price columns, checked in one loop per column, still naming the key and the column of a bad value.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DerivedFormatError } from '../../functions/adapters/derived-repository.ts';
import { derivedPricesKey, KeyError } from '../../functions/pipeline/keys.ts';
import { runPublish, SanityGateError } from '../../functions/pipeline/publish.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { memoryDeps } from './helpers/deps.ts';

const snapshot = (date: string): Snapshot =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../fixtures/site/data/snapshots/${date}.json`), 'utf8'));

describe('snapshot batches', () => {
  it('are named by the run day and their content, so a different run never replaces one', async () => {
    const deps = memoryDeps();
    const a = await deps.derived.putSnapshotBatch('2024-06-11', [snapshot('2024-06-10'), snapshot('2024-06-11')]);
    const again = await deps.derived.putSnapshotBatch('2024-06-11', [snapshot('2024-06-10'), snapshot('2024-06-11')]);
    const other = await deps.derived.putSnapshotBatch('2024-06-11', [snapshot('2024-06-11')]);

    expect(a).toMatch(/^derived\/snapshots\/runs\/2024-06-11-[0-9a-f]{16}\.json\.gz$/);
    expect(again).toBe(a);
    expect(other).not.toBe(a);
    expect(await deps.derived.getSnapshotBatch(a)).toEqual([snapshot('2024-06-10'), snapshot('2024-06-11')]);
    expect(await deps.derived.getSnapshotBatch(other)).toEqual([snapshot('2024-06-11')]);
  });

  it('publish reads the days it is given from their batch, and refuses a day the batch lacks', async () => {
    const deps = memoryDeps();
    const key = await deps.derived.putSnapshotBatch('2024-06-11', [snapshot('2024-06-10'), snapshot('2024-06-11')]);

    const result = await runPublish(deps, {
      date: '2024-06-11',
      dates: ['2024-06-10', '2024-06-11'],
      snapshotKeys: { '2024-06-10': key, '2024-06-11': key },
    });
    expect(result).toMatchObject({ published: ['2024-06-10', '2024-06-11'], latest: '2024-06-11' });
    const published = await deps.site.get('data/snapshots/2024-06-10.json');
    // As computed, with when it was first published (issue 21 item 12).
    expect(JSON.parse(Buffer.from(published?.bytes ?? []).toString('utf8'))).toEqual({
      ...snapshot('2024-06-10'),
      publishedAt: deps.clock().toISOString(),
    });

    const missing = await runPublish(deps, {
      date: '2024-06-12',
      dates: ['2024-06-12'],
      snapshotKeys: { '2024-06-12': key },
    }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SanityGateError);
    expect(missing).toMatchObject({ gate: 'missing', issues: ['2024-06-12: no computed snapshot'] });
  });

  it('publish refuses an event key that does not name a snapshot batch, before reading anything', async () => {
    const deps = memoryDeps();
    const error = await runPublish(deps, {
      date: '2024-06-11',
      dates: ['2024-06-11'],
      snapshotKeys: { '2024-06-11': 'derived/state/journal.json.gz' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyError);
    expect(error).toMatchObject({ field: 'snapshotKeys.2024-06-11' });
    expect(deps.raw.calls.get).toBe(0);
  });
});

describe('derived price columns', () => {
  const columns = {
    v: 1,
    date: '2024-06-10',
    source: { file: '2024-06-10.json', sha256: 'a'.repeat(64), rows: 2 },
    symbol: ['AAA', 'BBB'],
    name: ['Aaa Inc', 'Bbb Inc'],
    price: [10, 20.5],
    marketCap: [1e9, null],
    volume: [1000, null],
    sectors: ['Technology'],
    sector: [0, 0],
    industries: ['Software'],
    industry: [0, 0],
  };
  const store = async (doc: object) => {
    const deps = memoryDeps();
    await deps.raw.put(derivedPricesKey('2024-06-10'), Buffer.from(JSON.stringify(doc)), {
      contentType: 'application/json',
    });
    return deps;
  };

  it('decode into rows', async () => {
    const deps = await store(columns);
    const day = await deps.derived.getPriceDay('2024-06-10');
    expect(day?.rows).toEqual([
      {
        symbol: 'AAA',
        name: 'Aaa Inc',
        price: 10,
        marketCap: 1e9,
        volume: 1000,
        sector: 'Technology',
        industry: 'Software',
      },
      {
        symbol: 'BBB',
        name: 'Bbb Inc',
        price: 20.5,
        marketCap: null,
        volume: null,
        sector: 'Technology',
        industry: 'Software',
      },
    ]);
  });

  it.each([
    ['price', { price: [10, '20.5'] }, 'expected an array of numbers'],
    ['marketCap', { marketCap: [1e9, 'n/a'] }, 'expected an array of numbers or null'],
    ['sector', { sector: [0, -1] }, 'expected an array of non-negative integers'],
    ['symbol', { symbol: 'AAA' }, 'expected an array of strings'],
  ])('a bad %s column is refused naming the key and the column', async (field, bad, message) => {
    const deps = await store({ ...columns, ...bad });
    const error = await deps.derived.getPriceDay('2024-06-10').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DerivedFormatError);
    expect((error as Error).message).toBe(`${derivedPricesKey('2024-06-10')}: ${field}: ${message}`);
  });

  it('a snapshot batch that is not gzip is refused naming its key', async () => {
    const deps = memoryDeps();
    const key = await deps.derived.putSnapshotBatch('2024-06-11', [snapshot('2024-06-11')]);
    await deps.raw.put(key, Buffer.from('{"v":1}'), { contentType: 'application/gzip' });
    await expect(deps.derived.getSnapshotBatch(key)).rejects.toThrow(`${key}: not gzip`);
    await deps.raw.put(key, gzipSync('{"v":2,"snapshots":[]}'), { contentType: 'application/gzip' });
    await expect(deps.derived.getSnapshotBatch(key)).rejects.toBeInstanceOf(DerivedFormatError);
  });
});
