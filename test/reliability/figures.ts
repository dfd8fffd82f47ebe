/**
 * Counts docs/reliability.md's figures by running the catalogue's tests (test/reliability/catalogue.ts)
 * with vitest's JSON reporter, and rewrites the catalogue tables and the figures in the doc:
 *   cases tried    every test the case names ran (none skipped or missing);
 *   cases handled  tried, and every one of them passed;
 *   data lost      tried cases with a failing test (each asserts the raw file is archived, the write lands
 *                  once or the site keeps yesterday: a failure is a possible loss), "none" when 0.
 * Run: `npm run reliability:figures` (minutes: it runs the emulator tests and the real-2024 gate test).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BAD_INPUT, type Case, FAULTS, GATES, HOSTILE, renderTable, SECURITY, type TestRef } from './catalogue.ts';

export const TABLE_BLOCKS: Record<string, Case[]> = {
  'bad-input': BAD_INPUT,
  faults: FAULTS,
  gates: GATES,
  hostile: HOSTILE,
};

const begin = (name: string) => `<!-- ${name}:begin -->`;
const end = (name: string) => `<!-- ${name}:end -->`;

/** The text between a block's markers (trimmed), or null. */
export function block(doc: string, name: string): string | null {
  const a = doc.indexOf(begin(name));
  const b = doc.indexOf(end(name));
  if (a < 0 || b < a) return null;
  return doc.slice(a + begin(name).length, b).trim();
}

export function replaceBlock(doc: string, name: string, body: string): string {
  const a = doc.indexOf(begin(name));
  const b = doc.indexOf(end(name));
  if (a < 0 || b < a) throw new Error(`docs/reliability.md has no ${begin(name)} … ${end(name)} block`);
  return `${doc.slice(0, a + begin(name).length)}\n${body}\n${doc.slice(b)}`;
}

interface Assertion {
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
}
interface Report {
  testResults: { name: string; assertionResults: Assertion[] }[];
}

function matcher(ref: TestRef): (title: string) => boolean {
  if (ref.expanded) return (title) => title === ref.expanded;
  if (!/[%$]/.test(ref.test)) return (title) => title === ref.test;
  const pattern = ref.test
    .split(/(%[sdifjo#%]|\$[A-Za-z_][\w.]*)/)
    .map((part, i) => (i % 2 === 1 ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${pattern}$`);
  return (title) => re.test(title);
}

export interface CaseFigures {
  tried: number;
  handled: number;
  lost: number;
  cases: number;
}

export function countCases(cases: Case[], report: Report, root: string): CaseFigures {
  const byFile = new Map(report.testResults.map((r) => [path.relative(root, r.name), r.assertionResults]));
  let tried = 0;
  let handled = 0;
  let lost = 0;
  for (const c of cases) {
    const runs = c.tests.map((ref) => (byFile.get(ref.file) ?? []).filter((a) => matcher(ref)(a.title)));
    const ran = runs.every((r) => r.length > 0 && r.every((a) => a.status === 'passed' || a.status === 'failed'));
    if (!ran) continue;
    tried++;
    if (runs.every((r) => r.every((a) => a.status === 'passed'))) handled++;
    else lost++;
  }
  return { tried, handled, lost, cases: cases.length };
}

export function renderFigures(figures: Record<string, CaseFigures>, summary: string): string {
  const names = Object.keys(figures);
  const total = Object.values(figures).reduce(
    (s, x) => ({
      tried: s.tried + x.tried,
      handled: s.handled + x.handled,
      lost: s.lost + x.lost,
      cases: s.cases + x.cases,
    }),
    { tried: 0, handled: 0, lost: 0, cases: 0 },
  );
  const row = (label: string, pick: (x: CaseFigures) => string) =>
    `| ${label} | ${[...Object.values(figures), total].map(pick).join(' | ')} |`;
  return [
    `| | ${[...names, 'total'].join(' | ')} |`,
    `| --- | ${[...names, 'total'].map(() => '---').join(' | ')} |`,
    row('cases', (x) => String(x.cases)),
    row('cases tried', (x) => String(x.tried)),
    row('cases handled', (x) => String(x.handled)),
    row('data lost', (x) => (x.lost === 0 ? 'none' : `${x.lost} case(s) failing`)),
    '',
    summary,
  ].join('\n');
}

async function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const files = [
    ...new Set(Object.values(TABLE_BLOCKS).flatMap((cases) => cases.flatMap((c) => c.tests.map((t) => t.file)))),
  ].sort();
  const dir = mkdtempSync(path.join(tmpdir(), 'pulse-figures-'));
  const out = path.join(dir, 'report.json');
  try {
    try {
      execFileSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...files], {
        cwd: root,
        env: { ...process.env, CI_REPORT: out },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    } catch {
      // Failing tests make vitest exit 1: they are counted below, not hidden.
    }
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const all = report.testResults.flatMap((r) => r.assertionResults);
    const count = (s: Assertion['status']) => all.filter((a) => a.status === s).length;
    const figures = Object.fromEntries(
      Object.entries(TABLE_BLOCKS).map(([name, cases]) => [name, countCases(cases, report, root)]),
    );
    const summary =
      `Counted by \`npm run reliability:figures\` from ${all.length} test results in ${report.testResults.length} ` +
      `files (${count('passed')} passed, ${count('failed')} failed, ${count('skipped') + count('pending') + count('todo')} skipped).`;
    const docPath = path.join(root, 'docs/reliability.md');
    let doc = readFileSync(docPath, 'utf8');
    for (const [name, cases] of Object.entries({ ...TABLE_BLOCKS, security: SECURITY })) {
      doc = replaceBlock(doc, name, renderTable(cases));
    }
    doc = replaceBlock(doc, 'figures', renderFigures(figures, summary));
    writeFileSync(docPath, doc);
    console.log(renderFigures(figures, summary));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
