// The command line as a user meets it: help, usage errors with a one-line reason and a non-zero exit,
// and validate/build on a small real-format input folder written by the project's own generator.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { pulse } from '../helpers/pulse-cli.ts';

const cli = pulse;

describe('pulse command line', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pulse-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists its commands and explains each one', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const name of ['sample', 'validate', 'build']) expect(top.stdout).toContain(`  ${name}`);
    const help = await cli('build', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--as-of YYYY-MM-DD');
    expect(help.stdout).toContain('--short-interest DIR');
    const runHelp = await cli('run', '--help');
    expect(runHelp.stdout).toContain('Exit codes: 0 every day ran; 1 some day failed (listed on stderr)');
  });

  it('fails with a one-line reason and a non-zero exit', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const missing = await cli('validate', '--input', path.join(dir, 'does-not-exist'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toMatch(/^pulse validate: input folder .* does not exist$/);
    const badDate = await cli('build', '--input', dir, '--out', dir, '--as-of', '2024-13-45');
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--as-of must be a date YYYY-MM-DD');
    // Date.parse takes 2024-02-30 for March 1st: the option is checked against the calendar.
    const noSuchDay = await cli('build', '--input', dir, '--out', dir, '--as-of', '2024-02-30');
    expect(noSuchDay.code).toBe(2);
    expect(noSuchDay.stderr.split('\n')[0]).toBe(
      'pulse build: --as-of must be a date YYYY-MM-DD, got "2024-02-30": not a day of the calendar',
    );
    const noLeapDay = await cli('sample', '--out', dir, '--from', '2023-02-29', '--to', '2023-03-31');
    expect(noLeapDay.code).toBe(2);
    expect(noLeapDay.stderr).toContain('--from must be a date YYYY-MM-DD, got "2023-02-29": not a day of the calendar');
    const badWorkers = await cli('build', '--input', dir, '--out', dir, '--workers', 'many');
    expect(badWorkers.code).toBe(2);
    expect(badWorkers.stderr).toContain('--workers must be auto or a whole number from 0 to 16, got "many"');
  });

  it('generates a sample, validates it and builds a schema-valid snapshot twice with the same bytes (one thread, worker threads)', async () => {
    const input = path.join(dir, 'in');
    const gen = await cli('sample', '--out', input, '--seed', '7', '--from', '2025-03-03', '--to', '2025-05-30');
    expect(gen.code, gen.stderr).toBe(0);
    expect(existsSync(path.join(input, 'sample-manifest.json'))).toBe(true);

    const validate = await cli('validate', '--input', input, '--json');
    expect(validate.code, validate.stderr).toBe(0);
    const report = JSON.parse(validate.stdout) as { prices: { days: number }; refusedFiles: unknown[] };
    expect(report.refusedFiles).toEqual([]);
    expect(report.prices.days).toBeGreaterThan(55);

    const out1 = path.join(dir, 'out1');
    const out2 = path.join(dir, 'out2');
    expect((await cli('build', '--input', input, '--out', out1, '--workers', '0')).code).toBe(0);
    expect((await cli('build', '--input', input, '--out', out2, '--workers', '2')).code).toBe(0);
    const a = JSON.parse(readFileSync(path.join(out1, 'data/latest.json'), 'utf8'));
    const b = JSON.parse(readFileSync(path.join(out2, 'data/latest.json'), 'utf8'));
    const snapshot = SnapshotSchema.parse(a);
    expect(snapshot.sample).toBe(true);
    expect(snapshot.asOf).toBe('2025-05-30');
    expect(readFileSync(path.join(out1, `data/snapshots/${snapshot.asOf}.json`), 'utf8')).toBe(
      readFileSync(path.join(out1, 'data/latest.json'), 'utf8'),
    );
    a.generatedAt = '';
    b.generatedAt = '';
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const history = (out: string) =>
      readFileSync(path.join(out, 'data/history.json'), 'utf8').replace(/"generatedAt": "[^"]*"/, '');
    expect(history(out1)).toBe(history(out2));
    expect(existsSync(path.join(out1, 'data/schema/snapshot.v1.json'))).toBe(true);
    expect(existsSync(path.join(out1, 'data/history.json'))).toBe(true);
  });

  it('computes as of an earlier date with only the data known then', async () => {
    const input = path.join(dir, 'in');
    const out = path.join(dir, 'asof');
    const res = await cli('build', '--input', input, '--out', out, '--as-of', '2025-04-13');
    expect(res.code, res.stderr).toBe(0);
    const snapshot = SnapshotSchema.parse(JSON.parse(readFileSync(path.join(out, 'data/latest.json'), 'utf8')));
    // 2025-04-13 is a Sunday: A is the last accepted day on or before it (rule 7).
    expect(snapshot.asOf).toBe('2025-04-11');
    expect(snapshot.windows['1d'].to).toBe('2025-04-11');
  });
});
