/**
 * Objects keyed by names that come from data (sector names). On a plain `{}`, `obj['__proto__'] = v`
 * replaces the prototype instead of adding a key, and `obj['toString']` answers with Object.prototype's
 * method when the key is absent; an object without a prototype has neither trap, and JSON.stringify
 * gives it the same text, in the same key order, as a plain object.
 */

/** An empty record with no prototype: every string, `__proto__` included, is an ordinary key. */
export function dataRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * The value `record` holds under `key` itself, never an inherited one: for records that may be plain
 * objects, such as a day record read back from a JSON checkpoint.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
