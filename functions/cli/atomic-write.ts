/**
 * Every file the CLI publishes is written to a temporary name beside it, flushed, then renamed over the
 * target (issue 17): a full disk or a kill mid-write leaves the previous good file, never a truncated one.
 * A rename within one folder is atomic on POSIX file systems.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export class AtomicWriteError extends Error {
  readonly file: string;
  constructor(file: string, cause: unknown) {
    super(
      `${file}: could not be written (${(cause as Error)?.message ?? String(cause)}); the previous file, if any, is unchanged`,
    );
    this.name = 'AtomicWriteError';
    this.file = file;
  }
}

/** How the bytes reach the descriptor; tests inject a failing one (a full disk) to see the target kept. */
export type WriteChunk = (fd: number, data: Uint8Array) => void;

const writeAll: WriteChunk = (fd, data) => {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
};

export function writeFileAtomic(target: string, content: string | Uint8Array, write: WriteChunk = writeAll): void {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'w');
    write(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, target);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(temp, { force: true });
    throw new AtomicWriteError(target, error);
  }
}
