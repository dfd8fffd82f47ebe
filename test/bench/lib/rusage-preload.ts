/**
 * Preloaded (`node --import`) into every measured child: at exit it writes the process's own resource
 * usage to the file named by BENCH_RUSAGE_FILE, so the parent reads the child's peak RSS and CPU time
 * without relying on /usr/bin/time being installed. The variable is removed so grandchildren do not
 * overwrite the file. It also sums the garbage collector's pauses.
 */
import { writeFileSync } from 'node:fs';
import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';

const target = process.env.BENCH_RUSAGE_FILE;
if (target) {
  delete process.env.BENCH_RUSAGE_FILE;
  // Time spent in garbage collection pauses (main thread), from V8's gc performance entries.
  let gcMs = 0;
  let gcCount = 0;
  const add = (entries: PerformanceEntry[]) => {
    for (const e of entries) {
      gcMs += e.duration;
      gcCount += 1;
    }
  };
  const observer = new PerformanceObserver((list) => add(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  // gc entries arrive on a later turn of the event loop: give them one before the process ends.
  process.once('beforeExit', () => {
    setTimeout(() => {}, 20);
  });
  process.on('exit', () => {
    add(observer.takeRecords());
    const u = process.resourceUsage();
    writeFileSync(
      target,
      JSON.stringify({
        maxRssKb: u.maxRSS,
        userMs: u.userCPUTime / 1000,
        systemMs: u.systemCPUTime / 1000,
        uptimeMs: performance.now(),
        gcMs,
        gcCount,
      }),
    );
  });
}
