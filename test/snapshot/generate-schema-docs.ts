/**
 * Writes functions/pipeline/schema-docs.generated.ts, the JSON Schemas publish keeps on the site, generated
 * ahead of time (see shared/snapshot/schema-docs-codegen.ts for why). Run after any change to
 * shared/snapshot/schema.ts or stocks-schema.ts: `npm run schemas:generate`; test/snapshot/schema-docs.test.ts
 * fails while the checked-in file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { schemaDocsSource } from '../../shared/snapshot/schema-docs-codegen.ts';

export const GENERATED_SCHEMA_DOCS = path.resolve(
  import.meta.dirname,
  '../../functions/pipeline/schema-docs.generated.ts',
);

if (import.meta.main) {
  const source = schemaDocsSource();
  writeFileSync(GENERATED_SCHEMA_DOCS, source);
  console.log(`wrote ${path.relative(process.cwd(), GENERATED_SCHEMA_DOCS)} (${source.length} characters)`);
}
