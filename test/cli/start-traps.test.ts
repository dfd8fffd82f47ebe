/**
 * Issue 21 item 14: `npm start` says the sample's rule 2 refusals are intended. The days come from the sample's
 * manifest (`sample-manifest.json`, the keys the sample generator writes: staleDays, partialDays, weekendFiles).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { injectedTraps } from '../../functions/cli/commands/start.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-traps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('injectedTraps', () => {
  it('reads the stale, partial and weekend days of a sample manifest', () => {
    writeFileSync(
      path.join(dir, 'sample-manifest.json'),
      JSON.stringify({ staleDays: ['2025-06-05'], partialDays: ['2025-08-21'], weekendFiles: ['2025-11-01'], seed: 1 }),
    );
    expect([...injectedTraps(dir)]).toEqual([
      ['2025-06-05', 'a stale repeat of the previous day’s prices'],
      ['2025-08-21', 'a partial price file'],
      ['2025-11-01', 'a price file dated on a weekend'],
    ]);
  });

  it('is empty for real data (no manifest) and for a manifest it cannot read', () => {
    expect(injectedTraps(path.join(dir, 'nowhere')).size).toBe(0);
    writeFileSync(path.join(dir, 'sample-manifest.json'), '{not json');
    expect(injectedTraps(dir).size).toBe(0);
  });
});
