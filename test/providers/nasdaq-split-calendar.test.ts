/**
 * The split-calendar provider against the local replay server (never api.nasdaq.com), with real-shaped
 * answers (test/fixtures/formats/split-calendar): a day with splits, a day without ("No record found"), an
 * HTML page served with 200, a 500 that does not go away. What each becomes: a file the parser reads, a
 * file it refuses, or a ProviderError for a later run; and which days a run asks for (the day and the five
 * trading days before it, so a day missing at its own run is asked again).
 */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../functions/providers/http.ts';
import { BROWSER_USER_AGENT } from '../../functions/providers/nasdaq-host.ts';
import { nasdaqSplitCalendarProvider, splitCalendarUrl } from '../../functions/providers/nasdaq-split-calendar.ts';
import { FormatError } from '../../shared/formats/errors.ts';
import { parseSplitCalendar } from '../../shared/formats/nasdaq-split-calendar.ts';
import { fixtureText } from '../formats/fixtures.ts';
import { useReplayServer } from './helpers/replay-server.ts';

const path = (date: string) => `/api/calendar/splits?date=${date}`;
const fixture = (name: string) => fixtureText(`split-calendar/${name}`).text;
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const json = { 'content-type': 'application/json; charset=utf-8' };

const replay = useReplayServer();

function provider(userAgent?: string) {
  const http = replay.http();
  return nasdaqSplitCalendarProvider({ http, baseUrl: replay.server.baseUrl, ...(userAgent ? { userAgent } : {}) });
}

describe('Nasdaq split calendar provider', () => {
  it("asks for one day's calendar with the screener's browser headers and names the file after the day", async () => {
    const body = fixture('splits-2024-06-10.json');
    replay.server.script(path('2024-06-10'), { status: 200, headers: json, body });
    const p = provider();
    expect(p).toMatchObject({ id: 'nasdaq-split-calendar', source: 'split-calendar' });
    expect(await p.datesFor('2024-06-10')).toEqual([
      '2024-06-03',
      '2024-06-04',
      '2024-06-05',
      '2024-06-06',
      '2024-06-07',
      '2024-06-10',
    ]);
    expect(await p.expectedFiles?.('2024-06-10')).toEqual(['splits-2024-06-10.json']);
    const result = await p.fetch('2024-06-10');
    expect(result.status === 'available' && result.files.map((f) => [f.name, f.location, text(f.bytes)])).toEqual([
      ['splits-2024-06-10.json', splitCalendarUrl(replay.server.baseUrl, '2024-06-10'), body],
    ]);
    expect(replay.server.hits(path('2024-06-10')).at(-1)).toMatchObject({
      'user-agent': BROWSER_USER_AGENT,
      accept: 'application/json, text/plain, */*',
      origin: 'https://www.nasdaq.com',
      referer: 'https://www.nasdaq.com/',
    });
    // What ingest or `pulse build` then reads from it: the day's split, as rule 3(c) applies it.
    if (result.status !== 'available') return;
    const file = result.files[0]!;
    expect(parseSplitCalendar(text(file.bytes), file.name).records).toContainEqual({
      symbol: 'NVDA',
      date: '2024-06-10',
      ratio: 10,
      file: 'splits-2024-06-10.json',
    });
    expect(replay.sleeps).toEqual([]);
  });

  it('a day without splits ("No record found", status 200) is a file, read as no split', async () => {
    const body = fixture('splits-2021-11-13.json');
    replay.server.script(path('2021-11-13'), { status: 200, headers: json, body });
    const result = await provider().fetch('2021-11-13');
    expect(result.status).toBe('available');
    if (result.status !== 'available') return;
    const file = result.files[0]!;
    expect(parseSplitCalendar(text(file.bytes), file.name)).toMatchObject({ records: [], rejections: [] });
  });

  it('an HTML page served with 200 is returned as the file; the parser refuses it (ingest archives it first)', async () => {
    const body = fixture('splits-2024-06-11.json');
    replay.server.script(path('2024-06-11'), { status: 200, headers: { 'content-type': 'text/html' }, body });
    const result = await provider().fetch('2024-06-11');
    expect(result.status === 'available' && text(result.files[0]!.bytes)).toBe(body);
    if (result.status !== 'available') return;
    const file = result.files[0]!;
    expect(() => parseSplitCalendar(text(file.bytes), file.name)).toThrow(FormatError);
    expect(() => parseSplitCalendar(text(file.bytes), file.name)).toThrow(/an HTML page \(title "Access Denied"\)/);
  });

  it('a 500 that lasts is retried with backoff, then fails as retryable for a later run', async () => {
    replay.server.script(path('2024-06-12'), {
      status: 500,
      headers: json,
      body: '{"message":"Internal Server Error"}',
    });
    const error = await provider()
      .fetch('2024-06-12')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect((error as Error).message).toMatch(/HTTP 500 after 3 attempts/);
    expect(replay.server.hits(path('2024-06-12'))).toHaveLength(3);
    expect(replay.sleeps).toEqual([100, 200]);
  });

  it('a 500 that passes is retried and the day arrives; a 404 means "not available", asked once', async () => {
    const body = fixture('splits-2024-07-12.json');
    replay.server.script(path('2024-07-12'), { status: 500, body: 'oops' }, { status: 200, headers: json, body });
    const result = await provider().fetch('2024-07-12');
    expect(result.status === 'available' && text(result.files[0]!.bytes)).toBe(body);
    expect(replay.sleeps).toEqual([100]);
    replay.server.script(path('2024-07-15'), { status: 404, body: 'Not Found' });
    expect(await provider().fetch('2024-07-15')).toMatchObject({ status: 'not-yet-available', reason: 'HTTP 404' });
    expect(replay.server.hits(path('2024-07-15'))).toHaveLength(1);
  });

  it('a day missing at its run is asked again on the next trading days, up to five days on, then no more', async () => {
    const body = fixture('splits-2021-11-13.json');
    // Thursday 2024-06-13's calendar: 404 at its own run, served the next day.
    replay.server.script(path('2024-06-13'), { status: 404, body: 'Not Found' }, { status: 200, headers: json, body });
    const p = provider();
    const asked = async (day: string) => {
      const out: Record<string, string> = {};
      for (const d of await p.datesFor(day)) if (d >= '2024-06-13') out[d] = (await p.fetch(d)).status;
      return out;
    };
    expect(await asked('2024-06-13')).toEqual({ '2024-06-13': 'not-yet-available' });
    expect(await asked('2024-06-14')).toMatchObject({ '2024-06-13': 'available' });
    expect(replay.server.hits(path('2024-06-13'))).toHaveLength(2);
    // 2024-06-19 is closed (Juneteenth): five trading days after the 13th is the 21st; the 24th no longer asks.
    expect(await p.datesFor('2024-06-21')).toContain('2024-06-13');
    expect(await p.datesFor('2024-06-24')).not.toContain('2024-06-13');
    expect(await p.datesFor('2024-06-24')).toEqual([
      '2024-06-14',
      '2024-06-17',
      '2024-06-18',
      '2024-06-20',
      '2024-06-21',
      '2024-06-24',
    ]);
  });

  it('a dedicated Nasdaq User-Agent replaces ours for this host', async () => {
    replay.server.script(path('2024-06-14'), { status: 200, headers: json, body: fixture('splits-2024-06-14.json') });
    await provider('Mozilla/5.0 (X11; Linux x86_64) ShortPulse/0.1').fetch('2024-06-14');
    expect(replay.server.hits(path('2024-06-14')).at(-1)?.['user-agent']).toBe(
      'Mozilla/5.0 (X11; Linux x86_64) ShortPulse/0.1',
    );
  });
});
