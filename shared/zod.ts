/**
 * The zod every schema of the project imports: `zod/mini`, zod 4's functional API (`z.optional(x)`,
 * `x.check(z.minimum(0))`, `z.strictObject({…})`), the same validation core as the classic API but built
 * for tree-shaking: a Lambda bundle keeps only the functions its schemas call (issue 20 item 7; the classic
 * API's methods cannot be shaken off, docs/benchmarks.md part 4). The classic API registers zod's English
 * messages on its first schema and mini does not: this module does it once, before any schema is built, so
 * an issue reads "Too small: expected number to be >=0" as before rather than "Invalid input". Every schema
 * module takes it as its namespace `z` (`import * as z` from this file, by its relative path).
 */
import { en } from 'zod/locales';
import { config, globalRegistry, type ZodMiniType } from 'zod/mini';

config(en());

export * from 'zod/mini';

/**
 * The classic API's `schema.describe(text)`: a copy of `schema` whose description (JSON Schema's
 * `description`) is `text`, the original left as it was. Not mini's `z.describe()` check, which would add a
 * (no-op) check to every described schema.
 */
export function described<T extends ZodMiniType>(schema: T, text: string): T {
  const copy = schema.clone();
  globalRegistry.add(copy, { description: text });
  return copy;
}

/**
 * `build()` on the first call, the same value on every later one: a schema built on first use instead of at
 * module load, where constructing it would be Lambda init time for every handler that imports the module,
 * used or not (issue 20 item 7). Write the call `/* @__PURE__ *\/ z.onFirstUse(() => …)` where a handler may
 * import the module without using the schema: esbuild honours a function's own side-effect-free mark only
 * in its file, a call's mark everywhere, and with it drops a schema no code of the bundle reads.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
