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
import {
  contactEmail,
  contactUserAgent,
  createProviders,
  readProvidersConfig,
} from '../../functions/providers/config.ts';
import { classifyDrop } from '../../functions/providers/file-drop.ts';
import { finraShortInterestProvider, finraShortVolumeProvider } from '../../functions/providers/finra.ts';
import { folderProviders } from '../../functions/providers/folder.ts';
import { ProviderError } from '../../functions/providers/http.ts';
import { BROWSER_USER_AGENT, createNasdaqRefusals } from '../../functions/providers/nasdaq-host.ts';
import { nasdaqScreenerProvider } from '../../functions/providers/nasdaq-screener.ts';
import { nasdaqSplitCalendarProvider } from '../../functions/providers/nasdaq-split-calendar.ts';
import type { SourceProvider } from '../../functions/providers/source-provider.ts';
import { FIXTURES, TEST_USER_AGENT, useReplayServer } from './helpers/replay-server.ts';

const UA = TEST_USER_AGENT;
const SI_PATH = '/equity/otcmarket/biweekly/shrt20240131.csv';
const SV_PATH = '/equity/regsho/daily/CNMSshvol20240610.txt';
const SCREENER_PATH = '/api/screener/stocks?tableonly=true&download=true';

const replay = useReplayServer();

const http = replay.http;

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** What a day's ingest asks a provider: every date `datesFor` names (the ledger would skip accepted ones). */
async function dayRun(provider: SourceProvider, day: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const d of await provider.datesFor(day)) out[d] = (await provider.fetch(d)).status;
  return out;
}

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

  it('403 (what the CDN answers for a file it does not have yet) means "not published yet": asked once, never retried', async () => {
    const path403 = '/equity/otcmarket/biweekly/shrt20240614.csv';
    replay.server.script(path403, {
      status: 403,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
    });
    const result = await finraShortInterestProvider({ http: http(), baseUrl: replay.server.baseUrl }).fetch(
      '2024-06-14',
    );
    expect(result).toEqual({
      status: 'not-yet-available',
      location: `${replay.server.baseUrl}${path403}`,
      reason: expect.stringMatching(/^HTTP 403: not published yet/),
    });
    expect(replay.server.hits(path403)).toHaveLength(1);
    expect(replay.sleeps).toEqual([]);
  });

  it('asks only for settlement dates from their publication day (7th trading day after) on, within the look-back window', async () => {
    const provider = finraShortInterestProvider({ http: http(), baseUrl: replay.server.baseUrl });
    // 2024-01-15 is Martin Luther King Jr. Day, so mid-January settles on Friday 2024-01-12. 2024-01-31
    // (Wednesday) is published on the 7th trading day after: Feb 1, 2, 5, 6, 7, 8, 9 → asked for from
    // 2024-02-09 on (Nasdaq's release for it is dated Feb 9, 2024).
    expect(await provider.datesFor('2024-02-08')).toEqual(['2024-01-12']);
    expect(await provider.datesFor('2024-02-09')).toEqual(['2024-01-12', '2024-01-31']);
    // 35 days on, 2024-01-12 is no longer asked; 2024-02-15's file is not due before 2024-02-27.
    expect(await provider.datesFor('2024-02-20')).toEqual(['2024-01-31']);
    expect(await provider.datesFor('2024-02-26')).toEqual(['2024-01-31']);
    expect(await provider.datesFor('2024-02-27')).toEqual(['2024-01-31', '2024-02-15']);
    expect(await provider.expectedFiles?.('2024-01-31')).toEqual(['shrt20240131.csv']);
  });

  it('no request before the publication day, one on it, and a file still missing then is asked again the next day', async () => {
    const path0531 = '/equity/otcmarket/biweekly/shrt20240531.csv';
    // Settled Friday 2024-05-31; published on the 7th trading day after, Tuesday 2024-06-11. Here the
    // CDN is a day late: 403 on the 11th, the file on the 12th.
    replay.server.script(
      path0531,
      { status: 403, body: 'Access Denied' },
      { status: 200, body: FIXTURES.shortInterest },
    );
    const provider = finraShortInterestProvider({ http: http(), baseUrl: replay.server.baseUrl });
    expect(await dayRun(provider, '2024-06-07')).toEqual({ '2024-05-15': 'not-yet-available' });
    expect(await dayRun(provider, '2024-06-10')).toEqual({ '2024-05-15': 'not-yet-available' });
    expect(replay.server.hits(path0531)).toHaveLength(0);
    expect(await dayRun(provider, '2024-06-11')).toEqual({
      '2024-05-15': 'not-yet-available',
      '2024-05-31': 'not-yet-available',
    });
    expect(replay.server.hits(path0531)).toHaveLength(1);
    expect(await dayRun(provider, '2024-06-12')).toEqual({
      '2024-05-15': 'not-yet-available',
      '2024-05-31': 'available',
    });
    expect(replay.server.hits(path0531)).toHaveLength(2);
    expect(replay.sleeps).toEqual([]);
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

  it('a 403 is "not published yet", asked once', async () => {
    replay.server.script('/equity/regsho/daily/CNMSshvol20240611.txt', { status: 403, body: 'Access Denied' });
    const result = await finraShortVolumeProvider({ http: http(), baseUrl: replay.server.baseUrl }).fetch('2024-06-11');
    expect(result).toMatchObject({ status: 'not-yet-available', reason: expect.stringMatching(/^HTTP 403/) });
    expect(replay.server.hits('/equity/regsho/daily/CNMSshvol20240611.txt')).toHaveLength(1);
    expect(replay.sleeps).toEqual([]);
  });

  it('asks for the day and the five trading days before it, so a file missing at its run is asked again', async () => {
    const provider = finraShortVolumeProvider({ http: http(), baseUrl: replay.server.baseUrl });
    expect(await provider.datesFor('2024-06-11')).toEqual([
      '2024-06-04',
      '2024-06-05',
      '2024-06-06',
      '2024-06-07',
      '2024-06-10',
      '2024-06-11',
    ]);
    // Over a holiday and a weekend: 2024-07-04 is closed.
    expect(await provider.datesFor('2024-07-08')).toEqual([
      '2024-06-28',
      '2024-07-01',
      '2024-07-02',
      '2024-07-03',
      '2024-07-05',
      '2024-07-08',
    ]);
    expect(await provider.expectedFiles?.('2024-06-07')).toEqual(['CNMSshvol20240607.txt']);
    const dayOnly = finraShortVolumeProvider({ http: http(), baseUrl: replay.server.baseUrl, lookbackTradingDays: 0 });
    expect(await dayOnly.datesFor('2024-06-11')).toEqual(['2024-06-11']);
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

  it('asks as a desktop browser would, with our e-mail in From, and names the file after the day', async () => {
    replay.server.script(SCREENER_PATH, {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: FIXTURES.screener,
    });
    const provider = nasdaqScreenerProvider({
      http: http(),
      baseUrl: replay.server.baseUrl,
      clock,
      from: 'ops@example.org',
    });
    const result = await provider.fetch('2024-06-10');
    expect(result.status === 'available' && result.files.map((f) => [f.name, text(f.bytes)])).toEqual([
      ['2024-06-10.json', FIXTURES.screener],
    ]);
    const headers = replay.server.hits(SCREENER_PATH).at(-1);
    expect(headers).toMatchObject({
      'user-agent':
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36',
      from: 'ops@example.org',
      accept: 'application/json, text/plain, */*',
      origin: 'https://www.nasdaq.com',
      referer: 'https://www.nasdaq.com/',
    });
    expect(headers?.['user-agent']).toBe(BROWSER_USER_AGENT);
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

  it('NASDAQ_USER_AGENT replaces the browser User-Agent for that host only', async () => {
    const provider = nasdaqScreenerProvider({
      http: http(),
      baseUrl: replay.server.baseUrl,
      clock,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    });
    await provider.fetch('2024-06-10');
    const headers = replay.server.hits(SCREENER_PATH).at(-1);
    expect(headers?.['user-agent']).toBe('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0');
    expect(headers?.from).toBeUndefined();
  });
});

describe('Nasdaq refusing or stalling us', () => {
  const clock = () => new Date('2024-06-10T23:30:00Z');

  it.each([403, 401])('HTTP %i fails at once (one request, no backoff) naming NASDAQ_USER_AGENT', async (status) => {
    const path = `/refused-${status}/api/screener/stocks?tableonly=true&download=true`;
    replay.server.script(path, {
      status,
      headers: { 'content-type': 'text/html' },
      body: '<html>Access Denied</html>',
    });
    const provider = nasdaqScreenerProvider({
      http: http(),
      baseUrl: `${replay.server.baseUrl}/refused-${status}`,
      clock,
    });
    const error = await provider.fetch('2024-06-10').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status, retryable: false, timedOut: false });
    expect((error as Error).message).toBe(
      `${replay.server.baseUrl}${path}: HTTP ${status} (not retried: the request itself is refused) — api.nasdaq.com refuses clients it does not take for a browser (User-Agent "${BROWSER_USER_AGENT}"): set NASDAQ_USER_AGENT (CDK context nasdaqUserAgent) to a browser User-Agent it accepts from this network`,
    );
    expect(replay.server.hits(path)).toHaveLength(1);
    expect(replay.sleeps).toEqual([]);
  });

  it('a stall (no answer within the timeout) is not retried either, and names the setting', async () => {
    const path = '/stalled/api/calendar/splits?date=2024-06-10';
    replay.server.script(path, { status: 200, body: '{}', delayMs: 1_000 });
    const provider = nasdaqSplitCalendarProvider({ http: http(), baseUrl: `${replay.server.baseUrl}/stalled` });
    const error = await provider.fetch('2024-06-10').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: undefined, timedOut: true, retryable: true });
    expect((error as Error).message).toMatch(
      /: no complete answer within 250 ms \(not retried\) — api\.nasdaq\.com stalls clients it does not take for a browser .*set NASDAQ_USER_AGENT \(CDK context nasdaqUserAgent\)/,
    );
    expect(replay.server.hits(path)).toHaveLength(1);
    expect(replay.sleeps).toEqual([]);
  });

  it('after a refusal, the other Nasdaq requests of the run are not sent; 5 minutes later they are', async () => {
    let now = Date.parse('2024-06-10T23:30:00Z');
    const refusals = createNasdaqRefusals(() => new Date(now));
    const baseUrl = `${replay.server.baseUrl}/blocked-host`;
    replay.server.script('/blocked-host/api/screener/stocks?tableonly=true&download=true', { status: 403, body: 'no' });
    replay.server.script('/blocked-host/api/calendar/splits?date=2024-06-10', {
      status: 200,
      body: '{"data":null,"message":null,"status":{"rCode":200}}',
    });
    const screener = nasdaqScreenerProvider({ http: http(), baseUrl, clock, refusals });
    const calendar = nasdaqSplitCalendarProvider({ http: http(), baseUrl, refusals });
    await expect(screener.fetch('2024-06-10')).rejects.toThrow(/HTTP 403/);
    now += 1_000;
    const error = await calendar.fetch('2024-06-10').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toMatch(
      /calendar\/splits\?date=2024-06-10: not asked: api\.nasdaq\.com refused .*screener.* 1 s ago — HTTP 403 .*NASDAQ_USER_AGENT/,
    );
    expect(replay.server.hits('/blocked-host/api/calendar/splits?date=2024-06-10')).toHaveLength(0);
    now += 5 * 60_000;
    expect((await calendar.fetch('2024-06-10')).status).toBe('available');
    expect(replay.server.hits('/blocked-host/api/calendar/splits?date=2024-06-10')).toHaveLength(1);
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

  it('sends Nasdaq the browser User-Agent and PULSE_CONTACT as From when it is an e-mail; FINRA our own User-Agent', async () => {
    const config = readProvidersConfig({
      PULSE_CONTACT: 'ops@example.org',
      NASDAQ_BASE_URL: `${replay.server.baseUrl}/configured`,
      FINRA_BASE_URL: `${replay.server.baseUrl}/configured`,
      PROVIDERS: 'finra-short-volume,nasdaq-split-calendar',
    });
    expect(config).toMatchObject({ contactEmail: 'ops@example.org', nasdaqUserAgent: undefined, userAgent: UA });
    const [finra, calendar] = createProviders(config, () => new Date('2024-06-10T23:30:00Z'));
    replay.server.script('/configured/api/calendar/splits?date=2024-06-10', { status: 200, body: '{"data":null}' });
    replay.server.script('/configured/equity/regsho/daily/CNMSshvol20240610.txt', { status: 200, body: 'x' });
    await calendar!.fetch('2024-06-10');
    await finra!.fetch('2024-06-10');
    expect(replay.server.hits('/configured/api/calendar/splits?date=2024-06-10').at(-1)).toMatchObject({
      'user-agent': BROWSER_USER_AGENT,
      from: 'ops@example.org',
    });
    const finraHeaders = replay.server.hits('/configured/equity/regsho/daily/CNMSshvol20240610.txt').at(-1);
    expect(finraHeaders?.['user-agent']).toBe(UA);
    expect(finraHeaders?.from).toBeUndefined();
  });

  it('only an e-mail contact becomes From (RFC 9110: a mailbox); a URL stays in the FINRA User-Agent only', () => {
    expect(contactEmail('ops@example.org')).toBe('ops@example.org');
    expect(contactEmail(' mailto:Ops.Team+pulse@example.co.uk ')).toBe('Ops.Team+pulse@example.co.uk');
    expect(contactEmail('https://example.org/contact')).toBeUndefined();
    expect(contactEmail('ops at example.org')).toBeUndefined();
    expect(contactEmail(undefined)).toBeUndefined();
    const config = readProvidersConfig({
      PULSE_CONTACT: 'https://example.org/contact',
      NASDAQ_USER_AGENT: 'Mozilla/5.0 X',
    });
    expect(config).toMatchObject({
      contactEmail: undefined,
      nasdaqUserAgent: 'Mozilla/5.0 X',
      userAgent: 'ShortPulse/0.1 (+https://github.com/short-pulse/short-pulse; https://example.org/contact)',
    });
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
