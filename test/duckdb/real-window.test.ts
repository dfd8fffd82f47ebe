/**
 * The DuckDB reference against the TypeScript engine on a real window: the screener snapshots of
 * 2024-10-28 .. 2024-12-31 (45 files, about 1,300 symbol-days of 3(b) candidates) with short interest
 * from generate-short-interest.ts. The window ends with rule 3(b) decisions still pending (the
 * documented "pending splits" decision), which is where the two implementations once disagreed:
 * MTC's 1-for-8 on 2024-12-18 and TSCO's 5-for-1 on 2024-12-20, each confirmed for a k further down
 * rule 3(b)'s list than the first k passing the price test. Skipped when ../shared/data is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupFigures } from '../../shared/snapshot/schema.ts';
import { engineSnapshot } from '../bench/duckdb/engine-snapshot.ts';
import { generateShortInterest } from '../bench/duckdb/generate-short-interest.ts';
import { duckdbGroupFigures } from '../bench/duckdb/reference.ts';
import { FIELDS } from '../bench/lib/compare.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const realPrices = path.resolve(repoRoot, '../shared/data/nasdaq-screener/2024');
const FIRST_FILE = '2024-10-28';

/**
 * A temporary input folder with links (not copies: the real files stay where they are) to the real
 * screener files dated `from` … `to`, and short interest generated for them.
 */
async function realWindow(prefix: string, from: string, to: string) {
  const work = mkdtempSync(path.join(tmpdir(), prefix));
  const pricesDir = path.join(work, 'prices');
  mkdirSync(pricesDir);
  for (const name of readdirSync(realPrices)) {
    const date = name.slice(0, 10);
    if (/^\d{4}-\d{2}-\d{2}\.json\.gz$/.test(name) && date >= from && date <= to) {
      symlinkSync(path.join(realPrices, name), path.join(pricesDir, name));
    }
  }
  const shortInterestDir = path.join(work, 'short-interest');
  await generateShortInterest(pricesDir, shortInterestDir);
  return { work, input: { pricesDir, shortInterestDir } };
}

/** Every value that differs by more than 1e-6 relative (1e-6 absolute near zero, where sums cancel). */
function deviations(
  ours: Record<string, { groups: Record<string, GroupFigures>; sectors: Record<string, GroupFigures> }>,
  theirs: Record<string, { groups: Record<string, GroupFigures>; sectors: Record<string, GroupFigures> }>,
): { compared: number; over: string[] } {
  const over: string[] = [];
  let compared = 0;
  for (const [w, a] of Object.entries(ours)) {
    const b = theirs[w];
    if (!b) {
      over.push(`${w}: window only in the engine`);
      continue;
    }
    for (const kind of ['groups', 'sectors'] as const) {
      for (const key of new Set([...Object.keys(a[kind]), ...Object.keys(b[kind])])) {
        const fa = a[kind][key];
        const fb = b[kind][key];
        if (!fa || !fb) {
          over.push(`${w} ${kind} ${key}: only in ${fa ? 'the engine' : 'DuckDB'}`);
          continue;
        }
        for (const field of FIELDS) {
          compared++;
          const x = fa[field];
          const y = fb[field];
          const bad =
            x === null || y === null ? x !== y : !(Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y)));
          if (bad) over.push(`${w} ${kind} ${key}.${field}: engine ${x}, DuckDB ${y}`);
        }
      }
    }
  }
  return { compared, over };
}

describe.skipIf(!existsSync(realPrices))('DuckDB reference = engine on the last 45 files of 2024', () => {
  let work = '';
  let input = { pricesDir: '', shortInterestDir: '' };

  beforeAll(async () => {
    ({ work, input } = await realWindow('duckdb-real-window-', FIRST_FILE, '9999-12-31'));
  }, 60_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const [methodology, asOf] of [
    [1, undefined],
    [1, '2024-12-20'],
    [2, undefined],
    [2, '2024-12-20'],
  ] as const) {
    it(`methodology v${methodology}: agrees on every figure, split and pending split as of ${asOf ?? 'the last file'}`, {
      timeout: 60_000,
    }, async () => {
      const at = { ...input, methodology, ...(asOf === undefined ? {} : { asOf }) };
      const ours = await engineSnapshot(at);
      const theirs = await duckdbGroupFigures(at);
      expect(theirs.asOf).toBe(ours.asOf);
      expect(theirs.rejectedDays.map((d) => d.date)).toEqual(ours.dataQuality.rejectedDays.map((d) => d.date));
      const { compared, over } = deviations(ours.windows, theirs.windows);
      expect(over).toEqual([]);
      expect(compared).toBeGreaterThan(400); // 4 windows × (9 groups + ~12 sectors) × 7 fields

      const splitKey = (s: { symbol: string; date: string; factor: number; rule: string }) =>
        `${s.date} ${s.symbol} ${s.rule} ×${+s.factor.toPrecision(9)}`;
      expect(theirs.splits.map(splitKey).sort()).toEqual(ours.dataQuality.splits.map(splitKey).sort());
      const pendingKey = (p: { symbol: string; date: string }) => `${p.date} ${p.symbol}`;
      const pending = ours.dataQuality.pendingSplits.map(pendingKey).sort();
      expect(theirs.pendingSplits.map(pendingKey).sort()).toEqual(pending);
      const mtcTsco = theirs.splits.filter((s) => s.symbol === 'MTC' || s.symbol === 'TSCO').map(splitKey);
      if (methodology === 1) {
        // The two decisions that once differed: still pending on both sides (k = 1/6 before 1/8 for
        // MTC, k = 4 before 5 for TSCO are not yet ruled out), and not applied as splits.
        if (asOf === undefined) expect(pending).toEqual(expect.arrayContaining(['2024-12-18 MTC', '2024-12-20 TSCO']));
        else expect(pending).toContain('2024-12-20 TSCO');
        expect(mtcTsco).toEqual([]);
      } else if (asOf === undefined) {
        // Rule 3(b') (v2): a share count within 10% decides at once — MTC's 1-for-8 and TSCO's 5-for-1.
        expect(mtcTsco.sort()).toEqual(['2024-12-18 MTC 3b ×0.125', '2024-12-20 TSCO 3b ×5']);
      } else {
        // As of TSCO's split day no later share count is known yet.
        expect(pending).toContain('2024-12-20 TSCO');
      }
    });
  }
});

/**
 * Rule 3(b')'s look-back on the real data: the screener put LRCX's 10-for-1 (2024-10-03) and SONY's
 * 5-for-1 (2024-10-09) into its share counts on 2024-10-01, before the price moved. Files 2024-09-16 ..
 * 2024-10-31 (no later share count confirms either split; only the look-back does).
 */
describe.skipIf(!existsSync(realPrices))(
  'DuckDB reference = engine around LRCX and SONY (2024-09-16 .. 2024-10-31)',
  () => {
    let work = '';
    let input = { pricesDir: '', shortInterestDir: '' };

    beforeAll(async () => {
      ({ work, input } = await realWindow('duckdb-lookback-window-', '2024-09-16', '2024-10-31'));
    }, 60_000);

    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('methodology v2: agrees on every figure and split, LRCX and SONY applied on their ex-dates', {
      timeout: 60_000,
    }, async () => {
      const at = { ...input, methodology: 2 as const };
      const ours = await engineSnapshot(at);
      const theirs = await duckdbGroupFigures(at);
      const { over } = deviations(ours.windows, theirs.windows);
      expect(over).toEqual([]);
      const splitKey = (s: { symbol: string; date: string; factor: number; rule: string }) =>
        `${s.date} ${s.symbol} ${s.rule} ×${+s.factor.toPrecision(9)}`;
      expect(theirs.splits.map(splitKey).sort()).toEqual(ours.dataQuality.splits.map(splitKey).sort());
      const pendingKey = (p: { symbol: string; date: string }) => `${p.date} ${p.symbol}`;
      expect(theirs.pendingSplits.map(pendingKey).sort()).toEqual(
        ours.dataQuality.pendingSplits.map(pendingKey).sort(),
      );
      expect(theirs.splits.filter((s) => s.symbol === 'LRCX' || s.symbol === 'SONY').map(splitKey)).toEqual(
        expect.arrayContaining(['2024-10-03 LRCX 3b ×10', '2024-10-09 SONY 3b ×5']),
      );
    });
  },
);
