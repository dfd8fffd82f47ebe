/**
 * runIngest against s3rver + dynalite (the real wire protocol): providers served by a local replay server,
 * file drops, the raw archive, the ledger, the day lock, and recovery from the archive after the table
 * is lost. Expected values are worked out by hand from the fixtures (test/pipeline/helpers/fixtures.ts).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoPipelineTable } from '../../functions/adapters/dynamo-pipeline-table.ts';
import { createPipelineDeps } from '../../functions/pipeline/deps.ts';
import { DayIncompleteError, DropBucketError, type IngestResult, runIngest } from '../../functions/pipeline/ingest.ts';
import { finraShortInterestProvider, finraShortVolumeProvider } from '../../functions/providers/finra.ts';
import { createHttpClient } from '../../functions/providers/http.ts';
import { nasdaqScreenerProvider } from '../../functions/providers/nasdaq-screener.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { type ReplayServer, startReplayServer } from '../providers/helpers/replay-server.ts';
import { emulatorDeps, fakeProvider, file } from './helpers/deps.ts';
import {
  HTML_ERROR_PAGE,
  SCREENER_2024_06_10,
  SCREENER_2024_06_11,
  SHORT_INTEREST_2024_05_31,
  SHORT_VOLUME_2024_06_10,
  SPLITS_CSV,
} from './helpers/fixtures.ts';

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

let aws: LocalAws;
let server: ReplayServer;
beforeAll(async () => {
  [aws, server] = await Promise.all([startLocalAws(), startReplayServer()]);
});
afterAll(async () => {
  await Promise.all([aws?.stop(), server?.close()]);
});

function networkProviders(clock: () => Date) {
  const http = createHttpClient({
    userAgent: 'ShortPulse/0.1 (+https://github.com/short-pulse/short-pulse; test)',
    timeoutMs: 2_000,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    maxBytes: 1024 * 1024,
  });
  // This file is about one day's files: the publication-day rule (7 trading days) and the look-back are
  // tested in test/providers; here 2024-05-31's file is asked for on 2024-06-10, and only the day's Reg SHO.
  return [
    finraShortInterestProvider({ http, baseUrl: server.baseUrl, minPublicationLag: 5 }),
    finraShortVolumeProvider({ http, baseUrl: server.baseUrl, lookbackTradingDays: 0 }),
    nasdaqScreenerProvider({ http, baseUrl: server.baseUrl, clock }),
  ];
}

function status(result: IngestResult) {
  return result.files
    .map((f) => `${f.source} ${f.file} ${f.status}${f.ledgerStatus ? `/${f.ledgerStatus}` : ''}`)
    .sort();
}

describe('a trading day from the network providers', () => {
  it('archives, records, validates and normalises each file; the same day again changes nothing', async () => {
    server.script('/api/screener/stocks?tableonly=true&download=true', { status: 200, body: SCREENER_2024_06_10 });
    server.script('/equity/regsho/daily/CNMSshvol20240610.txt', { status: 200, body: SHORT_VOLUME_2024_06_10 });
    server.script('/equity/otcmarket/biweekly/shrt20240531.csv', { status: 200, body: SHORT_INTEREST_2024_05_31 });
    server.script('/equity/otcmarket/biweekly/shrt20240515.csv', { status: 404, body: 'Not Found' });
    const clock = () => new Date('2024-06-10T23:30:00Z');
    const deps = await emulatorDeps(aws, { providers: networkProviders(clock), runIds: ['run-a', 'run-b'] });

    const first = await runIngest(deps, { kind: 'day', date: '2024-06-10' });

    expect(first).toMatchObject({ date: '2024-06-10', skipped: false, runId: 'run-a', pricesReady: true });
    expect(status(first)).toEqual([
      'prices 2024-06-10.json accepted',
      'short-interest shrt20240515.csv not-yet-available',
      'short-interest shrt20240531.csv accepted',
      'short-volume CNMSshvol20240610.txt accepted',
    ]);
    // Screener: 5 rows, ZZZ has no price (rule 1) → 4 accepted. Reg SHO: NVDA's −5 is refused → 2. FINRA: 3.
    expect(first.rows).toBe(4 + 2 + 3);
    expect(first.rejectedRows).toBe(2);
    expect(first.rejections).toEqual([
      expect.objectContaining({ file: '2024-06-10.json', line: 5, field: 'lastsale' }),
      expect.objectContaining({ file: 'CNMSshvol20240610.txt', line: 4, field: 'ShortVolume' }),
    ]);
    // A settlement date's short interest applies from that date: the days from 2024-05-31 on are restated.
    expect(first.restateFrom).toBe('2024-05-31');

    // Raw archive: byte-exact, sha256 in metadata, keyed by source and date.
    const raw = await deps.raw.get('raw/short-volume/2024-06-10/CNMSshvol20240610.txt');
    expect(text(raw!.bytes)).toBe(SHORT_VOLUME_2024_06_10);
    expect(raw!.sha256).toBe(sha(SHORT_VOLUME_2024_06_10));
    expect(raw!.metadata).toMatchObject({
      source: 'short-volume',
      origin: 'fetch',
      'received-at': '2024-06-10T23:30:00.000Z',
    });
    expect((await deps.raw.head('raw/short-interest/2024-05-31/shrt20240531.csv'))?.sha256).toBe(
      sha(SHORT_INTEREST_2024_05_31),
    );

    // Normalised day: canonical symbols, numbers, Unclassified sector (rule 6), unknown market cap null.
    const day = await deps.derived.getPriceDay('2024-06-10');
    expect(day?.source).toEqual({ file: '2024-06-10.json', sha256: sha(SCREENER_2024_06_10), rows: 4 });
    expect(day?.rows).toEqual([
      {
        symbol: 'AAPL',
        name: 'Apple Inc. Common Stock',
        price: 193.12,
        marketCap: 2961313536000,
        volume: 97262077,
        sector: 'Technology',
        industry: 'Computer Manufacturing',
      },
      {
        symbol: 'NVDA',
        name: 'NVIDIA Corporation Common Stock',
        price: 121.79,
        marketCap: 2995766370000,
        volume: 314162700,
        sector: 'Technology',
        industry: 'Semiconductors',
      },
      {
        symbol: 'BRK.B',
        name: 'Berkshire Hathaway Inc.',
        price: 405.29,
        marketCap: 874395310000,
        volume: 3046721,
        sector: 'Finance',
        industry: 'Property-Casualty Insurers',
      },
      {
        symbol: 'ABR-PD',
        name: 'Arbor Realty Trust 6.375% Series D Preferred',
        price: 17.05,
        marketCap: null,
        volume: 11234,
        sector: 'Unclassified',
        industry: 'Real Estate Investment Trusts',
      },
    ]);
    const si = await deps.derived.getShortInterestFiles('2024-05-31');
    expect(si.map((f) => [f.file, f.records.map((r) => [r.symbol, r.shares])])).toEqual([
      [
        'shrt20240531.csv',
        [
          ['AAPL', 120000000],
          ['NVDA', 28000000],
          ['BRK.B', 9000000],
        ],
      ],
    ]);
    const volume = await deps.derived.getShortVolumeDay('2024-06-10');
    expect(volume?.records.map((r) => [r.symbol, r.shortVolume, r.totalVolume])).toEqual([
      ['AAPL', 4196812, 9876543],
      ['BRK.B', 512345.5, 1234567.25],
    ]);

    // Ledger and day status.
    expect(await deps.table.getFile('prices', '2024-06-10.json', sha(SCREENER_2024_06_10))).toMatchObject({
      status: 'accepted',
      rows: 4,
      rejectedRows: 1,
      rawKey: 'raw/prices/2024-06-10/2024-06-10.json',
      derivedKey: 'derived/prices/2024-06-10.json',
      origin: 'fetch',
    });
    expect(await deps.table.getCursor()).toMatchObject({ lastIngested: '2024-06-10', restateFrom: '2024-05-31' });
    expect((await deps.table.getDay('2024-06-10'))?.steps.ingest).toMatchObject({ state: 'done', runId: 'run-a' });
    expect((await deps.table.getDay('2024-06-10'))?.lock).toBeNull();

    // The same day again: nothing downloaded that is already accepted, nothing written.
    const rawBefore = await deps.raw.list('');
    const hitsBefore = server.hits('/api/screener/stocks?tableonly=true&download=true').length;
    const second = await runIngest(deps, { kind: 'day', date: '2024-06-10' });
    expect(status(second)).toEqual([
      'prices 2024-06-10.json present/accepted',
      'short-interest shrt20240515.csv not-yet-available',
      'short-interest shrt20240531.csv present/accepted',
      'short-volume CNMSshvol20240610.txt present/accepted',
    ]);
    expect(second.rows).toBe(0);
    expect(second.restateFrom).toBeNull();
    expect(server.hits('/api/screener/stocks?tableonly=true&download=true')).toHaveLength(hitsBefore);
    expect(await deps.raw.list('')).toEqual(rawBefore);
    expect(await deps.table.listFileVersions('prices', '2024-06-10.json')).toHaveLength(1);
  });

  it('an HTML page served as prices is archived byte-exact and refused; a good snapshot later is accepted beside it', async () => {
    server.script(
      '/api/screener/stocks?tableonly=true&download=true',
      { status: 200, headers: { 'content-type': 'text/html' }, body: HTML_ERROR_PAGE },
      { status: 200, body: SCREENER_2024_06_11 },
    );
    const clock = () => new Date('2024-06-11T23:30:00Z');
    const deps = await emulatorDeps(aws, { providers: networkProviders(clock).slice(2), now: '2024-06-11T23:30:00Z' });

    const error = await runIngest(deps, { date: '2024-06-11', sources: ['prices'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DayIncompleteError);
    const refused = (error as DayIncompleteError).result;
    expect(refused.files).toEqual([
      expect.objectContaining({
        file: '2024-06-11.json',
        status: 'rejected',
        reason: expect.stringMatching(/^the body is an HTML page \(title "Access Denied"\)/),
      }),
    ]);
    expect(text((await deps.raw.get('raw/prices/2024-06-11/2024-06-11.json'))!.bytes)).toBe(HTML_ERROR_PAGE);
    expect(await deps.raw.head('derived/prices/2024-06-11.json')).toBeUndefined();
    expect(await deps.table.getFile('prices', '2024-06-11.json', sha(HTML_ERROR_PAGE))).toMatchObject({
      status: 'rejected',
      rejections: [{ file: '2024-06-11.json', line: 1, field: '*', reason: expect.stringMatching(/HTML page/) }],
    });
    expect((await deps.table.getDay('2024-06-11'))?.steps.ingest?.state).toBe('incomplete');
    expect((await deps.table.getCursor()).lastIngested).toBeNull();

    // The state machine retries later: the archive keeps the refused page, the good file goes beside it.
    const retried = await runIngest(deps, { date: '2024-06-11', sources: ['prices'] });
    expect(retried.pricesReady).toBe(true);
    expect((await deps.raw.list('raw/prices/2024-06-11/')).map((o) => o.key)).toEqual([
      'raw/prices/2024-06-11/2024-06-11.json',
      `raw/prices/2024-06-11/sha256-${sha(SCREENER_2024_06_11)}/2024-06-11.json`,
    ]);
    expect((await deps.derived.getPriceDay('2024-06-11'))?.rows[0]).toMatchObject({ symbol: 'AAPL', price: 207.15 });
  });

  it('skips weekends and exchange holidays without asking anyone', async () => {
    const provider = fakeProvider('prices', {});
    const deps = await emulatorDeps(aws, { providers: [provider] });
    expect(await runIngest(deps, { date: '2024-07-04' })).toMatchObject({
      skipped: true,
      reason: '2024-07-04 is an exchange holiday (Independence Day), not a trading day',
    });
    expect(await runIngest(deps, { date: '2024-06-15' })).toMatchObject({
      skipped: true,
      reason: '2024-06-15 is a weekend day, not a trading day',
    });
    expect(provider.calls).toEqual([]);
  });
});

describe('two runs of the same day at once', () => {
  it('one takes the day lock and ingests, the other throws the retryable DayLockedError without touching anything', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let downloading!: () => void;
    const inDownload = new Promise<void>((r) => {
      downloading = r;
    });
    const prices = fakeProvider(
      'prices',
      { '2024-06-10': [file('2024-06-10.json', SCREENER_2024_06_10)] },
      { gate, onFetch: () => downloading() },
    );
    const deps = await emulatorDeps(aws, { providers: [prices] });

    const winner = runIngest(deps, { date: '2024-06-10', sources: ['prices'], runId: 'execution-1' });
    // execution-1 holds the lock and is inside its download when execution-2 starts.
    await inDownload;
    const loser = runIngest(deps, { date: '2024-06-10', sources: ['prices'], runId: 'execution-2' });
    await expect(loser).rejects.toMatchObject({
      name: 'DayLockedError',
      message: expect.stringMatching(/^ingest: day 2024-06-10 is being processed by execution-1 until /),
    });
    release();
    const won = await winner;

    expect(won).toMatchObject({ skipped: false, pricesReady: true, runId: 'execution-1' });
    expect(prices.calls).toEqual(['2024-06-10']);
    expect(await deps.table.listFileVersions('prices', '2024-06-10.json')).toHaveLength(1);
    expect((await deps.table.getDay('2024-06-10'))?.lock).toBeNull();
  });
});

describe('file drops', () => {
  it('the same drop event twice: the second is a no-op', async () => {
    const deps = await emulatorDeps(aws);
    await deps.raw.put('incoming/CNMSshvol20240610.txt', new TextEncoder().encode(SHORT_VOLUME_2024_06_10), {
      contentType: 'text/plain',
    });
    const event = { kind: 'drop' as const, bucket: deps.rawBucket, key: 'incoming/CNMSshvol20240610.txt' };

    const first = await runIngest(deps, event);
    expect(first.files).toEqual([
      expect.objectContaining({
        status: 'accepted',
        rows: 2,
        rejectedRows: 1,
        rawKey: 'raw/short-volume/2024-06-10/CNMSshvol20240610.txt',
      }),
    ]);
    const objects = await deps.raw.list('');
    const derived = await deps.raw.head('derived/short-volume/2024-06-10.json');

    const again = await runIngest(deps, event);
    expect(again).toMatchObject({ skipped: true, reason: 'already ingested' });
    expect(again.files).toEqual([expect.objectContaining({ status: 'duplicate', ledgerStatus: 'accepted' })]);
    expect(await deps.raw.list('')).toEqual(objects);
    expect(await deps.raw.head('derived/short-volume/2024-06-10.json')).toEqual(derived);
    expect(await deps.table.listFileVersions('short-volume', 'CNMSshvol20240610.txt')).toHaveLength(1);
  });

  it('a gzip that does not decompress is archived as received and refused with the reason', async () => {
    const deps = await emulatorDeps(aws);
    const good = gzipSync(SCREENER_2024_06_10);
    const corrupt = Buffer.concat([good.subarray(0, 40), Buffer.alloc(30, 0xff), good.subarray(70)]);
    await deps.raw.put('incoming/2024-06-12.json.gz', corrupt, { contentType: 'application/gzip' });

    const result = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/2024-06-12.json.gz' });

    expect(result.skipped).toBe(true);
    expect(result.rejections).toEqual([
      expect.objectContaining({
        file: '2024-06-12.json.gz',
        line: 0,
        field: '*',
        reason: expect.stringMatching(/^the body starts like gzip but does not decompress/),
      }),
    ]);
    const archived = await deps.raw.get('raw/prices/2024-06-12/2024-06-12.json.gz');
    expect(Buffer.from(archived!.bytes).equals(corrupt)).toBe(true);
    expect(await deps.table.getFile('prices', '2024-06-12.json.gz', sha(corrupt))).toMatchObject({
      status: 'rejected',
      origin: 'drop',
    });
  });

  it('a prices file dated on an exchange holiday is archived and refused', async () => {
    const deps = await emulatorDeps(aws);
    await deps.raw.put('incoming/2024-07-04.json', new TextEncoder().encode(SCREENER_2024_06_10), {
      contentType: 'application/json',
    });
    const result = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/2024-07-04.json' });
    expect(result.rejections).toEqual([
      {
        file: '2024-07-04.json',
        line: 0,
        field: '*',
        reason: '2024-07-04 is an exchange holiday (Independence Day), not a trading day',
      },
    ]);
    expect(await deps.raw.head('raw/prices/2024-07-04/2024-07-04.json')).toBeDefined();
    expect(await deps.raw.head('derived/prices/2024-07-04.json')).toBeUndefined();
  });

  it('a late short interest file restates from its settlement date and asks compute to run through the last day', async () => {
    const deps = await emulatorDeps(aws);
    await deps.table.advanceCursor('lastIngested', '2024-06-12');
    await deps.table.advanceCursor('lastComputed', '2024-06-12');
    await deps.raw.put('incoming/shrt20240531.csv', new TextEncoder().encode(SHORT_INTEREST_2024_05_31), {
      contentType: 'text/csv',
    });

    const result = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/shrt20240531.csv' });

    expect(result).toMatchObject({ date: '2024-06-12', skipped: false, restateFrom: '2024-05-31', rows: 3 });
    expect((await deps.table.getCursor()).restateFrom).toBe('2024-05-31');
  });

  it('a prices file for a day older than what compute has done restates from that day', async () => {
    const deps = await emulatorDeps(aws);
    await deps.table.advanceCursor('lastIngested', '2024-06-12');
    await deps.table.advanceCursor('lastComputed', '2024-06-12');
    await deps.raw.put('incoming/2024-06-10.json', new TextEncoder().encode(SCREENER_2024_06_10), {
      contentType: 'application/json',
    });
    const result = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/2024-06-10.json' });
    expect(result).toMatchObject({ date: '2024-06-12', skipped: false, restateFrom: '2024-06-10', pricesReady: true });
    expect(await deps.table.getCursor()).toMatchObject({ lastIngested: '2024-06-12', restateFrom: '2024-06-10' });
    expect((await deps.table.getDay('2024-06-10'))?.steps.ingest?.state).toBe('done');
  });

  it('a splits file restates from the earliest override it adds, removes or changes', async () => {
    const deps = await emulatorDeps(aws, { now: '2024-06-15T14:00:00Z' });
    await deps.table.advanceCursor('lastIngested', '2024-06-14');
    await deps.raw.put('incoming/splits.csv', new TextEncoder().encode(SPLITS_CSV), { contentType: 'text/csv' });
    const first = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/splits.csv' });
    expect(first).toMatchObject({ restateFrom: '2024-06-10', date: '2024-06-14' });
    // Arrived on a Saturday: archived under its arrival date.
    expect(await deps.raw.head('raw/splits/2024-06-15/splits.csv')).toBeDefined();

    await deps.raw.put(
      'incoming/splits.csv',
      new TextEncoder().encode(`${SPLITS_CSV}SMCI,2024-06-12,-1\nLRCX,2024-10-03,10\n`),
      {
        contentType: 'text/csv',
      },
    );
    const second = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/splits.csv' });
    // SMCI's ratio is refused (line 3); LRCX is new → restate from 2024-10-03 (NVDA unchanged).
    expect(second.rejections).toEqual([expect.objectContaining({ file: 'splits.csv', line: 3, field: 'ratio' })]);
    expect(second.restateFrom).toBe('2024-10-03');
    expect((await deps.derived.getSplits())?.overrides).toEqual([
      { symbol: 'NVDA', date: '2024-06-10', ratio: 10, file: 'splits.csv' },
      { symbol: 'LRCX', date: '2024-10-03', ratio: 10, file: 'splits.csv' },
    ]);
  });

  it('refuses an event for another bucket and leaves unrecognised names where they are', async () => {
    const deps = await emulatorDeps(aws);
    await expect(
      runIngest(deps, { kind: 'drop', bucket: 'someone-elses-bucket', key: 'incoming/x.csv' }),
    ).rejects.toBeInstanceOf(DropBucketError);
    await deps.raw.put('incoming/readme.txt', new TextEncoder().encode('hello'), { contentType: 'text/plain' });
    const result = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/readme.txt' });
    expect(result).toMatchObject({ skipped: true, reason: expect.stringMatching(/unrecognised file name/) });
    expect(await deps.raw.list('raw/')).toEqual([]);
    expect(await deps.raw.head('incoming/readme.txt')).toBeDefined();
  });
});

describe('recovery: the table is lost, the archive is not', () => {
  it('replaying a day from the raw archive rebuilds the ledger and the same normalised records, offline', async () => {
    const online = [
      fakeProvider('prices', { '2024-06-10': [file('2024-06-10.json', SCREENER_2024_06_10)] }),
      fakeProvider('short-volume', { '2024-06-10': [file('CNMSshvol20240610.txt', SHORT_VOLUME_2024_06_10)] }),
      fakeProvider(
        'short-interest',
        { '2024-05-31': [file('shrt20240531.csv', SHORT_INTEREST_2024_05_31)] },
        { datesFor: () => ['2024-05-31'] },
      ),
    ];
    const deps = await emulatorDeps(aws, { providers: online });
    const before = await runIngest(deps, { date: '2024-06-10' });
    const derivedBefore = await Promise.all(
      [
        'derived/prices/2024-06-10.json',
        'derived/short-volume/2024-06-10.json',
        'derived/short-interest/2024-05-31/shrt20240531.csv.json',
      ].map(async (k) => (await deps.raw.head(k))?.sha256),
    );

    // A new, empty table; providers that have nothing (the screener never serves past days).
    const offline = online.map((p) =>
      fakeProvider(p.source, {}, { datesFor: (d) => (p.source === 'short-interest' ? ['2024-05-31'] : [d]) }),
    );
    const recovered = createPipelineDeps({
      ...deps,
      table: createDynamoPipelineTable({ client: aws.dynamo, tableName: await aws.newTable('recovered') }),
      providers: offline,
    });
    const replay = await runIngest(recovered, { date: '2024-06-10' });

    expect(status(replay)).toEqual([
      'prices 2024-06-10.json accepted',
      'short-interest shrt20240531.csv accepted',
      'short-volume CNMSshvol20240610.txt accepted',
    ]);
    expect(replay.rows).toBe(before.rows);
    expect(offline.every((p) => p.calls.length === 0)).toBe(true);
    expect(
      await Promise.all(
        [
          'derived/prices/2024-06-10.json',
          'derived/short-volume/2024-06-10.json',
          'derived/short-interest/2024-05-31/shrt20240531.csv.json',
        ].map(async (k) => (await deps.raw.head(k))?.sha256),
      ),
    ).toEqual(derivedBefore);
    expect(await recovered.table.getFile('prices', '2024-06-10.json', sha(SCREENER_2024_06_10))).toMatchObject({
      origin: 'archive',
      status: 'accepted',
      receivedAt: '2024-06-10T23:30:00.000Z',
    });
  });
});
