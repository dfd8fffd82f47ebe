/**
 * What the pipeline table can hold, checked before a request is sent (both PipelineTable implementations
 * apply the same checks, so the in-memory fake refuses what DynamoDB would).
 *
 * A DynamoDB number is a decimal of at most 38 significant digits with a magnitude from 1e-130 to below
 * 1e126; a JS number is a double. The document client (aws-clients.ts) writes a double as its shortest
 * round-trip decimal (at most 17 digits, so beyond Number.MAX_SAFE_INTEGER too) and reads numbers back with
 * Number(), so every double inside DynamoDB's range round-trips exactly. Outside it:
 * - NaN and ±Infinity have no decimal form: refused, naming the item key and the attribute;
 * - a finite double outside the range (1e-300, 1e300) is refused: the table holds only counts, sizes and
 *   epoch times, never near it (computed figures, whose range nobody bounds, live in S3 objects:
 *   checkpoints and snapshot batches).
 */
import type { TableKey } from '../pipeline/keys.ts';

/** DynamoDB's number range: 1e-130 ≤ |x| < 1e126 (or 0). */
const DYNAMO_MIN_MAGNITUDE = 1e-130;
const DYNAMO_MAX_MAGNITUDE = 1e126;

export class TableValueError extends Error {
  readonly key: TableKey;
  /** Path of the offending value inside the item (`size`, `rejections.0.line`). */
  readonly field: string;
  constructor(key: TableKey, field: string, value: number, reason: string) {
    super(`table item ${key.pk} / ${key.sk}: attribute ${field} is ${String(value)}, ${reason}`);
    this.name = 'TableValueError';
    this.key = key;
    this.field = field;
  }
}

/** Calls `visit` with every number inside `value` (arrays and plain objects walked) and its path. */
function eachNumber(value: unknown, path: string, visit: (n: number, path: string) => void): void {
  if (typeof value === 'number') {
    visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      eachNumber(v, `${path}.${i}`, visit);
    });
  } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const [k, v] of Object.entries(value)) eachNumber(v, path === '' ? k : `${path}.${k}`, visit);
  }
}

function refuseNonFinite(key: TableKey) {
  return (n: number, path: string) => {
    if (!Number.isFinite(n)) {
      throw new TableValueError(key, path, n, 'not a finite number: it cannot be stored');
    }
  };
}

/**
 * Attributes stored as DynamoDB numbers: every number must be finite and inside DynamoDB's range.
 * `attributes` is the item (or the values of an update expression, keyed by attribute name).
 */
export function assertStorableNumbers(key: TableKey, attributes: Record<string, unknown>): void {
  const finite = refuseNonFinite(key);
  eachNumber(attributes, '', (n, path) => {
    finite(n, path);
    const magnitude = Math.abs(n);
    if (magnitude >= DYNAMO_MAX_MAGNITUDE || (magnitude !== 0 && magnitude < DYNAMO_MIN_MAGNITUDE)) {
      throw new TableValueError(key, path, n, 'outside the range of a DynamoDB number (1e-130 to 1e126)');
    }
  });
}
