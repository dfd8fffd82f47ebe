/**
 * The JSON Schema contract, checked with ajv in CI (issue 20 item 7). The publish Lambda validates each
 * snapshot once, with zod (SnapshotSchema, strict), and no longer carries ajv's generated validator; what
 * that `json-schema` gate guarded against — a snapshot zod accepts but the published JSON Schema, generated
 * from zod, refuses (a generator bug, a zod-only rule) — is checked here instead, on what publish really
 * writes: days published one after the other, a restatement (with `previousPublication`), and the stock files.
 * Every file is validated, as the bytes a reader gets, with ajv's compiler against both the contract's own
 * JSON Schema (strict, as the gate had it) and the schema publish put on the site for clients, and with the
 * generated validator `pulse build` runs (`snapshotJsonSchemaIssues`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotJsonSchemaIssues } from '../../shared/gates/json-schema.ts';
import { historyJsonSchema, type Snapshot, SnapshotSchema, snapshotJsonSchema } from '../../shared/snapshot/schema.ts';
import { stockIndexJsonSchema, stockJsonSchema } from '../../shared/snapshot/stocks-schema.ts';
import { memoryDeps, type TestDeps } from '../pipeline/helpers/deps.ts';
import { publishSnapshots } from '../pipeline/helpers/publish.ts';

const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as FormatsPlugin;

const DATA = path.resolve(import.meta.dirname, '../fixtures/site/data');
const read = (relative: string) => JSON.parse(readFileSync(path.join(DATA, relative), 'utf8'));
const snapshot = (date: string): Snapshot => read(`snapshots/${date}.json`);
const DAYS = ['2024-06-10', '2024-06-11', '2024-06-12', '2024-06-13', '2024-06-14'];

function validatorFor(schema: Record<string, unknown>) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** The fixture stock files as compute hands them over (no generatedAt, no sample). */
function fixtureStockRun() {
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

let deps: TestDeps & { site: ReturnType<typeof memoryDeps>['site'] };
const text = async (key: string) => {
  const o = await deps.site.get(key);
  if (!o) throw new Error(`publish wrote no ${key}`);
  return Buffer.from(o.bytes).toString('utf8');
};
const json = async (key: string) => JSON.parse(await text(key));

beforeAll(async () => {
  deps = memoryDeps({ now: '2024-06-14T23:50:00Z' });
  for (const day of DAYS.slice(0, -1)) await publishSnapshots(deps, day, [snapshot(day)]);
  const stockRun = await deps.derived.putStockRun(fixtureStockRun());
  await publishSnapshots(deps, '2024-06-14', [snapshot('2024-06-14')], {
    stocks: { asOf: '2024-06-14', key: stockRun },
  });
  // A late file restates 06-12 and 06-13 as the 06-14 run: publish stamps what it had published before.
  const restated = DAYS.slice(2, 4).map((day) => ({
    ...snapshot(day),
    generatedAt: '2024-06-14T22:10:00.000Z',
    restated: true,
    restatedOn: '2024-06-14',
  }));
  await publishSnapshots(deps, '2024-06-14', restated);
});

describe('what publish writes matches the JSON Schemas (ajv)', () => {
  it('publishes the four schemas, and the restated days carry what was published before', async () => {
    const keys = (await deps.site.list('data/schema/')).map((o) => o.key).sort();
    expect(keys).toEqual([
      'data/schema/history.v1.json',
      'data/schema/snapshot.v1.json',
      'data/schema/stock.v1.json',
      'data/schema/stocks-index.v1.json',
    ]);
    const restated = await json('data/snapshots/2024-06-12.json');
    expect(restated.previousPublication).toMatchObject({ generatedAt: snapshot('2024-06-12').generatedAt });
    expect(restated.publishedAt).toBe('2024-06-14T23:50:00.000Z');
  });

  it('every snapshot file and latest.json: the contract schema (strict), the published one, the generated validator', async () => {
    const contract = validatorFor(snapshotJsonSchema());
    const published = validatorFor(await json('data/schema/snapshot.v1.json'));
    const files = [...DAYS.map((d) => `data/snapshots/${d}.json`), 'data/latest.json'];
    for (const key of files) {
      const value = await json(key);
      expect(contract(value), `${key}: ${JSON.stringify(contract.errors)}`).toBe(true);
      expect(published(value), `${key}: ${JSON.stringify(published.errors)}`).toBe(true);
      expect(snapshotJsonSchemaIssues(value), key).toEqual([]);
      // What publish validated with zod is what the JSON Schemas accept.
      expect(SnapshotSchema.safeParse(value).success, key).toBe(true);
    }
  });

  it('history.json: the contract schema (strict) and the published one', async () => {
    const history = await json('data/history.json');
    expect(history.rows).toHaveLength(DAYS.length);
    for (const validate of [
      validatorFor(historyJsonSchema()),
      validatorFor(await json('data/schema/history.v1.json')),
    ]) {
      expect(validate(history), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('every stock file and the stock index: the contract schemas (strict) and the published ones', async () => {
    const stockKeys = (await deps.site.list('data/stocks/'))
      .map((o) => o.key)
      .filter((k) => !k.endsWith('/index.json') && !k.endsWith('/manifest.json'));
    expect(stockKeys.length).toBe(fixtureStockRun().stocks.length);
    const stock = [validatorFor(stockJsonSchema()), validatorFor(await json('data/schema/stock.v1.json'))];
    for (const key of stockKeys) {
      const value = await json(key);
      for (const validate of stock) expect(validate(value), `${key}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const index = await json('data/stocks/index.json');
    for (const validate of [
      validatorFor(stockIndexJsonSchema()),
      validatorFor(await json('data/schema/stocks-index.v1.json')),
    ]) {
      expect(validate(index), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("the contract schema compiles in ajv's strict mode and refuses what zod refuses", async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(snapshotJsonSchema());
    const broken = await json('data/latest.json');
    broken.windows['1d'].groups.total.symbols = 1.5;
    expect(SnapshotSchema.safeParse(broken).success).toBe(false);
    expect(validate(broken)).toBe(false);
  });
});
