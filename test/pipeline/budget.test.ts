/**
 * Issue 7's budget for an ordinary day (≤ 50 S3 requests and ≤ 20,000 DynamoDB write units for the whole
 * ingest → compute → publish): the I/O of ingest and publish counted on the in-memory fakes, which count
 * every call. On S3, putIfAbsent is two requests (HEAD, then PUT).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MemoryObjectStore } from '../../functions/adapters/memory-object-store.ts';
import type { MemoryPipelineTable } from '../../functions/adapters/memory-pipeline-table.ts';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { runPublish } from '../../functions/pipeline/publish.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { fakeProvider, file, memoryDeps } from './helpers/deps.ts';
import { SCREENER_2024_06_10, SHORT_VOLUME_2024_06_10 } from './helpers/fixtures.ts';
import { publishSnapshots } from './helpers/publish.ts';

function s3Requests(...stores: MemoryObjectStore[]): number {
  let n = 0;
  for (const s of stores) {
    const c = s.calls;
    n += c.put + 2 * c.putIfAbsent + c.get + c.head + c.list + c.delete;
    for (const k of Object.keys(c) as (keyof typeof c)[]) c[k] = 0;
  }
  return n;
}

const snapshot = (date: string): Snapshot =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../fixtures/site/data/snapshots/${date}.json`), 'utf8'));

describe('request budget of an ordinary day', () => {
  it('ingest: 16 S3 requests and 10 item writes when prices, short volume and the split calendar arrive and short interest is already in', async () => {
    const compact = (d: string) => d.replaceAll('-', '');
    const deps = memoryDeps({
      now: '2024-06-12T23:30:00Z',
      providers: [
        fakeProvider(
          'prices',
          { '2024-06-12': [file('2024-06-12.json', SCREENER_2024_06_10)] },
          { expected: (d) => [`${d}.json`] },
        ),
        fakeProvider(
          'short-volume',
          { '2024-06-12': [file('CNMSshvol20240612.txt', SHORT_VOLUME_2024_06_10.replaceAll('20240610', '20240612'))] },
          {
            expected: (d) => [`CNMSshvol${compact(d)}.txt`],
          },
        ),
        fakeProvider(
          'split-calendar',
          {
            '2024-06-12': [
              file(
                'splits-2024-06-12.json',
                '{"data":null,"message":null,"status":{"rCode":200,"bCodeMessage":[{"code":1002,"errorMessage":"Splits Calendar: No record found."}],"developerMessage":null}}',
              ),
            ],
          },
          { expected: (d) => [`splits-${d}.json`] },
        ),
        fakeProvider(
          'short-interest',
          {},
          { datesFor: () => ['2024-05-15', '2024-05-31'], expected: (d) => [`shrt${compact(d)}.csv`] },
        ),
      ],
    });
    for (const s of ['2024-05-15', '2024-05-31']) {
      await deps.table.recordFile({
        source: 'short-interest',
        file: `shrt${compact(s)}.csv`,
        sha256: s.replaceAll('-', '').padEnd(64, '0'),
        size: 3_000_000,
        receivedAt: '2024-06-01T00:00:00.000Z',
        origin: 'fetch',
        rawKey: `raw/short-interest/${s}/shrt${compact(s)}.csv`,
        date: s,
        status: 'accepted',
        rows: 22_000,
        rejectedRows: 0,
        rejections: [],
        derivedKey: null,
      });
    }
    const table = deps.table as MemoryPipelineTable;
    table.writes.count = 0;

    const result = await runIngest(deps, { date: '2024-06-12' });

    expect(result.pricesReady).toBe(true);
    // prices: LIST raw/prices/D/, HEAD+PUT raw, HEAD derived (restatement check), PUT derived = 5;
    // short volume: LIST, HEAD+PUT raw, PUT derived = 4; split calendar: LIST, HEAD+PUT raw, GET derived (an
    // earlier content of the day's file, for the restatement check), PUT derived = 5; splits: LIST raw/splits/
    // = 1; securities: LIST raw/securities/ = 1; short interest: 0.
    expect(s3Requests(deps.raw, deps.site)).toBe(16);
    // Three ledger items and their three ledger-index items, lock taken and released, the day's status, the cursor.
    expect(table.writes.count).toBe(10);
  });

  it('publish: 11 S3 requests for a day after the first', async () => {
    const deps = memoryDeps();
    await publishSnapshots(deps, '2024-06-10', [snapshot('2024-06-10')]);
    s3Requests(deps.raw, deps.site);
    const key = await deps.derived.putSnapshotBatch('2024-06-11', [snapshot('2024-06-11')]);
    s3Requests(deps.raw, deps.site);

    // As the state machine passes it: compute's result names the batch.
    await runPublish(deps, { date: '2024-06-11', dates: ['2024-06-11'], snapshotKeys: { '2024-06-11': key } });

    // GET the snapshot batch, HEAD ×2 schemas (unchanged), HEAD latest (its version, for the conditional write:
    // issue 20 item 1), PUT dated snapshot, GET history, GET feed, PUT history, PUT feed, PUT rss, PUT latest = 11.
    expect(s3Requests(deps.raw, deps.site)).toBe(11);
  });

  it('publish: a restatement reads every snapshot of the run in one request', async () => {
    const deps = memoryDeps();
    const earlier = ['2024-06-10', '2024-06-11', '2024-06-12', '2024-06-13'];
    for (const d of earlier) await publishSnapshots(deps, d, [snapshot(d)]);
    const dates = [...earlier, '2024-06-14'];
    const key = await deps.derived.putSnapshotBatch('2024-06-14', dates.map(snapshot));
    s3Requests(deps.raw, deps.site);

    const result = await runPublish(deps, {
      date: '2024-06-14',
      dates,
      snapshotKeys: Object.fromEntries(dates.map((d) => [d, key])),
    });

    expect(result.published).toEqual(dates);
    // GET the batch, HEAD ×2, HEAD latest, PUT ×5 dated snapshots, GET history, GET feed, PUT history, feed, rss,
    // latest.
    expect(s3Requests(deps.raw, deps.site)).toBe(1 + 2 + 1 + 5 + 2 + 4);
  });
});
