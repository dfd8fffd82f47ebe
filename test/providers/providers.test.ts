/**
 * The network providers against a local replay server (never the real hosts): URLs, headers, and what
 * each kind of answer becomes — a file, "not yet available", a retried transient failure, or a refusal.
 * Backoff sleeps are recorded instead of waited, with jitter pinned (random = 1 → the ceiling).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvError } from '../../functions/lib/env.ts';
import { contactUserAgent, createProviders, readProvidersConfig } from '../../functions/providers/config.ts';
import { classifyDrop } from '../../functions/providers/file-drop.ts';
import { finraShortInterestProvider, finraShortVolumeProvider } from '../../functions/providers/finra.ts';
import { folderProviders } from '../../functions/providers/folder.ts';
import { ProviderError } from '../../functions/providers/http.ts';
import { nasdaqScreenerProvider } from '../../functions/providers/nasdaq-screener.ts';
import { FIXTURES, TEST_USER_AGENT, useReplayServer } from './helpers/replay-server.ts';

const UA = TEST_USER_AGENT;
const SI_PATH = '/equity/otcmarket/biweekly/shrt20240131.csv';
const SV_PATH = '/equity/regsho/daily/CNMSshvol20240610.txt';
const SCREENER_PATH = '/api/screener/stocks?tableonly=true&download=true';

const replay = useReplayServer();

const http = replay.http;

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('FINRA short interest', () => {
  it('downloads the consolidated file from the CDN path, byte-exact, with our User-Agent', async () => {
    replay.server.script(SI_PATH, {
      status: 200,
      headers: { 'content-type': 'text/csv' },
      body: FIXTURES.shortInterest,
    });
    const provider = finraShortInterestProvider({ http: http(), baseUrl: replay.server.baseUrl });
    const result = await provider.fetch('2024-01-31');
    expect(result.status).toBe('available');
    if (result.status !== 'available') return;
    expect(result.files).toHaveLength(1);
    expect(result.files[0]?.name).toBe('shrt20240131.csv');
    expect(result.files[0]?.location).toBe(`${replay.server.baseUrl}${SI_PATH}`);
    expect(text(result.files[0]!.bytes)).toBe(FIXTURES.shortInterest);
    expect(replay.server.hits(SI_PATH).at(-1)?.['user-agent']).toBe(UA);
    expect(replay.sleeps).toEqual([]);
  });

  it('404 means "not published yet": answered once, never retried', async () => {
    replay.server.script('/equity/otcmarket/biweekly/shrt20240215.csv', { status: 404, body: 'Not Found' });
    const provider = finraShortInterestProvider({ http: http(), baseUrl: replay.server.baseUrl });
    const result = await provider.fetch('2024-02-15');
    expect(result).toMatchObject({ status: 'not-yet-available' });
    expect(replay.server.hits('/equity/otcmarket/biweekly/shrt20240215.csv')).toHaveLength(1);
    expect(replay.sleeps).toEqual([]);
  });

  it('an HTML error page served with 200 is returned as the file: ingest archives it, the parser refuses it', async () => {
    replay.server.script('/equity/otcmarket/biweekly/shrt20240229.csv', {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: FIXTURES.htmlErrorPage,
    });
    const result = await finraShortInterestProvider({ http: http(), baseUrl: replay.server.baseUrl }).fetch(
      '2024-02-29',
    );
    expect(result.status === 'available' && text(result.files[0]!.bytes)).toBe(FIXTURES.htmlErrorPage);
  });

  it('asks only for settlement dates old enough to be published, within the look-back window', async () => {
    const provider = finraShortInterestProvider({ http: http(), baseUrl: replay.server.baseUrl });
    // 2024-01-15 is Martin Luther King Jr. Day, so mid-January settles on Friday 2024-01-12. 2024-01-31
    // (Wednesday) needs five trading days: Feb 1, 2, 5, 6, 7 → asked for from 2024-02-07 on.
    expect(await provider.datesFor('2024-02-06')).toEqual(['2024-01-12']);
    expect(await provider.datesFor('2024-02-07')).toEqual(['2024-01-12', '2024-01-31']);
    expect(await provider.datesFor('2024-02-20')).toEqual(['2024-01-31']);
    expect(await provider.expectedFiles?.('2024-01-31')).toEqual(['shrt20240131.csv']);
  });
});

describe('FINRA Reg SHO daily short volume', () => {
  it('downloads CNMSshvolYYYYMMDD.txt', async () => {
    replay.server.script(SV_PATH, { status: 200, body: FIXTURES.shortVolume });
    const result = await finraShortVolumeProvider({ http: http(), baseUrl: replay.server.baseUrl }).fetch('2024-06-10');
    expect(result.status === 'available' && result.files.map((f) => [f.name, text(f.bytes)])).toEqual([
      ['CNMSshvol20240610.txt', FIXTURES.shortVolume],
    ]);
  });
});

describe('retries, timeouts and refusals (HTTP client)', () => {
  it('retries 503 and 429 with exponential backoff, honouring Retry-After, then succeeds', async () => {
    replay.server.script(
      '/retry/ok.txt',
      { status: 503, body: 'Service Unavailable' },
      { status: 429, headers: { 'retry-after': '0.5' }, body: 'Too Many Requests' },
      { status: 200, body: 'payload' },
    );
    const result = await http().get(`${replay.server.baseUrl}/retry/ok.txt`);
    expect(result.kind === 'ok' && text(result.bytes)).toBe('payload');
    // Attempt 1 → ceiling 100 ms; attempt 2 → 200 ms, but the server asked for 500 ms.
    expect(replay.sleeps).toEqual([100, 500]);
  });

  it('a 403 is refused at once (retrying will not unblock us) and names the status', async () => {
    replay.server.script('/blocked.json', { status: 403, body: '<html>Access Denied</html>' });
    const error = await http()
      .get(`${replay.server.baseUrl}/blocked.json`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 403, retryable: false });
    expect(replay.server.hits('/blocked.json')).toHaveLength(1);
  });

  it('a response slower than the timeout is abandoned and retried', async () => {
    replay.server.script('/slow.txt', { status: 200, body: 'late', delayMs: 1_000 }, { status: 200, body: 'on time' });
    const result = await http().get(`${replay.server.baseUrl}/slow.txt`);
    expect(result.kind === 'ok' && text(result.bytes)).toBe('on time');
    expect(replay.sleeps).toEqual([100]);
  });

  it('the timeout covers the body too: a body that stalls halfway is retried', async () => {
    replay.server.script(
      '/stall.txt',
      { status: 200, body: 'abcdefgh', stallBodyMs: 1_000 },
      { status: 200, body: 'abcdefgh' },
    );
    const result = await http().get(`${replay.server.baseUrl}/stall.txt`);
    expect(result.kind === 'ok' && text(result.bytes)).toBe('abcdefgh');
    expect(replay.server.hits('/stall.txt')).toHaveLength(2);
  });

  it('a body shorter than its Content-Length (connection cut) is retried, never returned', async () => {
    replay.server.script(
      '/cut.csv',
      { status: 200, body: FIXTURES.shortInterest.slice(0, 200), declaredLength: FIXTURES.shortInterest.length },
      { status: 200, body: FIXTURES.shortInterest },
    );
    const result = await http().get(`${replay.server.baseUrl}/cut.csv`);
    expect(result.kind === 'ok' && text(result.bytes)).toBe(FIXTURES.shortInterest);
    expect(replay.server.hits('/cut.csv')).toHaveLength(2);
  });

  it('a connection reset is retried', async () => {
    replay.server.script('/reset.txt', { reset: true }, { status: 200, body: 'after reset' });
    const result = await http().get(`${replay.server.baseUrl}/reset.txt`);
    expect(result.kind === 'ok' && text(result.bytes)).toBe('after reset');
  });

  it('when every attempt fails, the error says so and is marked retryable for a later run', async () => {
    replay.server.script('/down.txt', { status: 502, body: 'Bad Gateway' });
    const error = await http()
      .get(`${replay.server.baseUrl}/down.txt`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 502, retryable: true });
    expect((error as Error).message).toMatch(/HTTP 502 after 3 attempts/);
    expect(replay.server.hits('/down.txt')).toHaveLength(3);
    expect(replay.sleeps).toEqual([100, 200]);
  });

  it('refuses a body above the size limit without retrying (declared or streamed)', async () => {
    replay.server.script('/huge-declared.txt', { status: 200, body: 'x'.repeat(2048) });
    const client = http({ maxBytes: 1024 });
    await expect(client.get(`${replay.server.baseUrl}/huge-declared.txt`)).rejects.toThrow(
      /2048 bytes exceeds the 1024-byte limit/,
    );
    expect(replay.server.hits('/huge-declared.txt')).toHaveLength(1);
    replay.server.script('/huge-chunked.txt', { status: 200, chunked: true, body: 'y'.repeat(4096) });
    await expect(client.get(`${replay.server.baseUrl}/huge-chunked.txt`)).rejects.toThrow(
      /body exceeds the 1024-byte limit/,
    );
    expect(replay.server.hits('/huge-chunked.txt')).toHaveLength(1);
  });
});

describe('Nasdaq screener', () => {
  const clock = () => new Date('2024-06-10T23:30:00Z'); // 19:30 in New York, 2024-06-10

  it('asks with browser-like headers and our User-Agent, and names the file after the day', async () => {
    replay.server.script(SCREENER_PATH, {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: FIXTURES.screener,
    });
    const provider = nasdaqScreenerProvider({ http: http(), baseUrl: replay.server.baseUrl, clock });
    const result = await provider.fetch('2024-06-10');
    expect(result.status === 'available' && result.files.map((f) => [f.name, text(f.bytes)])).toEqual([
      ['2024-06-10.json', FIXTURES.screener],
    ]);
    const headers = replay.server.hits(SCREENER_PATH).at(-1);
    expect(headers).toMatchObject({
      'user-agent': UA,
      accept: 'application/json, text/plain, */*',
      origin: 'https://www.nasdaq.com',
      referer: 'https://www.nasdaq.com/',
    });
  });

  it('can only serve the current New York session: another date is "not available" without a request', async () => {
    const before = replay.server.hits(SCREENER_PATH).length;
    const provider = nasdaqScreenerProvider({ http: http(), baseUrl: replay.server.baseUrl, clock });
    // 01:00 UTC on the 11th is still the 10th in New York.
    const lateClock = nasdaqScreenerProvider({
      http: http(),
      baseUrl: replay.server.baseUrl,
      clock: () => new Date('2024-06-11T01:00:00Z'),
    });
    expect(await provider.fetch('2024-06-07')).toMatchObject({ status: 'not-yet-available' });
    expect(replay.server.hits(SCREENER_PATH)).toHaveLength(before);
    expect((await lateClock.fetch('2024-06-10')).status).toBe('available');
  });

  it('a dedicated Nasdaq User-Agent replaces ours for that host only', async () => {
    const provider = nasdaqScreenerProvider({
      http: http(),
      baseUrl: replay.server.baseUrl,
      clock,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) ShortPulse/0.1',
    });
    await provider.fetch('2024-06-10');
    expect(replay.server.hits(SCREENER_PATH).at(-1)?.['user-agent']).toBe(
      'Mozilla/5.0 (X11; Linux x86_64) ShortPulse/0.1',
    );
  });
});

describe('configuration from the environment', () => {
  it('defaults to the four network providers with a contact User-Agent', () => {
    const config = readProvidersConfig({ PULSE_CONTACT: 'ops@example.org' });
    expect(config.ids).toEqual([
      'finra-short-interest',
      'finra-short-volume',
      'nasdaq-screener',
      'nasdaq-split-calendar',
    ]);
    expect(config.userAgent).toBe(contactUserAgent('ops@example.org'));
    expect(config.userAgent).toBe(UA);
    expect(createProviders(config, () => new Date()).map((p) => p.id)).toEqual([
      'finra-short-interest',
      'finra-short-volume',
      'nasdaq-screener',
      'nasdaq-split-calendar',
    ]);
  });

  it('fails fast, naming the variable', () => {
    expect(() => readProvidersConfig({ PROVIDERS: 'finra-short-interest,bloomberg' })).toThrow(EnvError);
    expect(() => readProvidersConfig({ PROVIDERS: 'bloomberg' })).toThrow(/PROVIDERS: unknown provider "bloomberg"/);
    expect(() => readProvidersConfig({ PROVIDERS: 'folder' })).toThrow(/INPUT_DIR/);
    expect(() => readProvidersConfig({ FINRA_BASE_URL: 'ftp://cdn.finra.org' })).toThrow(/FINRA_BASE_URL/);
    expect(() => readProvidersConfig({ HTTP_TIMEOUT_MS: '-5' })).toThrow(/HTTP_TIMEOUT_MS/);
  });

  it('PROVIDERS=none leaves file drops as the only input', () => {
    expect(createProviders(readProvidersConfig({ PROVIDERS: 'none' }), () => new Date())).toEqual([]);
  });
});

describe('file drops and the local input folder', () => {
  it('names what a dropped file is from its name or folder', () => {
    expect(classifyDrop('incoming/2024-06-10.json.gz', '2024-06-11')).toEqual({
      ok: true,
      drop: { source: 'prices', file: '2024-06-10.json.gz', date: '2024-06-10' },
    });
    expect(classifyDrop('incoming/shrt20240131-r1.csv', '2024-02-20')).toMatchObject({
      ok: true,
      drop: { source: 'short-interest', date: '2024-01-31' },
    });
    expect(classifyDrop('incoming/CNMSshvol20240610.txt', '2024-06-10')).toMatchObject({
      ok: true,
      drop: { source: 'short-volume', date: '2024-06-10' },
    });
    expect(classifyDrop('incoming/splits.csv', '2024-06-15')).toEqual({
      ok: true,
      drop: { source: 'splits', file: 'splits.csv', date: '2024-06-15' },
    });
    expect(classifyDrop('incoming/splits/overrides-2024.csv', '2024-06-15')).toMatchObject({
      ok: true,
      drop: { source: 'splits' },
    });
    expect(classifyDrop('incoming/splits-2024-06-10.json', '2024-06-15')).toEqual({
      ok: true,
      drop: { source: 'split-calendar', file: 'splits-2024-06-10.json', date: '2024-06-10' },
    });
    expect(classifyDrop('incoming/split-calendar/splits-2024-06-10.json.gz', '2024-06-15')).toMatchObject({
      ok: true,
      drop: { source: 'split-calendar', date: '2024-06-10' },
    });
    expect(classifyDrop('incoming/splits-2024-02-30.json', '2024-03-01')).toMatchObject({
      ok: false,
      reason: /not a calendar day/,
    });
    expect(classifyDrop('incoming/securities.csv', '2024-06-15')).toEqual({
      ok: true,
      drop: { source: 'securities', file: 'securities.csv', date: '2024-06-15' },
    });
    expect(classifyDrop('incoming/securities/adr-list.csv', '2024-06-15')).toMatchObject({
      ok: true,
      drop: { source: 'securities', file: 'adr-list.csv', date: '2024-06-15' },
    });
    expect(classifyDrop('incoming/2024-02-30.json', '2024-03-01')).toMatchObject({
      ok: false,
      reason: /not a calendar day/,
    });
    expect(classifyDrop('incoming/notes.txt', '2024-03-01')).toMatchObject({
      ok: false,
      reason: /unrecognised file name/,
    });
    expect(classifyDrop('incoming/bonds/x.csv', '2024-03-01')).toMatchObject({
      ok: false,
      reason: /unknown source folder "bonds"/,
    });
  });

  it('the folder provider releases a short interest file seven trading days after settlement', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'short-pulse-folder-'));
    try {
      await mkdir(path.join(dir, 'short-interest'), { recursive: true });
      await mkdir(path.join(dir, 'prices'), { recursive: true });
      await writeFile(path.join(dir, 'short-interest', 'shrt20240131.csv'), FIXTURES.shortInterest);
      await writeFile(path.join(dir, 'short-interest', 'shrt20240131-r1.csv'), FIXTURES.shortInterest);
      await writeFile(path.join(dir, 'prices', '2024-02-09.json.gz'), 'gz');
      const [prices, , interest] = folderProviders({ dir });
      // Settled Wednesday 2024-01-31; trading days Feb 1, 2, 5, 6, 7, 8, 9 → visible on Friday 2024-02-09.
      expect(await interest!.datesFor('2024-02-08')).toEqual([]);
      expect(await interest!.datesFor('2024-02-09')).toEqual(['2024-01-31']);
      const files = await interest!.fetch('2024-01-31');
      expect(files.status === 'available' && files.files.map((f) => f.name)).toEqual([
        'shrt20240131-r1.csv',
        'shrt20240131.csv',
      ]);
      const day = await prices!.fetch('2024-02-09');
      expect(day.status === 'available' && day.files[0]?.name).toBe('2024-02-09.json.gz');
      expect((await prices!.fetch('2024-02-12')).status).toBe('not-yet-available');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the folder provider reads a day's split calendar (.json or .json.gz) and securities.csv", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'short-pulse-folder-'));
    try {
      await mkdir(path.join(dir, 'split-calendar'), { recursive: true });
      await writeFile(path.join(dir, 'split-calendar', 'splits-2024-06-10.json'), '{"data":{"rows":[]}}');
      await writeFile(path.join(dir, 'split-calendar', 'splits-2024-06-11.json.gz'), 'gz');
      await writeFile(path.join(dir, 'securities.csv'), 'symbol,type\nBRK.B,common\n');
      const byId = new Map(folderProviders({ dir }).map((p) => [p.id, p]));
      const calendar = byId.get('folder-split-calendar');
      const securities = byId.get('folder-securities');
      expect(calendar).toMatchObject({ source: 'split-calendar', immutable: true });
      expect(await calendar!.datesFor('2024-06-10')).toEqual(['2024-06-10']);
      const names = async (d: string) => {
        const r = await calendar!.fetch(d);
        return r.status === 'available' ? r.files.map((f) => f.name) : r.status;
      };
      expect(await names('2024-06-10')).toEqual(['splits-2024-06-10.json']);
      expect(await names('2024-06-11')).toEqual(['splits-2024-06-11.json.gz']);
      expect(await names('2024-06-12')).toBe('not-yet-available');
      expect(securities).toMatchObject({ source: 'securities', immutable: true });
      const s = await securities!.fetch('2024-06-10');
      expect(s.status === 'available' && s.files.map((f) => f.name)).toEqual(['securities.csv']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
