import { existsSync } from 'node:fs';
import path from 'node:path';
import { backfillLocal } from '../../local/backfill.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from './types.ts';

export const backfillCommand: Command = {
  name: 'backfill',
  summary: 'rebuild the table, derived/ and the published files of a local state from its raw archive',
  help: `Usage: npm run pulse -- backfill --state DIR [--sample] [--no-site]

Recovery (docs/operations.md, "Recovery"): starts the emulators on DIR (the --state of \`pulse run\`),
ingests every file of the raw bucket's raw/ the ledger does not know — offline, no provider — then
computes through the newest day with prices, publishes every snapshot, history.json, rss.xml and
latest.json, and builds the site. Run it after losing the table (delete DIR/emulators/dynamodb/) and
derived/: the published files come out as before apart from generatedAt and the restatement marks.

  --state DIR    state folder of \`pulse run\` (emulator data under DIR/emulators)
  --sample       the archive is generated sample data (snapshots say sample: true, as \`pulse run\` on a sample)
  --no-site      skip the site build`,
  async run(argv) {
    const { values } = parse(argv, {
      state: { type: 'string' },
      sample: { type: 'boolean' },
      'no-site': { type: 'boolean' },
    });
    if (typeof values.state !== 'string') throw new UsageError('--state DIR is required');
    // Issue 21: a typo must not create an empty state and "recover" nothing from it.
    const emulators = path.join(path.resolve(values.state), 'emulators');
    if (!existsSync(emulators)) {
      throw new UsageError(
        `${path.resolve(values.state)} is not the state folder of a local run (no emulators/ in it): give the --state of \`pulse run\` (npm start: .local/state)`,
      );
    }
    const result = await backfillLocal({
      stateDir: path.resolve(values.state),
      sample: values.sample === true,
      site: values['no-site'] !== true,
      log: { debug() {}, info() {}, warn: (m) => console.error(`warning: ${m}`), error: (m) => console.error(m) },
    });
    const published = (result.publish?.published as string[] | undefined) ?? [];
    console.error(
      `backfill: ${(result.ingest.files as unknown[] | undefined)?.length ?? 0} archived file(s) ingested, ` +
        `${published.length} snapshot(s) published through ${result.compute?.through ?? 'nothing'}`,
    );
    if (result.site) console.log(`site: ${result.site.outDir}`);
    return result.publish && !result.publish.skipped ? 0 : 1;
  },
};
