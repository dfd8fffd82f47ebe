/**
 * Issue 19's stored stock days and stock runs (functions/adapters/derived-repository.ts), and the recorder
 * resumed from them (shared/methodology/stocks.ts): a recorder seeded with the final days one run stored, at a
 * later state, records what one uninterrupted recorder does.
 */

import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  createDerivedRepository,
  DerivedFormatError,
  decodeRecordedDay,
  decodeRecordedDays,
  encodeRecordedDay,
  encodeRecordedDays,
} from '../../functions/adapters/derived-repository.ts';
import { createMemoryObjectStore } from '../../functions/adapters/memory-object-store.ts';
import { createMemoryPipelineTable } from '../../functions/adapters/memory-pipeline-table.ts';
import { inputPaths } from '../../functions/cli/args.ts';
import { loadInput } from '../../functions/cli/input-folder.ts';
import { runDaySteps } from '../../functions/local/runner.ts';
import { createPipelineDeps } from '../../functions/pipeline/deps.ts';
import { createProviders, readProvidersConfig } from '../../functions/providers/config.ts';
import { tradingDays } from '../../shared/calendar.ts';
import type { IsoDate } from '../../shared/domain.ts';
import { RING } from '../../shared/methodology/engine.ts';
import {
  buildSnapshot,
  cloneState,
  type EngineState,
  initialState,
  snapshotAt,
  startAdvance,
} from '../../shared/methodology/index.ts';
import { type RecordedDay, seedRange, startStockRecorder } from '../../shared/methodology/stocks.ts';
import { tempDir, writeSample } from '../local/helpers/market.ts';
import { recordingLog } from './helpers/deps.ts';

const day = (over: Partial<RecordedDay> = {}): RecordedDay => ({
  index: 41,
  date: '2025-03-03',
  settlement: '2025-02-14',
  price: Float64Array.from([12.5, 0, 3.25]),
  marketCap: Float64Array.from([1.25e9, 0, 7.5e6]),
  factor: Float64Array.from([1, 1, 0.1]),
  shortInterest: Float64Array.from([1_234_567, 0, 89]),
  held: null,
  ...over,
});

describe('a stored stock day', () => {
  it('round-trips exactly, settlement "" included', () => {
    for (const d of [day(), day({ settlement: '', index: 0 })]) {
      expect(decodeRecordedDay('k', encodeRecordedDay(d))).toEqual(d);
    }
  });

  it('is refused when it is not one: magic, length, header, non-finite values; only final days are stored', () => {
    const bytes = encodeRecordedDay(day());
    const bad = (mutate: (b: Uint8Array) => Uint8Array) => () =>
      decodeRecordedDay('derived/stocks/years/x', mutate(bytes.slice()));
    expect(bad((b) => b.fill(65, 0, 3))).toThrow(/bad magic/);
    expect(bad((b) => b.subarray(0, b.length - 8))).toThrow(/expected \d+ bytes for 3 symbols/);
    expect(
      bad((b) => {
        new DataView(b.buffer).setFloat64(b.length - 8, Number.NaN, true);
        return b;
      }),
    ).toThrow(/column 3 row 2: NaN/);
    expect(() => decodeRecordedDay('k', encodeRecordedDay(day()).fill(32, 10, 20))).toThrow(DerivedFormatError);
    expect(() => encodeRecordedDay(day({ held: new Uint8Array(3) }))).toThrow(/only final days/);
  });

  it('a year of them round-trips, and a cut one is refused', () => {
    const days = [day(), day({ index: 42, date: '2025-03-04', settlement: '' })];
    const bytes = encodeRecordedDays(days);
    expect(decodeRecordedDays('k', bytes)).toEqual(days);
    expect(decodeRecordedDays('k', encodeRecordedDays([]))).toEqual([]);
    expect(() => decodeRecordedDays('y', bytes.subarray(0, bytes.length - 3))).toThrow(/day 2 of 2: cut short/);
    expect(() => decodeRecordedDays('y', Uint8Array.from([...bytes, 0]))).toThrow(/1 bytes after day 2/);
  });

  it('a stock run names its content, and a damaged one is refused naming the line', async () => {
    const store = createMemoryObjectStore();
    const repo = createDerivedRepository(store);
    const content = {
      asOf: '2025-03-03',
      methodologyVersion: 3,
      stocks: [{ symbol: 'A' }, { symbol: 'B' }],
      index: [{ symbol: 'A' }],
    };
    const key = await repo.putStockRun(content);
    expect(key).toMatch(/^derived\/stocks\/runs\/2025-03-03-[0-9a-f]{16}\.ndjson\.gz$/);
    expect(await repo.putStockRun(content)).toBe(key);
    const run = await repo.getStockRun(key);
    expect(run).toMatchObject({ asOf: '2025-03-03', methodologyVersion: 3, count: 2, index: [{ symbol: 'A' }] });
    expect([...(run?.stocks() ?? [])]).toEqual(content.stocks);
    await store.put(
      key,
      gzipSync('{"v":1,"asOf":"2025-03-03","methodologyVersion":3,"count":3}\n[]\n{"symbol":"A"}\n'),
      {
        contentType: 'application/gzip',
      },
    );
    const short = await repo.getStockRun(key);
    expect(() => [...(short?.stocks() ?? [])]).toThrow(/1 stock lines, the header says 3/);
    await store.put(key, gzipSync('{"v":2}\n'), { contentType: 'application/gzip' });
    await expect(repo.getStockRun(key)).rejects.toThrow(/line 1: not a stock run header/);
  });
});

describe('a recorder resumed at a checkpoint', () => {
  it('from the stored final days (seedRange), records what one uninterrupted recorder does, across a new year', () => {
    const dir = tempDir('stock-days');
    try {
      writeSample(dir, { symbols: 300, from: '2024-11-01', to: '2025-02-28', gzip: false });
      const input = loadInput(inputPaths({ input: dir }));
      const days = [...input.priceDays].sort((a, b) =>
        a.date < b.date ? -1 : a.date > b.date ? 1 : a.file < b.file ? -1 : 1,
      );
      // One run from the first day, keeping every final day as the pipeline stores them and two checkpoints:
      // one whose oldest final day is in December (the seed is then all of 2024), one in February whose is in January.
      const fold = startAdvance(initialState(3), { splits: input.splits });
      const whole = startStockRecorder();
      const stored = new Map<number, RecordedDay>();
      const accepted: IsoDate[] = [];
      const checkpoints: { state: EngineState; at: number }[] = [];
      days.forEach((d, i) => {
        if (fold.add(d, input.shortInterest).rejected !== null) return;
        accepted.push(d.date);
        whole.onDay(fold.result().state);
        for (const f of whole.takeFinal()) stored.set(f.index, f);
        if (d.date === '2024-12-27' || d.date === '2025-02-20')
          checkpoints.push({ state: cloneState(fold.result().state), at: i });
      });
      const { state } = fold.result();
      const expected = whole.finish(state, snapshotAt(state));
      expect(expected.stocks.length).toBeGreaterThan(100);
      expect(checkpoints).toHaveLength(2);
      const years = checkpoints.map(({ state: base }) => {
        const range = seedRange(base.dayCount, (j) => (accepted[j] as string).slice(0, 4)) as {
          from: number;
          to: number;
        };
        expect(range.to).toBe(base.dayCount - RING);
        const seed = [];
        for (let j = range.from; j <= range.to; j++) seed.push(stored.get(j) as RecordedDay);
        const resumed = startStockRecorder(seed);
        const rest = startAdvance(cloneState(base), { splits: input.splits });
        for (const d of days.slice((checkpoints.find((c) => c.state === base)?.at as number) + 1)) {
          if (rest.add(d, input.shortInterest).rejected === null) resumed.onDay(rest.result().state);
        }
        const end = rest.result().state;
        expect(resumed.finish(end, snapshotAt(end))).toEqual(expected);
        return [accepted[range.from], accepted[range.to]];
      });
      // The February seed starts the day before the year's first day (its previous close), not on 2 January.
      expect(years[0]?.[0]).toBe(accepted[0]);
      expect(years[1]?.[0]).toBe(accepted[accepted.indexOf('2025-01-02') - 1]);
      // A seed with a gap is refused.
      expect(() => startStockRecorder([stored.get(3) as RecordedDay, stored.get(5) as RecordedDay])).toThrow(
        /does not follow/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the pipeline without its stored stock days', () => {
  it('rebuilds them from the checkpoints and publishes the stock files pulse build writes', async () => {
    const dir = tempDir('stock-rebuild');
    try {
      writeSample(dir, { symbols: 300, from: '2025-01-02', to: '2025-03-31', gzip: false });
      const raw = createMemoryObjectStore('raw');
      const site = createMemoryObjectStore('site');
      const table = createMemoryPipelineTable();
      const log = recordingLog();
      const depsOn = (date: string) => {
        const clock = () => new Date(`${date}T23:45:00Z`);
        const providers = createProviders(
          readProvidersConfig({ PROVIDERS: 'folder', INPUT_DIR: dir, SHORT_INTEREST_LAG_DAYS: '7' }),
          clock,
        );
        return createPipelineDeps({ raw, site, table, providers, clock, log, newRunId: () => `run-${date}` });
      };
      const dates = tradingDays('2025-01-02', '2025-03-31');
      for (const date of dates.slice(0, -1)) await runDaySteps(depsOn(date), { date });
      const yearKey = 'derived/stocks/years/2025.bin.gz';
      const before = await createDerivedRepository(raw).getStockYear('2025');
      expect(before?.length).toBeGreaterThan(10);
      // Lost (or written by a version before the stock files): the last day's run rebuilds it from checkpoints.
      await raw.delete(yearKey);
      const walk = await runDaySteps(depsOn(dates.at(-1) as string), { date: dates.at(-1) as string });
      expect(walk.outputs.publish?.stocks?.written).toBeGreaterThan(100);
      expect(log.entries.some((e) => e.message === 'stock days rebuilt from checkpoints')).toBe(true);
      const after = await createDerivedRepository(raw).getStockYear('2025');
      expect(after?.length).toBe((before?.length ?? 0) + 1);
      expect(after?.slice(0, before?.length)).toEqual(before);

      // pulse build on the same folder, without the file settled on the last day (FINRA publishes it 7 trading
      // days later: the pipeline's last run cannot have it).
      const input = loadInput(inputPaths({ input: dir }));
      const { stocks } = buildSnapshot({
        days: input.priceDays,
        shortInterest: input.shortInterest.filter((f) => f.settlementDate < (dates.at(-1) as string)),
        splits: input.splits,
        stocks: true,
      });
      expect(stocks?.stocks.length).toBeGreaterThan(100);
      for (const expected of stocks?.stocks ?? []) {
        const o = await site.get(`data/stocks/${expected.symbol}.json`);
        const {
          generatedAt: _g,
          sample: _s,
          ...published
        } = JSON.parse(Buffer.from(o?.bytes as Uint8Array).toString());
        expect(published).toEqual(JSON.parse(JSON.stringify(expected)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
