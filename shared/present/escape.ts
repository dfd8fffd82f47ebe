/**
 * Escaping for text that came from data (issuer names, symbols, sectors, file names): untrusted.
 * The page relies on Astro's `{}` escaping; these are for strings built outside Astro (RSS, tests).
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape for HTML text and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

// XML 1.0 forbids these control characters even as character references; drop them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the forbidden control characters is the point
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escape for XML text and attribute values (RSS). */
export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN, '').replace(/[&<>"']/g, (c) => (c === "'" ? '&apos;' : HTML_ESCAPES[c]!));
}

export class UnsafePathError extends Error {
  readonly field: string;
  readonly value: string;
  constructor(field: string, value: string, reason = 'not an ISO date') {
    super(`refusing to build a link from ${field} ${JSON.stringify(value)}: ${reason}`);
    this.name = 'UnsafePathError';
    this.field = field;
    this.value = value;
  }
}

/**
 * Links built from data: archive pages keyed by date (and stock pages, `stock-links.ts`). The date must be a strict
 * `YYYY-MM-DD`, so a `javascript:` string or a path can never become an href.
 */
export function archivePath(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UnsafePathError('date', date);
  return `/archive/${date}/`;
}

/** Path of a published snapshot file (same date rule as `archivePath`). */
export function snapshotDataPath(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UnsafePathError('date', date);
  return `/data/snapshots/${date}.json`;
}
