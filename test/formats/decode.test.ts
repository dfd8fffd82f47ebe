import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeText, FormatError, formatRejection, MAX_DECODED_BYTES } from '../../shared/formats/index.ts';
import { fixtureBytes, refusal } from './fixtures.ts';

describe('FormatError', () => {
  it('names file, line and field in the message', () => {
    const e = new FormatError('shrt20240131.csv', 12, 'currentShortPositionQuantity', '"-5" is negative');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('FormatError');
    expect(e.message).toBe('shrt20240131.csv line 12, field currentShortPositionQuantity: "-5" is negative');
    expect(e.toRejection()).toEqual({
      file: 'shrt20240131.csv',
      line: 12,
      field: 'currentShortPositionQuantity',
      reason: '"-5" is negative',
    });
  });

  it('words whole-file and whole-line refusals without a line 0 or a `*` field', () => {
    expect(formatRejection({ file: 'a.txt', line: 0, field: '*', reason: 'the body is empty' })).toBe(
      'a.txt: the body is empty',
    );
    expect(formatRejection({ file: 'a.txt', line: 7, field: '*', reason: 'has 4 fields' })).toBe(
      'a.txt line 7: has 4 fields',
    );
    expect(formatRejection({ file: 'a.txt', line: 0, field: 'volume', reason: 'missing' })).toBe(
      'a.txt, field volume: missing',
    );
  });
});

describe('decodeText', () => {
  it('documents a 64 MiB limit', () => {
    expect(MAX_DECODED_BYTES).toBe(67_108_864);
  });

  it('passes plain UTF-8 through, CRLF kept for the parsers to count lines', () => {
    const text = decodeText(fixtureBytes('short-volume/CNMSshvol20240610.txt'), 'CNMSshvol20240610.txt');
    expect(text.startsWith('Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market\r\n20240610|A|')).toBe(true);
  });

  it('strips a UTF-8 BOM', () => {
    const bytes = fixtureBytes('short-interest/shrt20240112.csv');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(decodeText(bytes, 'shrt20240112.csv').startsWith('accountingYearMonthNumber|')).toBe(true);
  });

  it('gunzips by magic bytes', () => {
    const bytes = fixtureBytes('screener/2024-06-11.json.gz');
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const text = decodeText(bytes, '2024-06-11.json.gz');
    expect(text.startsWith('{"data":{"rows":[{"symbol":"NVDA",')).toBe(true);
    // The magic decides, not the name: the same bytes under a .json name decode the same.
    expect(decodeText(bytes, '2024-06-11.json')).toBe(text);
  });

  it('refuses a corrupt gzip, naming the file', () => {
    const e = refusal(() => decodeText(fixtureBytes('screener/2024-06-12.json.gz'), '2024-06-12.json.gz'));
    expect(e.file).toBe('2024-06-12.json.gz');
    expect(e.line).toBe(0);
    expect(e.message).toBe(
      '2024-06-12.json.gz: the body starts like gzip but does not decompress (unexpected end of file)',
    );
  });

  it('refuses an empty body and a body that is only a BOM or whitespace', () => {
    expect(refusal(() => decodeText(fixtureBytes('screener/empty.json'), 'empty.json')).message).toBe(
      'empty.json: the body is empty (0 bytes)',
    );
    expect(refusal(() => decodeText(new Uint8Array([0xef, 0xbb, 0xbf]), 'bom.txt')).reason).toBe(
      'the body is empty (only whitespace)',
    );
    expect(refusal(() => decodeText(new TextEncoder().encode(' \r\n\r\n'), 'blank.txt')).reason).toBe(
      'the body is empty (only whitespace)',
    );
  });

  it('refuses a body above the limit before decoding it', () => {
    const bytes = fixtureBytes('screener/2024-06-10.json');
    expect(bytes.length).toBe(4782);
    expect(refusal(() => decodeText(bytes, '2024-06-10.json', { maxBytes: 1000 })).message).toBe(
      '2024-06-10.json: the body is 4782 bytes, above the 1000 bytes limit',
    );
    expect(decodeText(bytes, '2024-06-10.json', { maxBytes: 4782 })).toHaveLength(4782);
  });

  it('stops a gzip bomb at the limit', () => {
    const bomb = gzipSync(new Uint8Array(8 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const e = refusal(() => decodeText(bomb, 'bomb.json.gz', { maxBytes: 64 * 1024 }));
    expect(e.reason).toBe('the gzip body decompresses to more than the 65536 bytes limit');
    expect(decodeText(gzipSync(new Uint8Array(64 * 1024).fill(65)), 'a.gz', { maxBytes: 64 * 1024 })).toHaveLength(
      64 * 1024,
    );
  });
});
