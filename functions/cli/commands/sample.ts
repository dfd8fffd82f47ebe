import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_SEED,
  generateSample,
  generateShortInterestFor,
  SAMPLE_MANIFEST_FILE,
  type SampleFile,
} from '../../../shared/sample/index.ts';
import { isoDateOption, parse, UsageError } from '../args.ts';
import { loadInput } from '../input-folder.ts';
import type { Command } from './types.ts';

export const sampleCommand: Command = {
  name: 'sample',
  summary: 'write a deterministic sample input folder in the real FINRA and Nasdaq formats',
  help: `Usage: npm run pulse -- sample --out DIR [--seed N] [--from YYYY-MM-DD --to YYYY-MM-DD]
       npm run pulse -- sample --out DIR --for-prices PRICES_DIR [--seed N]

Generates a seeded, realistic market (all six tiers, sectors, short interest) on the real US exchange
calendar, with the traps real data has (late share counts after splits, reverse splits, a stale day, a
partial day, a weekend file, a revised short interest file), and writes it as an input folder:
  DIR/prices/YYYY-MM-DD.json, DIR/short-interest/shrtYYYYMMDD*.csv, DIR/short-volume/CNMSshvolYYYYMMDD.txt,
  DIR/splits.csv and DIR/${SAMPLE_MANIFEST_FILE} (what was injected; marks the folder as sample data).
The same seed and dates always give the same bytes. See docs/sample-data.md.

With --for-prices, writes only generated short interest files (DIR/short-interest/) for an existing folder of
real screener snapshots, settled on FINRA's calendar and sized from each symbol's share count, so real prices
can be run end to end (e.g. --for-prices ../shared/data/nasdaq-screener/2024). The figures built on them are
sample data: pass --sample to build, or copy the prices into DIR/prices and build with --input DIR.

  --out DIR              output folder (replaced: its prices/, short-interest/ and short-volume/ are rewritten)
  --seed N               seed (default ${DEFAULT_SEED})
  --for-prices DIR       generate short interest for these real price snapshots instead of a whole market
  --from, --to           first and last calendar date (default: the generator's one-year default)`,
  async run(argv) {
    const { values } = parse(argv, {
      out: { type: 'string' },
      seed: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'for-prices': { type: 'string' },
    });
    if (typeof values.out !== 'string') throw new UsageError('--out DIR is required');
    const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${JSON.stringify(values.seed)}`);
    const from = isoDateOption(values.from, 'from');
    const to = isoDateOption(values.to, 'to');
    if ((from === undefined) !== (to === undefined)) throw new UsageError('--from and --to go together');
    if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);

    const started = performance.now();
    const out = path.resolve(values.out);
    let files: SampleFile[];
    if (typeof values['for-prices'] === 'string') {
      if (from || to)
        throw new UsageError('--from/--to do not apply with --for-prices (the price files set the dates)');
      const prices = path.resolve(values['for-prices']);
      // Issue 21 item 14: reading a year of snapshots takes ~25 s; say what is happening.
      process.stderr.write(`reading the price snapshots in ${prices}…\n`);
      const input = loadInput({
        root: null,
        prices,
        shortInterest: null,
        shortVolume: null,
        splits: null,
        splitCalendar: null,
        securities: null,
      });
      if (input.priceDays.length === 0) throw new UsageError(`no price snapshot in ${prices}`);
      process.stderr.write(
        `read ${input.priceDays.length} price snapshot(s) in ${((performance.now() - started) / 1000).toFixed(1)} s; generating FINRA-style short interest for them…\n`,
      );
      files = generateShortInterestFor(input.priceDays, { seed });
      rmSync(path.join(out, 'short-interest'), { recursive: true, force: true });
    } else {
      process.stderr.write('generating the sample market (prices, short interest, short volume)…\n');
      files = generateSample({ seed, ...(from && to ? { from, to } : {}) }).files;
      for (const sub of ['prices', 'short-interest', 'short-volume']) {
        rmSync(path.join(out, sub), { recursive: true, force: true });
      }
    }
    let bytes = 0;
    for (const file of files) {
      const target = path.join(out, file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.content);
      bytes += typeof file.content === 'string' ? Buffer.byteLength(file.content) : file.content.byteLength;
    }
    console.log(
      `wrote ${files.length} files (${(bytes / 1e6).toFixed(1)} MB) to ${out} with seed ${seed} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  },
};
