/**
 * The HTTP policy of the public site, as data: security headers, CORS, content types and caching. The
 * CDK CloudFront distribution (response-headers and cache policies), the site build's upload, the
 * publish step (the Cache-Control of every object it writes) and the local static server
 * (`site/serve.ts`) all read it here, so production, the pipeline and the tests send one policy.
 * Scripts and styles are only external same-origin files (no 'unsafe-inline'): the site build emits
 * no inline script or style, and Chart.js styles its canvas through the CSSOM, which CSP does not restrict.
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
  // The header's stock search is a plain GET form to /stocks/ (issue 19): it must work without JavaScript.
  'form-action': ["'self'"],
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
  '.csv': 'text/csv; charset=utf-8',
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

/**
 * How long anything that is not a fingerprinted asset may be cached, by browsers and by CloudFront: one
 * minute, for pages, `data/*` (latest, history, dated snapshots, schemas) and the feed alike. Why a
 * minute, not five: what changes changes together — a publish rewrites latest.json, history.json, the
 * feed and every restated day's snapshot (an ordinary day restates up to 10 earlier days), the site build
 * follows — and a wrong figure withdrawn by hand (a restored previous version, a re-run publish) must stop
 * being served within a minute, not five; one lifetime also means a reader never combines a page with
 * data of another age for longer than that. The cost is nil at this size: at most one revalidation per
 * object and edge location a minute, far inside CloudFront's free 10M requests. `must-revalidate`: an
 * expired copy is never served stale.
 */
export const SHORT_MAX_AGE_SECONDS = 60;
/** Fingerprinted build assets (`/_astro/*`) never change under their name. */
export const IMMUTABLE_MAX_AGE_SECONDS = 31_536_000;

export const CACHE_CONTROL = {
  immutable: `public, max-age=${IMMUTABLE_MAX_AGE_SECONDS}, immutable`,
  short: `public, max-age=${SHORT_MAX_AGE_SECONDS}, must-revalidate`,
} as const;

/** Fingerprinted assets, the only paths cached for a year. */
export const IMMUTABLE_PATH_PREFIX = '/_astro/';

/** The Cache-Control of a site path (`/data/latest.json`) or of the bucket key that serves it (`data/latest.json`). */
export function cacheControlFor(path: string): string {
  const pathname = path.startsWith('/') ? path : `/${path}`;
  return pathname.startsWith(IMMUTABLE_PATH_PREFIX) ? CACHE_CONTROL.immutable : CACHE_CONTROL.short;
}

export function isCorsPath(pathname: string): boolean {
  return DATA_CORS.pathPatterns.some((p) => (p.endsWith('/*') ? pathname.startsWith(p.slice(0, -1)) : pathname === p));
}

/** Every header the site sends for a path (security + CORS where open + cache policy). */
export function headersForPath(pathname: string): Record<string, string> {
  return {
    ...SECURITY_HEADERS,
    ...(isCorsPath(pathname) ? CORS_HEADERS : { 'Cross-Origin-Resource-Policy': 'same-origin' }),
    'Cache-Control': cacheControlFor(pathname),
  };
}

/**
 * The answer to a missing `/data/…` file (issue 20 item 6): JSON, as an API client expects, never the site's HTML
 * 404 page. The local server sends it (site/serve.ts), and so does the site's `DataNotFound` function in AWS
 * (DATA_NOT_FOUND_HANDLER), CloudFront's fallback origin for `/data/*` when S3 has no such key.
 */
export function dataNotFoundBody(pathname: string): string {
  return `${JSON.stringify({ error: 'not found', path: pathname, see: '/api/' })}\n`;
}

/**
 * The `DataNotFound` Lambda's whole code (inline, CommonJS: no bundling), answering every request it gets with
 * `dataNotFoundBody` of the request's path, status 404; test/infra/storage-and-site.test.ts runs it.
 */
export const DATA_NOT_FOUND_HANDLER = [
  `const dataNotFoundBody = ${dataNotFoundBody.toString()};`,
  'exports.handler = async (event) => ({',
  '  statusCode: 404,',
  `  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': ${JSON.stringify(CACHE_CONTROL.short)} },`,
  "  body: event.requestContext?.http?.method === 'HEAD' ? '' : dataNotFoundBody(event.rawPath || '/'),",
  '});',
  '',
].join('\n');
