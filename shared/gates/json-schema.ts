/**
 * The published JSON Schema (`data/schema/snapshot.v1.json`) applied to the bytes a reader will get,
 * with ajv: a check independent of the zod schema it was generated from, so a generator bug, a value
 * JSON cannot carry (NaN and ±Infinity serialise as null) or a zod-only rule that did not make it into
 * the JSON Schema is caught before publishing. Pure. The validator is ajv's code for that schema,
 * generated ahead of time (./snapshot-validator.generated.js, `npm run gates:generate`): the same
 * checks without ajv's compiler or a compile at run time. `pulse build` runs it (./snapshot-gates.ts); the
 * publish Lambda does not bundle it (test/gates/published-contract.test.ts checks what publish writes, in CI).
 */
import type { ErrorObject } from 'ajv';
import { validate } from './snapshot-validator.generated.js';

/** One schema error, as `instancePath: message` (`(root)` for the document itself). */
export interface JsonSchemaIssue {
  path: string;
  message: string;
}

function issueOf(e: ErrorObject): JsonSchemaIssue {
  const params = e.params as {
    additionalProperty?: unknown;
    allowedValues?: unknown;
    pattern?: unknown;
    type?: unknown;
  };
  let message = e.message ?? e.keyword;
  if (e.keyword === 'additionalProperties') message += ` (${String(params.additionalProperty)})`;
  else if (e.keyword === 'enum') message += ` (${JSON.stringify(params.allowedValues)})`;
  else if (e.keyword === 'type' && Array.isArray(params.type)) message = `must be ${params.type.join(' or ')}`;
  // The generated date patterns are hundreds of characters long: the format name says enough.
  else if (e.keyword === 'pattern' && String(params.pattern).length > 40) message = 'does not match its date pattern';
  return { path: e.instancePath || '(root)', message };
}

/**
 * The issues of `value` once serialised as it will be published (JSON.stringify, then parsed back),
 * against snapshot.v1.json; empty when it validates. A nullable field of the wrong type is reported
 * once ("must be number or null"), not once per branch of its anyOf.
 */
export function snapshotJsonSchemaIssues(value: unknown): JsonSchemaIssue[] {
  let published: unknown;
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return [{ path: '(root)', message: 'is not a JSON value (undefined)' }];
    published = JSON.parse(text);
  } catch (error) {
    return [{ path: '(root)', message: `is not serialisable as JSON (${(error as Error).message})` }];
  }
  if (validate(published)) return [];
  const errors = validate.errors ?? [];
  const branchTypes = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword === 'type' && e.schemaPath.includes('/anyOf/')) {
      const types = branchTypes.get(e.instancePath) ?? [];
      types.push(String((e.params as { type?: unknown }).type));
      branchTypes.set(e.instancePath, types);
    }
  }
  const issues: JsonSchemaIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.schemaPath.includes('/anyOf/') && e.keyword === 'type') continue;
    const issue =
      e.keyword === 'anyOf' && branchTypes.has(e.instancePath)
        ? { path: e.instancePath || '(root)', message: `must be ${branchTypes.get(e.instancePath)?.join(' or ')}` }
        : issueOf(e);
    const key = `${issue.path} ${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}
