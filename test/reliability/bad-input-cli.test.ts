/**
 * The bad-input catalogue through the command line a user runs: `pulse validate`, `pulse build` and
 * `pulse run` on test/fixtures/reliability/bad-input (see its generator for what each file holds). Every
 * refused file and rejected row is named (file, line, field, reason) in the CLI output and in the
 * snapshot's dataQuality; rule 2 rejects the partial, weekend, stale and holiday-repeat days; a short
 * interest file from 2019 changes no figure; the revision of 2024-05-31 (an R row of the 2024-06-14 file,
 * FINRA's mechanism) is the figure in effect until 2024-06-14's own takes over. `pulse run`
 * exits 1 naming each failed day (unreadable prices, a sanity gate refusing to publish) after running
 * the later days, and 0 when the only problems are refused days and rejected rows.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Snapshot, SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { pulse, repoRoot } from '../helpers/pulse-cli.ts';

const FIXTURE = path.join(repoRoot, 'test/fixtures/reliability/bad-input');

const REFUSED = [
  {
    kind: 'prices',
    file: '2024-06-12.json.gz',
    message: '2024-06-12.json.gz: the body starts like gzip but does not decompress (unexpected end of file)',
  },
  {
    kind: 'prices',
    file: '2024-06-13.json',
    message:
      '2024-06-13.json line 1: the body is an HTML page (title "Access Denied"), not a Nasdaq screener JSON snapshot',
  },
  {
    kind: 'short-interest',
    file: 'shrt20240515.csv',
    message:
      'shrt20240515.csv line 1: the body is an HTML page (title "404 - File or directory not found."), not a FINRA short interest file',
  },
  {
    kind: 'short-volume',
    file: 'CNMSshvol20240611.txt',
    message: 'CNMSshvol20240611.txt line 5: the trailer says 5 records but the file has 3: it is truncated or corrupt',
  },
  {
    kind: 'short-volume',
    file: 'CNMSshvol20240613.txt',
    message:
      'CNMSshvol20240613.txt line 1, field TotalVolume: the header lacks the required column TotalVolume (header: "Symbol|Date|ShortExemptVolume|ShortVolume|Market")',
  },
];

let tmp: string;
let snapshot: Snapshot;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'pulse-bad-input-'));
  const built = await pulse('build', '--input', FIXTURE, '--out', path.join(tmp, 'out'));
  expect(built.code, built.stderr).toBe(0);
  snapshot = SnapshotSchema.parse(JSON.parse(readFileSync(path.join(tmp, 'out/data/latest.json'), 'utf8')));
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pulse validate on the bad-input folder', () => {
  it('exits 1 and names every refused file with its line, field and reason', async () => {
    const text = await pulse('validate', '--input', FIXTURE);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('refused files:  5\n');
    for (const r of REFUSED) expect(text.stdout).toContain(`  ${r.kind}: ${r.message}\n`);
    expect(text.stdout).toContain('  shrt20240531.csv line 9, field currentShortPositionQuantity: "-5" is negative\n');
    expect(text.stdout).toContain(
      '  shrt20240614.csv line 8, field revisionFlag: "Y" is not R or empty (FINRA marks a revision of the previous settlement with R)\n',
    );

    const json = await pulse('validate', '--input', FIXTURE, '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { refusedFiles: unknown[]; prices: { days: number } };
    expect(report.refusedFiles).toEqual(REFUSED);
    expect(report.prices.days).toBe(8);
  });
});

describe('pulse build on the bad-input folder', () => {
  it('publishes the good days, rule 2 rejecting the partial, weekend, stale and holiday days', () => {
    expect(snapshot.asOf).toBe('2024-06-20');
    expect(snapshot.dataQuality.acceptedDays).toBe(4);
    expect(snapshot.dataQuality.rejectedDays).toEqual([
      {
        date: '2024-06-14',
        file: '2024-06-14.json',
        reason: 'partial: 2 symbols, fewer than 70% of the median 8 of the last 2 accepted days',
      },
      { date: '2024-06-15', file: '2024-06-15.json', reason: 'weekend: dated on a Saturday or Sunday' },
      {
        date: '2024-06-17',
        file: '2024-06-17.json',
        reason: 'stale: 100.0% of its symbols have exactly the price they had on 2024-06-11',
      },
      // Juneteenth: the pipeline's ingest refuses it by the calendar; `pulse build` sees a stale repeat.
      {
        date: '2024-06-19',
        file: '2024-06-19.json',
        reason: 'holiday: the exchange was closed (Juneteenth National Independence Day)',
      },
    ]);
  });

  it('lists every refused file (line 0 or the line found) and every rejected row in dataQuality', () => {
    const listed = snapshot.dataQuality.rejections.map((r) => `${r.file}|${r.line}|${r.field}`);
    expect(listed).toEqual([
      '2024-06-10.json|9|lastsale',
      '2024-06-10.json|10|lastsale',
      '2024-06-10.json|11|lastsale',
      '2024-06-10.json|12|symbol',
      '2024-06-12.json.gz|0|*',
      '2024-06-13.json|1|*',
      'shrt20240515.csv|1|*',
      'shrt20240531.csv|8|*',
      'shrt20240531.csv|9|currentShortPositionQuantity',
      'shrt20240531.csv|10|currentShortPositionQuantity',
      'shrt20240531.csv|12|symbolCode',
      'shrt20240614.csv|8|revisionFlag',
      'CNMSshvol20240611.txt|5|*',
      'CNMSshvol20240613.txt|1|TotalVolume',
    ]);
    expect(snapshot.dataQuality.rejectedRows).toBe(14);
    expect(snapshot.dataQuality.rejections.slice(0, 5).map((r) => r.reason)).toEqual([
      '"$0.00" is zero (no trade price)',
      '"NA" is not a price',
      'is empty',
      '"AAPL" duplicates row 1 (both are AAPL); the first row is kept',
      'the body starts like gzip but does not decompress (unexpected end of file)',
    ]);
    // A row flagged Y (an invented revision flag, never FINRA's) is rejected, the rest of its file kept.
    expect(snapshot.dataQuality.rejections.find((r) => r.field === 'revisionFlag')).toEqual({
      file: 'shrt20240614.csv',
      line: 8,
      field: 'revisionFlag',
      reason: '"Y" is not R or empty (FINRA marks a revision of the previous settlement with R)',
    });
  });

  it('does not count the share-count jump of NVDA on 2024-06-20 as a split', () => {
    expect(snapshot.dataQuality.splits).toEqual([]);
    expect(snapshot.dataQuality.pendingSplits).toEqual([]);
  });

  it('uses 2024-05-31 as revised by the R row of shrt20240614.csv once that file is known; --as-of before it does not', async () => {
    const aaplIn = (s: Snapshot) =>
      [...s.windows.ytd.topWinners, ...s.windows.ytd.topLosers].find((e) => e.symbol === 'AAPL');
    const build = async (input: string, out: string, ...extra: string[]) => {
      const built = await pulse('build', '--input', input, '--out', out, ...extra);
      expect(built.code, built.stderr).toBe(0);
      return SnapshotSchema.parse(JSON.parse(readFileSync(path.join(out, 'data/latest.json'), 'utf8')));
    };
    // On 2024-06-20 the file in effect is 2024-06-14's, whose own current quantity stands.
    expect(snapshot.dataQuality.shortInterestSettlementDate).toBe('2024-06-14');
    // 193.12 × 1.04 = 200.8448, written "$200.84" by the screener writer.
    expect(aaplIn(snapshot)?.shortInterestUsd).toBe(98_000_000 * 200.84);

    // The whole year: the R row revises 2024-05-31's AAPL figure (95,000,000 → 97,500,000) for the days it
    // was in effect, so AAPL's P&L differs from the same input with the R flag taken off that row.
    const unflagged = path.join(tmp, 'unflagged-2024-06-14');
    cpSync(FIXTURE, unflagged, { recursive: true });
    const file = path.join(unflagged, 'short-interest/shrt20240614.csv');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => {
          const f = l.split('|');
          if (f[1] !== 'AAPL') return l;
          f[10] = '';
          return f.join('|');
        })
        .join('\n'),
    );
    const plain = await build(unflagged, path.join(tmp, 'out-unflagged'));
    expect(aaplIn(plain)?.pnlUsd).not.toBe(aaplIn(snapshot)?.pnlUsd);

    // As of 2024-06-11 the 2024-06-14 file is not yet known (rule 7, --as-of: later files are ignored
    // entirely, their R rows too): 2024-05-31's own figure. 193.12 × 1.01 = 195.0512, written "$195.05".
    const asOf = await build(FIXTURE, path.join(tmp, 'out-0611'), '--as-of', '2024-06-11');
    expect(asOf.dataQuality.shortInterestSettlementDate).toBe('2024-05-31');
    expect(aaplIn(asOf)?.shortInterestUsd).toBe(95_000_000 * 195.05);
  });

  it('keeps hostile text as data: the name with | " <script> and javascript: reaches the snapshot unchanged', () => {
    const spcl = [...snapshot.windows.ytd.topWinners, ...snapshot.windows.ytd.topLosers].find(
      (e) => e.symbol === 'SPCL',
    );
    expect(spcl?.name).toBe(`Special "Quoted", Name | Co <script>alert('x')</script> javascript:alert(1)`);
  });

  it('a short interest file settled in 2019 changes no figure: the same snapshot without it', async () => {
    const without = path.join(tmp, 'without-2019');
    cpSync(FIXTURE, without, { recursive: true });
    rmSync(path.join(without, 'short-interest/shrt20190131.csv'));
    const built = await pulse('build', '--input', without, '--out', path.join(tmp, 'out-without'));
    expect(built.code, built.stderr).toBe(0);
    const other = SnapshotSchema.parse(
      JSON.parse(readFileSync(path.join(tmp, 'out-without/data/latest.json'), 'utf8')),
    );
    const strip = (s: Snapshot) => ({ ...s, generatedAt: '', sources: s.sources.map((x) => x.file) });
    expect(strip(other)).toEqual({
      ...strip(snapshot),
      sources: strip(snapshot).sources.filter((f) => f !== 'shrt20190131.csv'),
    });
  });
});

describe('pulse run on the bad-input folder', () => {
  const snapshotIn = (state: string, date: string) => path.join(state, 'site/data/snapshots', `${date}.json`);

  it('exits 1 and names each failed day with its reason, after running the later days; a second run retries them', async () => {
    // The fixture, plus a sanity gate refusal: 2024-06-20 loses one of the 6 shorted symbols (−17%, bound
    // −10%), while keeping 7 of 8 rows (rule 2's partial-day test needs 70%).
    const input = path.join(tmp, 'run-failing-input');
    cpSync(FIXTURE, input, { recursive: true });
    const day = path.join(input, 'prices/2024-06-20.json');
    const doc: { data: { rows: { symbol: string }[] } } = JSON.parse(readFileSync(day, 'utf8'));
    const rows = doc.data.rows.filter((r) => r.symbol !== 'SMCI');
    expect(rows).toHaveLength(doc.data.rows.length - 1);
    writeFileSync(day, JSON.stringify({ ...doc, data: { ...doc.data, rows } }));
    const state = path.join(tmp, 'run-failing-state');

    const first = await pulse('run', '--input', input, '--state', state, '--no-serve');
    expect(first.code, first.stderr).toBe(1);
    const summary = first.stderr
      .slice(first.stderr.search(/^\d+ day\(s\) failed;/m))
      .trimEnd()
      .split('\n');
    expect(summary.slice(0, 3)).toEqual([
      '4 day(s) failed; their previous snapshot stays published and the next run tries them again:',
      '  2024-06-12: 2024-06-12.json.gz [*] the body starts like gzip but does not decompress (unexpected end of file)',
      '  2024-06-13: 2024-06-13.json:1 [*] the body is an HTML page (title "Access Denied"), not a Nasdaq screener JSON snapshot (+1 more above)',
    ]);
    // shrt20240614.csv settles before 2024-06-20 but is published after it: dropped last, it restates
    // 2024-06-20, which the gate refuses again.
    expect(summary.slice(3)).toEqual([
      expect.stringMatching(
        /^ {2}2024-06-20: publish refused \(symbol-drop\): .*2024-06-20 has 5 shorted symbols against 6 on 2024-06-18/,
      ),
      expect.stringMatching(
        /^ {2}dropped shrt20240614\.csv \(2024-06-20\): publish refused \(symbol-drop\): .*2024-06-20 has 5 shorted symbols against 6 on 2024-06-18/,
      ),
    ]);
    // The days after the failed ones ran: 2024-06-18 is published and the site built; 2024-06-20 is not.
    expect(first.stdout).toContain(`site: ${path.join(state, 'site')}`);
    for (const d of ['2024-06-10', '2024-06-11', '2024-06-18']) expect(existsSync(snapshotIn(state, d)), d).toBe(true);
    for (const d of ['2024-06-12', '2024-06-13', '2024-06-20']) expect(existsSync(snapshotIn(state, d)), d).toBe(false);

    const second = await pulse('run', '--input', input, '--state', state, '--no-serve');
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain('8 trading day(s) in the input: 5 done before, 3 to run');
    expect(second.stderr).toContain('3 day(s) failed;');
  }, 240_000);

  it('exits 0 when no day failed: refused days (rule 2), refused drops and rejected rows are reported, not failures', async () => {
    const input = path.join(tmp, 'run-passing-input');
    cpSync(FIXTURE, input, { recursive: true });
    for (const f of ['2024-06-12.json.gz', '2024-06-13.json']) rmSync(path.join(input, 'prices', f));
    const state = path.join(tmp, 'run-passing-state');
    const res = await pulse('run', '--input', input, '--state', state, '--no-serve');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('2024-06-14: refused\n');
    expect(res.stderr).toContain('2024-06-17: refused\n');
    expect(res.stderr).toContain('dropped 2024-06-15.json: refused\n');
    expect(res.stderr).toContain(
      '  shrt20240515.csv:1 [*] the body is an HTML page (title "404 - File or directory not found."), not a FINRA short interest file\n',
    );
    expect(res.stderr).toContain('dropped shrt20240614.csv: published\n');
    expect(res.stderr).toContain(
      '  shrt20240614.csv:8 [revisionFlag] "Y" is not R or empty (FINRA marks a revision of the previous settlement with R)\n',
    );
    expect(res.stderr).not.toContain('failed');
    expect(existsSync(snapshotIn(state, '2024-06-20'))).toBe(true);
  }, 240_000);
});
