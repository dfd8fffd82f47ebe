/**
 * dynalite and s3rver in their own process, so their request handling does not share the event loop
 * (or the CPU profile) of the pipeline being measured. Prints `BENCH {env}` once listening and stops
 * when its stdin closes (the parent ends or calls stop).
 * Usage: node emulators.ts DIR
 */
import { startEmulators } from '../../../functions/local/emulators.ts';
import { reportToParent } from '../lib/child.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: emulators.ts DIR');
const emulators = await startEmulators({ dir });
reportToParent({ env: emulators.env });
process.stdin.resume();
process.stdin.on('end', () => {
  void emulators.stop().then(() => process.exit(0));
});
