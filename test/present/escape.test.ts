import { describe, expect, it } from 'vitest';
import { archivePath, escapeHtml, escapeXml, snapshotDataPath, UnsafePathError } from '../../shared/present/escape.ts';

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeHtml('plain AT&T')).toBe('plain AT&amp;T');
  });

  it('escapes an already escaped string again (no double-decoding shortcuts)', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('escapeXml', () => {
  it('escapes markup and quotes, and drops characters XML 1.0 forbids', () => {
    expect(escapeXml(`O"Brien & 'Sons' <Holdings>`)).toBe('O&quot;Brien &amp; &apos;Sons&apos; &lt;Holdings&gt;');
    expect(escapeXml('a\u0000b\u0008c\td\ne')).toBe('abc\td\ne');
  });
});

describe('links built from data', () => {
  it('accepts only strict ISO dates', () => {
    expect(archivePath('2024-06-14')).toBe('/archive/2024-06-14/');
    expect(snapshotDataPath('2024-06-14')).toBe('/data/snapshots/2024-06-14.json');
  });

  it.each(['javascript:alert(1)', '2024-06-14/../../admin', '//evil.example/2024-06-14', '2024-6-14', ''])(
    'refuses %j',
    (value) => {
      expect(() => archivePath(value)).toThrow(UnsafePathError);
      expect(() => snapshotDataPath(value)).toThrow(UnsafePathError);
    },
  );

  it('names the field and value in the error', () => {
    try {
      archivePath('javascript:alert(1)');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnsafePathError);
      expect((error as UnsafePathError).field).toBe('date');
      expect((error as UnsafePathError).message).toContain('"javascript:alert(1)"');
    }
  });
});
