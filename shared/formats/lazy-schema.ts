/**
 * Row schemas built on first use, not at module load: constructing a schema is Lambda init time, and a
 * handler that imports a format module without parsing a file (compute, for `mergeShortInterestRevisions` or
 * `mergeSplitOverrides`) should neither pay it nor carry it. Write the call `/* @__PURE__ *\/ lazy(() => …)`:
 * esbuild honours a function's own side-effect-free mark only in its file, the call's mark everywhere, and
 * with it drops a schema no code of the bundle reads, with the zod it needs. The FINRA parsers check a good
 * row by hand (exactly the schema, tested row for row against it) and run the schema only on a row that
 * check refuses, for the reason: zod's ahead-of-time compiler (29.6 kB of a bundle) would speed up only
 * those rows, so it is not used.
 */

/** `build()` on the first call, the same value on every later one. */
export function lazy<T>(build: () => T): () => T {
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
