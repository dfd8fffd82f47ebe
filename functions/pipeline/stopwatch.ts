/**
 * Milliseconds spent per phase of a step, measured with `performance.now` (a duration, not the injected
 * clock that dates the data). Compute and publish log them with their result, so CloudWatch and the
 * daily benchmark show where a run's time goes.
 */
export interface Stopwatch {
  /** Adds the time since the previous lap (or the start) to `phase`. */
  lap(phase: string): void;
  /** Time per phase, in the order phases were first seen, rounded to the millisecond. */
  ms(): Record<string, number>;
}

export function stopwatch(): Stopwatch {
  const spent = new Map<string, number>();
  let last = performance.now();
  return {
    lap(phase) {
      const now = performance.now();
      spent.set(phase, (spent.get(phase) ?? 0) + now - last);
      last = now;
    },
    ms: () => Object.fromEntries([...spent].map(([phase, ms]) => [phase, Math.round(ms)])),
  };
}
