/**
 * Publish's part of issue 19: the per-stock files compute wrote (a stock run, derived/stocks/runs/…) go to
 * `data/stocks/<SYMBOL>.json`, `data/stocks/index.json` and their JSON Schemas, incrementally:
 *
 *   - `planStocks` reads the run and checks every file against its schema before publish writes anything
 *     (one invalid file refuses the day, as an invalid snapshot does); a symbol must be a canonical ticker
 *     (`BRK.B`, `ABR-PD`), since it becomes a key;
 *   - a file is written only when it changed: `data/stocks/manifest.json` keeps, per symbol, the sha256 of
 *     the file as computed (without `generatedAt`, which every run renews), and a file whose hash is there is
 *     left as it is, with the `generatedAt` of the run that wrote it. On an ordinary day nearly every listed
 *     stock changes (its series gains the day); what is skipped is a delisted stock's unchanged file, a
 *     republish of the same run (a retry writes no stock file), and the older days of a restatement (only
 *     the newest day's files are ever written);
 *   - `writeStocks` sends the changed files in batches, then the schemas (when changed), the index, and the
 *     manifest last: a publish that fails midway leaves a manifest that sends the rest again next time.
 *
 * A stock that leaves the index (no short interest in the new year) keeps its old file; nothing links to it.
 */
import { createHash } from 'node:crypto';
import type { IsoDate } from '../../shared/domain.ts';
import { forClients } from '../../shared/snapshot/published-schema.ts';
import { stockFileName, stockSchemas } from '../../shared/snapshot/stocks-schema.ts';
import type { PipelineDeps } from './deps.ts';
import {
  assertStockRunKey,
  SITE_STOCK_INDEX_KEY,
  SITE_STOCK_INDEX_SCHEMA_KEY,
  SITE_STOCK_MANIFEST_KEY,
  SITE_STOCK_SCHEMA_KEY,
  SITE_STOCKS_PREFIX,
} from './keys.ts';
import { contractJsonSchema, SanityGateError, schemaDocsOf, settled, siteObjectOptions } from './site-writes.ts';

/** A canonical symbol, as the site reads it (site/src/lib/data-files.ts). */
const CANONICAL_SYMBOL = /^[A-Z0-9]+(?:[.-][A-Z0-9]+)*$/;
const HEX = /^[0-9a-f]{64}$/;
/** Stock files sent at once. */
const PARALLEL_WRITES = 32;

export interface StockPlan {
  asOf: IsoDate;
  /** The changed stock files, encoded. */
  writes: { key: string; bytes: Uint8Array }[];
  unchanged: number;
  index: Uint8Array;
  manifest: Record<string, string>;
}

const bytesOf = (value: unknown, indent?: number) => Buffer.from(`${JSON.stringify(value, null, indent)}\n`, 'utf8');
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The manifest as published, or an empty one (every file is then written again) when absent or unreadable. */
async function readManifest(deps: PipelineDeps): Promise<Record<string, string>> {
  const o = await deps.site.get(SITE_STOCK_MANIFEST_KEY);
  if (!o) return {};
  try {
    const value = JSON.parse(Buffer.from(o.bytes).toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) if (typeof v === 'string' && HEX.test(v)) out[k] = v;
      return out;
    }
  } catch {
    // Below.
  }
  deps.log.warn('stock manifest unreadable: every stock file is written again', { key: SITE_STOCK_MANIFEST_KEY });
  return {};
}

/**
 * Reads and checks the stock run `ref` names (see the file comment). Null when the run is gone (its objects
 * expire): the site's stock files then stay as they are, with a warning.
 */
export async function planStocks(
  deps: PipelineDeps,
  date: IsoDate,
  ref: { asOf: IsoDate; key: string },
  meta: { generatedAt: string; sample: boolean },
): Promise<StockPlan | null> {
  const key = assertStockRunKey(ref.key);
  const [run, published] = await Promise.all([deps.derived.getStockRun(key), readManifest(deps)]);
  if (!run) {
    deps.log.warn('stock run missing: the stock files stay as they are', { key });
    return null;
  }
  const issues: string[] = [];
  const refuse = (issue: string) => {
    if (issues.length < 20) issues.push(issue);
  };
  if (run.asOf !== ref.asOf) refuse(`${key}: as of ${run.asOf}, the event says ${ref.asOf}`);
  const writes: StockPlan['writes'] = [];
  const manifest: Record<string, string> = {};
  let unchanged = 0;
  let line = 2;
  for (const value of run.stocks()) {
    line++;
    const parsed = stockSchemas().StockFileSchema.safeParse({ ...(value as object), ...meta });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      refuse(`${key} line ${line}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
      continue;
    }
    const file = parsed.data;
    if (!CANONICAL_SYMBOL.test(file.symbol))
      refuse(`${key} line ${line}: symbol: ${JSON.stringify(file.symbol)} is not a ticker`);
    else if (manifest[file.symbol] !== undefined) refuse(`${key} line ${line}: symbol: ${file.symbol} twice`);
    if (file.asOf !== run.asOf) refuse(`${key} line ${line}: asOf: ${file.asOf}, the run's is ${run.asOf}`);
    if (issues.length > 0) continue;
    const hash = sha256(`${meta.sample}\n${JSON.stringify(value)}`);
    manifest[file.symbol] = hash;
    if (published[file.symbol] === hash) unchanged++;
    else writes.push({ key: `${SITE_STOCKS_PREFIX}${stockFileName(file.symbol)}`, bytes: bytesOf(file) });
  }
  const index = stockSchemas().StockIndexSchema.safeParse({
    schemaVersion: 1,
    methodologyVersion: run.methodologyVersion,
    asOf: run.asOf,
    ...meta,
    stocks: run.index,
  });
  if (!index.success) {
    const issue = index.error.issues[0];
    refuse(`${key} line 2: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  } else {
    for (const entry of index.data.stocks) {
      if (manifest[entry.symbol] === undefined) refuse(`${key} line 2: ${entry.symbol} is in the index without a file`);
    }
  }
  if (issues.length > 0) throw new SanityGateError('schema', date, 'stocks', issues);
  return { asOf: run.asOf, writes, unchanged, index: bytesOf(index.data), manifest };
}

/** The schemas of the stock files, encoded, with their hash (written only when changed). */
function stockSchemaDocs(siteUrl: string) {
  return schemaDocsOf(
    [
      [SITE_STOCK_SCHEMA_KEY, forClients(contractJsonSchema('stock'), 'stock.v1.json', siteUrl)],
      [SITE_STOCK_INDEX_SCHEMA_KEY, forClients(contractJsonSchema('stocks-index'), 'stocks-index.v1.json', siteUrl)],
    ],
    (doc) => bytesOf(doc, 2),
  );
}

/** Writes a checked plan: the changed stock files, the schemas when changed, the index, the manifest last. */
export async function writeStocks(
  deps: PipelineDeps,
  plan: StockPlan,
): Promise<{ written: number; unchanged: number }> {
  const put = (key: string, bytes: Uint8Array) => deps.site.put(key, bytes, siteObjectOptions(key));
  for (let i = 0; i < plan.writes.length; i += PARALLEL_WRITES) {
    await settled(plan.writes.slice(i, i + PARALLEL_WRITES).map((w) => put(w.key, w.bytes)));
  }
  const schemas = stockSchemaDocs(deps.config.siteUrl);
  const heads = await Promise.all(schemas.map((d) => deps.site.head(d.key)));
  await Promise.all(schemas.filter((d, i) => heads[i]?.sha256 !== d.sha256).map((d) => put(d.key, d.bytes)));
  await put(SITE_STOCK_INDEX_KEY, plan.index);
  await put(SITE_STOCK_MANIFEST_KEY, bytesOf(plan.manifest));
  return { written: plan.writes.length, unchanged: plan.unchanged };
}
