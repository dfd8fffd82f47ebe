import { describe, expect, it } from 'vitest';
import {
  CACHE_CONTROL,
  CONTENT_SECURITY_POLICY,
  cacheControlFor,
  contentTypeFor,
  headersForPath,
  SECURITY_HEADERS,
} from '../../shared/present/security-headers.ts';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('security headers', () => {
  const csp = directives(CONTENT_SECURITY_POLICY);

  it('allows scripts and styles only from the site itself (no unsafe-inline, no eval)', () => {
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
  });

  it('forbids framing and sniffing, and forces HTTPS', () => {
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
    expect(SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
    expect(SECURITY_HEADERS['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains; preload');
    expect(SECURITY_HEADERS['Referrer-Policy']).toBe('strict-origin-when-cross-origin');
  });

  it('opens CORS on /data/* and the feed only', () => {
    expect(headersForPath('/data/latest.json')['Access-Control-Allow-Origin']).toBe('*');
    expect(headersForPath('/data/snapshots/2024-06-14.json')['Access-Control-Allow-Origin']).toBe('*');
    expect(headersForPath('/rss.xml')['Access-Control-Allow-Origin']).toBe('*');
    expect(headersForPath('/')['Access-Control-Allow-Origin']).toBeUndefined();
    expect(headersForPath('/database/')['Access-Control-Allow-Origin']).toBeUndefined();
    expect(headersForPath('/')['Cross-Origin-Resource-Policy']).toBe('same-origin');
  });

  it('caches fingerprinted assets for a year and everything else for a minute', () => {
    expect(headersForPath('/_astro/render-chart.abc.js')['Cache-Control']).toBe('public, max-age=31536000, immutable');
    for (const path of [
      '/',
      '/archive/2024-06-14/',
      '/data/latest.json',
      '/data/snapshots/2024-06-14.json',
      '/rss.xml',
    ]) {
      expect(headersForPath(path)['Cache-Control'], path).toBe('public, max-age=60, must-revalidate');
    }
  });

  it('gives a bucket key the Cache-Control of the path that serves it (what publish writes)', () => {
    expect(cacheControlFor('data/latest.json')).toBe(headersForPath('/data/latest.json')['Cache-Control']);
    expect(cacheControlFor('data/schema/snapshot.v1.json')).toBe(CACHE_CONTROL.short);
    expect(cacheControlFor('rss.xml')).toBe(CACHE_CONTROL.short);
    expect(cacheControlFor('_astro/main.abc.js')).toBe(CACHE_CONTROL.immutable);
  });

  it('maps content types', () => {
    expect(contentTypeFor('/rss.xml')).toBe('application/rss+xml; charset=utf-8');
    expect(contentTypeFor('/data/latest.json')).toBe('application/json; charset=utf-8');
    expect(contentTypeFor('/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/_astro/x.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/archive.d/noext')).toBe('application/octet-stream');
  });
});
