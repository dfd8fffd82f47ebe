/**
 * Runs one measured step in a fresh Node process (the same Node as the benchmark) and returns its wall
 * time, peak RSS and CPU time. Children may print one line `BENCH {json}` with figures of their own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const PRELOAD = path.join(import.meta.dirname, 'rusage-preload.ts');

export interface ChildRun {
  wallMs: number;
  maxRssBytes: number;
  cpuMs: number;
  /** Main-thread garbage collection pauses, summed. */
  gcMs: number;
  status: number | null;
  stdout: string;
  stderr: string;
  /** The child's `BENCH {…}` line, parsed; null when it printed none. */
  report: Record<string, unknown> | null;
}

export interface ChildOptions {
  /** Node options placed before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Fail when the child exits non-zero (default true). */
  check?: boolean;
}

export class ChildRunError extends Error {
  readonly script: string;
  readonly status: number | null;
  constructor(script: string, status: number | null, output: string) {
    super(`${script} exited with status ${status}:\n${output.slice(-3000)}`);
    this.name = 'ChildRunError';
    this.script = script;
    this.status = status;
  }
}

export async function runChild(script: string, args: string[], options: ChildOptions = {}): Promise<ChildRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-rusage-'));
  const usageFile = path.join(dir, 'usage.json');
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', PRELOAD, script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, BENCH_RUSAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    const wallMs = performance.now() - started;
    if (status !== 0 && options.check !== false) throw new ChildRunError(script, status, `${stdout}\n${stderr}`);
    let usage = { maxRssKb: Number.NaN, userMs: Number.NaN, systemMs: Number.NaN, gcMs: Number.NaN };
    try {
      usage = JSON.parse(readFileSync(usageFile, 'utf8'));
    } catch {
      // A child killed by a signal (e.g. out of memory) never reaches its exit handler.
    }
    const line = stdout
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('BENCH '));
    return {
      wallMs,
      maxRssBytes: usage.maxRssKb * 1024,
      cpuMs: usage.userMs + usage.systemMs,
      gcMs: usage.gcMs,
      status,
      stdout,
      stderr,
      report: line ? (JSON.parse(line.slice('BENCH '.length)) as Record<string, unknown>) : null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the child's figures for the parent (see runChild). */
export function reportToParent(figures: Record<string, unknown>): void {
  process.stdout.write(`BENCH ${JSON.stringify(figures)}\n`);
}

export interface Series {
  runs: ChildRun[];
  wallMs: number[];
  maxRssBytes: number[];
}

/** `warmup` unmeasured runs, then `runs` measured ones, in sequence (the machine has few cores). */
export async function series(
  label: string,
  warmup: number,
  runs: number,
  once: () => Promise<ChildRun>,
  log: (line: string) => void,
): Promise<Series> {
  for (let i = 0; i < warmup; i++) {
    const r = await once();
    log(`  ${label}: warm-up ${(r.wallMs / 1000).toFixed(2)} s`);
  }
  const measured: ChildRun[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await once();
    measured.push(r);
    log(
      `  ${label}: run ${i + 1}/${runs} ${(r.wallMs / 1000).toFixed(2)} s, peak ${(r.maxRssBytes / 1e6).toFixed(0)} MB`,
    );
  }
  return { runs: measured, wallMs: measured.map((r) => r.wallMs), maxRssBytes: measured.map((r) => r.maxRssBytes) };
}
