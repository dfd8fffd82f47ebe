/**
 * Issue 17: the same day given twice (`.json` beside `.json.gz`) — `pulse build` reads the first and rule 2
 * rejects the second as a duplicate; `pulse run` reads the first too and now says so instead of nothing.
 * On the emulators (dynalite + s3rver), the real handlers.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalRun, runLocal } from '../../functions/local/runner.ts';
import { pulse } from '../helpers/pulse-cli.ts';
import { type Listing, screenerDay, tempDir, writeMarket } from './helpers/market.ts';

const LISTINGS: Listing[] = [
  { symbol: 'AAA', prices: [10, 10.5, 10.2], shares: 500e6, sector: 'Technology' },
  { symbol: 'BBB', prices: [20, 19.5, 19.9], shares: 450e6, sector: 'Finance' },
  { symbol: 'CCC', prices: [5, 5.1, 5.3], shares: 100e6, sector: 'Health Care' },
];

let run: LocalRun | undefined;
afterAll(async () => {
  await run?.stop();
});

describe('pulse run on a folder holding one day twice', () => {
  it('reads the first snapshot in name order and reports the second as not read', async () => {
    const input = tempDir('dup-day');
    const dates = ['2024-06-10', '2024-06-11', '2024-06-12'];
    writeMarket(input, dates, LISTINGS);
    writeFileSync(path.join(input, 'prices', '2024-06-11.json.gz'), gzipSync(screenerDay(LISTINGS, 1)));
    run = await runLocal({ inputDir: input, stateDir: tempDir('dup-state'), site: false, serve: false });
    const notRead = run.reports.filter((r) => r.label === '2024-06-11.json.gz');
    expect(notRead).toEqual([
      {
        label: '2024-06-11.json.gz',
        date: '2024-06-11',
        kind: 'drop',
        outcome: 'refused',
        problems: [
          "2024-06-11.json.gz [prices] not read: another snapshot of 2024-06-11 (2024-06-11.json) is in the folder: only the first in name order is read (pulse build's rule 2 rejects the second as a duplicate)",
        ],
        published: [],
        restated: [],
      },
    ]);
    expect(run.reports.filter((r) => r.kind === 'day').map((r) => r.date)).toEqual(dates);
  }, 120_000);
});

describe('pulse validate on a folder holding one day twice', () => {
  it('says which snapshot of the day comes first and is used', async () => {
    const input = tempDir('dup-validate');
    writeMarket(input, ['2024-06-10', '2024-06-11'], LISTINGS);
    writeFileSync(path.join(input, 'prices', '2024-06-11.json.gz'), gzipSync(screenerDay(LISTINGS, 1)));
    const r = await pulse('validate', '--input', input);
    expect(r.stdout).toContain(
      'duplicate day:  2024-06-11.json.gz is another snapshot of 2024-06-11 (2024-06-11.json comes first): only the first is used (rule 2)',
    );
  }, 60_000);
});
