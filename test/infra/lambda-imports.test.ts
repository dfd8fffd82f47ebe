/**
 * Issue 12, item 5: the Lambda code stays apart from the CLI and the local runner. Follows every relative
 * import (static, side-effect and dynamic) from each handler directory and functions/pipeline, and fails
 * naming the chain when one reaches functions/cli or functions/local.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ROOTS = ['functions/ingest', 'functions/compute', 'functions/publish', 'functions/pipeline'];
const FORBIDDEN = ['functions/cli/', 'functions/local/'];
/**
 * Build-time tools (issue 12, item 5): code that writes files or generates code for the repository —
 * the snapshot validator's code generator, the JSON Schema documents' generator, the vendor-format writers
 * and the sample generator. They live
 * beside the pure code they mirror and say "Build-time tool" in their header; no Lambda may reach them.
 */
const BUILD_TIME = [
  'shared/gates/validator-codegen.ts',
  'shared/snapshot/schema-docs-codegen.ts',
  'shared/formats/writers.ts',
  'shared/sample/',
];
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\s*\(?\s*['"](\.[^'"]+)['"]/g;

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => path.posix.join(path.posix.dirname(file), (m[1] ?? m[2]) as string));
}

/** Every file reachable from `start`, with the chain that reached it. */
function reachable(start: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (!file.endsWith('.ts')) continue;
    for (const next of importsOf(file)) {
      if (seen.has(next)) continue;
      seen.set(next, [...(seen.get(file) ?? []), next]);
      queue.push(next);
    }
  }
  return seen;
}

const entries = ROOTS.flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f}`),
);

describe('the Lambda code imports neither the CLI nor the local runner', () => {
  it('finds the handlers and the pipeline services', () => {
    expect(entries).toContain('functions/ingest/handler.ts');
    expect(entries).toContain('functions/pipeline/compute.ts');
    // The graph is really followed: a handler reaches the shared core.
    expect([...reachable('functions/publish/handler.ts').keys()]).toContain('shared/calendar.ts');
  });

  it.each(entries)('%s reaches no file under functions/cli or functions/local', (entry) => {
    const bad = [...reachable(entry).values()].filter((chain) =>
      FORBIDDEN.some((prefix) => (chain.at(-1) ?? '').startsWith(prefix)),
    );
    expect(bad.map((chain) => chain.join(' → '))).toEqual([]);
  });

  it.each(entries)('%s reaches no build-time tool', (entry) => {
    const bad = [...reachable(entry).values()].filter((chain) =>
      BUILD_TIME.some((prefix) => (chain.at(-1) ?? '').startsWith(prefix)),
    );
    expect(bad.map((chain) => chain.join(' → '))).toEqual([]);
  });

  it.each([
    'shared/gates/validator-codegen.ts',
    'shared/snapshot/schema-docs-codegen.ts',
    'shared/formats/writers.ts',
    'shared/sample/index.ts',
  ])('%s says it is a build-time tool', (file) => {
    expect(readFileSync(path.join(ROOT, file), 'utf8').slice(0, 600)).toMatch(/Build-time tool/);
  });

  it('would catch one: functions/local/runner.ts reaches functions/local', () => {
    const chains = [...reachable('functions/local/runner.ts').keys()];
    expect(chains.some((f) => f.startsWith('functions/local/lambda'))).toBe(true);
  });
});
