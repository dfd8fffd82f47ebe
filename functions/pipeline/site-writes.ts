/**
 * What publish's two writers (./publish.ts: snapshots, history, feed; ./publish-stocks.ts: the per-stock files)
 * share: the site's HTTP policy per object, the refusal they throw before any write, the way they wait for writes
 * sent together, and the JSON Schemas they keep on the site (written only when changed).
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import type { IsoDate } from '../../shared/domain.ts';
import type { GateName } from '../../shared/gates/names.ts';
import { cacheControlFor, contentTypeFor } from '../../shared/present/security-headers.ts';
import type { SchemaDocName } from '../../shared/snapshot/published-schema.ts';
import type { PutObjectOptions } from '../adapters/ports.ts';
import { SCHEMA_DOCS_BROTLI_BASE64 } from './schema-docs.generated.ts';

/**
 * Content type and Cache-Control of a site object: the site's one HTTP policy
 * (shared/present/security-headers.ts), the same CloudFront and the local server apply.
 */
export function siteObjectOptions(key: string): PutObjectOptions {
  return { contentType: contentTypeFor(`/${key}`), cacheControl: cacheControlFor(key) };
}

/** A gate before publishing refused the day: nothing was written, yesterday's snapshot stays. */
export class SanityGateError extends Error {
  readonly gate: 'schema' | 'missing' | GateName;
  readonly date: IsoDate;
  readonly field: string;
  readonly issues: string[];
  constructor(gate: 'schema' | 'missing' | GateName, date: IsoDate, field: string, issues: string[]) {
    super(`publish ${date} refused (${gate}): ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? ' …' : ''}`);
    this.name = 'SanityGateError';
    this.gate = gate;
    this.date = date;
    this.field = field;
    this.issues = issues;
  }
}

/**
 * Waits for every write sent together, then fails with the first failure: nothing is still in flight when
 * the caller restores what it wrote or releases the day lock.
 */
export async function settled(writes: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export interface SchemaDoc {
  key: string;
  bytes: Uint8Array;
  sha256: string;
}

let contractDocs: Record<SchemaDocName, Record<string, unknown>> | undefined;

/**
 * A JSON Schema of the contract (`snapshotJsonSchema()`, …) as generated ahead of time
 * (./schema-docs.generated.ts, `npm run schemas:generate`): the Lambda neither bundles zod's JSON Schema
 * generator nor runs it. Decoded on first use; do not change the object returned (`forClients` copies it).
 */
export function contractJsonSchema(name: SchemaDocName): Record<string, unknown> {
  contractDocs ??= JSON.parse(brotliDecompressSync(Buffer.from(SCHEMA_DOCS_BROTLI_BASE64, 'base64')).toString('utf8'));
  return (contractDocs as Record<SchemaDocName, Record<string, unknown>>)[name];
}

/** JSON Schemas as the site keeps them: encoded, with the hash publish compares with the stored object's. */
export function schemaDocsOf(
  docs: readonly (readonly [string, unknown])[],
  encode: (doc: unknown) => Uint8Array,
): SchemaDoc[] {
  return docs.map(([key, doc]) => {
    const bytes = encode(doc);
    return { key, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
}
