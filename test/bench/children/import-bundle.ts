/**
 * Cold init of a Lambda bundle: the time `await import(bundle)` takes in a fresh process (module
 * evaluation, including everything the handler builds at init). Usage: node import-bundle.ts FILE_URL
 */
import { reportToParent } from '../lib/child.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: import-bundle.ts FILE_URL');
const started = performance.now();
const mod = (await import(url)) as Record<string, unknown>;
const importMs = performance.now() - started;
reportToParent({ importMs, exports: Object.keys(mod).length, sinceProcessStartMs: performance.now() });
