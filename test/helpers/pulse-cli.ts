/** The real `pulse` command line in a child process (the Node that runs the tests), for CLI tests. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repoRoot, 'functions/cli/pulse.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `pulse ARGS…` from the repository root; a non-zero exit is a result, not a throw. */
export async function pulse(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [entry, ...args], { cwd: repoRoot, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
