/**
 * The HTTP response headers of the public site, as data: the CDK CloudFront response-headers policy
 * and the local static server (`site/serve.ts`) both read these, so production and tests send the
 * same policy. Scripts and styles are only external same-origin files (no 'unsafe-inline'): the
 * site build emits no inline script or style, and Chart.js styles its canvas through the CSSOM,
 * which CSP does not restrict.
 */

export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

export const CONTENT_SECURITY_POLICY: string = Object.entries(CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join('; ');

/** Structured form, shaped for CloudFront's `securityHeadersBehavior` + `customHeadersBehavior`. */
export const SECURITY_POLICY = {
  contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  strictTransportSecurity: { maxAgeSeconds: 63_072_000, includeSubdomains: true, preload: true },
  contentTypeOptions: 'nosniff',
  frameOptions: 'DENY',
  referrerPolicy: 'strict-origin-when-cross-origin',
  customHeaders: {
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
  },
} as const;

/** Open CORS for the public JSON data and the feed (read-only GETs). */
export const DATA_CORS = {
  pathPatterns: ['/data/*', '/rss.xml'],
  allowOrigins: ['*'],
  allowMethods: ['GET', 'HEAD', 'OPTIONS'],
  allowHeaders: ['*'],
  maxAgeSeconds: 86_400,
} as const;

/** Headers sent with every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': SECURITY_POLICY.contentSecurityPolicy,
  'Strict-Transport-Security': `max-age=${SECURITY_POLICY.strictTransportSecurity.maxAgeSeconds}; includeSubDomains; preload`,
  'X-Content-Type-Options': SECURITY_POLICY.contentTypeOptions,
  'X-Frame-Options': SECURITY_POLICY.frameOptions,
  'Referrer-Policy': SECURITY_POLICY.referrerPolicy,
  ...SECURITY_POLICY.customHeaders,
};

/** Headers added on `DATA_CORS.pathPatterns`. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': DATA_CORS.allowOrigins.join(', '),
  'Access-Control-Allow-Methods': DATA_CORS.allowMethods.join(', '),
  'Access-Control-Allow-Headers': DATA_CORS.allowHeaders.join(', '),
  'Access-Control-Max-Age': String(DATA_CORS.maxAgeSeconds),
  // Other sites may embed or fetch the data; everything else stays same-origin.
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
};

export const RSS_CONTENT_TYPE = 'application/rss+xml; charset=utf-8';

/** Content type by path; `/rss.xml` is served as RSS. Unknown extensions: octet-stream. */
export function contentTypeFor(pathname: string): string {
  if (pathname === '/rss.xml' || pathname.endsWith('/rss.xml')) return RSS_CONTENT_TYPE;
  const dot = pathname.lastIndexOf('.');
  const slash = pathname.lastIndexOf('/');
  const ext = dot > slash ? pathname.slice(dot).toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

export const CACHE_CONTROL = {
  /** Fingerprinted build assets never change. */
  immutable: 'public, max-age=31536000, immutable',
  /** Pages, feed and data change once a day (and on restatements). */
  short: 'public, max-age=300, must-revalidate',
} as const;

export function isCorsPath(pathname: string): boolean {
  return DATA_CORS.pathPatterns.some((p) => (p.endsWith('/*') ? pathname.startsWith(p.slice(0, -1)) : pathname === p));
}

/** Every header the site sends for a path (security + CORS where open + cache policy). */
export function headersForPath(pathname: string): Record<string, string> {
  return {
    ...SECURITY_HEADERS,
    ...(isCorsPath(pathname) ? CORS_HEADERS : { 'Cross-Origin-Resource-Policy': 'same-origin' }),
    'Cache-Control': pathname.startsWith('/_astro/') ? CACHE_CONTROL.immutable : CACHE_CONTROL.short,
  };
}
