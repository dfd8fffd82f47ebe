/**
 * The benchmark's result model, the console table and docs/benchmarks.md. Results of every part are
 * kept in .local/bench/results.json so a run of a subset (`--only`) still writes a complete page, with
 * each part labelled by the date and machine load of the run that measured it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatLoad, type MachineInfo } from './machine.ts';
import type { PartId } from './options.ts';

export type Verdict = 'met' | 'missed' | 'info' | 'pending' | 'failed';

export interface Figure {
  name: string;
  value: string;
  /** The issue-7 budget this figure answers, in words (`≤ 1.5× floor`). */
  budget?: string;
  verdict?: Verdict;
}

export interface PartResult {
  id: PartId;
  title: string;
  /** `skipped`: its input is absent; `pending`: what it measures does not exist yet. */
  status: 'done' | 'skipped' | 'pending' | 'failed';
  message?: string;
  startedAt: string;
  loadAtStart: [number, number, number];
  durationMs: number;
  figures: Figure[];
  /** Markdown paragraphs, tables and lists under the part's figures. */
  details: string[];
  /** Measured quantities other parts use (the cost model). */
  data?: Record<string, unknown>;
}

export interface StoredResults {
  machine: MachineInfo;
  parts: Partial<Record<PartId, PartResult>>;
}

export function loadStoredResults(file: string): StoredResults | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredResults;
  } catch {
    return null;
  }
}

export function saveStoredResults(file: string, results: StoredResults): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
}

const VERDICT_TEXT: Record<Verdict, string> = {
  met: 'met',
  missed: 'MISSED',
  info: '',
  pending: 'pending',
  failed: 'FAILED',
};

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The console table: one row per figure, every part. */
export function consoleTable(parts: PartResult[]): string {
  const rows: string[][] = [['part', 'figure', 'value', 'budget', '']];
  for (const p of parts) {
    if (p.status !== 'done' && p.figures.length === 0) {
      rows.push([p.id, `(${p.status})`, p.message ?? '', '', '']);
      continue;
    }
    for (const f of p.figures) {
      rows.push([p.id, f.name, f.value, f.budget ?? '', f.verdict ? VERDICT_TEXT[f.verdict] : '']);
    }
  }
  const widths = [0, 1, 2, 3, 4].map((c) => Math.min(70, Math.max(...rows.map((r) => (r[c] ?? '').length))));
  return rows
    .map((r) =>
      r
        .map((cell, c) => pad(cell, widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function mdCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function mdTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.map(mdCell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

function partSection(p: PartResult, current: MachineInfo): string {
  const when =
    p.startedAt.slice(0, 10) === current.date.slice(0, 10) ? p.startedAt.slice(11, 16) : p.startedAt.slice(0, 16);
  const lines = [
    `## ${p.title}`,
    '',
    `_Measured ${when.replace('T', ' ')} UTC, load average at start ${formatLoad(p.loadAtStart)}, took ${(p.durationMs / 1000).toFixed(0)} s._`,
    '',
  ];
  if (p.status !== 'done') lines.push(`**${p.status}**: ${p.message ?? ''}`, '');
  if (p.figures.length > 0) {
    lines.push(
      mdTable(
        ['Figure', 'Value', 'Budget', 'Verdict'],
        p.figures.map((f) => [f.name, f.value, f.budget ?? '', f.verdict ? VERDICT_TEXT[f.verdict] : '']),
      ),
      '',
    );
  }
  for (const d of p.details) lines.push(d, '');
  return lines.join('\n');
}

export interface PageInput {
  machine: MachineInfo;
  parts: PartResult[];
  /** Ran in this invocation (others come from results.json). */
  ranNow: PartId[];
  command: string;
  preamble: string[];
}

export function benchmarksPage(input: PageInput): string {
  const m = input.machine;
  const budgets = input.parts.flatMap((p) =>
    p.figures
      .filter((f) => f.budget !== undefined)
      .map((f) => [
        p.title.replace(/^\d+\.\s*/, ''),
        f.name,
        f.value,
        f.budget ?? '',
        f.verdict ? VERDICT_TEXT[f.verdict] : '',
      ]),
  );
  const lines = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (test/bench/run.ts); edit the benchmark, not this file. -->',
    '',
    ...input.preamble,
    '',
    '## Machine',
    '',
    mdTable(
      ['', ''],
      [
        ['Date', m.date.replace('T', ' ').slice(0, 16)],
        ['CPU', `${m.cpuModel}, ${m.cpus} usable (nproc)`],
        ['Memory', `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
        ['Node', m.node],
        ['OS', m.platform],
        ['Load average at start (1/5/15 min)', formatLoad(m.loadAverage)],
        ['Commit', m.commit ?? 'unknown'],
        ['Command', `\`${input.command}\``],
      ],
    ),
    '',
    '## Budgets',
    '',
    mdTable(['Part', 'Figure', 'Measured', 'Budget', 'Verdict'], budgets),
    '',
  ];
  for (const p of input.parts) {
    lines.push(partSection(p, m));
    if (!input.ranNow.includes(p.id))
      lines.push('_(Not re-run by the latest invocation: figures of the run above.)_', '');
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
