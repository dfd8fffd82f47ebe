/**
 * An unexpected error inside ingest (a storage write refused or failing) names the day and the file it
 * happened on, and stays the same error (same class and name: the state machine's retry policy and the
 * local runner classify by them). A normalised record holding NaN/±Infinity is refused where it would be
 * stored, naming the object key, the row and the column, instead of being written as null.
 */
import { describe, expect, it } from 'vitest';
import { DerivedFormatError } from '../../functions/adapters/derived-repository.ts';
import type { PipelineTable } from '../../functions/adapters/ports.ts';
import type { PipelineDeps } from '../../functions/pipeline/deps.ts';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { fakeProvider, file, memoryDeps } from './helpers/deps.ts';
import { SCREENER_2024_06_10 } from './helpers/fixtures.ts';

class ThrottledError extends Error {
  constructor() {
    super('Rate of requests exceeds the allowed throughput.');
    this.name = 'ProvisionedThroughputExceededException';
  }
}

const pricesProvider = () =>
  fakeProvider(
    'prices',
    { '2024-06-10': [file('2024-06-10.json', SCREENER_2024_06_10)] },
    { expected: (d) => [`${d}.json`] },
  );

/** The table, with recordFile failing as a throttled DynamoDB would after its retries. */
function failingRecords(table: PipelineTable): PipelineTable {
  return {
    ...table,
    recordFile: async () => {
      throw new ThrottledError();
    },
  };
}

describe('errors inside ingest', () => {
  it('a failing ledger write names the day and the file, keeps its class and name, and releases the day', async () => {
    const base = memoryDeps({ providers: [pricesProvider()] });
    const deps: PipelineDeps = { ...base, table: failingRecords(base.table) };
    const error = await runIngest(deps, { date: '2024-06-10', sources: ['prices'], runId: 'run-1' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
    expect((error as Error).message).toBe(
      'ingest 2024-06-10: prices file 2024-06-10.json (fake://2024-06-10.json): Rate of requests exceeds the allowed throughput.',
    );
    expect((await base.table.getDay('2024-06-10'))?.lock).toBeNull();
  });

  it('a failing write during a drop names the dropped object and the file', async () => {
    const base = memoryDeps();
    const deps: PipelineDeps = { ...base, table: failingRecords(base.table) };
    await base.raw.put('incoming/2024-06-10.json', new TextEncoder().encode(SCREENER_2024_06_10), {
      contentType: 'application/json',
    });
    const error = await runIngest(deps, {
      kind: 'drop',
      bucket: base.raw.bucket,
      key: 'incoming/2024-06-10.json',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).message).toBe(
      `ingest of the drop s3://${base.raw.bucket}/incoming/2024-06-10.json: prices file 2024-06-10.json ` +
        `(s3://${base.raw.bucket}/incoming/2024-06-10.json): Rate of requests exceeds the allowed throughput.`,
    );
  });

  it('a non-finite value in a normalised record is refused with the key, row, symbol and column', async () => {
    const base = memoryDeps({ providers: [pricesProvider()] });
    // As a parser that let Infinity through would hand it over (JSON would have stored null).
    const deps: PipelineDeps = {
      ...base,
      derived: {
        ...base.derived,
        putPriceDay: (day) =>
          base.derived.putPriceDay({
            ...day,
            rows: day.rows.map((r, i) => (i === 1 ? { ...r, marketCap: Number.POSITIVE_INFINITY } : r)),
          }),
      },
    };
    const error = await runIngest(deps, { date: '2024-06-10', sources: ['prices'], runId: 'run-1' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DerivedFormatError);
    expect((error as Error).message).toMatch(
      /^ingest 2024-06-10: prices file 2024-06-10\.json \(fake:\/\/2024-06-10\.json\): derived\/prices\/2024-06-10\.json: row 1 \([A-Z.]+\): marketCap is Infinity, not a finite number$/,
    );
    expect(await base.raw.head('derived/prices/2024-06-10.json')).toBeUndefined();
  });
});
