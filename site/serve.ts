/**
 * A small static file server for the built site: sends the same security headers as production
 * (shared/present/security-headers.ts), open CORS on /data/* and the feed, gzip for text. Used by
 * the browser tests, `npm run screenshots`, and the local runner (`npm start`, port 4321).
 *
 * CLI: `npm exec -- node site/serve.ts [ROOT] [PORT]` (defaults: site/dist, 4321; or env PORT).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { contentTypeFor, dataNotFoundBody, headersForPath } from '../shared/present/security-headers.ts';

export type HeaderSource = Record<string, string> | ((pathname: string) => Record<string, string>);

export interface StaticServerOptions {
  /** Directory to serve (the Astro output). */
  root: string;
  /** 0 picks a free port. Default 4321. */
  port?: number;
  /** Default 127.0.0.1: never listen on other interfaces. */
  host?: string;
  /** Headers per path (default: the production set, `headersForPath`) or a fixed set. */
  headers?: HeaderSource;
}

export interface StaticServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const COMPRESSIBLE = /^(text\/|application\/(json|xml|rss\+xml|manifest\+json)|image\/svg\+xml)/;

interface CachedFile {
  mtimeMs: number;
  body: Buffer;
  gzip: Buffer | null;
  /** Strong validator of the file's bytes (issue 21 item 13), and its modification time for Last-Modified. */
  etag: string;
  lastModified: string;
}

/**
 * The file's strong ETag for the coding sent: a gzip'd body is other bytes, so it has its own (RFC 9110 §8.8.3:
 * a strong validator changes with the content coding).
 */
function etagFor(file: CachedFile, gzip: boolean): string {
  return gzip ? `${file.etag.slice(0, -1)}-gz"` : file.etag;
}

/**
 * True when the request's validators say the client's copy is current (RFC 9110 §13.1: If-None-Match first,
 * compared weakly, so either coding's tag matches the file).
 */
function notModified(req: IncomingMessage, file: CachedFile): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    const tags = new Set([file.etag, etagFor(file, true)]);
    return String(inm)
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''))
      .some((t) => t === '*' || tags.has(t));
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(String(ims));
  return Number.isFinite(since) && Math.floor(Date.parse(file.lastModified) / 1000) <= Math.floor(since / 1000);
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = path.resolve(options.root);
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory())
    throw new Error(`startStaticServer: root ${root} is not a directory (build the site first)`);
  const headerSource = options.headers ?? headersForPath;
  const headersFor = (p: string) => (typeof headerSource === 'function' ? headerSource(p) : headerSource);
  const cache = new Map<string, CachedFile>();

  async function load(file: string): Promise<CachedFile | undefined> {
    const s = await stat(file).catch(() => undefined);
    if (!s?.isFile()) return undefined;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === s.mtimeMs) return hit;
    const body = await readFile(file);
    const entry = {
      mtimeMs: s.mtimeMs,
      body,
      gzip: COMPRESSIBLE.test(contentTypeFor(file)) ? gzipSync(body) : null,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      lastModified: new Date(s.mtimeMs).toUTCString(),
    };
    cache.set(file, entry);
    return entry;
  }

  /** Maps a URL path to a file inside root, or undefined if it would escape root. */
  function resolve(pathname: string): string | undefined {
    const file = path.resolve(root, `.${pathname}`);
    return file === root || file.startsWith(root + path.sep) ? file : undefined;
  }

  /**
   * The canonical URL path of a folder inside root, with its trailing slash: built from the folder's
   * own name segments, each percent-encoded, so a redirect can only point to this server. The
   * request's text is never echoed: `/%2Fevil.example%2F..%2Fdata` decodes to `//evil.example/../data`,
   * which a browser would read as another host (an open redirect); here it becomes `/data/`.
   */
  function folderUrl(dir: string): string {
    const segments = path
      .relative(root, dir)
      .split(path.sep)
      .filter((s) => s !== '');
    return `/${segments.map((s) => `${encodeURIComponent(s)}/`).join('')}`;
  }

  async function send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    pathname: string,
    file: CachedFile,
    type: string,
  ): Promise<void> {
    const gzip = file.gzip !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const validators = { ETag: etagFor(file, gzip), 'Last-Modified': file.lastModified };
    if (status === 200 && notModified(req, file)) {
      res.writeHead(304, { ...headersFor(pathname), ...validators, ...(file.gzip ? { Vary: 'Accept-Encoding' } : {}) });
      res.end();
      return;
    }
    const body = gzip ? file.gzip! : file.body;
    res.writeHead(status, {
      ...(status === 200 ? validators : {}),
      ...headersFor(pathname),
      'Content-Type': type,
      'Content-Length': String(body.length),
      ...(file.gzip ? { Vary: 'Accept-Encoding' } : {}),
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let pathname: string;
    try {
      // A path is read as a path: resolved against a base, `//host/…` would become another authority.
      const url = req.url ?? '/';
      const parsed = url.startsWith('/') ? new URL(`http://localhost${url}`) : new URL(url, 'http://localhost');
      pathname = decodeURIComponent(parsed.pathname);
    } catch {
      res.writeHead(400, { ...headersFor('/'), 'Content-Type': 'text/plain; charset=utf-8' }).end('Bad request\n');
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, headersFor(pathname)).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headersFor(pathname), Allow: 'GET, HEAD, OPTIONS' }).end();
      return;
    }
    const target = pathname.includes('\0') ? undefined : resolve(pathname);
    if (target) {
      const s = await stat(target).catch(() => undefined);
      if (s?.isDirectory()) {
        if (!pathname.endsWith('/')) {
          res.writeHead(301, { ...headersFor(pathname), Location: folderUrl(target) }).end();
          return;
        }
        const index = await load(path.join(target, 'index.html'));
        if (index) return send(req, res, 200, pathname, index, contentTypeFor('index.html'));
      } else {
        const file = await load(target);
        if (file) return send(req, res, 200, pathname, file, contentTypeFor(pathname));
      }
    }
    if (pathname.startsWith('/data/')) {
      const body = dataNotFoundBody(pathname);
      res.writeHead(404, {
        ...headersFor(pathname),
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(body)),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const notFound = await load(path.join(root, '404.html'));
    if (notFound) return send(req, res, 404, pathname, notFound, contentTypeFor('404.html'));
    res.writeHead(404, { ...headersFor(pathname), 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Issue 17: the answer carries the security headers like every other one and says nothing of the
      // cause (a message can hold a file path); the cause goes to the operator's terminal.
      process.stderr.write(`site server: ${req.method} ${req.url}: ${(error as Error).message}\n`);
      if (!res.headersSent) {
        let headers: Record<string, string> = {};
        try {
          headers = headersFor('/');
        } catch {
          headers = {};
        }
        res.writeHead(500, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      }
      res.end('Internal error\n');
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 4321, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : ok()));
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist');
  const port = Number(process.argv[3] ?? process.env.PORT ?? 4321);
  const host = process.env.HOST ?? '127.0.0.1';
  try {
    const server = await startStaticServer({ root, port, host });
    process.stdout.write(`Short Pulse site: ${server.url}/ (serving ${root})\n`);
  } catch (error) {
    // Issue 21: a busy port is a one-line reason, not a stack trace.
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE'
        ? `port ${port} on ${host} is in use: stop what serves it, or choose another (npm run site:serve -- ${root} <port>, or env PORT)`
        : code === 'EACCES'
          ? `port ${port} needs privileges: choose one above 1023 (env PORT)`
          : (error as Error).message;
    process.stderr.write(`site:serve: ${reason}\n`);
    process.exitCode = 1;
  }
}
