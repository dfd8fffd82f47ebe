/**
 * Build-time tool (never imported by a Lambda; test/infra/lambda-imports.test.ts checks it): turns the published snapshot JSON Schema into the
 * source of a precompiled ajv validator, so `pulse build` runs the independent JSON Schema check without
 * ajv's compiler or a compile at run time (the publish Lambda runs no ajv at all: ./snapshot-gates.ts).
 * `npm run gates:generate` writes the
 * result to shared/gates/snapshot-validator.generated.js; test/gates/snapshot-validator.test.ts
 * fails when that file no longer matches `snapshotJsonSchema()`.
 *
 * zod writes every reuse of a sub-schema inline (GroupFigures appears 44 times), and ajv generates
 * code per occurrence: 717 kB of code. `factorSchema` first moves each repeated sub-schema to
 * `$defs` and points its occurrences at it with `$ref`, a rewrite that does not change what
 * validates (an identical sub-schema, referenced instead of copied; `inlineRefs` undoes it exactly,
 * which the test checks), so one function validates all 44.
 */
import { createHash } from 'node:crypto';
import { _, Ajv2020 } from 'ajv/dist/2020.js';
import standaloneModule from 'ajv/dist/standalone/index.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';

// Both are CommonJS: under NodeNext the default import may be the module object or the function.
type StandaloneCode = (ajv: Ajv2020, validate: ReturnType<Ajv2020['compile']>) => string;
const standaloneCode = ((standaloneModule as unknown as { default?: StandaloneCode }).default ??
  standaloneModule) as unknown as StandaloneCode;
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as FormatsPlugin;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Keywords whose value is one sub-schema / an array of them / a map of them (JSON Schema 2020-12). */
const SCHEMA_VALUED = ['additionalProperties', 'items', 'not', 'propertyNames', 'contains', 'if', 'then', 'else'];
const SCHEMA_ARRAYS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];
/** Keywords that would make moving a sub-schema change its meaning (references, anchors, base URIs). */
const POSITION_DEPENDENT = ['$ref', '$dynamicRef', '$anchor', '$dynamicAnchor', '$id'];
/** A repeated sub-schema is factored out only when it is at least this long as JSON (small ones cost more as calls). */
const MIN_FACTORED_CHARS = 200;

export class ValidatorCodegenError extends Error {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`snapshot JSON Schema at ${field}: ${reason}`);
    this.name = 'ValidatorCodegenError';
    this.field = field;
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every sub-schema position under `schema` (not `schema` itself), with its JSON pointer. */
function* subSchemas(schema: JsonObject, pointer: string): Generator<[JsonObject, string, (s: JsonObject) => void]> {
  for (const key of SCHEMA_VALUED) {
    const v = schema[key];
    if (isObject(v)) {
      yield [v, `${pointer}/${key}`, (s) => (schema[key] = s)];
      yield* subSchemas(v, `${pointer}/${key}`);
    }
  }
  for (const key of SCHEMA_ARRAYS) {
    const arr = schema[key];
    if (!Array.isArray(arr)) continue;
    for (const [i, v] of arr.entries()) {
      if (!isObject(v)) continue;
      yield [v, `${pointer}/${key}/${i}`, (s) => (arr[i] = s)];
      yield* subSchemas(v, `${pointer}/${key}/${i}`);
    }
  }
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (!isObject(map)) continue;
    for (const [name, v] of Object.entries(map)) {
      if (!isObject(v)) continue;
      const at = `${pointer}/${key}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      yield [v, at, (s) => (map[name] = s)];
      yield* subSchemas(v, at);
    }
  }
}

/**
 * The same schema with each repeated sub-schema (identical JSON, at least MIN_FACTORED_CHARS long)
 * moved to `$defs/sN` and replaced by `{ "$ref": "#/$defs/sN" }`, largest first. Refuses schemas
 * with references or anchors of their own, where moving a sub-schema could change what it means.
 */
export function factorSchema(published: Record<string, unknown>): Record<string, unknown> {
  const root = structuredClone(published) as JsonObject;
  if (root.$defs !== undefined) throw new ValidatorCodegenError('/$defs', 'already has $defs; factoring expects none');
  for (const [sub, at] of subSchemas(root, '')) {
    const found = POSITION_DEPENDENT.find((k) => k in sub);
    if (found) throw new ValidatorCodegenError(at, `has ${found}; factoring would move it`);
  }
  const defs: JsonObject = {};
  for (let n = 1; ; n++) {
    const counts = new Map<string, number>();
    for (const [sub] of subSchemas(root, '')) {
      const text = JSON.stringify(sub);
      if (text.length >= MIN_FACTORED_CHARS) counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    let best: string | undefined;
    for (const [text, count] of counts) {
      if (count > 1 && (best === undefined || text.length > best.length)) best = text;
    }
    if (best === undefined) break;
    const name = `s${n}`;
    for (const [sub, , replace] of [...subSchemas(root, '')]) {
      if (JSON.stringify(sub) === best) replace({ $ref: `#/$defs/${name}` });
    }
    defs[name] = JSON.parse(best) as JsonObject;
    // Later rounds also look inside the definitions, so a repeat nested in one is factored too.
    root.$defs = defs;
  }
  return root;
}

/** Undoes `factorSchema`: every `$ref` to `#/$defs/…` replaced by a copy of its definition, `$defs` removed. */
export function inlineRefs(factored: Record<string, unknown>): Record<string, unknown> {
  const root = structuredClone(factored) as JsonObject;
  const defs = isObject(root.$defs) ? root.$defs : {};
  delete root.$defs;
  const expand = (schema: JsonObject): JsonObject => {
    const ref = schema.$ref;
    if (typeof ref === 'string') {
      const def = defs[ref.replace('#/$defs/', '')];
      if (!ref.startsWith('#/$defs/') || !isObject(def)) throw new ValidatorCodegenError(ref, 'unknown $ref');
      return expand(structuredClone(def));
    }
    for (const [sub, , replace] of [...subSchemas(schema, '')]) {
      if (typeof sub.$ref === 'string') replace(expand(sub));
    }
    return schema;
  };
  return expand(root);
}

/** The runtime modules ajv's generated code may require, as ESM imports (Node needs the `.js`). */
const RUNTIME_IMPORTS: Record<string, string> = {
  'ajv/dist/runtime/ucs2length': 'ajv/dist/runtime/ucs2length.js',
  'ajv-formats/dist/formats': 'ajv-formats/dist/formats.js',
};

/**
 * The `module.exports` of a CommonJS runtime module from its namespace object: Node and esbuild put
 * it under `default`; vitest hands over the namespace of the transpiled module itself.
 */
const EXPORTS_OF = 'const exportsOf = (ns) => (ns.default && ns.default.__esModule ? ns.default : ns);';

/** sha256 of the published schema as `JSON.stringify` writes it: what the generated file was built from. */
export function schemaDigest(published: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(published)).digest('hex');
}

/**
 * The ES module text of the precompiled validator of `published` (ajv 2020-12, all errors, strict,
 * ajv-formats' formats): `export const validate`, an ajv `ValidateFunction` with `.errors`.
 * Deterministic, so the checked-in file can be compared with a fresh one.
 */
export function snapshotValidatorSource(published: Record<string, unknown>): string {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    // One function per definition, called from each place that references it (ajv would otherwise
    // copy a small definition into every caller, undoing the factoring).
    inlineRefs: false,
    // The formats' implementations are imported by the generated code from ajv-formats itself.
    code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats(ajv);
  const generated = standaloneCode(ajv, ajv.compile(factorSchema(published)));
  const imports: string[] = [];
  const locals: string[] = [];
  const code = generated.replace(/require\("([^"]+)"\)/g, (_match, specifier: string) => {
    const target = RUNTIME_IMPORTS[specifier];
    if (target === undefined) throw new ValidatorCodegenError('(code)', `generated code requires ${specifier}`);
    const local = `runtime${locals.length}`;
    imports.push(`import * as ${local}Module from '${target}';`);
    locals.push(`const ${local} = exportsOf(${local}Module);`);
    return local;
  });
  return [
    '// Generated by `npm run gates:generate` (shared/gates/validator-codegen.ts) from snapshotJsonSchema():',
    '// the ajv validator of data/schema/snapshot.v1.json, precompiled. Do not edit.',
    `// Schema sha256: ${schemaDigest(published)}`,
    ...imports,
    ...(locals.length > 0 ? [EXPORTS_OF, ...locals] : []),
    code.replace(/^"use strict";\n?/, ''),
    '',
  ].join('\n');
}
