/**
 * A row schema built on first use, not at module load: constructing a schema is Lambda init time, and
 * handlers that import a format module without parsing a file (compute, for `mergeShortInterestRevisions`)
 * should not pay it; with no top-level calls left, esbuild drops the parser (and the zod it needs) from
 * bundles that never parse. The FINRA parsers check a good row by hand (exactly the schema, tested row for
 * row against it) and run the schema only on a row that check refuses, for the reason: zod's ahead-of-time
 * compiler (29.6 kB of a bundle) would speed up only those rows, so it is not used.
 */
import type * as z from '../zod.ts';

export interface LazyRowSchema<S extends z.ZodMiniType> {
  /** The row contract (one instance per process, built on first use). */
  schema(): S;
}

/* @__NO_SIDE_EFFECTS__ */
export function lazyRowSchema<S extends z.ZodMiniType>(build: () => S): LazyRowSchema<S> {
  let schema: S | undefined;
  return {
    schema: () => {
      schema ??= build();
      return schema;
    },
  };
}
