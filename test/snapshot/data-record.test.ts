/**
 * Sector names are data, and the snapshot schema is the boundary every published snapshot is read
 * through (assemble, publish, the site). zod 4's `z.record` leaves a `__proto__` key out of its output;
 * `dataRecordSchema` keeps it (issue 10, item 4) without changing the published JSON Schema.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { dataRecord, ownValue } from '../../shared/data-record.ts';
import { WINDOWS } from '../../shared/domain.ts';
import { dataRecordSchema, GroupFiguresSchema, SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { FIXTURE_DATA, fixtureLatest } from '../present/fixtures.ts';

/** Through a constant: written as a property access, `.__proto__` would read the prototype. */
const PROTO = '__proto__';
const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '', '__proto__\0'];

describe('dataRecord and ownValue', () => {
  it('take every name as an ordinary key and print like a plain object', () => {
    const r = dataRecord<number>();
    HOSTILE.forEach((k, i) => {
      r[k] = i;
    });
    expect(Object.keys(r)).toEqual(HOSTILE);
    expect(HOSTILE.map((k) => r[k])).toEqual(HOSTILE.map((_, i) => i));
    expect(JSON.stringify(r)).toBe(
      '{"__proto__":0,"constructor":1,"toString":2,"hasOwnProperty":3,"valueOf":4,"prototype":5,"":6,"__proto__\\u0000":7}',
    );
    expect(dataRecord<number>().toString).toBeUndefined();
  });

  it('ownValue never answers with an inherited property', () => {
    const plain: Record<string, number> = JSON.parse('{"__proto__":1,"a":2}');
    expect(ownValue(plain, '__proto__')).toBe(1);
    expect(ownValue(plain, 'a')).toBe(2);
    for (const k of ['toString', 'constructor', 'valueOf', 'hasOwnProperty'])
      expect(ownValue(plain, k)).toBeUndefined();
    expect(ownValue({} as Record<string, number>, '__proto__')).toBeUndefined();
  });
});

describe('dataRecordSchema', () => {
  const schema = dataRecordSchema(z.object({ n: z.number() }).strict());

  it('keeps every key, __proto__ included, in the input order, as own properties', () => {
    const text = `{${['B', ...HOSTILE, 'a', '7'].map((k, i) => `${JSON.stringify(k)}:{"n":${i}}`).join(',')}}`;
    const input = JSON.parse(text);
    const out = schema.parse(input);
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect(Object.keys(out)).toEqual(Object.keys(input));
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(out[PROTO]).toEqual({ n: 1 });
    expect(out['__proto__\0']).toEqual({ n: 8 });
    expect(JSON.stringify(out)).toBe(JSON.stringify(input));
    // plain z.record drops it: the defect this guards against
    expect(Object.hasOwn(z.record(z.string(), z.object({ n: z.number() })).parse(input), '__proto__')).toBe(false);
  });

  it('still validates the values, __proto__ included, and rejects what is not a record', () => {
    const bad = schema.safeParse(JSON.parse('{"ok":{"n":1},"__proto__":{"n":"x"}}'));
    expect(bad.success).toBe(false);
    // the issue names the key with the one NUL the parse adds (documented in schema.ts)
    expect(bad.error?.issues.map((i) => i.path)).toEqual([['__proto__\0', 'n']]);
    expect(schema.safeParse(JSON.parse('{"ok":{"n":1,"extra":2}}')).success).toBe(false);
    for (const v of [null, 5, 'x', [{ n: 1 }]]) expect(schema.safeParse(v).success).toBe(false);
  });

  it('has the JSON Schema of a plain record (the published contract does not change)', () => {
    const opts = { target: 'draft-2020-12' } as const;
    expect(z.toJSONSchema(dataRecordSchema(GroupFiguresSchema), opts)).toEqual(
      z.toJSONSchema(z.record(z.string(), GroupFiguresSchema), opts),
    );
  });
});

describe('snapshot schema', () => {
  it('reads the fixture snapshot back to the same text (ordinary sector names)', () => {
    const raw = JSON.parse(readFileSync(path.join(FIXTURE_DATA, 'latest.json'), 'utf8'));
    expect(JSON.stringify(SnapshotSchema.parse(raw))).toBe(JSON.stringify(raw));
  });

  it('keeps hostile sector names through JSON.stringify → JSON.parse → the schema', () => {
    const snapshot = fixtureLatest();
    const [first] = Object.values(snapshot.windows.ytd.sectors);
    for (const w of WINDOWS) {
      const sectors = dataRecord<z.infer<typeof GroupFiguresSchema>>();
      for (const [k, v] of Object.entries(snapshot.windows[w].sectors)) sectors[k] = v;
      HOSTILE.forEach((name, i) => {
        sectors[name] = { ...(first as z.infer<typeof GroupFiguresSchema>), symbols: i };
      });
      snapshot.windows[w].sectors = sectors;
    }
    const text = JSON.stringify(snapshot);
    const parsed = SnapshotSchema.parse(JSON.parse(text));
    expect(JSON.stringify(parsed)).toBe(text);
    for (const w of WINDOWS) {
      HOSTILE.forEach((name, i) => {
        expect(Object.hasOwn(parsed.windows[w].sectors, name), `${w} ${JSON.stringify(name)}`).toBe(true);
        expect(parsed.windows[w].sectors[name]?.symbols).toBe(i);
      });
    }
  });
});
