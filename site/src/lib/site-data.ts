/** Typed access to the content collections for pages (build time). */
import { getCollection, getEntry } from 'astro:content';
import type { History, HistoryRow, Snapshot } from '../../../shared/snapshot/schema.ts';
import { fromStoredSnapshot, type StoredSnapshot } from './stored-snapshot.ts';

export async function allSnapshots(): Promise<Snapshot[]> {
  const entries = await getCollection('snapshots');
  return entries
    .map((e) => fromStoredSnapshot(e.data as StoredSnapshot))
    .sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
}

let latest: Promise<Snapshot> | undefined;

/** The latest snapshot, read once per build (every page's head uses it for its link preview). */
export function latestSnapshot(): Promise<Snapshot> {
  latest ??= (async () => {
    const entry = await getEntry('latest', 'latest');
    if (!entry) throw new Error('latest.json: missing from the data directory');
    return fromStoredSnapshot(entry.data as StoredSnapshot);
  })();
  return latest;
}

export async function loadHistory(): Promise<History> {
  const entry = await getEntry('history', 'history');
  if (!entry) throw new Error('history.json: missing from the data directory');
  return entry.data as History;
}

export interface Neighbours {
  prev: string | null;
  next: string | null;
}

/** Previous and next published dates around `date` (dates sorted ascending). */
export function neighbours(dates: readonly string[], date: string): Neighbours {
  const i = dates.indexOf(date);
  if (i < 0) return { prev: dates.filter((d) => d < date).at(-1) ?? null, next: dates.find((d) => d > date) ?? null };
  return { prev: dates[i - 1] ?? null, next: dates[i + 1] ?? null };
}

/** History rows of `asOf`'s year up to and including `asOf`, in date order. */
export function yearRows(history: History, asOf: string): HistoryRow[] {
  const year = asOf.slice(0, 4);
  return history.rows
    .filter((r) => r.date.slice(0, 4) === year && r.date <= asOf)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The last row of each month, plus the last row: the readable table behind the cumulative chart. */
export function monthEndRows(rows: readonly HistoryRow[]): HistoryRow[] {
  return rows.filter((r, i) => {
    const next = rows[i + 1];
    return !next || next.date.slice(0, 7) !== r.date.slice(0, 7);
  });
}
