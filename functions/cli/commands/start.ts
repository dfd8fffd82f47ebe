import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '../args.ts';
import { portOption, runAndServe, runCommand } from './run.ts';
import { sampleCommand } from './sample.ts';
import type { Command } from './types.ts';

/** Where `npm start` keeps the sample input and the pipeline's state (git-ignored). */
export const START_INPUT = path.join('.local', 'sample');
export const START_STATE = path.join('.local', 'state');

export const startCommand: Command = {
  name: 'start',
  summary: 'npm start: the whole product on this machine, on generated sample data',
  help: `Usage: npm start [-- --port N] [--host H] [--no-serve]
       npm start -- --input DIR [--port N] [--no-serve]   (real data, e.g. what \`pulse fetch\` wrote)

Generates the sample input in ${START_INPUT} when it is missing (npm run pulse -- sample), runs it through
the pipeline day by day against embedded DynamoDB and S3 kept in ${START_STATE}, builds the site and
serves it on http://localhost:4321 (env PORT or --port to change). A second start reuses everything:
no day is run again and the site is only rebuilt when something changed. Delete ${START_STATE} to start
from nothing. With --input DIR it runs that folder instead, exactly as \`npm run pulse -- run --input DIR\`
(state in .local/runs/<name>-<hash>, apart from the sample's). Exit codes as \`pulse run\`: 1 when a day
failed (listed on stderr).`,
  async run(argv) {
    const { values } = parse(argv, {
      port: { type: 'string' },
      'no-serve': { type: 'boolean' },
      input: { type: 'string' },
      host: { type: 'string' },
    });
    // Real data on a laptop (issue 18): the folder `pulse fetch` wrote, run as `pulse run` runs it.
    if (typeof values.input === 'string') return runCommand.run(argv);
    const inputDir = path.resolve(START_INPUT);
    if (!existsSync(path.join(inputDir, 'prices'))) {
      process.stderr.write(`no sample input in ${START_INPUT}: generating it (once)…\n`);
      const code = await sampleCommand.run(['--out', inputDir]);
      if (code !== 0) return code;
    }
    const port = portOption(values.port);
    const stateDir = path.resolve(START_STATE);
    if (!existsSync(stateDir)) {
      process.stderr.write(
        'first start: every trading day of the sample goes through the pipeline, then the site is built —\n' +
          'about 12 minutes on a 2-core machine (694 s measured, docs/operations.md); later starts reuse it all.\n',
      );
    }
    return runAndServe(
      {
        inputDir,
        stateDir,
        serve: values['no-serve'] !== true,
        ...(port !== undefined ? { port } : {}),
        ...(typeof values.host === 'string' ? { host: values.host } : {}),
      },
      injectedTraps(inputDir),
    );
  },
};

/**
 * The days on which the sample deliberately breaks rule 2 (its manifest's `staleDays`, `partialDays`,
 * `weekendFiles`), with what it injects, so the console says a refusal there is intended (issue 21 item 14).
 */
export function injectedTraps(inputDir: string): Map<string, string> {
  const traps = new Map<string, string>();
  const file = path.join(inputDir, 'sample-manifest.json');
  if (!existsSync(file)) return traps;
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return traps;
  }
  const dates = (key: string) =>
    Array.isArray(manifest[key]) ? (manifest[key] as unknown[]).filter((d): d is string => typeof d === 'string') : [];
  for (const d of dates('staleDays')) traps.set(d, 'a stale repeat of the previous day’s prices');
  for (const d of dates('partialDays')) traps.set(d, 'a partial price file');
  for (const d of dates('weekendFiles')) traps.set(d, 'a price file dated on a weekend');
  return traps;
}
