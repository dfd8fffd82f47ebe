/**
 * The JSON Schemas as published for clients (issue 21 item 13), from the contract's own schemas:
 *
 * - `$id` is the schema's URL on the site that serves it (`origin` given), or the site-relative
 *   `/data/schema/<file>`, which a validator resolves against the URL it fetched the schema from (JSON Schema
 *   2020-12, §8.2.1); never a placeholder origin;
 * - no `additionalProperties: false`, at the top or below: version 1 may gain fields (a compatible addition,
 *   docs/api.md), and a client validating with the published schema must keep accepting the file when it does.
 *   The project's own gates stay strict (shared/gates validates with the contract's schema as it is).
 */
export const SCHEMA_PATH = '/data/schema/';

/** The contract's JSON Schemas that publish keeps on the site (`<name>.v1.json`). */
export type SchemaDocName = 'snapshot' | 'history' | 'stock' | 'stocks-index';

export const CLIENT_SCHEMA_COMMENT =
  'Version 1 of this format only grows: fields may be added, none is removed, renamed or retyped. ' +
  'Validate with this schema as published (it allows fields it does not list) and ignore fields you do not know.';

function open(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(open);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = open(value);
  }
  return out;
}

/** The client's schema: `$id` on the site, every object open to additions. */
export function forClients(schema: Record<string, unknown>, file: string, origin?: string): Record<string, unknown> {
  const id = origin ? new URL(`${SCHEMA_PATH}${file}`, origin).href : `${SCHEMA_PATH}${file}`;
  const { $id: _placeholder, title, ...rest } = schema;
  return { $id: id, title, $comment: CLIENT_SCHEMA_COMMENT, ...(open(rest) as Record<string, unknown>) };
}
