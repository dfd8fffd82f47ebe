/**
 * Issue 21 item 13: the schemas as published for clients. A strict client (Ajv, JSON Schema 2020-12) validating a
 * snapshot with the published schema must keep accepting it after a compatible addition (a new field, at the top
 * or inside), while the project's own contract stays strict; `$id` is the schema's URL on the site, never a
 * placeholder origin; descriptions say what a field means in words.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA_COMMENT, forClients } from '../../shared/snapshot/published-schema.ts';
import { historyJsonSchema, SnapshotSchema, snapshotJsonSchema } from '../../shared/snapshot/schema.ts';
import { stockIndexJsonSchema, stockJsonSchema } from '../../shared/snapshot/stocks-schema.ts';
import { fixtureLatest } from './fixtures.ts';

const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as FormatsPlugin;

function validatorFor(schema: Record<string, unknown>) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('the published JSON Schemas', () => {
  const published = forClients(snapshotJsonSchema(), 'snapshot.v1.json', 'https://pulse.example.org/');

  it('name their URL on the site (or the site-relative path), and say how to validate', () => {
    expect(published.$id).toBe('https://pulse.example.org/data/schema/snapshot.v1.json');
    expect(published.$comment).toBe(CLIENT_SCHEMA_COMMENT);
    expect(forClients(historyJsonSchema(), 'history.v1.json').$id).toBe('/data/schema/history.v1.json');
    for (const s of [snapshotJsonSchema(), historyJsonSchema(), stockJsonSchema(), stockIndexJsonSchema()]) {
      expect(JSON.stringify(s)).not.toContain('short-pulse.example');
    }
  });

  it('accept compatible additions that the contract refuses', () => {
    const snapshot = fixtureLatest();
    const validate = validatorFor(published);
    expect(validate(snapshot), JSON.stringify(validate.errors)).toBe(true);
    const grown = structuredClone(snapshot) as unknown as Record<string, unknown> & {
      windows: { ytd: { groups: { total: Record<string, unknown> } } };
    };
    grown.dividendsUsd = 12;
    grown.windows.ytd.groups.total.borrowFeesUsd = 3;
    expect(validate(grown), JSON.stringify(validate.errors)).toBe(true);
    // The contract (what publish validates before writing) stays strict on both.
    expect(SnapshotSchema.safeParse(grown).success).toBe(false);
    expect(validatorFor(snapshotJsonSchema())(grown)).toBe(false);
    expect(JSON.stringify(published)).not.toContain('"additionalProperties":false');
  });

  it('still refuses a wrong type or a missing field', () => {
    const validate = validatorFor(published);
    const broken = structuredClone(fixtureLatest()) as unknown as Record<string, unknown>;
    broken.asOf = 20240614;
    expect(validate(broken)).toBe(false);
    const missing = structuredClone(fixtureLatest()) as unknown as Record<string, unknown>;
    delete missing.windows;
    expect(validate(missing)).toBe(false);
  });

  it('describe the P&L in words, with the rule, not in the rules’ symbols', () => {
    const text = JSON.stringify(published);
    expect(text).toContain('Short sellers’ mark-to-market profit over the window in US dollars');
    for (const symbol of ['Σ pnl', 'SI(s, A)', 'MC_A', '--as-of']) expect(text).not.toContain(symbol);
  });
});
