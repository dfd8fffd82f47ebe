/**
 * The Nasdaq split calendar through the command line (`pulse validate`, `pulse build`) on a generated
 * sample: an input folder's `split-calendar/splits-YYYY-MM-DD.json` entries are rule 3(c) overrides, as
 * splits.csv rows are, and a splits.csv row wins for the same symbol and day (docs/data-formats.md,
 * "Nasdaq split calendar").
 *
 * The sample is changed one way: from 2024-06-10 on, one large cap trades at half its price with half its
 * market cap (a 2-for-1 whose share count never catches up), which rules 3(a) and 3(b) cannot confirm.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Snapshot, SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { pulse } from '../helpers/pulse-cli.ts';

type Row = Record<string, unknown> & { symbol: string; lastsale: string; marketCap: string };

const DAY = '2024-06-10';
const usd = (s: string) => Number(s.replace(/[$,]/g, ''));

let work = '';
/** The sample with the split injected, no calendar yet. */
let base = '';
let target = '';

const pricesOf = (dir: string, date: string): Row[] =>
  (
    JSON.parse(gunzipSync(readFileSync(path.join(dir, 'prices', `${date}.json.gz`))).toString('utf8')) as {
      data: { rows: Row[] };
    }
  ).data.rows;

function priceDates(dir: string): string[] {
  return readdirSync(path.join(dir, 'prices'))
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.json\.gz$/.test(f))
    .map((f) => f.slice(0, 10))
    .sort();
}

/** The API's answer for `date`, rows as Nasdaq writes them. */
function calendarDay(rows: { symbol: string; ratio: string; executionDate: string }[]): string {
  return JSON.stringify({
    data: {
      headers: {
        symbol: 'SYMBOL',
        name: 'COMPANY',
        ratio: 'RATIO',
        payableDate: 'PAYABLE ON',
        executionDate: 'EX-DATE',
        announcedDate: 'ANNOUNCED',
      },
      rows: rows.map((r) => ({ name: `${r.symbol} Inc.`, payableDate: 'N/A', announcedDate: 'N/A', ...r })),
    },
    message: null,
    status: { rCode: 200, bCodeMessage: null, developerMessage: null },
  });
}

const NO_RECORD = JSON.stringify({
  data: null,
  message: null,
  status: {
    rCode: 200,
    bCodeMessage: [{ code: 1002, errorMessage: 'Splits Calendar: No record found.' }],
    developerMessage: null,
  },
});

/** A copy of the base input with these calendar files (name → body) and, when given, this splits.csv. */
function variant(name: string, calendar: Record<string, string>, splitsCsv?: string): string {
  const dir = path.join(work, name);
  cpSync(base, dir, { recursive: true });
  mkdirSync(path.join(dir, 'split-calendar'));
  for (const [file, body] of Object.entries(calendar)) writeFileSync(path.join(dir, 'split-calendar', file), body);
  if (splitsCsv !== undefined) writeFileSync(path.join(dir, 'splits.csv'), splitsCsv);
  return dir;
}

async function build(dir: string): Promise<Snapshot> {
  const out = `${dir}-out`;
  const r = await pulse('build', '--input', dir, '--out', out, '--workers', '0');
  expect(r.code, r.stderr).toBe(0);
  const latest = path.join(out, 'data', 'latest.json');
  expect(existsSync(latest)).toBe(true);
  return SnapshotSchema.parse(JSON.parse(readFileSync(latest, 'utf8')));
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'pulse-split-calendar-'));
  base = path.join(work, 'base');
  const r = await pulse('sample', '--out', base, '--from', '2024-04-01', '--to', '2024-06-28');
  expect(r.code, r.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(path.join(base, 'sample-manifest.json'), 'utf8')) as {
    splits: { symbol: string }[];
  };
  const splitting = new Set(manifest.splits.map((s) => s.symbol));
  const dates = priceDates(base);
  const from = dates.filter((d) => d >= DAY);
  const before = dates.filter((d) => d < DAY).at(-1) as string;
  // The largest plain listing priced on every day around the split, with no split of its own in the sample.
  const everyDay = [before, ...from].map((d) => new Set(pricesOf(base, d).map((row) => row.symbol)));
  const candidates = pricesOf(base, DAY)
    .filter((row) => /^[A-Z]{2,4}$/.test(row.symbol) && !splitting.has(row.symbol))
    .filter((row) => everyDay.every((s) => s.has(row.symbol)))
    .sort((a, b) => usd(b.marketCap) - usd(a.marketCap));
  target = (candidates[0] as Row).symbol;
  for (const d of from) {
    const rows = pricesOf(base, d).map((row) =>
      row.symbol === target
        ? {
            ...row,
            lastsale: `$${(usd(row.lastsale) / 2).toFixed(4)}`,
            marketCap: (usd(row.marketCap) / 2).toFixed(2),
          }
        : row,
    );
    writeFileSync(path.join(base, 'prices', `${d}.json.gz`), gzipSync(JSON.stringify({ data: { rows } })));
  }
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('pulse build with split-calendar/: the calendar entries are rule 3(c) overrides', () => {
  it("applies the day's 2-for-1 as a 3c split, ignores a later day's announcement, reads an empty day", async () => {
    const announced = pricesOf(base, DAY).find((row) => row.symbol !== target && /^[A-Z]{3}$/.test(row.symbol));
    const other = (announced as Row).symbol;
    const dir = variant('calendar', {
      [`splits-${DAY}.json`]: calendarDay([
        { symbol: target, ratio: '2 : 1', executionDate: '06/10/2024' },
        // An announcement of a later ex-date: not a split of this day, and not used on its own day either.
        { symbol: other, ratio: '1 : 10', executionDate: '06/20/2024' },
      ]),
      'splits-2024-06-11.json': NO_RECORD,
    });
    const without = await build(base);
    const withCalendar = await build(dir);
    const mine = (s: Snapshot) => s.dataQuality.splits.filter((x) => x.symbol === target);
    expect(mine(without).filter((x) => x.rule === '3c')).toEqual([]);
    expect(mine(withCalendar)).toEqual([{ symbol: target, date: DAY, factor: 2, rule: '3c' }]);
    expect(withCalendar.dataQuality.splits.filter((x) => x.symbol === other)).toEqual([]);
    expect(withCalendar.dataQuality.pendingSplits.filter((p) => p.symbol === target)).toEqual([]);
    // Both calendar files are sources of the snapshot, like every input file.
    expect(withCalendar.sources.map((s) => s.file)).toEqual(
      expect.arrayContaining([`splits-${DAY}.json`, 'splits-2024-06-11.json']),
    );

    const v = await pulse('validate', '--input', dir, '--json');
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({
      splits: 2,
      splitCalendar: { files: 2, entries: 1, superseded: [] },
      refusedFiles: [],
    });
  }, 120_000);

  it('a splits.csv row wins over the calendar for the same symbol and day; alone, the calendar does its job', async () => {
    // The sample's splits.csv: DCT's 3-for-2 on 2024-06-04, which only an override finds.
    const csv = readFileSync(path.join(base, 'splits.csv'), 'utf8');
    expect(csv).toContain('DCT,2024-06-04,1.5');
    const wrong = variant('csv-wins', {
      'splits-2024-06-04.json': calendarDay([{ symbol: 'DCT', ratio: '3 : 1', executionDate: '06/04/2024' }]),
    });
    const alone = variant(
      'calendar-alone',
      { 'splits-2024-06-04.json': calendarDay([{ symbol: 'DCT', ratio: '3 : 2', executionDate: '06/04/2024' }]) },
      'symbol,date,ratio\n',
    );
    const [a, b] = await Promise.all([build(wrong), build(alone)]);
    const dct = (s: Snapshot) => s.dataQuality.splits.filter((x) => x.symbol === 'DCT');
    expect(dct(a)).toEqual([{ symbol: 'DCT', date: '2024-06-04', factor: 1.5, rule: '3c' }]);
    expect(dct(b)).toEqual([{ symbol: 'DCT', date: '2024-06-04', factor: 1.5, rule: '3c' }]);

    const v = await pulse('validate', '--input', wrong);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('split calendar: 1 days, 1 splits of their day, 1 superseded by splits.csv\n');
  }, 120_000);

  it('a refused calendar file (an HTML page saved under the name) is reported and changes nothing', async () => {
    const dir = variant('refused', {
      [`splits-${DAY}.json`]: '<!DOCTYPE html><html><head><title>Access Denied</title></head><body></body></html>',
    });
    const s = await build(dir);
    expect(s.dataQuality.splits.filter((x) => x.symbol === target && x.rule === '3c')).toEqual([]);
    expect(s.dataQuality.rejections).toContainEqual({
      file: `splits-${DAY}.json`,
      line: 1,
      field: '*',
      reason: 'the body is an HTML page (title "Access Denied"), not a Nasdaq split calendar JSON',
    });
    const v = await pulse('validate', '--input', dir);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(`  split-calendar: splits-${DAY}.json line 1: the body is an HTML page`);
  }, 120_000);
});
