/**
 * A snapshot as the content collections store it. Astro writes its data store with devalue, which
 * refuses an object with a `__proto__` key, and sector names are data: a sector called `__proto__`
 * would fail the build. The store keeps each window's sectors as `[name, figures]` pairs, in the
 * published order; pages get the published shape back (sectors in an object without a prototype).
 */
import { dataRecord } from '../../../shared/data-record.ts';
import { WINDOWS, type WindowName } from '../../../shared/domain.ts';
import { type GroupFigures, type Snapshot, snapshotSchemas } from '../../../shared/snapshot/schema.ts';
import * as z from '../../../shared/zod.ts';

const { GroupFiguresSchema, SnapshotSchema, WindowSchema } = snapshotSchemas();

const StoredWindowSchema = z.extend(WindowSchema, { sectors: z.array(z.tuple([z.string(), GroupFiguresSchema])) });

export const StoredSnapshotSchema = z.extend(SnapshotSchema, {
  windows: z.object(
    Object.fromEntries(WINDOWS.map((w) => [w, StoredWindowSchema])) as Record<WindowName, typeof StoredWindowSchema>,
  ),
});

export type StoredSnapshot = z.infer<typeof StoredSnapshotSchema>;

export function toStoredSnapshot(snapshot: Snapshot): StoredSnapshot {
  const windows = {} as StoredSnapshot['windows'];
  for (const w of WINDOWS) {
    const win = snapshot.windows[w];
    windows[w] = { ...win, sectors: Object.entries(win.sectors) };
  }
  return { ...snapshot, windows };
}

export function fromStoredSnapshot(stored: StoredSnapshot): Snapshot {
  const windows = {} as Snapshot['windows'];
  for (const w of WINDOWS) {
    const win = stored.windows[w];
    const sectors = dataRecord<GroupFigures>();
    for (const [name, figures] of win.sectors) sectors[name] = figures;
    windows[w] = { ...win, sectors };
  }
  return { ...stored, windows };
}
