/**
 * Cold init of a Lambda bundle: the time `await import(bundle)` takes in a fresh process (module
 * evaluation, including everything the handler builds at init), as wall time and as this process's
 * CPU time (steadier than wall time on a shared machine). The monotonic start and end (µs, the clock
 * V8's CPU profiles use) let a profile of this process be cut to the import alone.
 * Usage: node import-bundle.ts FILE_URL
 */
import { reportToParent } from '../lib/child.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: import-bundle.ts FILE_URL');
const cpuBefore = process.cpuUsage();
const importStartUs = Number(process.hrtime.bigint() / 1000n);
const started = performance.now();
const mod = (await import(url)) as Record<string, unknown>;
const importMs = performance.now() - started;
const importEndUs = Number(process.hrtime.bigint() / 1000n);
const cpu = process.cpuUsage(cpuBefore);
reportToParent({
  importMs,
  importCpuMs: (cpu.user + cpu.system) / 1000,
  importStartUs,
  importEndUs,
  exports: Object.keys(mod).length,
  sinceProcessStartMs: performance.now(),
});
