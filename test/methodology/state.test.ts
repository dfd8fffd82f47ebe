/** The engine state as the shells see it: parseEngineState and settlementsNeeded (issue 12, item 1). */
import { describe, expect, it } from 'vitest';
import {
  EngineStateError,
  initialState,
  parseEngineState,
  settlementsNeeded,
  stepDay,
} from '../../shared/methodology/index.ts';
import { series, siFile, weekdays } from './helpers.ts';

const M = 1e6;
const dates = weekdays('2024-03-04', 3);
const files = [siFile('2024-03-01', { A: 1 * M }), siFile('2024-03-05', { A: 2 * M })];

function stepped() {
  let state = initialState();
  for (const day of series(dates, (i) => [['A', 10 + i]])) {
    state = stepDay(state, day, { shortInterest: files, splits: [], lookahead: [] }).state;
  }
  return state;
}

describe('parseEngineState', () => {
  it('takes back what JSON.stringify wrote, equal to the state', () => {
    const state = stepped();
    expect(parseEngineState(JSON.parse(JSON.stringify(state)))).toEqual(JSON.parse(JSON.stringify(state)));
  });

  it('upgrades a state written before rules 10 (v2) and 12: unclassified symbols, v1 rules kept', () => {
    const old = JSON.parse(JSON.stringify(stepped()));
    delete old.securityType;
    delete old.finraAdv;
    delete old.methodology;
    const parsed = parseEngineState(old);
    expect(parsed.securityType).toEqual(parsed.symbols.map(() => -1));
    expect(parsed.finraAdv).toEqual([]);
    expect(parsed.methodology).toBeUndefined();
  });

  it.each([
    ['dayCount', (s: Record<string, unknown>) => ({ ...s, dayCount: 'x' }), 'not an integer'],
    ['price', (s: Record<string, unknown>) => ({ ...s, price: [1, 2] }), /expected \d+ values/],
    ['days', (s: Record<string, unknown>) => ({ ...s, days: null }), 'not an array'],
    ['lastDate', (s: Record<string, unknown>) => ({ ...s, lastDate: '1999-01-01' }), 'does not match the ring'],
    ['methodology', (s: Record<string, unknown>) => ({ ...s, methodology: 4 }), /expected 2, 3 or absent/],
    ['lastCap', (s: Record<string, unknown>) => ({ ...s, lastCap: [] }), /expected \d+ values/],
  ])('refuses a broken %s, naming it', (field, breakIt, reason) => {
    const broken = breakIt(JSON.parse(JSON.stringify(stepped())) as Record<string, unknown>);
    let error: unknown;
    try {
      parseEngineState(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineStateError);
    expect((error as EngineStateError).field).toBe(field);
    expect((error as EngineStateError).reason).toMatch(reason);
  });
});

describe('settlementsNeeded', () => {
  it('asks for the file that takes effect, and nothing on an ordinary day', () => {
    const state = stepped(); // last day 03-06, file of 03-05 in effect
    expect(settlementsNeeded(state, '2024-03-05', false)).toEqual([]);
    expect(settlementsNeeded(state, '2024-03-15', false)).toEqual(['2024-03-15']);
    expect(settlementsNeeded(initialState(), '2024-03-01', false)).toEqual(['2024-03-01']);
    expect(settlementsNeeded(initialState(), null, false)).toEqual([]);
  });

  it("for a new symbol, also every file of the ring's days, once each", () => {
    // 03-04 under 2024-03-01's file, 03-05 and 03-06 under 2024-03-05's.
    expect(settlementsNeeded(stepped(), '2024-03-05', true)).toEqual(['2024-03-01', '2024-03-05']);
  });
});
