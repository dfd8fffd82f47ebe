/**
 * A row schema built on first parse, not at module load: constructing and compiling a schema is
 * Lambda init time, and handlers that import a format module without parsing a file (compute, for
 * `mergeShortInterestRevisions`) should not pay it; with no top-level calls left, esbuild drops the
 * parser (and the zod it needs) from bundles that never parse.
 */
import * as z from 'zod';

export interface LazyRowSchema<S extends z.ZodType> {
  /** The row contract (one instance per process, built on first use). */
  schema(): S;
  /**
   * What the parser runs: zod's ahead-of-time compiled clone (same results and issues; a row it
   * refuses is re-run through `schema()` for the message). About 3× faster per row than the
   * interpreted schema on the real Reg SHO file (9,714 rows: 48 → 14 ms CPU).
   */
  compiled(): S;
}

export function lazyRowSchema<S extends z.ZodType>(build: () => S): LazyRowSchema<S> {
  let schema: S | undefined;
  let compiled: S | undefined;
  const lazy: LazyRowSchema<S> = {
    schema: () => {
      schema ??= build();
      return schema;
    },
    compiled: () => {
      compiled ??= z.compile(lazy.schema()) as S;
      return compiled;
    },
  };
  return lazy;
}
