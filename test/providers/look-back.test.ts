/**
 * The providers' look-back through the real ingest (runIngest on s3rver + dynalite, providers against the
 * replay server), three evenings in a row: a Reg SHO file or a split-calendar day missing at its own run is
 * asked for again on the next days and ingested when it comes; a day already archived and accepted is
 * never downloaded again (ingest finds it in the ledger: `present`); a day that left the look-back window is
 * no longer asked; a short interest file is asked for from its publication day on, and once it is in,
 * never again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DayIncompleteError, type IngestResult, runIngest } from '../../functions/pipeline/ingest.ts';
import type { SourceName } from '../../functions/pipeline/keys.ts';
import { finraShortInterestProvider, finraShortVolumeProvider } from '../../functions/providers/finra.ts';
import { createHttpClient } from '../../functions/providers/http.ts';
import { nasdaqSplitCalendarProvider } from '../../functions/providers/nasdaq-split-calendar.ts';
import { compactDate } from '../../functions/providers/source-provider.ts';
import type { IsoDate } from '../../shared/domain.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { fixtureText } from '../formats/fixtures.ts';
import { emulatorDeps } from '../pipeline/helpers/deps.ts';
import { SHORT_INTEREST_2024_05_31 } from '../pipeline/helpers/fixtures.ts';
import { FIXTURES, type ReplayServer, startReplayServer, TEST_USER_AGENT } from './helpers/replay-server.ts';

let aws: LocalAws;
let server: ReplayServer;
beforeAll(async () => {
  [aws, server] = await Promise.all([startLocalAws(), startReplayServer()]);
});
afterAll(async () => {
  await Promise.all([aws?.stop(), server?.close()]);
});

const SOURCES: SourceName[] = ['short-volume', 'split-calendar', 'short-interest'];
const regSho = (d: IsoDate) => `/equity/regsho/daily/CNMSshvol${compactDate(d)}.txt`;
const calendar = (d: IsoDate) => `/api/calendar/splits?date=${d}`;
const SI_0531 = '/equity/otcmarket/biweekly/shrt20240531.csv';
/** The fixture's two rows, dated `d` (a Reg SHO file's rows carry its own date). */
const regShoBody = (d: IsoDate) => FIXTURES.shortVolume.replaceAll('20240610', compactDate(d));
const noSplits = fixtureText('split-calendar/splits-2021-11-13.json').text;

/** One evening's ingest of the three sources; without prices it ends in DayIncompleteError, which carries the result. */
async function evening(deps: Awaited<ReturnType<typeof emulatorDeps>>, date: IsoDate): Promise<IngestResult> {
  const run = runIngest(deps, { kind: 'day', date, sources: SOURCES });
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DayIncompleteError)) throw error ?? new Error('expected DayIncompleteError (no prices)');
  return error.result;
}

/** `source file status[/ledger status]` of one source's files, sorted. */
function statuses(result: IngestResult, source: SourceName): string[] {
  return result.files
    .filter((f) => f.source === source)
    .map((f) => `${f.file} ${f.status}${f.ledgerStatus ? `/${f.ledgerStatus}` : ''}`)
    .sort();
}

describe('look-back through ingest', () => {
  it('asks again for what was missing, never re-downloads what is archived, and stops at the window', async () => {
    // Reg SHO: Friday 2024-06-07 is late (403 on the 10th, the file on the 11th); the 10th and 11th come on time.
    server.script(
      regSho('2024-06-07'),
      { status: 403, body: 'Access Denied' },
      { status: 200, body: regShoBody('2024-06-07') },
    );
    server.script(regSho('2024-06-10'), { status: 200, body: regShoBody('2024-06-10') });
    server.script(regSho('2024-06-11'), { status: 200, body: regShoBody('2024-06-11') });
    server.script(regSho('2024-06-12'), { status: 200, body: regShoBody('2024-06-12') });
    // Split calendar: the 10th's day is a 404 at its own run and served on the 11th; the others on time.
    server.script(calendar('2024-06-10'), { status: 404, body: 'Not Found' }, { status: 200, body: noSplits });
    for (const d of ['2024-06-11', '2024-06-12'] as const) server.script(calendar(d), { status: 200, body: noSplits });
    // Short interest settled 2024-05-31, published on the 7th trading day after: Tuesday 2024-06-11.
    server.script(SI_0531, { status: 200, body: SHORT_INTEREST_2024_05_31 });

    const http = createHttpClient({
      userAgent: TEST_USER_AGENT,
      timeoutMs: 2_000,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      maxBytes: 1024 * 1024,
    });
    const providers = [
      finraShortVolumeProvider({ http, baseUrl: server.baseUrl }),
      nasdaqSplitCalendarProvider({ http, baseUrl: server.baseUrl }),
      finraShortInterestProvider({ http, baseUrl: server.baseUrl }),
    ];
    const deps = await emulatorDeps(aws, { providers });

    // Monday 2024-06-10: the day and 06-03 … 06-07 are asked; only the 10th's Reg SHO file is there.
    const monday = await evening(deps, '2024-06-10');
    expect(statuses(monday, 'short-volume')).toEqual([
      'CNMSshvol20240603.txt not-yet-available',
      'CNMSshvol20240604.txt not-yet-available',
      'CNMSshvol20240605.txt not-yet-available',
      'CNMSshvol20240606.txt not-yet-available',
      'CNMSshvol20240607.txt not-yet-available',
      'CNMSshvol20240610.txt accepted',
    ]);
    expect(statuses(monday, 'split-calendar')).toContain('splits-2024-06-10.json not-yet-available');
    // 2024-05-31 is not due yet (6th trading day): no request; 2024-05-15 is (404 here).
    expect(statuses(monday, 'short-interest')).toEqual(['shrt20240515.csv not-yet-available']);
    expect(server.hits(SI_0531)).toHaveLength(0);

    // Tuesday: the late files arrive; the 10th's Reg SHO file is in the ledger and is not fetched again.
    const tuesday = await evening(deps, '2024-06-11');
    expect(statuses(tuesday, 'short-volume')).toEqual([
      'CNMSshvol20240604.txt not-yet-available',
      'CNMSshvol20240605.txt not-yet-available',
      'CNMSshvol20240606.txt not-yet-available',
      'CNMSshvol20240607.txt accepted',
      'CNMSshvol20240610.txt present/accepted',
      'CNMSshvol20240611.txt accepted',
    ]);
    expect(statuses(tuesday, 'split-calendar')).toEqual(
      expect.arrayContaining(['splits-2024-06-10.json accepted', 'splits-2024-06-11.json accepted']),
    );
    expect(statuses(tuesday, 'short-interest')).toEqual([
      'shrt20240515.csv not-yet-available',
      'shrt20240531.csv accepted',
    ]);
    // The short interest file marks its settlement date for compute to fold again from.
    expect(tuesday.restateFrom).toBe('2024-05-31');

    // Wednesday: everything archived is `present`; 06-03 left the window; nothing already in is downloaded.
    const wednesday = await evening(deps, '2024-06-12');
    expect(statuses(wednesday, 'short-volume')).toEqual([
      'CNMSshvol20240605.txt not-yet-available',
      'CNMSshvol20240606.txt not-yet-available',
      'CNMSshvol20240607.txt present/accepted',
      'CNMSshvol20240610.txt present/accepted',
      'CNMSshvol20240611.txt present/accepted',
      'CNMSshvol20240612.txt accepted',
    ]);
    expect(statuses(wednesday, 'short-interest')).toEqual([
      'shrt20240515.csv not-yet-available',
      'shrt20240531.csv present/accepted',
    ]);

    // Requests per file over the three evenings.
    expect(server.hits(regSho('2024-06-03'))).toHaveLength(1); // Monday only: out of Tuesday's window
    expect(server.hits(regSho('2024-06-04'))).toHaveLength(2); // Monday, Tuesday
    expect(server.hits(regSho('2024-06-05'))).toHaveLength(3); // still missing: every evening
    expect(server.hits(regSho('2024-06-07'))).toHaveLength(2); // 403, then the file; not on Wednesday
    expect(server.hits(regSho('2024-06-10'))).toHaveLength(1); // archived on Monday: never again
    expect(server.hits(regSho('2024-06-11'))).toHaveLength(1);
    expect(server.hits(calendar('2024-06-10'))).toHaveLength(2); // 404, then the file
    expect(server.hits(calendar('2024-06-11'))).toHaveLength(1);
    expect(server.hits(SI_0531)).toHaveLength(1); // from its publication day, once
    // What was archived, byte for byte: the late file under its own date.
    const late = await deps.raw.get('raw/short-volume/2024-06-07/CNMSshvol20240607.txt');
    expect(Buffer.from(late!.bytes).toString('utf8')).toBe(regShoBody('2024-06-07'));
    expect((await deps.table.listFileVersions('short-volume', 'CNMSshvol20240610.txt')).length).toBe(1);
  });
});
