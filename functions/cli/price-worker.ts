/** Worker thread of price-pool.ts: reads and parses the price files it is sent, one message each, in order. */
import { parentPort } from 'node:worker_threads';
import { type PriceFileRead, readPriceFile } from './price-file.ts';
import { DayPacker, type PackedRead } from './price-pool.ts';

const port = parentPort;
if (!port) throw new Error('price-worker.ts runs as a worker thread (functions/cli/price-pool.ts)');
const packer = new DayPacker();
port.on('message', ({ id, dir, file }: { id: number; dir: string; file: string }) => {
  let read: PriceFileRead;
  try {
    read = readPriceFile(dir, file);
  } catch (error) {
    // Only reading the file can throw (a parse failure is a refusal in `read`): the main thread rethrows it.
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
  if (!read.day) {
    port.postMessage({ id, read: { ...read, day: null } } satisfies PackedRead);
    return;
  }
  const { packed, transfer } = packer.pack(read.day);
  port.postMessage({ id, read: { ...read, day: packed } } satisfies PackedRead, transfer);
});
