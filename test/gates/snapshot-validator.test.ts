/**
 * The precompiled JSON Schema validator (shared/gates/snapshot-validator.generated.js): that the
 * checked-in file is what the generator makes of today's `snapshotJsonSchema()`, that factoring the
 * repeated sub-schemas into `$defs` changes nothing, and that it reports exactly what ajv's compiler
 * reports on the published schema as written, for the fixture snapshot and for mutations of it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validate } from '../../shared/gates/snapshot-validator.generated.js';
import {
  factorSchema,
  inlineRefs,
  schemaDigest,
  snapshotValidatorSource,
  ValidatorCodegenError,
} from '../../shared/gates/validator-codegen.ts';
import { snapshotJsonSchema } from '../../shared/snapshot/schema.ts';
import { GENERATED_VALIDATOR } from './generate-validator.ts';

const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as FormatsPlugin;

const published = snapshotJsonSchema();
const SNAPSHOT = path.resolve(import.meta.dirname, '../fixtures/site/data/latest.json');
const snapshot = (): Record<string, unknown> => JSON.parse(readFileSync(SNAPSHOT, 'utf8'));

describe('the checked-in validator', () => {
  it('is what `npm run gates:generate` writes for the current snapshot schema', () => {
    const checkedIn = readFileSync(GENERATED_VALIDATOR, 'utf8');
    // The digest line first: a one-line reason when the schema changed without regenerating.
    expect(checkedIn, 'stale: run `npm run gates:generate`').toContain(`// Schema sha256: ${schemaDigest(published)}`);
    expect(checkedIn === snapshotValidatorSource(published), 'stale: run `npm run gates:generate`').toBe(true);
  });

  it('imports only the two ajv runtime helpers it calls, by their ESM paths', () => {
    const imports = [...readFileSync(GENERATED_VALIDATOR, 'utf8').matchAll(/^import .* from '([^']+)';$/gm)];
    expect(imports.map((m) => m[1])).toEqual(['ajv/dist/runtime/ucs2length.js', 'ajv-formats/dist/formats.js']);
  });
});

describe('factoring repeated sub-schemas into $defs', () => {
  // Over the 200-character threshold because of its description; different titles, different descriptions.
  const long = (title: string) => ({
    type: 'object',
    properties: { value: { type: 'number', description: title.repeat(200) } },
    required: ['value'],
    additionalProperties: false,
    title,
  });

  it('moves a sub-schema used twice to $defs and references it, leaving a single use in place', () => {
    const schema = { type: 'object', properties: { a: long('A'), b: long('A'), c: long('C') } };
    expect(factorSchema(schema)).toEqual({
      type: 'object',
      properties: { a: { $ref: '#/$defs/s1' }, b: { $ref: '#/$defs/s1' }, c: long('C') },
      $defs: { s1: long('A') },
    });
  });

  it('also finds repeats inside anyOf branches and array items', () => {
    const schema = {
      type: 'object',
      properties: { a: { anyOf: [long('A'), { type: 'null' }] }, b: { type: 'array', items: long('A') } },
    };
    expect(factorSchema(schema)).toEqual({
      type: 'object',
      properties: {
        a: { anyOf: [{ $ref: '#/$defs/s1' }, { type: 'null' }] },
        b: { type: 'array', items: { $ref: '#/$defs/s1' } },
      },
      $defs: { s1: long('A') },
    });
  });

  it('refuses a schema whose sub-schemas carry references or anchors (moving them could change them)', () => {
    const schema = { type: 'object', properties: { a: { $ref: '#/properties/b' }, b: long('B') } };
    expect(() => factorSchema(schema)).toThrow(ValidatorCodegenError);
    expect(() => factorSchema(schema)).toThrow('snapshot JSON Schema at /properties/a: has $ref');
  });

  it('is undone exactly by inlining the references again, on the published snapshot schema', () => {
    const factored = factorSchema(published);
    expect(Object.keys(factored.$defs as object).length).toBeGreaterThan(0);
    expect(JSON.stringify(factored).length).toBeLessThan(JSON.stringify(published).length / 5);
    expect(inlineRefs(factored)).toEqual(published);
  });
});

/** ajv's compiler on the published schema, unfactored: the reference the generated code must match. */
const compiled = (() => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(published);
})();

const summary = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${e.message} ${JSON.stringify(e.params)}`).sort();

function verdicts(value: unknown) {
  const ours = validate(value);
  const reference = compiled(value);
  return {
    ours: { valid: ours, errors: summary(validate.errors) },
    reference: { valid: reference, errors: summary(compiled.errors) },
  };
}

/** Every path to a value in a JSON document. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => paths(v, [...at, i]))];
  if (typeof value === 'object' && value !== null) {
    return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  }
  return [at];
}

function replaced(doc: unknown, at: (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[at[at.length - 1] as string | number] = value;
  return copy;
}

describe('the generated validator reports what ajv compiling the published schema reports', () => {
  it('accepts the fixture snapshot', () => {
    expect(validate(snapshot())).toBe(true);
    expect(compiled(snapshot())).toBe(true);
  });

  it('names the same errors, path for path, for hand-picked defects', () => {
    const doc = snapshot() as {
      asOf: unknown;
      generatedAt: unknown;
      extra?: unknown;
      windows: Record<string, { groups: Record<string, Record<string, unknown>>; topWinners: unknown[] }>;
      crowded: { tier: unknown; symbol: unknown }[];
      sources: unknown[];
    };
    doc.asOf = '2024-6-1';
    doc.generatedAt = '2024-02-30T00:00:00Z';
    doc.extra = true;
    const ytd = doc.windows.ytd as (typeof doc.windows)[string];
    (ytd.groups.mega as Record<string, unknown>).pnlPct = 'n/a';
    (ytd.groups.total as Record<string, unknown>).symbols = -1;
    ytd.topWinners = Array.from({ length: 11 }, () => ytd.topWinners[0]);
    (doc.crowded[0] as { tier: unknown }).tier = 'giant';
    (doc.crowded[0] as { symbol: unknown }).symbol = '';
    doc.sources.push({ file: 'x', sha256: 'XYZ', rows: 1 });
    const { ours, reference } = verdicts(doc);
    expect(ours.valid).toBe(false);
    expect(ours).toEqual(reference);
    expect(ours.errors).toContain(
      '/windows/ytd/groups/total/symbols minimum must be >= 0 {"comparison":">=","limit":0}',
    );
    expect(ours.errors).toContain('/crowded/0/symbol minLength must NOT have fewer than 1 characters {"limit":1}');
    expect(ours.errors).toContain('/generatedAt format must match format "date-time" {"format":"date-time"}');
  });

  it('agrees on any one value of the snapshot replaced by arbitrary JSON', () => {
    const doc = snapshot();
    const all = paths(doc);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.jsonValue({ maxDepth: 2 }), (i, value) => {
        const { ours, reference } = verdicts(replaced(doc, all[i] as (string | number)[], value));
        expect(ours).toEqual(reference);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
