#!/usr/bin/env node
import { UsageError } from './args.ts';
/**
 * `npm run pulse -- <command>`: the Short Pulse command line. Each command prints progress on stderr,
 * its result on stdout, and exits non-zero with a one-line reason on failure.
 */
import { backfillCommand } from './commands/backfill.ts';
import { buildCommand } from './commands/build.ts';
import { fetchCommand } from './commands/fetch.ts';
import { runCommand } from './commands/run.ts';
import { sampleCommand } from './commands/sample.ts';
import { startCommand } from './commands/start.ts';
import type { Command } from './commands/types.ts';
import { uploadHistoryCommand } from './commands/upload-history.ts';
import { validateCommand } from './commands/validate.ts';

const commands: Command[] = [
  sampleCommand,
  fetchCommand,
  validateCommand,
  buildCommand,
  runCommand,
  startCommand,
  backfillCommand,
  uploadHistoryCommand,
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Short Pulse: short sellers’ mark-to-market P&L from public data.',
    '',
    'Usage: npm run pulse -- <command> [options]   (npm run pulse -- <command> --help for its options)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`pulse: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`pulse ${name}: ${message}`);
    if (err instanceof UsageError) console.error(`(npm run pulse -- ${name} --help)`);
    if (process.env.PULSE_DEBUG && err instanceof Error) console.error(err.stack);
    return err instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
