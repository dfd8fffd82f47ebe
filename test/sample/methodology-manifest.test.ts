// The generator records every trap it injects; the methodology must report exactly those (rule 2's
// rejected days, rule 3's splits with the rule that found them) and nothing else — the glitch with a
// flat price included, which must not count as a split. The generator also flags each injected split `S`
// in the FINRA file of its cycle, as FINRA does: version 3 (the default) finds a split built for rule 3(b)
// by that flag (rule 3(d), decided before 3(b)'s look-ahead); version 2 still finds it by 3(b).
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ShortInterestFile, SplitOverride } from '../../shared/domain.ts';
import { mergeShortInterestRevisions, parseShortInterest, parseSplitsCsv } from '../../shared/formats/index.ts';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { type GeneratedSample, generateSample } from '../../shared/sample/index.ts';
import type { SnapshotBody } from '../../shared/snapshot/assemble.ts';
import { loadPrices, textOf } from './load.ts';

const OPTIONS = { seed: 21, from: '2025-01-02', to: '2025-09-30', symbols: 600 } as const;
const RULE_OF_KIND = { '3a': '3a', '3b': '3b', override: '3c' } as const;

let sample: GeneratedSample;
let body: SnapshotBody;
let bodyV2: SnapshotBody;
let shortInterest: ShortInterestFile[];

/** Rule 3(d)'s condition: the first settlement on or after `date` (the cycle's file) flags `symbol` S. */
function flaggedInCycle(symbol: string, date: string): boolean {
  const cycle = shortInterest.find((f) => f.settlementDate >= date);
  return cycle?.splitFlagged?.has(symbol) === true;
}

beforeAll(() => {
  sample = generateSample(OPTIONS);
  const days = loadPrices(sample.files).map((d) => ({ date: d.date, file: d.file, rows: d.rows }));
  const siParsed = sample.files
    .filter((f) => f.path.startsWith('short-interest/'))
    .map((f) => parseShortInterest(textOf(f), path.basename(f.path)));
  shortInterest = mergeShortInterestRevisions(siParsed);
  const splitsFile = sample.files.find((f) => f.path === 'splits.csv');
  const splits: SplitOverride[] = splitsFile ? parseSplitsCsv(textOf(splitsFile), 'splits.csv').records : [];
  body = buildSnapshot({ days, shortInterest, splits }).body;
  bodyV2 = buildSnapshot({ days, shortInterest, splits, methodology: 2 }).body;
});

describe('the methodology on generated sample data', () => {
  it('rejects exactly the injected stale, partial and weekend days', () => {
    const m = sample.manifest;
    const expected = [...m.staleDays, ...m.partialDays, ...m.weekendFiles].sort();
    expect(expected.length).toBe(3);
    expect(body.dataQuality.rejectedDays.map((d) => d.date).sort()).toEqual(expected);
    const reasonOf = (date: string) => body.dataQuality.rejectedDays.find((d) => d.date === date)?.reason ?? '';
    for (const d of m.staleDays) expect(reasonOf(d)).toMatch(/^stale/);
    for (const d of m.partialDays) expect(reasonOf(d)).toMatch(/^partial/);
    for (const d of m.weekendFiles) expect(reasonOf(d)).toMatch(/^weekend/);
  });

  it('finds exactly the injected splits, each by the rule the injection was built for', () => {
    const injected = [...sample.manifest.splits].sort((a, b) => a.date.localeCompare(b.date));
    expect(injected.length).toBeGreaterThanOrEqual(5);
    // Every injected split is flagged S in its cycle's file; the ones built for 3(b) (a share count that
    // lags) are found by that flag in version 3, by 3(b) in version 2. 3(a) comes first in both; 3-for-2
    // is in neither list of factors: only splits.csv (3(c)) finds it.
    for (const s of injected) expect(flaggedInCycle(s.symbol, s.date), `${s.symbol} ${s.date}`).toBe(true);
    const byRule3b = injected.filter((s) => s.kind === '3b');
    expect(byRule3b.length).toBeGreaterThanOrEqual(2);
    const ruleIn = (version: 2 | 3, kind: keyof typeof RULE_OF_KIND) =>
      version === 3 && kind === '3b' ? '3d' : RULE_OF_KIND[kind];
    for (const [version, b] of [
      [3, body],
      [2, bodyV2],
    ] as const) {
      const found = b.dataQuality.splits.map((s) => ({ ...s })).sort((x, y) => x.date.localeCompare(y.date));
      expect(
        found.map((s) => [s.symbol, s.date, s.rule]),
        `methodology ${version}`,
      ).toEqual(injected.map((s) => [s.symbol, s.date, ruleIn(version, s.kind)]));
      // Rule 3(a) keeps the raw share-count ratio; 3(b), 3(c) and 3(d) give the listed factor exactly.
      for (const [i, s] of found.entries()) expect(s.factor).toBeCloseTo(injected[i]!.factor, 6);
      expect(b.dataQuality.pendingSplits).toEqual([]);
    }
  });

  it('does not report the share-count glitch with a flat price as a split', () => {
    const glitched = new Set(sample.manifest.glitches.map((g) => g.symbol));
    expect(glitched.size).toBeGreaterThan(0);
    expect(body.dataQuality.splits.filter((s) => glitched.has(s.symbol))).toEqual([]);
  });

  it('populates all six tiers, with most short exposure outside the mega caps', () => {
    const groups = body.windows.ytd.groups;
    for (const tier of ['nano', 'micro', 'small', 'mid', 'large', 'mega'] as const) {
      expect(groups[tier].symbols, tier).toBeGreaterThan(0);
    }
    const smallCounts = groups.micro.symbols + groups.small.symbols + groups.mid.symbols;
    expect(smallCounts / groups.total.symbols).toBeGreaterThan(0.5);
  });
});
