/** Where the figures were measured: recorded in the report so they can be compared across machines. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  date: string;
  cpuModel: string;
  cpus: number;
  memoryBytes: number;
  node: string;
  platform: string;
  loadAverage: [number, number, number];
  commit: string | null;
}

export function loadAverage(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = os.loadavg();
  return [a, b, c];
}

export function formatLoad(load: readonly number[]): string {
  return load.map((v) => v.toFixed(2)).join(' / ');
}

function gitCommit(cwd: string): string | null {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
    return dirty === '' ? sha : `${sha} + uncommitted changes`;
  } catch {
    return null;
  }
}

export function machineInfo(repoRoot: string): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    // nproc: what this process may use (cgroup/affinity aware), not the host's count.
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: loadAverage(),
    commit: gitCommit(repoRoot),
  };
}
