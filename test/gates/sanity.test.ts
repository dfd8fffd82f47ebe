/**
 * Each sanity gate (shared/gates) against a fixture that trips it and a neighbour that must not, on the
 * hand-made market of market.ts (figures worked out in its header). Bounds: DEFAULT_GATE_BOUNDS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../shared/domain.ts';
import {
  checkSanity,
  checkSanitySeries,
  DEFAULT_GATE_BOUNDS,
  newSettlementFile,
  sanityMeasures,
} from '../../shared/gates/index.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { expectClose } from '../methodology/helpers.ts';
import { market, shortInterest, snapshotAt, TOTAL_EXPOSURE } from './market.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/reliability/gates');
// Deliberately not parsed with the zod schema: the gates are what must refuse these.
const fixture = (name: string): Snapshot => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

describe('a clean day passes every gate', () => {
  it('2024-06-12 against 2024-06-11: no move, no P&L, six shorted symbols on both days', () => {
    const previous = snapshotAt('2024-06-11');
    const next = snapshotAt('2024-06-12');
    expect(next.windows['1d'].groups.total.avgShortInterestUsd).toBe(TOTAL_EXPOSURE);
    expect(next.windows['1d'].groups.total.symbols).toBe(6);
    expect(checkSanity(previous, next)).toEqual({
      ok: true,
      violations: [],
      acknowledged: [],
      comparedWith: '2024-06-11',
    });
    const m = sanityMeasures(previous, next);
    expect(m).toMatchObject({ shortInterestMove: 0, symbolChange: 0, newSettlementFile: false });
    expect(Object.values(m.tierPnlMultiple)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('the first published day has nothing to compare with: only the schema and tier gates run', () => {
    const first = snapshotAt('2024-06-10');
    expect(checkSanity(null, first)).toMatchObject({ ok: true, comparedWith: null });
    // A previous day dated on or after the next one is not a comparison either (a republished older day).
    expect(checkSanity(snapshotAt('2024-06-12'), snapshotAt('2024-06-11')).comparedWith).toBeNull();
  });
});

describe('tier-pnl: |1d P&L| > 0.25 × the tier’s exposure', () => {
  it('trips on a bad print: MEGA at $140 instead of $100 (+40%: no split factor fits it, rule 3)', () => {
    const days = market({ '2024-06-12': { MEGA: 140 } });
    const next = snapshotAt('2024-06-12', days);
    // R = 140/100 − 1 = 0.4; pnl = −E · R = −$3B · 0.4 = −$1.2B against an exposure of $3B: 0.4 ×.
    expectClose(next.windows['1d'].groups.mega.pnlUsd, -1.2e9);
    const result = checkSanity(snapshotAt('2024-06-11', days), next);
    expect(result.ok).toBe(false);
    expect(result.violations).toEqual([
      {
        gate: 'tier-pnl',
        date: '2024-06-12',
        field: 'windows.1d.groups.mega.pnlUsd',
        observed: expect.closeTo(0.4, 12),
        bound: 0.25,
        message: 'tier-pnl: 2024-06-12 mega 1d P&L −$1.200B is 0.400 × its exposure $3.000B (bound 0.25 ×)',
      },
    ]);
  });

  it('a ×3 print is not this gate’s case: rule 3(b) holds MEGA out as a possible 1-for-3 split (P&L 0)', () => {
    const days = market({ '2024-06-12': { MEGA: 300 } });
    const next = snapshotAt('2024-06-12', days);
    expect(next.dataQuality.pendingSplits.map((p) => p.symbol)).toEqual(['MEGA']);
    expect(next.windows['1d'].groups.mega.pnlUsd).toBe(0);
    // In a six-stock market, holding out the largest short removes 70% of the exposure and one symbol of
    // six: the other two gates say so. Among 6,000 real symbols a held-out split is noise.
    const gates = checkSanity(snapshotAt('2024-06-11', days), next).violations.map((v) => v.gate);
    expect(gates).toEqual(['symbol-drop', 'short-interest-move']);
  });

  it('passes a real 20% move of the tier’s only stock: 0.2 ×', () => {
    const days = market({ '2024-06-12': { MEGA: 120 } });
    const next = snapshotAt('2024-06-12', days);
    expectClose(next.windows['1d'].groups.mega.pnlUsd, -6e8);
    expect(checkSanity(snapshotAt('2024-06-11', days), next).ok).toBe(true);
  });
});

describe('symbol-drop: total shorted symbols fall by more than 10%', () => {
  it('trips when the day’s screener lacks SML and MIC (the file still has 24 of 26 rows, so rule 2 accepts it)', () => {
    const days = market({ '2024-06-12': { SML: 'absent', MIC: 'absent' } });
    const previous = snapshotAt('2024-06-11', days);
    const next = snapshotAt('2024-06-12', days);
    expect(next.dataQuality.rejectedDays).toEqual([]);
    // Exposure only loses SML's $50M and MIC's $10M: 4.202 / 4.262 − 1 = −1.41%, inside its bound.
    expect(next.windows['1d'].groups.total.avgShortInterestUsd).toBe(TOTAL_EXPOSURE - 6e7);
    expect(checkSanity(previous, next).violations).toEqual([
      {
        gate: 'symbol-drop',
        date: '2024-06-12',
        field: 'windows.1d.groups.total.symbols',
        observed: 4 / 6 - 1,
        bound: -0.1,
        message: 'symbol-drop: 2024-06-12 has 4 shorted symbols against 6 on 2024-06-11 (−33.33%; bound −10%)',
      },
    ]);
  });

  it('a fraction, not a count: one symbol fewer of six (NAN missing, −16.67%) trips at 10%, passes at 20%', () => {
    const days = market({ '2024-06-12': { NAN: 'absent' } });
    const previous = snapshotAt('2024-06-11', days);
    const next = snapshotAt('2024-06-12', days);
    expectClose(sanityMeasures(previous, next).symbolChange, -1 / 6);
    expect(checkSanity(previous, next).violations.map((v) => v.gate)).toEqual(['symbol-drop']);
    expect(checkSanity(previous, next, { bounds: { symbolDrop: 0.2 } }).ok).toBe(true);
    expect(DEFAULT_GATE_BOUNDS.symbolDrop).toBe(0.1);
  });
});

describe('short-interest-move: total exposure moves by more than 15% on the same settlement file', () => {
  it('trips when a restated 2024-05-31 file doubles MEGA’s position (same settlement date: not a new file)', () => {
    const previous = snapshotAt('2024-06-12');
    const revised = shortInterest('2024-05-31', { MEGA: 60e6 }, ['shrt20240531.csv', 'shrt20240531-r1.csv']);
    const next = snapshotAt('2024-06-13', market(), [revised]);
    // 60M · $100 + $1.262B = $7.262B against $4.262B: +70.39%.
    expect(next.windows['1d'].groups.total.avgShortInterestUsd).toBe(7.262e9);
    expect(newSettlementFile(previous, next)).toBe(false);
    const [v] = checkSanity(previous, next).violations;
    expect(v).toMatchObject({
      gate: 'short-interest-move',
      date: '2024-06-13',
      field: 'windows.1d.groups.total.avgShortInterestUsd',
      bound: 0.15,
    });
    expectClose(v?.observed as number, 7.262 / 4.262 - 1);
    expect(v?.message).toBe(
      'short-interest-move: 2024-06-13 total short exposure $7.262B against $4.262B on 2024-06-12 (+70.39%) ' +
        'with the same short interest file (settlement 2024-05-31); bound ±15%',
    );
  });

  it('a new settlement file (2024-06-14) may move it by up to 30%: +21.12% passes', () => {
    // The 06-14 file takes effect on 06-14; exposure is SI(d−1) · price, so 06-17 is the first day it moves.
    const files = [shortInterest(), shortInterest('2024-06-14', { MEGA: 39e6 })];
    const previous = snapshotAt('2024-06-14', market(), files);
    const next = snapshotAt('2024-06-17', market(), files);
    expect(previous.dataQuality.shortInterestSettlementDate).toBe('2024-06-14');
    expect(previous.windows['1d'].groups.total.avgShortInterestUsd).toBe(TOTAL_EXPOSURE);
    expect(next.windows['1d'].groups.total.avgShortInterestUsd).toBe(5.162e9);
    expect(newSettlementFile(previous, next)).toBe(true);
    expect(checkSanity(previous, next).ok).toBe(true);
    expectClose(sanityMeasures(previous, next).shortInterestMove, 5.162 / 4.262 - 1);
    // The same +21.12% without a new file (a revision of 2024-05-31) is refused.
    const revised = [shortInterest('2024-05-31', { MEGA: 39e6 }, ['shrt20240531.csv', 'shrt20240531-r1.csv'])];
    const sameFile = checkSanity(snapshotAt('2024-06-12'), snapshotAt('2024-06-13', market(), revised));
    expect(sameFile.violations.map((v) => v.gate)).toEqual(['short-interest-move']);
  });

  it('trips even with a new file beyond 30%: the 2024-06-14 file doubling MEGA (+70.39%)', () => {
    const files = [shortInterest(), shortInterest('2024-06-14', { MEGA: 60e6 })];
    const result = checkSanity(snapshotAt('2024-06-14', market(), files), snapshotAt('2024-06-17', market(), files));
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]?.message).toBe(
      'short-interest-move: 2024-06-17 total short exposure $7.262B against $4.262B on 2024-06-14 (+70.39%) ' +
        'even with a new short interest file (settlement 2024-06-14); bound ±30%',
    );
  });

  it('a screener day without MEGA’s market cap: MEGA has no tier the next day, exposure −70.39%, symbols −16.7%', () => {
    // Methodology 2 (rule 6's day-by-day tiers), where the untiered day drops MEGA from both the exposure
    // and the symbol count: the two gates this scenario is about.
    const days = market({ '2024-06-12': { MEGA: 'no-market-cap' } });
    const v2 = (asOf: IsoDate) => snapshotAt(asOf, days, [shortInterest()], 2);
    const result = checkSanity(v2('2024-06-12'), v2('2024-06-13'));
    expect(result.violations.map((v) => [v.gate, v.field])).toEqual([
      ['symbol-drop', 'windows.1d.groups.total.symbols'],
      ['short-interest-move', 'windows.1d.groups.total.avgShortInterestUsd'],
    ]);
    expectClose(result.violations[1]?.observed as number, 1.262 / 4.262 - 1);
    // Version 3 (the default) groups MEGA by its latest market cap on or before A (06-13's: mega), so it is
    // still counted among the symbols; its 06-13 symbol-day, untiered by MC_{06-12}, stays out of the
    // exposure: only short-interest-move trips.
    const v3 = checkSanity(snapshotAt('2024-06-12', days), snapshotAt('2024-06-13', days));
    expect(v3.violations.map((v) => [v.gate, v.field])).toEqual([
      ['short-interest-move', 'windows.1d.groups.total.avgShortInterestUsd'],
    ]);
    expectClose(v3.violations[0]?.observed as number, 1.262 / 4.262 - 1);
  });
});

describe('json-schema: the snapshot as serialised must match data/schema/snapshot.v1.json (ajv)', () => {
  it('trips on a snapshot a buggy writer produced (fixture), naming each path', () => {
    // invalid-snapshot-2024-06-12.json: the market's 06-12 snapshot with asOf written as a timestamp, a
    // percentage formatted as text and a NaN symbol count (JSON.stringify writes it as null).
    const result = checkSanity(snapshotAt('2024-06-11'), fixture('invalid-snapshot-2024-06-12.json'));
    expect(result.violations).toEqual([
      {
        gate: 'json-schema',
        date: '2024-06-12T00:00:00.000Z',
        field: '/asOf',
        observed: '3 issue(s)',
        bound: 'data/schema/snapshot.v1.json',
        message:
          'json-schema: 2024-06-12T00:00:00.000Z does not match data/schema/snapshot.v1.json: ' +
          '/asOf must match pattern "^\\d{4}-\\d{2}-\\d{2}$"; /windows/1d/groups/mega/pnlPct must be number or null; ' +
          '/windows/1d/groups/total/symbols must be integer',
      },
    ]);
  });

  it('checks the bytes a reader gets: NaN where an integer belongs is null once serialised', () => {
    const next = snapshotAt('2024-06-12');
    next.dataQuality.acceptedDays = Number.NaN;
    expect(checkSanity(null, next).violations[0]?.message).toBe(
      'json-schema: 2024-06-12 does not match data/schema/snapshot.v1.json: /dataQuality/acceptedDays must be integer',
    );
  });
});

describe('acknowledging a gate (an operator checked the day)', () => {
  it('lets a figure gate through as `acknowledged`, never the schema gate', () => {
    const days = market({ '2024-06-12': { MEGA: 140 } });
    const result = checkSanity(snapshotAt('2024-06-11', days), snapshotAt('2024-06-12', days), {
      acknowledge: ['tier-pnl', 'json-schema'],
    });
    expect(result.ok).toBe(true);
    expect(result.acknowledged.map((v) => v.gate)).toEqual(['tier-pnl']);
    const invalid = checkSanity(null, fixture('invalid-snapshot-2024-06-12.json'), { acknowledge: ['json-schema'] });
    expect(invalid.ok).toBe(false);
  });

  it('takes other bounds from the context', () => {
    const days = market({ '2024-06-12': { MEGA: 120 } });
    const result = checkSanity(snapshotAt('2024-06-11', days), snapshotAt('2024-06-12', days), {
      bounds: { tierPnlMultiple: 0.1 },
    });
    expect(result.violations.map((v) => [v.gate, v.observed, v.bound])).toEqual([
      ['tier-pnl', expect.closeTo(0.2, 12), 0.1],
    ]);
  });
});

describe('a batch (a restatement republishing several days)', () => {
  it('compares each day with the latest one before it, the batch replacing what was published', () => {
    const revised = [shortInterest('2024-05-31', { MEGA: 60e6 }, ['shrt20240531.csv', 'shrt20240531-r1.csv'])];
    const published = ['2024-06-10', '2024-06-11', '2024-06-12'].map((d) => snapshotAt(d));
    // Restated 06-12 and new 06-13, both with the revised file: 06-12 is compared with the published 06-11
    // (+70.39%), 06-13 with the restated 06-12 (no move), not with the published 06-12.
    const batch = ['2024-06-13', '2024-06-12'].map((d) => snapshotAt(d, market(), revised));
    const result = checkSanitySeries(published, batch);
    expect(result.comparedWith).toBe('2024-06-11');
    expect(result.violations.map((v) => [v.gate, v.date])).toEqual([['short-interest-move', '2024-06-12']]);
    expect(result.violations[0]?.message).toMatch(/ on 2024-06-11 \(\+70\.39%\)/);
  });

  it('with nothing published, the first day of the batch is only checked on its own', () => {
    const result = checkSanitySeries([], [snapshotAt('2024-06-12'), snapshotAt('2024-06-11')]);
    expect(result).toEqual({ ok: true, violations: [], acknowledged: [], comparedWith: null });
  });
});
