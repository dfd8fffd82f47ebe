/**
 * Issue 21 item 13, the local server as an API client sees it: every file carries ETag and Last-Modified, a
 * conditional request for an unchanged file answers 304 with no body, a changed file a new ETag; a missing
 * `/data/…` file answers 404 in JSON (never the HTML 404 page), while a missing page still gets the page.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, startStaticServer } from '../../site/serve.ts';

let root = '';
let server: StaticServer;
let base = '';

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'pulse-serve-api-'));
  mkdirSync(path.join(root, 'data'));
  writeFileSync(path.join(root, 'data', 'latest.json'), '{"asOf":"2024-06-14"}\n');
  writeFileSync(path.join(root, '404.html'), '<!doctype html><title>Not found</title>');
  utimesSync(
    path.join(root, 'data', 'latest.json'),
    new Date('2024-06-14T22:00:00Z'),
    new Date('2024-06-14T22:00:00Z'),
  );
  server = await startStaticServer({ root, port: 0 });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the local server for API clients', () => {
  it('sends ETag and Last-Modified, and 304 for a current copy (If-None-Match, then If-Modified-Since)', async () => {
    const first = await fetch(`${base}/data/latest.json`);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    // fetch asks for gzip: the gzip'd body has its own strong tag; the plain one another (RFC 9110 §8.8.3).
    expect(etag).toMatch(/^"[\w-]{27}-gz"$/);
    const plain = await fetch(`${base}/data/latest.json`, { headers: { 'Accept-Encoding': 'identity' } });
    const plainTag = plain.headers.get('etag');
    expect(plainTag).toMatch(/^"[\w-]{27}"$/);
    expect(plainTag).not.toBe(etag);
    // Either tag says the client's copy of the file is current.
    const viaPlain = await fetch(`${base}/data/latest.json`, { headers: { 'If-None-Match': plainTag as string } });
    expect(viaPlain.status).toBe(304);
    expect(first.headers.get('last-modified')).toBe('Fri, 14 Jun 2024 22:00:00 GMT');
    expect(await first.text()).toBe('{"asOf":"2024-06-14"}\n');

    const same = await fetch(`${base}/data/latest.json`, { headers: { 'If-None-Match': etag as string } });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    expect(same.headers.get('etag')).toBe(etag);
    expect(same.headers.get('access-control-allow-origin')).toBe('*');

    const other = await fetch(`${base}/data/latest.json`, { headers: { 'If-None-Match': '"something-else"' } });
    expect(other.status).toBe(200);
    const since = await fetch(`${base}/data/latest.json`, {
      headers: { 'If-Modified-Since': 'Fri, 14 Jun 2024 22:00:00 GMT' },
    });
    expect(since.status).toBe(304);
    const before = await fetch(`${base}/data/latest.json`, {
      headers: { 'If-Modified-Since': 'Fri, 14 Jun 2024 21:59:59 GMT' },
    });
    expect(before.status).toBe(200);
  });

  it('a changed file gets a new ETag', async () => {
    const etag = (await fetch(`${base}/data/latest.json`)).headers.get('etag');
    writeFileSync(path.join(root, 'data', 'latest.json'), '{"asOf":"2024-06-17"}\n');
    const after = await fetch(`${base}/data/latest.json`, { headers: { 'If-None-Match': etag as string } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
  });

  it('a missing data file answers 404 in JSON; a missing page the HTML page', async () => {
    const missing = await fetch(`${base}/data/snapshots/2031-01-01.json`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await missing.json()).toEqual({ error: 'not found', path: '/data/snapshots/2031-01-01.json', see: '/api/' });
    const page = await fetch(`${base}/no-such-page/`);
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});
