/**
 * Cheap security properties of what the pipeline publishes (issue 6, "Security"): whatever text the
 * data carries — issuer names, symbols, sectors, file names, rejection reasons, including
 * `javascript:` URLs and markup — the RSS feed links only to the site itself and carries no live
 * markup; a date that is not a date never becomes a link (publish refuses the snapshot first). The
 * local site server (site/serve.ts, `npm start`) redirects only to its own paths and serves nothing
 * outside its root, whatever the request path (issue 10, "hostile data").
 * The built pages are checked the same way in test/site/site.test.ts and the CSP in
 * test/present/security-headers.test.ts and test/infra/storage-and-site.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSanity } from '../../shared/gates/index.ts';
import { archivePath } from '../../shared/present/escape.ts';
import { buildRss } from '../../shared/present/rss.ts';
import { CSP_DIRECTIVES } from '../../shared/present/security-headers.ts';
import { type Snapshot, SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { type StaticServer, startStaticServer } from '../../site/serve.ts';

const SITE = 'https://pulse.example';
const base = SnapshotSchema.parse(
  JSON.parse(
    readFileSync(path.resolve(import.meta.dirname, '../fixtures/site/data/snapshots/2024-06-14.json'), 'utf8'),
  ),
);

const HOSTILE = [
  'javascript:alert(document.domain)',
  ' JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '//evil.example/x',
  '"><img src=x onerror=alert(1)>',
  "'><a href='javascript:alert(1)'>x</a>",
  ']]><script>alert(1)</script>',
  '&lt;script&gt;',
];

/** Every string a reader could see in the feed, replaced by `text` (structure and numbers kept). */
function withText(s: Snapshot, text: (i: number) => string): Snapshot {
  let i = 0;
  const next = () => text(i++);
  const entry = <T extends { symbol: string; name: string; sector: string }>(e: T): T => ({
    ...e,
    symbol: next(),
    name: next(),
    sector: next(),
  });
  const windows = Object.fromEntries(
    Object.entries(s.windows).map(([k, w]) => [
      k,
      {
        ...w,
        sectors: Object.fromEntries(Object.entries(w.sectors).map(([, v]) => [next(), v])),
        topWinners: w.topWinners.map(entry),
        topLosers: w.topLosers.map(entry),
      },
    ]),
  ) as Snapshot['windows'];
  return {
    ...s,
    windows,
    crowded: s.crowded.map(entry),
    sources: s.sources.map((src) => ({ ...src, file: next() })),
    dataQuality: {
      ...s.dataQuality,
      rejections: s.dataQuality.rejections.map((r) => ({ ...r, file: next(), field: next(), reason: next() })),
      rejectedDays: s.dataQuality.rejectedDays.map((r) => ({ ...r, file: next(), reason: next() })),
    },
  };
}

/** One level of XML/HTML entity decoding (`&amp;lt;` → `&lt;`). */
const decodeEntities = (x: string) =>
  x
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Every URL the feed carries: channel/item links, GUIDs, atom:link and hrefs inside the item HTML. */
function urlsOf(xml: string): string[] {
  const urls = [
    ...[...xml.matchAll(/<link>([^<]*)<\/link>/g)].map((m) => decodeEntities(m[1] as string)),
    ...[...xml.matchAll(/<guid[^>]*>([^<]*)<\/guid>/g)].map((m) => decodeEntities(m[1] as string)),
    ...[...xml.matchAll(/<atom:link href="([^"]*)"/g)].map((m) => decodeEntities(m[1] as string)),
  ];
  for (const m of xml.matchAll(/<description>([^<]*)<\/description>/g)) {
    // Attributes of the item HTML's real tags (escaped data holds no `<`, so it cannot open one).
    for (const tag of decodeEntities(m[1] as string).match(/<[a-zA-Z][^>]*>/g) ?? []) {
      for (const h of tag.matchAll(/\s(?:href|src)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
        urls.push(decodeEntities(h[2] ?? h[3] ?? h[4] ?? ''));
      }
    }
  }
  return urls;
}

describe('RSS built from hostile data', () => {
  it('links only to the site and carries no element from the data, for known attack strings', () => {
    for (const attack of HOSTILE) {
      const xml = buildRss([withText(base, () => attack)], { siteUrl: SITE });
      const urls = urlsOf(xml);
      expect(urls.length).toBeGreaterThanOrEqual(5);
      for (const url of urls) expect(url.startsWith(`${SITE}/`), `${attack} → ${url}`).toBe(true);
      // Inside the item HTML every tag is the feed's own (table, p, a …), never one from the data.
      const items = [...xml.matchAll(/<item>[\s\S]*?<description>([^<]*)<\/description>/g)];
      expect(items).toHaveLength(1);
      for (const m of items) {
        const html = decodeEntities(m[1] as string);
        const tags = [...html.matchAll(/<\/?([a-zA-Z][\w:-]*)/g)].map((t) => (t[1] as string).toLowerCase());
        expect(new Set(tags)).toEqual(
          new Set([
            'p',
            'table',
            'thead',
            'tr',
            'th',
            'tbody',
            'td',
            'a',
            ...(html.includes('<strong>') ? ['strong'] : []),
          ]),
        );
      }
    }
  });

  it('links only to the site for arbitrary text in every field (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 20 }), (texts) => {
        const xml = buildRss([withText(base, (i) => texts[i % texts.length] as string)], { siteUrl: SITE });
        return urlsOf(xml).every((u) => u.startsWith(`${SITE}/`));
      }),
      { numRuns: 200 },
    );
  });

  it('a date field is never turned into a link: the link builder refuses it and the gates refuse the snapshot', () => {
    expect(() => archivePath('javascript:alert(1)')).toThrow(
      'refusing to build a link from date "javascript:alert(1)": not an ISO date',
    );
    const result = checkSanity(null, { ...base, asOf: 'javascript:alert(1)' });
    expect(result.violations.map((v) => [v.gate, v.field])).toEqual([['json-schema', '/asOf']]);
  });
});

describe('Content-Security-Policy', () => {
  it('runs no inline or evaluated script and loads scripts from the site only', () => {
    expect(CSP_DIRECTIVES['script-src']).toEqual(["'self'"]);
    for (const [name, values] of Object.entries(CSP_DIRECTIVES)) {
      for (const v of values) expect(v, name).not.toMatch(/unsafe-inline|unsafe-eval|^\*$|^https?:$|^http:/);
    }
  });
});

describe('the local site server on hostile request paths', () => {
  const SECRET = 'secret: outside the site root';
  let dir: string;
  let server: StaticServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pulse-serve-'));
    const root = path.join(dir, 'site');
    // Folders named like the hosts of the attacks: the redirect to a folder is where an open redirect was.
    for (const folder of ['data', 'example.com', 'https:']) mkdirSync(path.join(root, folder), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<p>home</p>');
    writeFileSync(path.join(root, '404.html'), '<p>not found</p>');
    writeFileSync(path.join(root, 'data', 'index.html'), '<p>data</p>');
    writeFileSync(path.join(root, 'data', 'latest.json'), '{}');
    writeFileSync(path.join(root, 'example.com', 'index.html'), '<p>a folder named example.com</p>');
    writeFileSync(path.join(dir, 'secret.txt'), SECRET);
    mkdirSync(path.join(dir, 'etc'));
    writeFileSync(path.join(dir, 'etc', 'passwd'), SECRET);
    server = await startStaticServer({ root, port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One GET with the path sent exactly as written (fetch would normalise it). */
  const get = (rawPath: string) =>
    new Promise<{ status: number; location: string | undefined; body: string }>((ok, fail) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: rawPath, method: 'GET' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          ok({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      req.on('error', fail);
      req.end();
    });

  // [request path, status, Location (null = none)]
  const CASES: [string, number, string | null][] = [
    ['/%2Fexample.com%2F..%2Fdata', 301, '/data/'],
    ['/%2F%2Fexample.com', 301, '/example.com/'],
    ['/%2Fexample.com', 301, '/example.com/'],
    ['//example.com', 301, '/example.com/'],
    ['//example.com/', 200, null],
    ['/\\example.com', 301, '/example.com/'],
    ['/%5Cexample.com', 404, null],
    ['/%5C%5Cexample.com%5C..%5Cdata', 404, null],
    ['/https:%2F%2Fexample.com', 404, null],
    ['/https:', 301, '/https%3A/'],
    ['/..%2f..%2fetc/passwd', 404, null],
    ['/..%2fsecret.txt', 404, null],
    ['/data%2F..%2F..%2Fsecret.txt', 404, null],
    ['/%2e%2e/%2e%2e/secret.txt', 404, null],
    ['/data/..%5C..%5Csecret.txt', 404, null],
    ['/data', 301, '/data/'],
    ['/data/latest.json', 200, null],
  ];

  it.each(CASES)('GET %s → %i, Location %s', async (rawPath, status, location) => {
    const res = await get(rawPath);
    expect(res.status).toBe(status);
    expect(res.location ?? null).toBe(location);
    expect(res.body).not.toContain(SECRET);
  });

  it('every Location is a path of this server: never `//`, `/\\` or a scheme, and resolves to the same origin', async () => {
    const origin = new URL(server.url).origin;
    const redirects = (await Promise.all(CASES.map(([p]) => get(p)))).flatMap((r) => r.location ?? []);
    expect(redirects.length).toBeGreaterThanOrEqual(7);
    for (const location of redirects) {
      expect(location).toMatch(/^\/(?![/\\])/);
      expect(new URL(location, `${origin}/some/page`).origin).toBe(origin);
    }
  });
});
