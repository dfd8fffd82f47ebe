/**
 * Raw bytes of an input file → text. Every format goes through here, so the size limit and the
 * gzip handling are the same for all of them (docs/data-formats.md, "Size limit").
 */
import { gunzipSync } from 'node:zlib';
import { FormatError } from './errors.ts';

/**
 * Largest body accepted, compressed or decoded: 64 MiB. The biggest real input (a screener
 * snapshot, ~1.9 MB; a full FINRA short interest file, ~3 MB) is more than 20× below it, and a
 * Lambda can hold a few such strings without risk.
 */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;

export interface DecodeOptions {
  /** Override the limit (tests use a small one). */
  maxBytes?: number;
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: false });

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${bytes} bytes`;
}

/**
 * Gunzips when the body starts with the gzip magic bytes (whatever the file name says), strips a
 * UTF-8 BOM and refuses an empty body or one above `maxBytes`. Decompression stops as soon as the
 * output would pass the limit, so a gzip bomb costs at most `maxBytes` of memory.
 * Invalid UTF-8 sequences become U+FFFD rather than a refusal: FINRA issue names are not always
 * clean UTF-8, and a structural problem is caught by the format parser anyway.
 */
export function decodeText(bytes: Uint8Array, file: string, opts: DecodeOptions = {}): string {
  const maxBytes = opts.maxBytes ?? MAX_DECODED_BYTES;
  if (bytes.length === 0) throw new FormatError(file, 0, '*', 'the body is empty (0 bytes)');
  if (bytes.length > maxBytes) {
    throw new FormatError(file, 0, '*', `the body is ${mib(bytes.length)}, above the ${mib(maxBytes)} limit`);
  }
  let body = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      // One output chunk for a typical body (JSON gzips about 7:1) rather than zlib's 16 kB ones, which
      // are then concatenated: ~20% less CPU for the real year's snapshots (issue 16). Same bytes out. At most
      // a quarter of the limit: a gzip bomb must not cost a whole limit-sized chunk more than the limit itself
      // (zlib allocates the next chunk before it finds the output too large; test/reliability/oversized.test.ts).
      const chunkSize = Math.max(16 * 1024, Math.min(Math.floor(maxBytes / 4), 16 * bytes.length));
      body = gunzipSync(bytes, { maxOutputLength: maxBytes, chunkSize });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') {
        throw new FormatError(file, 0, '*', `the gzip body decompresses to more than the ${mib(maxBytes)} limit`, {
          cause: error,
        });
      }
      throw new FormatError(
        file,
        0,
        '*',
        `the body starts like gzip but does not decompress (${(error as Error).message})`,
        { cause: error },
      );
    }
  }
  const text = decoder.decode(body);
  if (!/\S/.test(text)) throw new FormatError(file, 0, '*', 'the body is empty (only whitespace)');
  return text;
}
