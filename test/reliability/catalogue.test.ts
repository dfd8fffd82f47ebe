/**
 * Keeps the reliability catalogue honest: every item of issue 6's list is mapped, every referenced
 * test exists under the title given, and docs/reliability.md shows the tables rendered from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAD_INPUT, type Case, FAULTS, GATES, HOSTILE, ISSUE_CATALOGUE, renderTable, SECURITY } from './catalogue.ts';
import { block, TABLE_BLOCKS } from './figures.ts';

const root = path.resolve(import.meta.dirname, '../..');
const all: Case[] = [...BAD_INPUT, ...FAULTS, ...GATES, ...HOSTILE, ...SECURITY];

describe('the reliability catalogue', () => {
  it('maps every bad-input item issue 6 lists, each to at least two tests', () => {
    for (const phrase of ISSUE_CATALOGUE) {
      const matches = BAD_INPUT.filter((c) => c.item.toLowerCase().includes(phrase.toLowerCase()));
      expect(matches, phrase).toHaveLength(1);
      expect(matches[0]?.tests.length, phrase).toBeGreaterThanOrEqual(2);
    }
    expect(BAD_INPUT).toHaveLength(ISSUE_CATALOGUE.length);
  });

  it('names tests that exist, by the title written in their file', () => {
    for (const c of all) {
      for (const ref of c.tests) {
        const file = path.join(root, ref.file);
        expect(existsSync(file), ref.file).toBe(true);
        const source = readFileSync(file, 'utf8');
        const quoted = [`'${ref.test}'`, `"${ref.test}"`, `\`${ref.test}\``];
        expect(
          quoted.some((q) => source.includes(q)),
          `${ref.file}: no test titled ${JSON.stringify(ref.test)}`,
        ).toBe(true);
      }
    }
  });

  it('is what docs/reliability.md shows', () => {
    const doc = readFileSync(path.join(root, 'docs/reliability.md'), 'utf8');
    for (const [name, cases] of Object.entries({ ...TABLE_BLOCKS, security: SECURITY })) {
      expect(block(doc, name), `block ${name}`).toBe(renderTable(cases));
    }
  });
});
