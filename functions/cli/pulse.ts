#!/usr/bin/env node
import { UsageError } from './args.ts';
/**
 * `npm run pulse -- <command>`: the Short Pulse command line. Each command prints progress on stderr,
 * its result on stdout, and exits non-zero with a one-line reason on failure.
 */
import type { Command } from './commands/types.ts';

/**
 * The commands in usage order, each module loaded only when it runs (or for the usage text): `run`,
 * `start`, `backfill` and `upload-history` load the AWS SDK and the local pipeline, about half a second
 * of start-up that `pulse build` does not need (issue 16).
 */
const commands: [name: string, load: () => Promise<Command>][] = [
  ['sample', async () => (await import('./commands/sample.ts')).sampleCommand],
  ['fetch', async () => (await import('./commands/fetch.ts')).fetchCommand],
  ['validate', async () => (await import('./commands/validate.ts')).validateCommand],
  ['build', async () => (await import('./commands/build.ts')).buildCommand],
  ['run', async () => (await import('./commands/run.ts')).runCommand],
  ['start', async () => (await import('./commands/start.ts')).startCommand],
  ['backfill', async () => (await import('./commands/backfill.ts')).backfillCommand],
  ['upload-history', async () => (await import('./commands/upload-history.ts')).uploadHistoryCommand],
];

async function usage(): Promise<string> {
  const loaded = await Promise.all(commands.map(([, load]) => load()));
  const width = Math.max(...loaded.map((c) => c.name.length));
  return [
    'Short Pulse: short sellers’ mark-to-market P&L from public data.',
    '',
    'Usage: npm run pulse -- <command> [options]   (npm run pulse -- <command> --help for its options)',
    '',
    'Commands:',
    ...loaded.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name === undefined ? 1 : 0;
  }
  const load = commands.find(([n]) => n === name)?.[1];
  if (!load) {
    console.error(`pulse: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  const command = await load();
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
