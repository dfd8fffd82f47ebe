/** Worker thread of price-pool.ts: reads and parses the price files it is sent, one message each, in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { type PriceFileScan, scanPriceFile } from './price-file.ts';
import { DayPacker, type PackedRead } from './price-pool.ts';

const port = parentPort;
if (!port) throw new Error('price-worker.ts runs as a worker thread (functions/cli/price-pool.ts)');
const packer = new DayPacker();
/** Set by the pool's close(): files still queued are skipped, and the stop message closes the port. */
const stop = (workerData as { stop: Int32Array }).stop;
type Job = { id: number; dir: string; file: string } | { stop: true };
port.on('message', (job: Job) => {
  if ('stop' in job) {
    port.close();
    return;
  }
  if (Atomics.load(stop, 0) === 1) return;
  const { id, dir, file } = job;
  let scan: PriceFileScan;
  packer.discard();
  try {
    // Rows go from the parser straight into the packer's arrays: no row object is built here.
    scan = scanPriceFile(dir, file, packer.sink);
  } catch (error) {
    // Only reading the file can throw (a parse failure is a refusal in `scan`): the main thread rethrows it.
    const e = error as NodeJS.ErrnoException;
    const none: PackedRead['read'] = {
      source: { file, sha256: '', rows: 0 },
      rejections: [],
      refusal: null,
      day: null,
    };
    port.postMessage({ id, read: none, error: { message: e.message, code: e.code } } satisfies PackedRead);
    return;
  }
  const { date, ...read } = scan;
  if (date === null) {
    port.postMessage({ id, read: { ...read, day: null } } satisfies PackedRead);
    return;
  }
  const { packed, transfer } = packer.finish(date, file);
  port.postMessage({ id, read: { ...read, day: packed } } satisfies PackedRead, transfer);
});
