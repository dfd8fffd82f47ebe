/**
 * Issue 10: `pulse build` and `pulse run` give the same verdict on the same damaged input. A generated
 * sample folder WITHOUT its manifest (so nothing but the generated short interest's own mark says it is
 * sample data) gets a price typo ×1000 on a mid cap (rule 11a), a market cap of 1e30 (parser ceiling), a
 * short position of 1e15 shares (parser ceiling) and a splits.csv ratio off rule 3(b)'s list with a flat
 * price (rule 11c). It also gets a Nasdaq split calendar (issue 11): a day whose calendar gives another mid
 * cap the same off-list ratio (rule 11c, quarantined under the calendar's file name) and has a bad row, and
 * a Saturday's "No record found" answer (a day the pipeline does not run: it arrives as a drop); and a
 * securities.csv that makes one large listing a fund (rule 12: out of every figure) and has a bad row.
 * The pipeline runs it day by day on dynalite and s3rver; its latest snapshot must be what `pulse build`
 * writes for the folder, apart from generatedAt — quarantines, rejections, sources and `sample: true`
 * included — and no day may fail.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRun, runLocal } from '../../functions/local/runner.ts';
import { SITE_LATEST_KEY } from '../../functions/pipeline/keys.ts';
import { SAMPLE_MANIFEST_FILE } from '../../shared/sample/index.ts';
import { type Snapshot, SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { pulse } from '../helpers/pulse-cli.ts';
import { tempDir, writeSample } from '../local/helpers/market.ts';

type Row = Record<string, unknown> & { symbol: string; lastsale: string; marketCap: string };

let input: string;
let state: string;
let out: string;
let run: LocalRun;
let built: Snapshot;
let typo: { symbol: string; date: string };
let calendarSplit: { symbol: string; date: string; file: string };
let fund: string;

const usd = (s: string) => Number(s.replace(/[$,]/g, ''));

function rowsOf(file: string): Row[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { data: { rows: Row[] } }).data.rows;
}

beforeAll(async () => {
  input = tempDir('verdict-input');
  state = tempDir('verdict-state');
  out = tempDir('verdict-out');
  writeSample(input, { symbols: 300, from: '2025-01-02', to: '2025-03-31', gzip: false });
  rmSync(path.join(input, SAMPLE_MANIFEST_FILE));

  const pricesDir = path.join(input, 'prices');
  const dates = readdirSync(pricesDir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))
    .map((f) => f.slice(0, 10))
    .sort();
  const typoDay = dates[dates.length - 6] as string;
  const capDay = dates[dates.length - 8] as string;
  const typoRows = rowsOf(path.join(pricesDir, `${typoDay}.json`));
  const mid = typoRows
    .filter((r) => usd(r.marketCap) >= 2e9 && usd(r.marketCap) <= 9e9)
    .sort((a, b) => (a.symbol < b.symbol ? -1 : 1))[0] as Row;
  typo = { symbol: mid.symbol, date: typoDay };
  writeFileSync(
    path.join(pricesDir, `${typoDay}.json`),
    JSON.stringify({
      data: {
        rows: typoRows.map((r) =>
          r === mid
            ? {
                ...r,
                lastsale: `$${(usd(r.lastsale) * 1000).toFixed(2)}`,
                marketCap: String(Math.round(usd(r.marketCap) * 1000)),
              }
            : r,
        ),
      },
    }),
  );
  const capRows = rowsOf(path.join(pricesDir, `${capDay}.json`));
  writeFileSync(
    path.join(pricesDir, `${capDay}.json`),
    JSON.stringify({
      data: { rows: capRows.map((r, i) => (i === 3 ? { ...r, marketCap: '1000000000000000000000000000000' } : r)) },
    }),
  );
  const siDir = path.join(input, 'short-interest');
  const siFile = readdirSync(siDir).sort()[1] as string;
  const lines = readFileSync(path.join(siDir, siFile), 'utf8').split('\n');
  const fields = (lines[2] as string).split('|');
  fields[5] = '1000000000000000';
  lines[2] = fields.join('|');
  writeFileSync(path.join(siDir, siFile), lines.join('\n'));
  const splits = readFileSync(path.join(input, 'splits.csv'), 'utf8').trimEnd();
  writeFileSync(path.join(input, 'splits.csv'), `${splits}\n${mid.symbol},${dates[dates.length - 10]},7\n`);

  // The calendar of a day 4 days before the last: another mid cap, ratio 7 (off rule 3(b)'s list).
  const calendarDay = dates[dates.length - 4] as string;
  const other = rowsOf(path.join(pricesDir, `${calendarDay}.json`))
    .filter((r) => usd(r.marketCap) >= 2e9 && usd(r.marketCap) <= 9e9 && r.symbol !== mid.symbol)
    .sort((a, b) => (a.symbol < b.symbol ? -1 : 1))[0] as Row;
  calendarSplit = { symbol: other.symbol, date: calendarDay, file: `splits-${calendarDay}.json` };
  const us = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
  mkdirSync(path.join(input, 'split-calendar'));
  writeFileSync(
    path.join(input, 'split-calendar', calendarSplit.file),
    JSON.stringify({
      data: {
        rows: [
          { symbol: other.symbol, name: 'x', ratio: '7 : 1', payableDate: 'N/A', executionDate: us(calendarDay) },
          { symbol: 'ZZZZ', name: 'y', ratio: '1 : 0', payableDate: 'N/A', executionDate: us(calendarDay) },
        ],
      },
      message: null,
      status: { rCode: 200, bCodeMessage: null, developerMessage: null },
    }),
  );
  writeFileSync(
    path.join(input, 'split-calendar', 'splits-2025-03-08.json'),
    '{"data":null,"message":null,"status":{"rCode":200,"bCodeMessage":[{"code":1002,"errorMessage":"Splits Calendar: No record found."}],"developerMessage":null}}',
  );
  // The largest listing of the first day as a fund, from the first day on.
  fund = rowsOf(path.join(pricesDir, `${dates[0]}.json`)).sort((a, b) => usd(b.marketCap) - usd(a.marketCap))[0]
    ?.symbol as string;
  writeFileSync(path.join(input, 'securities.csv'), `symbol,type\n${fund},fund\nQQQQ,bond\n`);

  const b = await pulse('build', '--input', input, '--out', out, '--workers', '0');
  expect(b.code, b.stderr).toBe(0);
  built = SnapshotSchema.parse(JSON.parse(readFileSync(path.join(out, 'data', 'latest.json'), 'utf8')));
  run = await runLocal({ inputDir: input, stateDir: state, site: false, keepEmulators: true });
}, 300_000);

afterAll(async () => {
  await run?.stop();
  for (const dir of [input, state, out]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pulse build and pulse run on the same damaged input', () => {
  it('no day fails in the pipeline, and the latest snapshot equals pulse build apart from generatedAt', async () => {
    expect(
      run.reports
        // Rule 2's refused days (the sample's own traps) are verdicts, not failures.
        .filter(
          (r) => r.outcome === 'failed' || (r.outcome === 'refused' && !r.problems.every((p) => p.includes('rule 2'))),
        )
        .map((r) => `${r.label}: ${r.outcome}: ${JSON.stringify(r.problems)}`),
    ).toEqual([]);
    const latest = await run.deps.site.get(SITE_LATEST_KEY);
    const published = SnapshotSchema.parse(JSON.parse(Buffer.from(latest?.bytes as Uint8Array).toString('utf8')));
    expect(published.asOf).toBe(built.asOf);
    expect(published.windows).toEqual(built.windows);
    expect(published.crowded).toEqual(built.crowded);
    expect(published.dataQuality.quarantined).toEqual(built.dataQuality.quarantined);
    expect(published.dataQuality.rejectedDays).toEqual(built.dataQuality.rejectedDays);
    expect(published.dataQuality.splits).toEqual(built.dataQuality.splits);
    expect(published.dataQuality.securityTypes).toEqual(built.dataQuality.securityTypes);
    expect(published.dataQuality.rejections).toEqual(built.dataQuality.rejections);
    expect(published.dataQuality.rejectedRows).toEqual(built.dataQuality.rejectedRows);
    expect(published.sources).toEqual(built.sources);
    // Publish adds when the day was first published (issue 21 item 12).
    expect(published.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const { publishedAt: _p, ...rest } = published;
    expect({ ...rest, generatedAt: built.generatedAt }).toEqual(built);
  });

  it('both apply the split calendar (its quarantine names its file) and securities.csv, rejecting their bad rows', () => {
    expect(built.dataQuality.quarantined).toContainEqual(
      expect.objectContaining({
        symbol: calendarSplit.symbol,
        date: calendarSplit.date,
        file: calendarSplit.file,
        field: 'ratio',
        rule: '11c',
      }),
    );
    expect(built.dataQuality.rejections).toContainEqual(
      expect.objectContaining({ file: calendarSplit.file, line: 2, field: 'ratio' }),
    );
    expect(built.dataQuality.rejections).toContainEqual(
      expect.objectContaining({ file: 'securities.csv', line: 3, field: 'type' }),
    );
    expect(built.sources.map((s) => s.file)).toEqual(
      expect.arrayContaining([calendarSplit.file, 'splits-2025-03-08.json', 'securities.csv']),
    );
    // The fund is in no figure: not among the ytd top entries, not crowded.
    const named = [...built.windows.ytd.topWinners, ...built.windows.ytd.topLosers, ...built.crowded].map(
      (e) => e.symbol,
    );
    expect(named).not.toContain(fund);
  });

  it('both quarantine the typo and the splits.csv ratio, and reject the two rows above a ceiling', () => {
    expect(built.dataQuality.quarantined).toContainEqual(
      expect.objectContaining({ symbol: typo.symbol, date: typo.date, field: 'lastsale', rule: '11a' }),
    );
    expect(built.dataQuality.quarantined).toContainEqual(
      expect.objectContaining({ symbol: typo.symbol, file: 'splits.csv', rule: '11c' }),
    );
    const fields = built.dataQuality.rejections.map((r) => r.field);
    expect(fields).toContain('marketCap');
    expect(fields).toContain('currentShortPositionQuantity');
  });

  it('both say sample: true from the generated short interest alone (no manifest, SAMPLE_DATA false)', async () => {
    const latest = await run.deps.site.get(SITE_LATEST_KEY);
    const published = JSON.parse(Buffer.from(latest?.bytes as Uint8Array).toString('utf8')) as Snapshot;
    expect(built.sample).toBe(true);
    expect(published.sample).toBe(true);
  });
});
