/**
 * Writes shared/gates/snapshot-validator.generated.js, the precompiled ajv validator of the published
 * snapshot JSON Schema (see shared/gates/validator-codegen.ts for why and how). Run after any change to
 * shared/snapshot/schema.ts: `npm run gates:generate`; test/gates/snapshot-validator.test.ts fails
 * while the checked-in file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { snapshotValidatorSource } from '../../shared/gates/validator-codegen.ts';
import { snapshotJsonSchema } from '../../shared/snapshot/schema.ts';

export const GENERATED_VALIDATOR = path.resolve(
  import.meta.dirname,
  '../../shared/gates/snapshot-validator.generated.js',
);

if (import.meta.main) {
  const source = snapshotValidatorSource(snapshotJsonSchema());
  writeFileSync(GENERATED_VALIDATOR, source);
  console.log(`wrote ${path.relative(process.cwd(), GENERATED_VALIDATOR)} (${source.length} characters)`);
}
