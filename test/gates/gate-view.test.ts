/**
 * Issue 17: `pulse build` gates every day it folds with `gateViewAt(state)`, the 1d figures read straight
 * from the engine; the pipeline gates each day's published snapshot (`gateViewOf`). They must be the same
 * numbers, or build and run could reach different verdicts. Checked on every day of a generated sample
 * year (prices, short interest, splits, sample traps), under methodology 3 and 2.
 */
import { describe, expect, it } from 'vitest';
import { mergeShortInterestRevisions, parseScreener, parseShortInterest } from '../../shared/formats/index.ts';
import { gateViewAt, gateViewOf } from '../../shared/gates/index.ts';
import { initialState, snapshotAt, startAdvance } from '../../shared/methodology/index.ts';
import { generateSample } from '../../shared/sample/index.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';

const text = (c: string | Uint8Array) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));

describe('gateViewAt equals the published snapshot’s gate view, every day', () => {
  const sample = generateSample({ seed: 7, symbols: 300, from: '2025-01-02', to: '2025-06-30', gzip: false });
  const prices = sample.files
    .filter((f) => f.path.startsWith('prices/'))
    .map((f) => {
      const name = f.path.slice('prices/'.length);
      const p = parseScreener(text(f.content), name);
      return { date: p.date ?? name.slice(0, 10), file: name, rows: p.records };
    })
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.file < b.file ? -1 : 1));
  const shortInterest = mergeShortInterestRevisions(
    sample.files
      .filter((f) => f.path.startsWith('short-interest/'))
      .map((f) => parseShortInterest(text(f.content), f.path.slice('short-interest/'.length))),
  );

  it.each([3, 2] as const)('methodology %i', (methodology) => {
    const fold = startAdvance(initialState(methodology), { splits: [] });
    let compared = 0;
    for (const day of prices) {
      const outcome = fold.add(day, shortInterest);
      if (outcome.rejected !== null) continue;
      const state = fold.result().state;
      const fromState = gateViewAt(state);
      const fromSnapshot = gateViewOf(
        assembleSnapshot(snapshotAt(state), {
          generatedAt: '2025-07-01T00:00:00.000Z',
          sample: true,
          sources: [],
          rejections: [],
        }),
      );
      const { dayBefore: _a, ...a } = fromState ?? { dayBefore: null };
      const { dayBefore: _b, ...b } = fromSnapshot;
      expect(a, day.date).toEqual(b);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });
});
