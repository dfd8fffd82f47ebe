/** Issue 17: a full disk while `pulse build` writes leaves the previous good file, not a truncated one. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicWriteError, writeFileAtomic } from '../../functions/cli/atomic-write.ts';

describe('writeFileAtomic', () => {
  it('replaces the target whole', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    const target = path.join(dir, 'history.json');
    writeFileSync(target, '{"old":true}\n');
    writeFileAtomic(target, '{"new":true}\n');
    expect(readFileSync(target, 'utf8')).toBe('{"new":true}\n');
    expect(readdirSync(dir)).toEqual(['history.json']);
  });

  it('a write that fails half way (ENOSPC) keeps the previous file byte for byte and leaves no temporary file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    const target = path.join(dir, 'history.json');
    writeFileSync(target, '{"good":"previous history"}\n');
    const fullDisk = (fd: number, data: Uint8Array) => {
      writeSync(fd, data, 0, Math.floor(data.length / 2));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    let error: unknown;
    try {
      writeFileAtomic(target, `${'x'.repeat(10_000)}\n`, fullDisk);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AtomicWriteError);
    expect((error as Error).message).toBe(
      `${target}: could not be written (ENOSPC: no space left on device, write); the previous file, if any, is unchanged`,
    );
    expect(readFileSync(target, 'utf8')).toBe('{"good":"previous history"}\n');
    expect(readdirSync(dir)).toEqual(['history.json']);
  });
});
