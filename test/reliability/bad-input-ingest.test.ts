/**
 * The bad-input catalogue through the pipeline's ingest on s3rver + dynalite (the real wire protocol):
 * every file of test/fixtures/reliability/bad-input is dropped under incoming/ in arrival order and
 * ingested. Outcome rules checked for each: the raw file is archived byte for byte, the ledger records
 * accepted/rejected with file, line, field and reason, the log says why, and a refused file writes no
 * normalised record. A holiday-dated snapshot is refused here (the methodology has no exchange
 * calendar); weekend, partial and stale days are whole valid files that compute's rule 2 rejects
 * (bad-input-cli.test.ts shows them in dataQuality).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { mergeShortInterestRevisions } from '../../shared/formats/index.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { emulatorDeps, type TestDeps } from '../pipeline/helpers/deps.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/reliability/bad-input');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Expected {
  status: 'accepted' | 'rejected';
  rawKey: string;
  /** For a rejected file: the ledger's first rejection. */
  rejection?: { line: number; field: string; reason: RegExp };
  rows?: number;
}

/** What ingest makes of each fixture file (worked out from the generator's comments). */
const EXPECTED: Record<string, Expected> = {
  'prices/2024-06-10.json': { status: 'accepted', rawKey: 'raw/prices/2024-06-10/2024-06-10.json', rows: 8 },
  'prices/2024-06-11.json': { status: 'accepted', rawKey: 'raw/prices/2024-06-11/2024-06-11.json', rows: 8 },
  'prices/2024-06-12.json.gz': {
    status: 'rejected',
    rawKey: 'raw/prices/2024-06-12/2024-06-12.json.gz',
    rejection: { line: 0, field: '*', reason: /^the body starts like gzip but does not decompress/ },
  },
  'prices/2024-06-13.json': {
    status: 'rejected',
    rawKey: 'raw/prices/2024-06-13/2024-06-13.json',
    rejection: { line: 1, field: '*', reason: /^the body is an HTML page \(title "Access Denied"\)/ },
  },
  // Partial and stale days are whole, valid files: ingest keeps them, compute's rule 2 rejects the day.
  'prices/2024-06-14.json': { status: 'accepted', rawKey: 'raw/prices/2024-06-14/2024-06-14.json', rows: 2 },
  // A weekend snapshot stays a candidate day: compute's rule 2 rejects it and lists it in dataQuality.
  'prices/2024-06-15.json': { status: 'accepted', rawKey: 'raw/prices/2024-06-15/2024-06-15.json', rows: 8 },
  'prices/2024-06-17.json': { status: 'accepted', rawKey: 'raw/prices/2024-06-17/2024-06-17.json', rows: 8 },
  'prices/2024-06-18.json': { status: 'accepted', rawKey: 'raw/prices/2024-06-18/2024-06-18.json', rows: 8 },
  'prices/2024-06-19.json': {
    status: 'rejected',
    rawKey: 'raw/prices/2024-06-19/2024-06-19.json',
    rejection: {
      line: 0,
      field: '*',
      reason: /^2024-06-19 is an exchange holiday \(Juneteenth[^)]*\), not a trading day$/,
    },
  },
  'prices/2024-06-20.json': { status: 'accepted', rawKey: 'raw/prices/2024-06-20/2024-06-20.json', rows: 8 },
  'short-interest/shrt20190131.csv': {
    status: 'accepted',
    rawKey: 'raw/short-interest/2019-01-31/shrt20190131.csv',
    rows: 2,
  },
  'short-interest/shrt20240531.csv': {
    status: 'accepted',
    rawKey: 'raw/short-interest/2024-05-31/shrt20240531.csv',
    rows: 7,
  },
  // The next settlement: its R row revises AAPL's 2024-05-31 figure; its Y row is rejected.
  'short-interest/shrt20240614.csv': {
    status: 'accepted',
    rawKey: 'raw/short-interest/2024-06-14/shrt20240614.csv',
    rows: 6,
  },
  'short-interest/shrt20240515.csv': {
    status: 'rejected',
    rawKey: 'raw/short-interest/2024-05-15/shrt20240515.csv',
    rejection: {
      line: 1,
      field: '*',
      reason: /^the body is an HTML page \(title "404 - File or directory not found\."\)/,
    },
  },
  'short-volume/CNMSshvol20240610.txt': {
    status: 'accepted',
    rawKey: 'raw/short-volume/2024-06-10/CNMSshvol20240610.txt',
    rows: 2,
  },
  'short-volume/CNMSshvol20240611.txt': {
    status: 'rejected',
    rawKey: 'raw/short-volume/2024-06-11/CNMSshvol20240611.txt',
    rejection: { line: 5, field: '*', reason: /^the trailer says 5 records but the file has 3: it is truncated/ },
  },
  'short-volume/CNMSshvol20240612.txt': {
    status: 'accepted',
    rawKey: 'raw/short-volume/2024-06-12/CNMSshvol20240612.txt',
    rows: 0,
  },
  'short-volume/CNMSshvol20240613.txt': {
    status: 'rejected',
    rawKey: 'raw/short-volume/2024-06-13/CNMSshvol20240613.txt',
    rejection: { line: 1, field: 'TotalVolume', reason: /^the header lacks the required column TotalVolume/ },
  },
};

/** Short interest files arrive after the day they settle; everything else in date order. */
const ARRIVAL = [
  'short-interest/shrt20190131.csv',
  'short-interest/shrt20240515.csv',
  'short-interest/shrt20240531.csv',
  ...Object.keys(EXPECTED).filter((f) => f.startsWith('prices/') || f.startsWith('short-volume/')),
  'short-interest/shrt20240614.csv',
];

let aws: LocalAws;
let deps: TestDeps & { rawBucket: string };
const results = new Map<string, Awaited<ReturnType<typeof runIngest>>>();

beforeAll(async () => {
  aws = await startLocalAws();
  deps = await emulatorDeps(aws, { now: '2024-06-21T14:00:00Z' });
  for (const rel of ARRIVAL) {
    const key = `incoming/${path.basename(rel)}`;
    await deps.raw.put(key, readFileSync(path.join(FIXTURE, rel)), { contentType: 'application/octet-stream' });
    results.set(rel, await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key }));
  }
}, 120_000);
afterAll(async () => {
  await aws?.stop();
});

describe('every file of the bad-input fixture, dropped one by one', () => {
  it('the fixture holds exactly the files this test expects', () => {
    const onDisk = readdirSync(FIXTURE, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(FIXTURE, path.join(e.parentPath, e.name)))
      .sort();
    expect(onDisk).toEqual(Object.keys(EXPECTED).sort());
    expect([...ARRIVAL].sort()).toEqual(onDisk);
  });

  const cases = Object.entries(EXPECTED).map(([rel, expected]) => ({ rel, status: expected.status, expected }));
  it.each(cases)('$rel: archived byte for byte, then $status', async ({ rel, expected }) => {
    const bytes = readFileSync(path.join(FIXTURE, rel));
    const result = results.get(rel);
    const outcome = result?.files[0];
    expect(outcome).toMatchObject({ status: expected.status, rawKey: expected.rawKey, sha256: sha(bytes) });
    const archived = await deps.raw.get(expected.rawKey);
    expect(archived && Buffer.from(archived.bytes).equals(bytes)).toBe(true);

    const ledger = await deps.table.getFile(outcome?.source ?? 'prices', path.basename(rel), sha(bytes));
    expect(ledger?.status).toBe(expected.status);
    if (expected.status === 'accepted') {
      expect(ledger?.rows).toBe(expected.rows);
      expect(ledger?.derivedKey).toMatch(/^derived\//);
    } else {
      const first = ledger?.rejections[0];
      expect(first).toMatchObject({
        file: path.basename(rel),
        line: expected.rejection?.line,
        field: expected.rejection?.field,
      });
      expect(first?.reason).toMatch(expected.rejection?.reason as RegExp);
      expect(ledger?.derivedKey).toBeNull();
      // The same rejection is in the run's result and in the log, with the file named.
      expect(result?.rejections[0]).toEqual(first);
      const logged = deps.log.entries.find(
        (e) => e.message === 'file rejected' && JSON.stringify(e.extra).includes(path.basename(rel)),
      );
      expect(logged?.level).toBe('warn');
    }
  });

  it('row rejections of a partly bad file are kept beside its good rows (file, line, field, reason)', async () => {
    const prices = results.get('prices/2024-06-10.json');
    expect(prices?.files[0]).toMatchObject({ status: 'accepted', rows: 8, rejectedRows: 4 });
    expect(prices?.rejections.map((r) => [r.line, r.field])).toEqual([
      [9, 'lastsale'],
      [10, 'lastsale'],
      [11, 'lastsale'],
      [12, 'symbol'],
    ]);
    const day = await deps.derived.getPriceDay('2024-06-10');
    expect(day?.rows.map((r) => r.symbol)).toEqual(['AAPL', 'NVDA', 'BRK.B', 'ABR-PD', 'AACI', 'SPCL', 'SMCI', 'LRCX']);
    // Unknown market caps ("" and "0.00") are null, the hostile name is kept byte for byte (escaping is the page's job).
    expect(day?.rows.filter((r) => r.marketCap === null).map((r) => r.symbol)).toEqual(['ABR-PD', 'AACI']);
    expect(day?.rows.find((r) => r.symbol === 'SPCL')?.name).toBe(
      `Special "Quoted", Name | Co <script>alert('x')</script> javascript:alert(1)`,
    );
    const si = results.get('short-interest/shrt20240531.csv');
    expect(si?.rejections.map((r) => [r.line, r.field, r.reason])).toEqual([
      [8, '*', 'has 15 fields, the header has 14'],
      [9, 'currentShortPositionQuantity', '"-5" is negative'],
      [10, 'currentShortPositionQuantity', '"N/A" is not a number'],
      [
        12,
        'symbolCode',
        '"AAPL" repeats line 2 with a different quantity (95000000 vs 94999999 shares) (market class NNM vs NNM); the first row is kept',
      ],
    ]);
  });

  it('the empty-day Reg SHO file is a day with no rows, not an error', async () => {
    expect(results.get('short-volume/CNMSshvol20240612.txt')?.files[0]).toMatchObject({ status: 'accepted', rows: 0 });
    expect((await deps.derived.getShortVolumeDay('2024-06-12'))?.records).toEqual([]);
  });
});

describe('short interest arriving late, far in the past, or revised', () => {
  it('a file settled in 2019 is accepted and archived, and asks for a restatement from its settlement date', () => {
    expect(results.get('short-interest/shrt20190131.csv')).toMatchObject({ restateFrom: '2019-01-31' });
  });

  it('a revision of 2024-05-31 arrives as an R row of the 2024-06-14 file and restates from 2024-05-31; merged, the revised figure wins', async () => {
    // FINRA never re-issues a file: 2024-06-14's AAPL row is flagged R, its previousShortPositionQuantity
    // (97,500,000) the revised 2024-05-31 figure. The original file stays as it was archived.
    const revising = results.get('short-interest/shrt20240614.csv');
    expect(revising).toMatchObject({ restateFrom: '2024-05-31', skipped: false });
    // The row flagged Y (never FINRA's flag) is rejected, the rest of the file kept.
    expect(revising?.rejections).toEqual([
      {
        file: 'shrt20240614.csv',
        line: 8,
        field: 'revisionFlag',
        reason: '"Y" is not R or empty (FINRA marks a revision of the previous settlement with R)',
      },
    ]);
    const original = await deps.derived.getShortInterestFiles('2024-05-31');
    expect(original.map((f) => f.file)).toEqual(['shrt20240531.csv']);
    expect(original[0]?.records.find((r) => r.symbol === 'AAPL')?.shares).toBe(95_000_000);
    const next = await deps.derived.getShortInterestFiles('2024-06-14');
    expect(next.map((f) => f.file)).toEqual(['shrt20240614.csv']);

    const [may31, june14] = mergeShortInterestRevisions([...original, ...next]);
    expect(may31).toMatchObject({ settlementDate: '2024-05-31', files: ['shrt20240531.csv'] });
    expect(may31?.revisedBy).toEqual(['shrt20240614.csv']);
    expect(may31?.shares.get('AAPL')).toBe(97_500_000);
    expect(may31?.shares.get('NVDA')).toBe(250_000_000);
    expect(may31?.shares.get('FRAC')).toBe(1234.5);
    // The R row's own current quantity is 2024-06-14's figure; the rejected Y row is nowhere.
    expect(june14?.shares.get('AAPL')).toBe(98_000_000);
    expect(june14?.shares.has('REVY')).toBe(false);
    expect(may31?.shares.has('REVY')).toBe(false);
  });

  it('a corrected file under the same name is archived beside the first (never overwritten) and restates', async () => {
    const original = readFileSync(path.join(FIXTURE, 'short-interest/shrt20240531.csv'));
    const corrected = Buffer.from(original.toString('utf8').replace('|95000000|', '|96000000|'), 'utf8');
    await deps.raw.put('incoming/shrt20240531.csv', corrected, { contentType: 'text/csv' });
    const result = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/shrt20240531.csv' });
    expect(result).toMatchObject({ restateFrom: '2024-05-31' });
    expect(result.files[0]).toMatchObject({
      status: 'accepted',
      rawKey: `raw/short-interest/2024-05-31/sha256-${sha(corrected)}/shrt20240531.csv`,
    });
    const first = await deps.raw.get('raw/short-interest/2024-05-31/shrt20240531.csv');
    expect(first && Buffer.from(first.bytes).equals(original)).toBe(true);
    expect(await deps.table.listFileVersions('short-interest', 'shrt20240531.csv')).toHaveLength(2);
  });
});
