/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`) into self time per function and per
 * source file, so the benchmark report can name where a missed budget goes without a profiler UI.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  /** `name (file:line)`, with the file relative to the repository or under `node_modules/`. */
  label: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: HotSpot[];
  files: HotSpot[];
}

export class CpuProfileError extends Error {
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'CpuProfileError';
    this.file = file;
  }
}

function shortUrl(url: string, repoRoot: string): string {
  if (url === '') return '';
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) return file.slice(nm + 1);
  if (file.startsWith('node:')) return file;
  const rel = path.relative(repoRoot, file);
  return rel.startsWith('..') ? file : rel;
}

function isCpuProfile(value: unknown): value is CpuProfile {
  const v = value as Partial<CpuProfile> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(v.nodes) &&
    Array.isArray(v.samples) &&
    Array.isArray(v.timeDeltas) &&
    v.samples.length === v.timeDeltas.length
  );
}

/** Self time by function and by file, largest first (`top` of each). */
export function summariseCpuProfile(file: string, repoRoot: string, top = 12): ProfileSummary {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new CpuProfileError(file, 'not a V8 CPU profile (nodes/samples/timeDeltas)');
  const byId = new Map(parsed.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; the time a sample stands for is the next delta.
  for (let i = 0; i < parsed.samples.length; i++) {
    const id = parsed.samples[i] as number;
    const dt = parsed.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  }
  const fnTotals = new Map<string, number>();
  const fileTotals = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) throw new CpuProfileError(file, `sample names node ${id}, which is not in the profile`);
    const f = node.callFrame;
    const where = shortUrl(f.url, repoRoot);
    const name = f.functionName || '(anonymous)';
    const label = where ? `${name} (${where}:${f.lineNumber + 1})` : name;
    fnTotals.set(label, (fnTotals.get(label) ?? 0) + us);
    const fileLabel = where || name;
    fileTotals.set(fileLabel, (fileTotals.get(fileLabel) ?? 0) + us);
    total += us;
  }
  const rank = (m: Map<string, number>): HotSpot[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([label, us]) => ({ label, selfMs: us / 1000, share: total > 0 ? us / total : 0 }));
  return { totalMs: total / 1000, functions: rank(fnTotals), files: rank(fileTotals) };
}
