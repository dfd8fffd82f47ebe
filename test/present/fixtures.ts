/** Loads the site fixture snapshots (validated) for presentation tests. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Group } from '../../shared/domain.ts';
import { type GroupFigures, type Snapshot, SnapshotSchema } from '../../shared/snapshot/schema.ts';

export const FIXTURE_DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/site/data');

export function fixtureSnapshots(): Snapshot[] {
  const dir = path.join(FIXTURE_DATA, 'snapshots');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => SnapshotSchema.parse(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))));
}

export function fixtureLatest(): Snapshot {
  return SnapshotSchema.parse(JSON.parse(readFileSync(path.join(FIXTURE_DATA, 'latest.json'), 'utf8')));
}

/** A copy of the latest fixture with some YTD group figures replaced. */
export function withYtd(overrides: Partial<Record<Group, Partial<GroupFigures>>>): Snapshot {
  const s = structuredClone(fixtureLatest());
  for (const [group, figures] of Object.entries(overrides) as Array<[Group, Partial<GroupFigures>]>) {
    s.windows.ytd.groups[group] = { ...s.windows.ytd.groups[group], ...figures };
  }
  return s;
}
