import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeText, FormatError } from '../../shared/formats/index.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(repoRoot, 'test/fixtures/formats');

/** Raw bytes of a fixture, e.g. `short-volume/CNMSshvol20240610.txt`. */
export function fixtureBytes(name: string): Uint8Array {
  return readFileSync(path.join(fixtures, name));
}

/** A fixture decoded exactly as the pipeline decodes a received file, with its bare file name. */
export function fixtureText(name: string): { text: string; file: string } {
  const file = path.basename(name);
  return { text: decodeText(fixtureBytes(name), file), file };
}

/** The FormatError `fn` throws (a refused file), failing the test when it throws nothing or something else. */
export function refusal(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected a FormatError');
}
