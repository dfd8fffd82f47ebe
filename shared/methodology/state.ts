/**
 * The engine state as the shells see it (issue 12): `parseEngineState` checks a state read back from JSON
 * (a checkpoint) and brings an older shape up to date, and `settlementsNeeded` says which short interest
 * files the engine will read while stepping a day — so no shell reads the engine's ring or field list.
 */
import type { IsoDate } from '../domain.ts';
import { RING } from './engine.ts';
import type { EngineState } from './types.ts';

/** A state that is not what the engine wrote: `field` names the part (`dayCount`, `price`, …). */
export class EngineStateError extends Error {
  readonly field: string;
  readonly reason: string;
  constructor(field: string, reason: string) {
    super(`engine state: ${field}: ${reason}`);
    this.name = 'EngineStateError';
    this.field = field;
    this.reason = reason;
  }
}

const ARRAYS = [
  'slotDate',
  'slotSettlement',
  'symbols',
  'names',
  'held',
  'ytdPnl',
  'ytdExposure',
  'ytdGrowth',
  'ytdEligible',
  'price',
  'marketCap',
  'volume',
  'factor',
  'shortInterest',
  'sector',
  'sectors',
  'days',
  'splits',
  'pending',
  'rejectedDays',
] as const;

/** Per-symbol columns of the ring: RING values per symbol. */
const RING_ARRAYS = ['price', 'marketCap', 'volume', 'factor', 'shortInterest', 'sector'] as const;

/**
 * Checks the invariants a wrong or truncated state would break (a full schema pass over megabytes of
 * numbers is not worth it) and returns it, upgraded in place: a state written before rule 12 has no
 * security types (it goes on under methodology v1, every symbol unclassified), one written before rule
 * 10's v2 days to cover has no FINRA ADV. Throws EngineStateError naming the field.
 */
export function parseEngineState(value: unknown): EngineState {
  const fail = (field: string, reason: string): never => {
    throw new EngineStateError(field, reason);
  };
  if (typeof value !== 'object' || value === null) return fail('*', 'not an object');
  const s = value as Partial<EngineState>;
  if (s.version !== 1) fail('version', `expected 1, got ${JSON.stringify(s.version)}`);
  if (s.methodology !== undefined && s.methodology !== 2 && s.methodology !== 3) {
    fail('methodology', `expected 2, 3 or absent, got ${JSON.stringify(s.methodology)}`);
  }
  const v2 = s.methodology !== undefined;
  const dayCount = s.dayCount;
  if (typeof dayCount !== 'number' || !Number.isInteger(dayCount)) return fail('dayCount', 'not an integer');
  for (const name of ARRAYS) if (!Array.isArray(s[name])) fail(name, 'not an array');
  const n = (s.symbols as string[]).length;
  for (const name of RING_ARRAYS) {
    if ((s[name] as number[]).length !== n * RING) fail(name, `expected ${n * RING} values for ${n} symbols`);
  }
  if ((s.slotDate as string[]).length !== RING) fail('slotDate', `expected ${RING} slots`);
  if (s.securityType === undefined) s.securityType = new Array<number>(n).fill(-1);
  else if (!Array.isArray(s.securityType) || s.securityType.length !== n) {
    fail('securityType', `expected ${n} values for ${n} symbols`);
  }
  if (s.finraAdv === undefined) s.finraAdv = v2 ? new Array<number>(n).fill(0) : [];
  else if (!Array.isArray(s.finraAdv) || (v2 && s.finraAdv.length !== n)) {
    fail('finraAdv', `expected ${n} values for ${n} symbols`);
  }
  if (s.methodology === 3) {
    if (s.recentSymbols === undefined) s.recentSymbols = (s.dayCount ?? 0) > 0 ? [s.lastSymbols ?? 0] : [];
    else if (!Array.isArray(s.recentSymbols)) fail('recentSymbols', 'not an array');
    if (typeof s.ytdBaseSettlement !== 'string') fail('ytdBaseSettlement', 'not a string');
    for (const name of ['ytdNetNew', 'ytdNetNewShares', 'lastCap', 'lastSector'] as const) {
      const column = s[name];
      if (!Array.isArray(column) || column.length !== n) fail(name, `expected ${n} values for ${n} symbols`);
    }
  }
  if (s.quarantined === undefined) s.quarantined = [];
  else if (!Array.isArray(s.quarantined)) fail('quarantined', 'not an array');
  if (dayCount > 0 && s.lastDate !== (s.slotDate as string[])[(dayCount - 1) % RING]) {
    fail('lastDate', 'does not match the ring');
  }
  return s as EngineState;
}

/**
 * The short interest files (settlement dates) the engine reads while stepping a day dated `date`, when
 * `inEffect` is the settlement date in effect on it (rule 4): that file when it differs from the one in
 * effect on the state's last day, under v3 the file of the day's cycle (`cycle`, the first settlement date on or
 * after it, for rule 3(d)'s S flags), and — when the day lists a symbol the state has never seen
 * (`newSymbols`) — the files of the ring's days too (a new symbol's past short interest). Every other
 * file may be passed as an empty stand-in with its settlement date.
 */
export function settlementsNeeded(
  state: EngineState,
  inEffect: IsoDate | null,
  newSymbols: boolean,
  cycle: IsoDate | null = null,
): IsoDate[] {
  const need: IsoDate[] = [];
  // Rule 3(d) (v3): the S flags of the file of the cycle holding the day, once it is known.
  if (state.methodology === 3 && cycle !== null && cycle !== inEffect) need.push(cycle);
  const effective = inEffect ?? '';
  const previous = state.dayCount > 0 ? (state.slotSettlement[(state.dayCount - 1) % RING] as string) : null;
  if (effective !== '' && previous !== effective) need.push(effective);
  if (newSymbols) {
    for (let j = Math.max(0, state.dayCount - RING + 1); j < state.dayCount; j++) {
      const s = state.slotSettlement[j % RING] as string;
      if (s !== '' && !need.includes(s)) need.push(s);
    }
  }
  return need;
}
