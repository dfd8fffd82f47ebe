/**
 * The America/New_York calendar date of an instant, for the pipeline's "which trading day is it"
 * questions. The formatter is built on first use, not at module load: the first time-zone formatter
 * loads ICU's zone data (~20 ms of Lambda init, docs/benchmarks.md §4), and most invocations never ask.
 */
let format: Intl.DateTimeFormat | undefined;

/** `YYYY-MM-DD` in New York (en-CA formats dates that way). */
export function newYorkDate(instant: Date): string {
  format ??= new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/New_York',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return format.format(instant);
}
