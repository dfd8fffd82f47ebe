/**
 * Issue 19 in publish: the stock files of compute's stock run go to data/stocks/ incrementally (only the
 * changed ones, by the manifest), are all checked before anything is written, and never move with an older day.
 * Inputs: the site fixtures (30 stocks as of 2024-06-14 and that day's snapshot), on the in-memory stores.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SanityGateError } from '../../functions/pipeline/publish.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { memoryDeps } from './helpers/deps.ts';
import { publishSnapshots } from './helpers/publish.ts';

const DATA = path.resolve(import.meta.dirname, '../fixtures/site/data');
const read = (relative: string) => JSON.parse(readFileSync(path.join(DATA, relative), 'utf8'));
const snapshot = (date: string): Snapshot => read(`snapshots/${date}.json`);
const json = (b: Uint8Array | undefined) => JSON.parse(Buffer.from(b as Uint8Array).toString('utf8'));

/** The fixture stock files as compute hands them over (no generatedAt, no sample). */
function fixtureRun() {
  const stocks = readdirSync(path.join(DATA, 'stocks'))
    .filter((f) => f !== 'index.json')
    .sort()
    .map((f) => {
      const { generatedAt: _g, sample: _s, ...rest } = read(`stocks/${f}`);
      return rest as Record<string, unknown> & { symbol: string };
    });
  const index = read('stocks/index.json');
  return { asOf: '2024-06-14', methodologyVersion: index.methodologyVersion as number, stocks, index: index.stocks };
}

async function setUp() {
  const deps = memoryDeps();
  const run = fixtureRun();
  const key = await deps.derived.putStockRun(run);
  return { deps, run, key };
}

describe('publishing the stock files', () => {
  it('writes every stock file, the index, the schemas and the manifest with the newest day; a retry writes no stock file', async () => {
    const { deps, run, key } = await setUp();
    const day = snapshot('2024-06-14');
    const first = await publishSnapshots(deps, '2024-06-14', [day], { stocks: { asOf: '2024-06-14', key } });
    expect(first.stocks).toEqual({ asOf: '2024-06-14', written: run.stocks.length, unchanged: 0 });
    for (const stock of run.stocks) {
      const file = json((await deps.site.get(`data/stocks/${stock.symbol}.json`))?.bytes);
      expect(file).toEqual({ ...stock, generatedAt: day.generatedAt, sample: day.sample });
    }
    const index = json((await deps.site.get('data/stocks/index.json'))?.bytes);
    expect(index).toMatchObject({ asOf: '2024-06-14', generatedAt: day.generatedAt, stocks: run.index });
    expect(Object.keys(json((await deps.site.get('data/stocks/manifest.json'))?.bytes)).sort()).toEqual(
      run.stocks.map((s) => s.symbol).sort(),
    );
    expect(await deps.site.head('data/schema/stock.v1.json')).toBeDefined();
    expect(await deps.site.head('data/schema/stocks-index.v1.json')).toBeDefined();

    // The same hand-over again (a retry): nothing changed, so no stock file is written; one changed, one is.
    const again = await publishSnapshots(deps, '2024-06-14', [day], { stocks: { asOf: '2024-06-14', key } });
    expect(again.stocks).toEqual({ asOf: '2024-06-14', written: 0, unchanged: run.stocks.length });
    const changed = structuredClone(run);
    const target = changed.stocks[3] as { symbol: string; name: string };
    target.name = `${target.name} (renamed)`;
    const changedKey = await deps.derived.putStockRun(changed);
    const third = await publishSnapshots(deps, '2024-06-14', [day], {
      stocks: { asOf: '2024-06-14', key: changedKey },
    });
    expect(third.stocks).toEqual({ asOf: '2024-06-14', written: 1, unchanged: run.stocks.length - 1 });
    expect(json((await deps.site.get(`data/stocks/${target.symbol}.json`))?.bytes).name).toMatch(/\(renamed\)$/);
  });

  it('one invalid stock file refuses the day before anything is written', async () => {
    const deps = memoryDeps();
    const bad = fixtureRun();
    (bad.stocks[2] as unknown as { windows: { ytd: { pnlUsd: unknown } } }).windows.ytd.pnlUsd = 'lots';
    (bad.stocks[5] as { symbol: string }).symbol = '../latest';
    const key = await deps.derived.putStockRun(bad);
    const error = await publishSnapshots(deps, '2024-06-14', [snapshot('2024-06-14')], {
      stocks: { asOf: '2024-06-14', key },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SanityGateError);
    const issues = (error as SanityGateError).issues.join('\n');
    expect(issues).toMatch(/line 5: windows\.ytd\.pnlUsd/);
    expect(issues).toMatch(/line 8: symbol: "\.\.\/latest" is not a ticker/);
    expect((error as SanityGateError).field).toBe('stocks');
    expect(await deps.site.list('data/')).toEqual([]);
  });

  it('republishing an older day leaves the stock files as they are; a stock run gone leaves them too', async () => {
    const { deps, run, key } = await setUp();
    await publishSnapshots(deps, '2024-06-14', [snapshot('2024-06-14')], { stocks: { asOf: '2024-06-14', key } });
    const before = await deps.site.get('data/stocks/index.json');
    // An older day (a restatement reaching back): `latest` stays, and so do the stock files.
    const older = await publishSnapshots(deps, '2024-06-13', [snapshot('2024-06-13')]);
    expect(older.latest).toBeNull();
    expect(older.stocks).toBeUndefined();
    // A run whose stock run has expired: the day is published, its stock files are not.
    await deps.raw.delete(key);
    const gone = await publishSnapshots(deps, '2024-06-14', [snapshot('2024-06-14')], {
      stocks: { asOf: '2024-06-14', key },
    });
    expect(gone.latest).toBe('2024-06-14');
    expect(gone.stocks).toBeUndefined();
    expect(deps.log.entries.some((e) => e.level === 'warn' && e.message.startsWith('stock run missing'))).toBe(true);
    expect((await deps.site.get('data/stocks/index.json'))?.bytes).toEqual(before?.bytes);
    expect(run.stocks.length).toBe(30);
  });
});
