/**
 * The site's content store (Astro writes it with devalue, which refuses a `__proto__` key) holds
 * snapshots with their sectors as pairs; pages get the published shape back.
 */
import { describe, expect, it } from 'vitest';
import { dataRecord } from '../../shared/data-record.ts';
import { WINDOWS } from '../../shared/domain.ts';
import type { GroupFigures } from '../../shared/snapshot/schema.ts';
import { fromStoredSnapshot, StoredSnapshotSchema, toStoredSnapshot } from '../../site/src/lib/stored-snapshot.ts';
import { fixtureLatest, fixtureSnapshots } from '../present/fixtures.ts';

/** Through a constant: written as a property access, `.__proto__` would read the prototype. */
const PROTO = '__proto__';

/** Every own key of every object in `value`, at any depth. */
function allKeys(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'object' && value !== null) {
    for (const k of Object.keys(value)) {
      out.add(k);
      allKeys((value as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

describe('stored snapshots', () => {
  it('round-trip the fixture snapshots to the same text', () => {
    for (const s of [...fixtureSnapshots(), fixtureLatest()]) {
      const stored = StoredSnapshotSchema.parse(toStoredSnapshot(s));
      expect(JSON.stringify(fromStoredSnapshot(stored))).toBe(JSON.stringify(s));
    }
  });

  it('store a sector named __proto__ without a __proto__ key and give it back', () => {
    const s = fixtureLatest();
    const [first] = Object.values(s.windows['1d'].sectors);
    for (const w of WINDOWS) {
      const sectors = dataRecord<GroupFigures>();
      for (const name of ['Technology', '__proto__', 'constructor', 'toString']) {
        sectors[name] = { ...(first as GroupFigures), symbols: name.length };
      }
      s.windows[w].sectors = sectors;
    }
    const stored = StoredSnapshotSchema.parse(JSON.parse(JSON.stringify(toStoredSnapshot(s))));
    expect(allKeys(stored).has('__proto__')).toBe(false);
    const back = fromStoredSnapshot(stored);
    expect(JSON.stringify(back)).toBe(JSON.stringify(s));
    for (const w of WINDOWS) {
      expect(Object.keys(back.windows[w].sectors)).toEqual(['Technology', '__proto__', 'constructor', 'toString']);
      expect(back.windows[w].sectors[PROTO]?.symbols).toBe(9);
    }
  });
});
