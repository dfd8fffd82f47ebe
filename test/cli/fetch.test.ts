/**
 * `pulse fetch` (issue 18, item 1) against the replay server standing in for cdn.finra.org and api.nasdaq.com:
 * what is asked for, what is written where `pulse build` reads it, what is reported, and that a second run
 * asks for nothing it already has.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FetchProviders,
  fetchInputs,
  formatFetchSummary,
  planFetch,
} from '../../functions/cli/fetch/fetch-inputs.ts';
import { finraShortInterestProvider, finraShortVolumeProvider } from '../../functions/providers/finra.ts';
import { nasdaqScreenerProvider } from '../../functions/providers/nasdaq-screener.ts';
import { nasdaqSplitCalendarProvider } from '../../functions/providers/nasdaq-split-calendar.ts';
import { fixtureBytes } from '../formats/fixtures.ts';
import { useReplayServer } from '../providers/helpers/replay-server.ts';

const replay = useReplayServer();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** 17:00 in New York on Wednesday 2024-06-12: after the close, before the next day. */
const NOW = new Date('2024-06-12T21:00:00Z');

const SI_PATH = '/equity/otcmarket/biweekly/shrt20240531.csv';
const svPath = (d: string) => `/equity/regsho/daily/CNMSshvol${d}.txt`;
const calPath = (d: string) => `/api/calendar/splits?date=${d}`;
const SCREENER_PATH = '/api/screener/stocks?tableonly=true&download=true';

/** The real-shaped 2024-01-31 fixture moved to settlement date 2024-05-31 (rows and file name agree). */
const shortInterest0531 = () =>
  Buffer.from(fixtureBytes('short-interest/shrt20240131.csv'))
    .toString('utf8')
    .replaceAll('20240131', '20240531')
    .replaceAll('2024-01-31', '2024-05-31');

function providers(): FetchProviders {
  const http = replay.http();
  const baseUrl = replay.server.baseUrl;
  return {
    shortInterest: finraShortInterestProvider({ http, baseUrl }),
    shortVolume: finraShortVolumeProvider({ http, baseUrl }),
    splitCalendar: nasdaqSplitCalendarProvider({ http, baseUrl }),
    screener: nasdaqScreenerProvider({ http, baseUrl, clock: () => NOW }),
  };
}

function scriptTheWeek(): void {
  const s = replay.server;
  s.script(SI_PATH, { status: 200, body: shortInterest0531() });
  s.script(svPath('20240610'), { status: 200, body: fixtureBytes('short-volume/CNMSshvol20240610.txt') });
  s.script(svPath('20240611'), { status: 200, body: fixtureBytes('short-volume/CNMSshvol20240611.txt') });
  s.script(svPath('20240612'), { status: 404, body: 'Not Found' });
  s.script(calPath('2024-06-10'), { status: 200, body: fixtureBytes('split-calendar/splits-2024-06-10.json') });
  // A day without splits: Nasdaq's "No record found" answer, a file like any other.
  s.script(calPath('2024-06-11'), { status: 200, body: fixtureBytes('split-calendar/splits-2021-11-13.json') });
  // Nasdaq's error answer served with 200 ("Invalid date"): refused by the parser, never written.
  s.script(calPath('2024-06-12'), { status: 200, body: fixtureBytes('split-calendar/splits-2024-06-12.json') });
  // The screener's body carries no date: a real-shaped snapshot stands for today's.
  s.script(SCREENER_PATH, { status: 200, body: fixtureBytes('screener/2024-06-10.json') });
}

const tempOut = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'pulse-fetch-'));
  dirs.push(d);
  return path.join(d, 'input');
};

describe('pulse fetch', () => {
  it('plans the settlement dates from 20 days before --from, the trading days, and today’s screener after the close', () => {
    const plan = planFetch('2024-06-10', '2024-06-14', providers(), NOW);
    expect(plan.map((p) => `${p.source} ${p.date}${p.notYet ? ' (not yet)' : ''}`)).toEqual([
      // 2024-05-31's file is out on 2024-06-11 (its 8th business day, counting the settlement day): asked.
      'short-interest 2024-05-31',
      'short-volume 2024-06-10',
      'short-volume 2024-06-11',
      'short-volume 2024-06-12',
      'split-calendar 2024-06-10',
      'split-calendar 2024-06-11',
      'split-calendar 2024-06-12',
      'prices 2024-06-12',
    ]);
    // Before 16:15 New York time the screener is not asked; a settlement not yet due is planned as not yet.
    const morning = planFetch('2024-05-20', '2024-06-12', providers(), new Date('2024-06-12T14:00:00Z'));
    expect(morning.find((p) => p.source === 'prices')?.notYet).toMatch(/after the close/);
    expect(planFetch('2024-06-10', '2024-06-12', providers(), new Date('2024-06-10T21:00:00Z'))[0]).toMatchObject({
      date: '2024-05-31',
      notYet: 'FINRA publishes it on 2024-06-11 (its 8th business day, the settlement day counted)',
    });
    expect(
      planFetch('2024-06-10', '2024-06-12', providers(), new Date('2024-06-11T21:00:00Z'))[0]?.notYet,
    ).toBeUndefined();
  });

  it('writes each file where pulse build reads it, reports what is not published or refused, and resumes', async () => {
    scriptTheWeek();
    const out = tempOut();
    const seen: string[] = [];
    const first = await fetchInputs({
      out,
      from: '2024-06-10',
      to: '2024-06-12',
      providers: providers(),
      now: NOW,
      onItem: (item, index, total) => seen.push(`${index}/${total} ${item.source} ${item.date} ${item.status}`),
    });
    expect(seen).toEqual([
      '1/8 short-interest 2024-05-31 fetched',
      '2/8 short-volume 2024-06-10 fetched',
      '3/8 short-volume 2024-06-11 fetched',
      '4/8 short-volume 2024-06-12 not-yet-published',
      '5/8 split-calendar 2024-06-10 fetched',
      '6/8 split-calendar 2024-06-11 fetched',
      '7/8 split-calendar 2024-06-12 refused',
      '8/8 prices 2024-06-12 fetched',
    ]);
    // Byte-exact, under the names the input folder convention reads.
    expect(readFileSync(path.join(out, 'short-interest/shrt20240531.csv'), 'utf8')).toBe(shortInterest0531());
    expect(readFileSync(path.join(out, 'short-volume/CNMSshvol20240610.txt'))).toEqual(
      Buffer.from(fixtureBytes('short-volume/CNMSshvol20240610.txt')),
    );
    expect(readFileSync(path.join(out, 'prices/2024-06-12.json'))).toEqual(
      Buffer.from(fixtureBytes('screener/2024-06-10.json')),
    );
    expect(existsSync(path.join(out, 'split-calendar/splits-2024-06-12.json'))).toBe(false);
    const refused = first.items.find((i) => i.status === 'refused');
    expect(refused?.detail).toContain('splits-2024-06-12.json');
    expect(refused?.detail).toContain('(not written)');
    expect(first.counts['short-volume']).toMatchObject({ fetched: 2, 'not-yet-published': 1 });
    // The requests carried our User-Agent (polite), one per file.
    expect(replay.server.hits(SI_PATH)).toHaveLength(1);
    expect(replay.server.hits(SI_PATH)[0]?.['user-agent']).toMatch(/^ShortPulse\/0\.1 \(\+https:/);
    const summary = formatFetchSummary(first);
    expect(summary).toContain('short-volume    2 fetched, 1 not yet published');
    expect(summary).toContain('split-calendar 2024-06-12: refused');

    // Second run: nothing present and valid is asked for again; what was missing is asked again.
    const second = await fetchInputs({ out, from: '2024-06-10', to: '2024-06-12', providers: providers(), now: NOW });
    expect(second.items.map((i) => i.status)).toEqual([
      'skipped',
      'skipped',
      'skipped',
      'not-yet-published',
      'skipped',
      'skipped',
      'refused',
      'skipped',
    ]);
    expect(replay.server.hits(SI_PATH)).toHaveLength(1);
    expect(replay.server.hits(svPath('20240610'))).toHaveLength(1);
    expect(replay.server.hits(svPath('20240612'))).toHaveLength(2);
  });

  it('fetches again a file present but damaged (a cut download is not "present and valid")', async () => {
    scriptTheWeek();
    const out = tempOut();
    await fetchInputs({ out, from: '2024-06-10', to: '2024-06-10', providers: providers(), now: NOW });
    const file = path.join(out, 'short-volume/CNMSshvol20240610.txt');
    writeFileSync(file, '<html>Access denied</html>');
    const again = await fetchInputs({ out, from: '2024-06-10', to: '2024-06-10', providers: providers(), now: NOW });
    expect(again.items.find((i) => i.source === 'short-volume')?.status).toBe('fetched');
    expect(readFileSync(file)).toEqual(Buffer.from(fixtureBytes('short-volume/CNMSshvol20240610.txt')));
  });

  it('stops asking a provider that failed for good, and says so for each file not asked', async () => {
    scriptTheWeek();
    replay.server.script(calPath('2024-06-10'), { status: 401, body: 'Unauthorized' });
    const out = tempOut();
    const before = replay.server.hits(calPath('2024-06-11')).length;
    const run = await fetchInputs({ out, from: '2024-06-10', to: '2024-06-12', providers: providers(), now: NOW });
    const calendar = run.items.filter((i) => i.source === 'split-calendar');
    expect(calendar.map((i) => i.status)).toEqual(['failed', 'not-asked', 'not-asked']);
    expect(calendar[0]?.detail).toContain('HTTP 401');
    expect(calendar[1]?.detail).toContain('nasdaq-split-calendar failed earlier in this run (2024-06-10:');
    expect(replay.server.hits(calPath('2024-06-11'))).toHaveLength(before);
  });
});
