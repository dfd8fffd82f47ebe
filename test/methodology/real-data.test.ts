/**
 * Optional: the methodology on the real 2024 Nasdaq screener snapshots (../shared/data), with a
 * generated short interest file (5% of the shares of every symbol with a market cap, settled
 * 2024-05-31). Skipped when the data folder is absent (a user's clone). Prints the timings and the
 * data-quality reports; asserts no wall-clock time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PriceDay, ShortInterestFile } from '../../shared/domain.ts';
import { decodeText, parseScreener } from '../../shared/formats/index.ts';
import {
  buildSnapshot,
  classifyDay,
  cloneState,
  type EngineState,
  initialState,
  recordRejectedDay,
  snapshotAt,
  stepDay,
} from '../../shared/methodology/index.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dataDir = path.resolve(repoRoot, '../shared/data/nasdaq-screener/2024');
const haveData = existsSync(dataDir);

/** One snapshot through the project's own parser (shared/formats). */
function loadDay(file: string): PriceDay {
  const parsed = parseScreener(decodeText(readFileSync(path.join(dataDir, file)), file), file);
  if (parsed.date === null) throw new Error(`${file}: no date in the file name`);
  return { date: parsed.date, file, rows: parsed.records };
}

describe.skipIf(!haveData)('real 2024 screener data (optional)', () => {
  let days: PriceDay[] = [];
  let shortInterest: ShortInterestFile[] = [];
  let full: ReturnType<typeof buildSnapshot>;

  beforeAll(() => {
    const files = readdirSync(dataDir)
      .filter((f) => /^\d{4}-\d{2}-\d{2}\.json\.gz$/.test(f))
      .sort();
    let t = performance.now();
    days = files.map(loadDay);
    const loadMs = performance.now() - t;
    const may31 = days.find((d) => d.date === '2024-05-31');
    if (!may31) throw new Error('2024-05-31 missing from the real data');
    const shares = new Map<string, number>();
    for (const r of may31.rows)
      if (r.marketCap !== null) shares.set(r.symbol, Math.round((r.marketCap / r.price) * 0.05));
    shortInterest = [{ settlementDate: '2024-05-31', files: ['generated-5pct.csv'], shares }];
    t = performance.now();
    full = buildSnapshot({ days, shortInterest, splits: [] });
    const buildMs = performance.now() - t;
    const dq = full.body.dataQuality;
    console.log(
      `real 2024: ${days.length} files, ${days.reduce((a, d) => a + d.rows.length, 0)} rows; ` +
        `load (decodeText + parseScreener) ${loadMs.toFixed(0)} ms, buildSnapshot ${buildMs.toFixed(0)} ms`,
    );
    console.log(`rejected days: ${JSON.stringify(dq.rejectedDays)}`);
    const byRule = { '3a': 0, '3b': 0, '3c': 0, '3d': 0 };
    for (const s of dq.splits) byRule[s.rule]++;
    console.log(
      `splits: ${dq.splits.length} ${JSON.stringify(byRule)}; pending at ${full.body.asOf}: ${dq.pendingSplits.length}`,
    );
    const big = dq.splits.filter((s) => s.factor >= 2 && !s.symbol.includes('-')).slice(0, 30);
    console.log(
      `forward splits (first 30): ${big.map((s) => `${s.symbol} ${s.date} ×${s.factor.toPrecision(4)} ${s.rule}`).join(', ')}`,
    );
  }, 600_000);

  it('finds NVDA’s 10-for-1 of 2024-06-10 and AVGO’s of 2024-07-15', () => {
    const nvda = full.body.dataQuality.splits.find((s) => s.symbol === 'NVDA');
    expect(nvda?.date).toBe('2024-06-10');
    expect(Math.abs((nvda?.factor ?? 0) - 10)).toBeLessThan(0.05);
    expect(['3a', '3b']).toContain(nvda?.rule);
    const avgo = full.body.dataQuality.splits.find((s) => s.symbol === 'AVGO');
    expect(avgo?.date).toBe('2024-07-15');
    expect(Math.abs((avgo?.factor ?? 0) - 10)).toBeLessThan(0.05);
  });

  it('NVDA’s split day is an ordinary move for its shorts, not a 90% profit', () => {
    const june10 = buildSnapshot({ days, shortInterest, splits: [], asOf: '2024-06-10' });
    const w = june10.body.windows['1d'];
    const nvda = [...w.topWinners, ...w.topLosers].find((e) => e.symbol === 'NVDA');
    // 5% of ~2.46B shares at ~$1,200 is by far the largest exposure: it is in one of the lists
    expect(nvda).toBeDefined();
    expect(Math.abs(nvda?.pnlPct ?? 100)).toBeLessThan(5);
    console.log(`NVDA 2024-06-10: pnl ${(nvda?.pnlUsd ?? 0) / 1e9} $B, ${nvda?.pnlPct?.toFixed(3)}% of exposure`);
    // and the mega tier's day is an ordinary day too
    expect(Math.abs(w.groups.mega.pnlPct ?? 100)).toBeLessThan(10);
  });

  it('reports plausible stale days and splits, and validates', () => {
    expect(full.body.dataQuality.rejectedDays.length).toBeLessThan(5);
    expect(full.body.dataQuality.acceptedDays).toBeGreaterThan(245);
    // only the last ~10 accepted days can hold undecided 3(b) splits
    for (const p of full.body.dataQuality.pendingSplits) expect(p.date >= '2024-12-13').toBe(true);
    expect(full.history).toHaveLength(full.body.dataQuality.acceptedDays - 1);
    const snap = assembleSnapshot(full.body, {
      generatedAt: '2025-01-01T00:00:00.000Z',
      sample: false,
      sources: [],
      rejections: [],
    });
    expect(snap.windows.ytd.tradingDays).toBe(full.body.dataQuality.acceptedDays - 1);
    console.log(`ytd total: ${JSON.stringify(snap.windows.ytd.groups.total)}`);
  });

  it('day by day with checkpoints equals the batch on 40 real days', () => {
    const slice = days.slice(100, 140);
    const batch = buildSnapshot({ days: slice, shortInterest, splits: [] });
    let state: EngineState = initialState();
    const ctx = { shortInterest, splits: [], lookahead: [] };
    slice.forEach((day, i) => {
      state = i % 10 === 9 ? (JSON.parse(JSON.stringify(state)) as EngineState) : cloneState(state);
      const reason = classifyDay(state, day);
      if (reason) recordRejectedDay(state, { date: day.date, file: day.file, reason });
      else state = stepDay(state, day, ctx).state;
    });
    expect(JSON.stringify(snapshotAt(state))).toBe(JSON.stringify(batch.body));
  });
});
