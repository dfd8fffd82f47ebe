/**
 * Content collections: the published snapshots, latest.json, history.json (all validated with the
 * snapshot contract's zod schemas) and the methodology document from the repository's docs/.
 */

import { defineCollection } from 'astro:content';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { glob, type Loader } from 'astro/loaders';
import { HistorySchema, SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { DataFileError, dataDir, readDataFile, SNAPSHOT_FILE } from './lib/data-files.ts';
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
// The repository's docs/methodology.md (PULSE_DOCS_DIR overrides the folder): rendered as it is at
// build time; the page has a fallback when the file is absent.
const docs = defineCollection({
  loader: glob({ pattern: 'methodology.md', base: process.env.PULSE_DOCS_DIR || '../docs' }),
});

export const collections = { snapshots, latest, history, docs };
