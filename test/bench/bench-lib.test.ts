/**
 * The benchmark's pure helpers (no timing is asserted anywhere: benchmarks are not tests). Expected
 * values are worked out by hand in the comments.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GROUPS, WINDOWS } from '../../shared/domain.ts';
import type { GroupFigures } from '../../shared/snapshot/schema.ts';
import { sdkOnlyEntry } from './bundles.ts';
import { addMeters, emptyMeter, keyGroup } from './lib/aws-counters.ts';
import { compareFigures, type WindowFigures } from './lib/compare.ts';
import { CpuProfileError, summariseCpuProfile } from './lib/cpu-profile.ts';
import { BenchUsageError, PARTS, parseBenchOptions } from './lib/options.ts';
import { median, spread } from './lib/stats.ts';
import { correctedFirstFile, lambdaMs } from './restate.ts';

const figures = (pnlUsd: number | null, symbols = 10): GroupFigures => ({
  pnlUsd,
  pnlPct: null,
  avgShortInterestUsd: 1000,
  netNewShortingUsd: 0,
  returnPct: 1.5,
  decliningPct: 50,
  symbols,
});

function windows(pnl: number | null, sectors: Record<string, GroupFigures> = {}): Record<string, WindowFigures> {
  return Object.fromEntries(
    WINDOWS.map((w) => [w, { groups: Object.fromEntries(GROUPS.map((g) => [g, figures(pnl)])), sectors }]),
  );
}

describe('compareFigures', () => {
  it('is exact when both sides agree and counts every field of every group and sector', () => {
    const r = compareFigures(
      { windows: windows(100, { Energy: figures(5) }), splits: [], pending: [] },
      { windows: windows(100, { Energy: figures(5) }), splits: [], pending: [] },
    );
    // 4 windows × (7 groups + 1 sector) × 7 fields = 224 values.
    expect(r.compared).toBe(WINDOWS.length * (GROUPS.length + 1) * 7);
    expect(r.maxRelative).toBe(0);
    expect(r.overCount).toBe(0);
  });

  it('reports the relative deviation |a − b| / max(|a|, |b|) and the worst place', () => {
    const theirs = windows(100);
    (theirs.ytd as WindowFigures).groups.total = figures(100.0002);
    const r = compareFigures(
      { windows: windows(100), splits: [], pending: [] },
      { windows: theirs, splits: [], pending: [] },
    );
    // 0.0002 / 100.0002 = 1.99999600…e-6
    expect(r.maxRelative).toBeCloseTo(0.0002 / 100.0002, 15);
    expect(r.worst?.where).toBe('ytd group total.pnlUsd');
    expect(r.overCount).toBe(1);
  });

  it('treats null against a number and a sector on one side only as infinite deviations', () => {
    const theirs = windows(null, { Energy: figures(1) });
    const r = compareFigures(
      { windows: windows(3), splits: [], pending: [] },
      { windows: theirs, splits: [], pending: [] },
    );
    expect(r.maxRelative).toBe(Number.POSITIVE_INFINITY);
    expect(r.over.some((d) => d.where === '1d sector Energy: only in reference')).toBe(true);
  });

  it('lists the splits and pending splits only one side found', () => {
    const r = compareFigures(
      { windows: windows(1), splits: [{ symbol: 'NVDA', date: '2024-06-10', factor: 10 }], pending: [] },
      {
        windows: windows(1),
        splits: [
          { symbol: 'NVDA', date: '2024-06-10', factor: 10 },
          { symbol: 'MTC', date: '2024-12-18', factor: 0.125 },
        ],
        pending: [{ symbol: 'TSCO', date: '2024-12-20' }],
      },
    );
    expect(r.splitsOnlyOurs).toEqual([]);
    expect(r.splitsOnlyReference).toEqual(['MTC@2024-12-18×0.125']);
    expect(r.pendingOnlyReference).toEqual(['TSCO@2024-12-20']);
  });
});

describe('summariseCpuProfile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-cpuprofile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('attributes each sample the time until the next one, by function and by file', () => {
    const repo = '/repo';
    const frame = (id: number, functionName: string, url: string, lineNumber = 0) => ({
      id,
      callFrame: { functionName, url, lineNumber, columnNumber: 0, scriptId: '0' },
    });
    const file = path.join(dir, 'a.cpuprofile');
    writeFileSync(
      file,
      JSON.stringify({
        nodes: [
          frame(1, '(root)', ''),
          frame(2, 'parse', 'file:///repo/shared/formats/x.ts', 9),
          frame(3, 'step', 'file:///repo/shared/methodology/engine.ts', 4),
          frame(4, '(garbage collector)', ''),
        ],
        startTime: 0,
        endTime: 10_000,
        samples: [2, 2, 3, 4, 2],
        // Sample i stands for timeDeltas[i + 1]: parse 1000 + 2000 + 0 (last), step 3000, gc 4000 (µs).
        timeDeltas: [0, 1000, 2000, 3000, 4000],
      }),
    );
    const s = summariseCpuProfile(file, repo);
    expect(s.totalMs).toBe(10);
    expect(s.functions.map((f) => [f.label, f.selfMs])).toEqual([
      ['(garbage collector)', 4],
      ['parse (shared/formats/x.ts:10)', 3],
      ['step (shared/methodology/engine.ts:5)', 3],
    ]);
    expect(s.files[0]).toEqual({ label: '(garbage collector)', selfMs: 4, share: 0.4 });
  });

  it('refuses a file that is not a CPU profile, naming it', () => {
    const file = path.join(dir, 'b.cpuprofile');
    writeFileSync(file, JSON.stringify({ nodes: [] }));
    expect(() => summariseCpuProfile(file, '/repo')).toThrow(CpuProfileError);
    expect(() => summariseCpuProfile(file, '/repo')).toThrow(file);
  });
});

describe('S3 meter helpers', () => {
  it('groups keys by replacing dates and content hashes', () => {
    expect(keyGroup('derived/snapshots/2024-02-05.json')).toBe('derived/snapshots/<date>.json');
    // Issue 19: every stock file is one family; the index and the manifest are their own.
    for (const k of ['data/stocks/NVDA.json', 'data/stocks/BRK.B.json', 'data/stocks/ABR-PD.json']) {
      expect(keyGroup(k)).toBe('data/stocks/<SYMBOL>.json');
    }
    expect(keyGroup('data/stocks/index.json')).toBe('data/stocks/index.json');
    expect(keyGroup('data/stocks/manifest.json')).toBe('data/stocks/manifest.json');
    expect(keyGroup('derived/short-interest/2024-01-31/shrt20240131.csv.json')).toBe(
      'derived/short-interest/<date>/shrt<date>.csv.json',
    );
    expect(keyGroup(`raw/prices/2024-02-05/sha256-${'a'.repeat(64)}/f.json`)).toBe(
      'raw/prices/<date>/sha256-<hex>/f.json',
    );
    expect(keyGroup('derived/snapshots/runs/2024-02-05-0123456789abcdef.json.gz')).toBe(
      'derived/snapshots/runs/<date>-<hex>.json.gz',
    );
  });

  it('adds meters field by field', () => {
    const a = emptyMeter();
    a.s3.requests = 2;
    a.s3.byOperation.GetObject = 2;
    a.dynamo.writeUnits = 3;
    const b = emptyMeter();
    b.s3.requests = 1;
    b.s3.byOperation.GetObject = 1;
    b.s3.byOperation.PutObject = 1;
    b.dynamo.writeUnits = 0.5;
    const sum = addMeters(a, b);
    expect(sum.s3.requests).toBe(3);
    expect(sum.s3.byOperation).toEqual({ GetObject: 3, PutObject: 1 });
    expect(sum.dynamo.writeUnits).toBe(3.5);
  });
});

describe('sdkOnlyEntry', () => {
  it('imports the same names, builds the clients once and exports everything', () => {
    const entry = sdkOnlyEntry(
      new Map([
        ['@aws-sdk/client-s3', new Set(['S3Client', 'GetObjectCommand'])],
        ['@aws-sdk/client-dynamodb', new Set(['DynamoDBClient'])],
        ['@aws-sdk/lib-dynamodb', new Set(['DynamoDBDocumentClient'])],
      ]),
    );
    expect(entry).toBe(
      [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        "import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';",
        "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
        'export const s3 = new S3Client({});',
        'export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
        'export { DynamoDBClient, GetObjectCommand, S3Client, DynamoDBDocumentClient };',
        '',
      ].join('\n'),
    );
  });
});

describe('parseBenchOptions', () => {
  it('defaults to every part, 3 runs after 1 warm-up', () => {
    expect(parseBenchOptions([])).toEqual({
      only: [...PARTS],
      runs: 3,
      warmup: 1,
      scaleRuns: 1,
      restateSize: { symbols: 7000, years: 10 },
      profile: true,
      write: true,
    });
  });

  it('takes a subset and counts', () => {
    const o = parseBenchOptions(['--only', 'batch, bundles', '--runs', '5', '--warmup', '0', '--no-write']);
    expect(o).toMatchObject({ only: ['batch', 'bundles'], runs: 5, warmup: 0, write: false });
  });

  it('refuses unknown parts and bad counts with the option named', () => {
    expect(() => parseBenchOptions(['--only', 'batch,speed'])).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--only', 'batch,speed'])).toThrow('unknown part "speed"');
    expect(() => parseBenchOptions(['--runs', '0'])).toThrow('--runs must be a whole number >= 1, got 0');
    expect(() => parseBenchOptions(['--restate-size', '7000'])).toThrow('--restate-size must be SYMBOLSxYEARS');
    expect(parseBenchOptions(['--restate-size', '300x2'])).toMatchObject({ restateSize: { symbols: 300, years: 2 } });
  });
});

describe('stats', () => {
  it('takes the median of odd and even counts without reordering the input', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('shows a spread as median (min–max, n)', () => {
    expect(spread([3, 1, 2], String)).toBe('2 (1–3, n=3)');
    expect(spread([7], String)).toBe('7');
  });
});

describe('restate part helpers', () => {
  it('scales a measured time to a Lambda below one full vCPU (1,769 MB), never below the measured one', () => {
    expect(lambdaMs(1000, 1024)).toBeCloseTo(1727.54, 2);
    expect(lambdaMs(1000, 1769)).toBe(1000);
    expect(lambdaMs(1000, 3008)).toBe(1000);
  });

  it('corrects the first short interest file by one position: a FINRA revision of its settlement date', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'restate-si-'));
    try {
      const header =
        'accountingYearMonthNumber|symbolCode|issueName|currentShortPositionQuantity|previousShortPositionQuantity|settlementDate';
      const first = [
        header,
        '20150115|AAA|Aaa Inc|624685|660267|2015-01-15',
        '20150115|BBB|Bbb Inc|5264150|5165357|2015-01-15',
        '',
      ];
      writeFileSync(path.join(dir, 'shrt20150130.csv'), `${header}\n20150130|AAA|Aaa Inc|1|2|2015-01-30\n`);
      writeFileSync(path.join(dir, 'shrt20150115.csv'), first.join('\n'));
      writeFileSync(path.join(dir, 'notes.txt'), 'not a FINRA file');
      const corrected = correctedFirstFile(dir);
      expect(corrected.name).toBe('shrt20150115.csv');
      expect(corrected.settlement).toBe('2015-01-15');
      expect(corrected.content.split('\n')).toEqual([
        header,
        '20150115|AAA|Aaa Inc|724685|660267|2015-01-15',
        first[2],
        '',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
