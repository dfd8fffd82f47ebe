/**
 * The JSON Schemas publish keeps on the site come from functions/pipeline/schema-docs.generated.ts, generated
 * ahead of time (shared/snapshot/schema-docs-codegen.ts), not from zod at run time: the checked-in file must
 * hold exactly what the contract's zod schemas generate today, and publish must write the same bytes it
 * wrote when it generated them itself.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractJsonSchema } from '../../functions/pipeline/site-writes.ts';
import { forClients, type SchemaDocName } from '../../shared/snapshot/published-schema.ts';
import { contractJsonSchemas, schemaDocsDigest, schemaDocsSource } from '../../shared/snapshot/schema-docs-codegen.ts';
import { memoryDeps } from '../pipeline/helpers/deps.ts';
import { publishSnapshots } from '../pipeline/helpers/publish.ts';
import { GENERATED_SCHEMA_DOCS } from './generate-schema-docs.ts';

const NAMES: SchemaDocName[] = ['snapshot', 'history', 'stock', 'stocks-index'];
const current = JSON.stringify(contractJsonSchemas());

describe('the checked-in schema documents', () => {
  it('are what `npm run schemas:generate` writes for the current zod schemas', () => {
    const checkedIn = readFileSync(GENERATED_SCHEMA_DOCS, 'utf8');
    // The digest line first: a one-line reason when a schema changed without regenerating.
    expect(checkedIn, 'stale: run `npm run schemas:generate`').toContain(
      `// JSON sha256: ${schemaDocsDigest(current)}`,
    );
    // The compressed bytes depend on the brotli build; what they decode to (below) may not.
    expect(checkedIn.split('\n').slice(0, 5)).toEqual(schemaDocsSource(current).split('\n').slice(0, 5));
  });

  it.each(NAMES)('decode to the %s schema exactly as zod generates it, key order included', (name) => {
    const generated = contractJsonSchemas()[name];
    expect(JSON.stringify(contractJsonSchema(name))).toBe(JSON.stringify(generated));
    expect(JSON.stringify(forClients(contractJsonSchema(name), `${name}.v1.json`, 'https://shortpulse.example'))).toBe(
      JSON.stringify(forClients(generated, `${name}.v1.json`, 'https://shortpulse.example')),
    );
  });

  it('would notice a stale file: another schema has another digest', () => {
    const other = JSON.stringify({ ...contractJsonSchemas(), history: { type: 'object' } });
    expect(schemaDocsDigest(other)).not.toBe(schemaDocsDigest(current));
  });
});

describe('what publish writes', () => {
  it('is each schema as zod generates it, for clients, with the configured site in $id', async () => {
    const deps = memoryDeps();
    const day = JSON.parse(
      readFileSync(`${import.meta.dirname}/../fixtures/site/data/snapshots/2024-06-10.json`, 'utf8'),
    );
    await publishSnapshots(deps, '2024-06-10', [day]);
    for (const name of ['snapshot', 'history'] as const) {
      const written = await deps.site.get(`data/schema/${name}.v1.json`);
      const expected = JSON.stringify(
        forClients(contractJsonSchemas()[name], `${name}.v1.json`, 'https://shortpulse.example'),
        null,
        2,
      );
      expect(Buffer.from(written?.bytes ?? []).toString('utf8')).toBe(expected);
    }
  });
});
