/**
 * Content collections: the published snapshots, latest.json, history.json (all validated with the
 * snapshot contract's zod schemas), the stock index (`stocks/index.json`, optional) and the methodology
 * document from the repository's docs/. Each stock page reads only its own `stocks/<SYMBOL>.json`
 * (lib/stocks.ts), so 5,000 stock files never sit in the data store at once.
 */

import { defineCollection } from 'astro:content';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Loader } from 'astro/loaders';
import { HistorySchema, SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { StockIndexSchema } from '../../shared/snapshot/stocks-schema.ts';
import { DataFileError, dataDir, readDataFile, SNAPSHOT_FILE, STOCK_INDEX_FILE } from './lib/data-files.ts';
import { readerMethodology } from './lib/reader-methodology.ts';
import { StoredSnapshotSchema, toStoredSnapshot } from './lib/stored-snapshot.ts';

function snapshotsLoader(): Loader {
  return {
    name: 'pulse-snapshots',
    load: async ({ store, parseData, generateDigest }) => {
      const dir = dataDir();
      const files = (await readdir(path.join(dir, 'snapshots')).catch(() => [] as string[])).sort();
      store.clear();
      for (const file of files) {
        const match = SNAPSHOT_FILE.exec(file);
        if (!match) continue;
        const relative = `snapshots/${file}`;
        const snapshot = await readDataFile(relative, SnapshotSchema, dir);
        if (snapshot.asOf !== match[1]) {
          throw new DataFileError(relative, 'asOf', `is ${snapshot.asOf}, but the file name says ${match[1]}`);
        }
        const data = await parseData({ id: snapshot.asOf, data: toStoredSnapshot(snapshot) });
        store.set({ id: snapshot.asOf, data, digest: generateDigest(data) });
      }
    },
  };
}

function singleFileLoader(name: string, read: () => Promise<Record<string, unknown>>): Loader {
  return {
    name,
    load: async ({ store, parseData, generateDigest }) => {
      const data = await parseData({ id: name, data: await read() });
      store.clear();
      store.set({ id: name, data, digest: generateDigest(data) });
    },
  };
}

// Snapshots are stored with their sectors as pairs (see lib/stored-snapshot.ts).
const snapshots = defineCollection({ loader: snapshotsLoader(), schema: StoredSnapshotSchema });
const latest = defineCollection({
  loader: singleFileLoader('latest', async () => toStoredSnapshot(await readDataFile('latest.json', SnapshotSchema))),
  schema: StoredSnapshotSchema,
});
const history = defineCollection({
  loader: singleFileLoader('history', () => readDataFile('history.json', HistorySchema)),
  schema: HistorySchema,
});
// Optional: a data directory without `stocks/` builds without stock pages (the list and search say so).
const stocks = defineCollection({
  loader: {
    name: 'pulse-stock-index',
    load: async ({ store, parseData, generateDigest }) => {
      store.clear();
      const dir = dataDir();
      if (!existsSync(path.join(dir, STOCK_INDEX_FILE))) return;
      const data = await parseData({ id: 'index', data: await readDataFile(STOCK_INDEX_FILE, StockIndexSchema, dir) });
      store.set({ id: 'index', data, digest: generateDigest(data) });
    },
  },
  schema: StockIndexSchema,
});
// The repository's docs/methodology.md (PULSE_DOCS_DIR overrides the folder), the readers' part of it
// (lib/reader-methodology.ts, issue 21 item 9) rendered at build time; the page has a fallback when the file is
// absent.
const docs = defineCollection({
  loader: {
    name: 'pulse-methodology',
    load: async ({ store, config, renderMarkdown, generateDigest }) => {
      store.clear();
      const dir = path.resolve(fileURLToPath(config.root), process.env.PULSE_DOCS_DIR || '../docs');
      const file = path.join(dir, 'methodology.md');
      if (!existsSync(file)) return;
      const body = readerMethodology(await readFile(file, 'utf8'));
      store.set({
        id: 'methodology',
        data: {},
        body,
        rendered: await renderMarkdown(body),
        digest: generateDigest(body),
      });
    },
  },
});

export const collections = { snapshots, latest, history, stocks, docs };
