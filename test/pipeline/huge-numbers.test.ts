/**
 * Issue 10, item 2: a value beyond Number.MAX_SAFE_INTEGER in a day's normalised records must not stop the
 * pipeline at the storage layer (it used to: lib-dynamodb refused the day's aggregates, "Number 1e+30 is
 * greater than Number.MAX_SAFE_INTEGER", and every rerun failed the same way; the table no longer holds
 * computed figures at all, issue 12). The parsers refuse such
 * values at the boundary (plausibility ceilings), so the records are written past them, through the
 * DerivedRepository port, right after ingest: a market cap of 1e30 and a short position of 1e15 shares
 * (a dollar exposure of about 1e16). Ingest → compute → publish run on dynalite and s3rver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/adapters/ports.ts';
import { runCompute } from '../../functions/pipeline/compute.ts';
import type { PipelineDeps } from '../../functions/pipeline/deps.ts';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { SITE_LATEST_KEY, siteSnapshotKey } from '../../functions/pipeline/keys.ts';
import { runPublish } from '../../functions/pipeline/publish.ts';
import { folderProviders } from '../../functions/providers/folder.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { tempDir, writeMarket } from '../local/helpers/market.ts';
import { emulatorDeps } from './helpers/deps.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws.stop();
});

const D = ['2025-06-02', '2025-06-03', '2025-06-04', '2025-06-05'];
const SETTLEMENT = '2025-05-30';
const MIDS = Array.from({ length: 20 }, (_, i) => `MID${String.fromCharCode(65 + i)}`);
/** HUGE's price each day; the only mega cap, so the mega tier's sums are its own figures. */
const HUGE_PRICE = [10, 10.1, 10.2, 10.1];
const HUGE_MARKET_CAP = 1e30;
const HUGE_SHORT_SHARES = 1e15;

function market(dir: string): string {
  return writeMarket(
    dir,
    D,
    [
      // Plausible in the files ($1T, 1M shares short); made huge in the normalised records below.
      { symbol: 'HUGE', prices: HUGE_PRICE, shares: 100e9 },
      ...MIDS.map((symbol) => ({ symbol, prices: [50, 50.5, 51, 50.5], shares: 100e6 })),
      { symbol: 'MV1', prices: [1, 1.01, 1.02, 1.03], shares: null },
      { symbol: 'MV2', prices: [2, 2.01, 2.02, 2.03], shares: null },
    ],
    { [SETTLEMENT]: { HUGE: 1_000_000, ...Object.fromEntries(MIDS.map((m) => [m, 2_000_000])) } },
  );
}

/** Rewrites what ingest stored for `date` through the port, as a parser without ceilings would have. */
async function inflate(deps: PipelineDeps, date: string): Promise<void> {
  const day = await deps.derived.getPriceDay(date);
  if (!day) throw new Error(`no stored price day ${date}`);
  const rows = day.rows.map((r) => (r.symbol === 'HUGE' ? { ...r, marketCap: HUGE_MARKET_CAP } : r));
  await deps.derived.putPriceDay({ ...day, rows });
  for (const f of await deps.derived.getShortInterestFiles(SETTLEMENT)) {
    const records = f.records.map((r) => (r.symbol === 'HUGE' ? { ...r, shares: HUGE_SHORT_SHARES } : r));
    await deps.derived.putShortInterestFile({
      settlementDate: f.settlementDate,
      file: f.file,
      source: f.source,
      records,
    });
  }
}

async function readJson<T>(store: ObjectStore, key: string): Promise<T> {
  const o = await store.get(key);
  if (!o) throw new Error(`${key} missing`);
  return JSON.parse(Buffer.from(o.bytes).toString('utf8')) as T;
}

describe('a day whose normalised records hold values above Number.MAX_SAFE_INTEGER', () => {
  it('is ingested, computed and published; the snapshots keep the exact figures', async () => {
    const deps = await emulatorDeps(aws, {
      providers: folderProviders({ dir: market(tempDir('huge-numbers')), publicationLag: 0 }),
      now: '2025-06-05T23:30:00Z',
    });
    for (const date of D) {
      const runId = `run-${date}`;
      const ingested = await runIngest(deps, { date, runId });
      await inflate(deps, date);
      const computed = await runCompute(deps, { ...ingested, runId });
      expect(computed, `compute ${date}`).toMatchObject({ skipped: false, through: date });
      expect(computed.dates).toContain(date);
      const published = await runPublish(deps, { ...computed, runId });
      expect(published, `publish ${date}`).toMatchObject({ skipped: false, latest: date });
      expect(published.published).toContain(date);
    }
    expect((await readJson<Snapshot>(deps.site, SITE_LATEST_KEY)).asOf).toBe(D.at(-1));

    for (const [i, date] of D.slice(1).entries()) {
      // Σ SI · price(d−1) of the mega tier: HUGE's alone, beyond 2^53, exactly what was computed.
      const exposure = HUGE_SHORT_SHARES * (HUGE_PRICE[i] as number);
      expect(exposure).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
      const snapshot = await readJson<Snapshot>(deps.site, siteSnapshotKey(date));
      expect(snapshot.windows['1d'].groups.mega.avgShortInterestUsd).toBe(exposure);
    }
  }, 120_000);
});
