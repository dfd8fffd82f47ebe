// The generator records every trap it injects; the methodology must report exactly those (rule 2's
// rejected days, rule 3's splits with the rule that found them) and nothing else — the glitch with a
// flat price included, which must not count as a split.
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

beforeAll(() => {
  sample = generateSample(OPTIONS);
  const days = loadPrices(sample.files).map((d) => ({ date: d.date, file: d.file, rows: d.rows }));
  const siParsed = sample.files
    .filter((f) => f.path.startsWith('short-interest/'))
    .map((f) => parseShortInterest(textOf(f), path.basename(f.path)));
  const shortInterest: ShortInterestFile[] = mergeShortInterestRevisions(siParsed);
  const splitsFile = sample.files.find((f) => f.path === 'splits.csv');
  const splits: SplitOverride[] = splitsFile ? parseSplitsCsv(textOf(splitsFile), 'splits.csv').records : [];
  body = buildSnapshot({ days, shortInterest, splits }).body;
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
    const found = body.dataQuality.splits.map((s) => ({ ...s })).sort((a, b) => a.date.localeCompare(b.date));
    const injected = [...sample.manifest.splits].sort((a, b) => a.date.localeCompare(b.date));
    expect(injected.length).toBeGreaterThanOrEqual(5);
    expect(found.map((s) => [s.symbol, s.date, s.rule])).toEqual(
      injected.map((s) => [s.symbol, s.date, RULE_OF_KIND[s.kind]]),
    );
    // Rule 3(a) keeps the raw share-count ratio; 3(b) and 3(c) give the listed factor exactly.
    for (const [i, s] of found.entries()) expect(s.factor).toBeCloseTo(injected[i]!.factor, 6);
    expect(body.dataQuality.pendingSplits).toEqual([]);
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
