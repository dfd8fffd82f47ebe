/**
 * Optional (skipped without ../shared/data): rule 13 (methodology v3, "where short sellers are adding") on
 * the real 2024 year — the real screener files and FINRA's real short interest files — against issue 22's
 * "done when": the lists of the 30-day window after each 2024 settlement are checked against a small
 * independent computation from the FINRA files and the prices, not the engine's code.
 *
 * The engine runs once over the year (v3 default); `snapshotAt` is taken on the days chosen below. For each
 * settlement T of 2024 (2024-01-12 … 2024-12-31; T′ the file before it):
 * - `1d` at the day T's file takes effect (the first accepted day ≥ T): exactly one switch, T′ → T;
 * - `30d` at A = the last accepted day T's file is in effect (the day before the next file takes effect; for
 *   2024-12-31, that day itself): the window [A − 29, A] holds the switch to T and, except in January, the
 *   switch to T′ too — each switch is computed from its own two FINRA files and its own day's prices, and
 *   summed;
 * - `ytd` at the same A: every switch of the year so far (a second engine path: the running sums).
 *
 * The independent computation reads FINRA's files as raw text (split on `|`): SI_T(s) is the row's
 * currentShortPositionQuantity, replaced by the next file's previousShortPositionQuantity where that row is
 * flagged `R` (rule 4(a)); a symbol absent from a file has SI 0. A file is in effect from its settlement date
 * (the latest settlement ≤ d). On a counted day d of the window where the file in effect changes from T′ to T
 * (and a file was in effect on d−1), N = (SI_T(s) − SI_T′(s)) · price_d(s), counted only when s is priced on
 * d and on d−1 with a known MC_{d−1} (rule 6). Prices are read with the project's screener parser; the
 * accepted days are the engine's (rule 2 is not what is checked here), and rule 12's universe (common stocks
 * and ADRs) is `classifySecurity`'s, the security master.
 *
 * Compared only on "clean" symbols, where the engine's other rules cannot move N: a plain ticker (letters
 * only) that is no listing's compressed FINRA spelling (rule 4(b)); common or ADR on every day examined;
 * priced on A with a known MC_A (a tier as of A); no FINRA `S` flag in either file of any switch; on every
 * pair of consecutive accepted days from 8 days before the first old file took effect up to A, a price ratio
 * within [0.72, 1.38] and a share-count ratio within [0.7, 1.45] (so no split by rules 3(a), 3(b), 3(d), no
 * pending hold, no quarantine); and, on each switch day, both positions below the shares outstanding (rule
 * 11(b) cannot zero them). Checked, for the `total` group of each window:
 * (a) every clean list entry: netNewShortingUsd = Σ N (1e-9 relative, or 1e-6 $), changeShares = Σ ΔSI,
 *     shortInterestShares = SI(s, A), shortInterestUsd, changePctSharesOut;
 * (b) completeness: a clean symbol whose Σ N beats the list's 10th value (or is of the right sign when the
 *     list is shorter) is in the list; lists are ordered;
 * (c) fromSettlement / toSettlement are the files in effect on the day before the window and on A;
 * (d) counts, and more than 150 entries checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PriceDay } from '../../shared/domain.ts';
import { mergeShortInterestRevisions } from '../../shared/formats/index.ts';
import { type SnapshotBody, snapshotAt, startBatch } from '../../shared/methodology/index.ts';
import { classifySecurity } from '../../shared/methodology/securities.ts';
import type { NetNewEntry } from '../../shared/snapshot/schema.ts';
import { DATA, FINRA_2024, REAL_YEAR_PRESENT, realFinraParsed, realPriceDays } from './real-year.ts';

const data = DATA;
const finraDir = FINRA_2024;
const present = REAL_YEAR_PRESENT;
if (!present) console.info(`methodology real net-new tests skipped: ${data} is absent`);

/** One FINRA file read as raw text: symbolCode → its columns (the files have no duplicate symbols). */
interface RawFinra {
  settlement: string;
  current: Map<string, number>;
  /** revisionFlag R: previousShortPositionQuantity, the revised figure of the previous settlement. */
  revised: Map<string, number>;
  splitFlag: Set<string>;
}

function readFinraRaw(file: string): RawFinra {
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = (lines[0] as string).split('|');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column ${name}`);
    return i;
  };
  const [cSym, cCur, cPrev, cSplit, cRev, cSettle] = [
    col('symbolCode'),
    col('currentShortPositionQuantity'),
    col('previousShortPositionQuantity'),
    col('stockSplitFlag'),
    col('revisionFlag'),
    col('settlementDate'),
  ];
  const out: RawFinra = { settlement: '', current: new Map(), revised: new Map(), splitFlag: new Set() };
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const c = line.split('|');
    const symbol = c[cSym] as string;
    out.settlement = c[cSettle] as string;
    if (out.current.has(symbol)) throw new Error(`${file}: ${symbol} twice`);
    out.current.set(symbol, Number(c[cCur]));
    if (c[cRev] === 'R') out.revised.set(symbol, Number(c[cPrev]));
    if (c[cSplit] === 'S') out.splitFlag.add(symbol);
  }
  return out;
}

const addDays = (date: string, n: number) => {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
};

const close = (engine: number, mine: number) => Math.abs(engine - mine) <= Math.max(1e-6, 1e-9 * Math.abs(mine));

type WindowName = '1d' | '30d' | 'ytd';
interface Check {
  name: WindowName;
  /** Index of A among the accepted days. */
  a: number;
  /** T: the settlement whose file this window was chosen for. */
  settlement: string;
}

describe.skipIf(!present)('rule 13 on the real 2024 year: lists against an independent computation', () => {
  /** Accepted days, in order (from the engine: rule 2 is not checked here). */
  const accepted: string[] = [];
  const snapshots = new Map<string, SnapshotBody>();
  let finra: RawFinra[] = [];
  /** SI per file, with the next file's R rows applied (rule 4(a)). */
  let si: Map<string, number>[] = [];
  /** Per symbol, per accepted day: price (0 = absent), market cap (0 = unknown), rule 12 universe. */
  const price = new Map<string, Float64Array>();
  const cap = new Map<string, Float64Array>();
  const counted = new Map<string, Uint8Array>();
  /** Compressed FINRA spellings of the listings with a separator seen in the year (rule 4(b) ambiguity). */
  const compressed = new Set<string>();
  let checks: Check[] = [];
  let seconds = 0;

  /** Index of the file in effect on `date` (latest settlement ≤ date), −1 when none. */
  const inEffect = (date: string) => {
    let k = -1;
    finra.forEach((f, i) => {
      if (f.settlement <= date) k = i;
    });
    return k;
  };

  beforeAll(() => {
    const t0 = performance.now();
    finra = readdirSync(finraDir)
      .filter((n) => /^shrt\d{8}\.csv$/.test(n))
      .sort()
      .map((n) => readFinraRaw(path.join(finraDir, n)));
    si = finra.map((f, i) => {
      const m = new Map(f.current);
      for (const [s, n] of finra[i + 1]?.revised ?? []) m.set(s, n);
      return m;
    });

    // The screener files, read once; the days we want a snapshot of are chosen from the file dates
    // (every 2024 file is an accepted trading day; asserted after the run).
    const days: PriceDay[] = realPriceDays();
    const dates = days.map((d) => d.date);
    const settlements = finra.map((f) => f.settlement);
    const switchDay = (k: number) => dates.find((d) => d >= (settlements[k] as string));
    const wanted = new Set<string>();
    for (let k = 1; k < finra.length; k++) {
      const on = switchDay(k);
      const next = k + 1 < finra.length ? switchDay(k + 1) : undefined;
      const last = next === undefined ? dates.at(-1) : dates.filter((d) => d < next).at(-1);
      if (on) wanted.add(on);
      if (last) wanted.add(last);
    }

    const parsed = realFinraParsed();
    const fold = startBatch({
      shortInterest: mergeShortInterestRevisions(parsed),
      splits: [],
      onAccepted: (state) => {
        const date = state.lastDate as string;
        accepted.push(date);
        if (wanted.has(date)) snapshots.set(date, snapshotAt(state));
      },
    });
    for (const d of days) fold.add(d);
    fold.finish();

    // Per symbol and accepted day, from the parsed rows (rule 1: the first row of a symbol counts).
    const index = new Map(accepted.map((d, i) => [d, i]));
    const n = accepted.length;
    const types = new Map<string, boolean>();
    for (const day of days) {
      const j = index.get(day.date);
      if (j === undefined) continue;
      for (const r of day.rows) {
        let p = price.get(r.symbol);
        if (!p) {
          p = new Float64Array(n);
          price.set(r.symbol, p);
          cap.set(r.symbol, new Float64Array(n));
          counted.set(r.symbol, new Uint8Array(n));
          if (/[.-]/.test(r.symbol)) compressed.add(r.symbol.replace(/-P/g, 'PR').replace(/[.-]/g, ''));
        }
        if ((p[j] as number) > 0 || !(r.price > 0)) continue;
        p[j] = r.price;
        (cap.get(r.symbol) as Float64Array)[j] = r.marketCap !== null && r.marketCap > 0 ? r.marketCap : 0;
        const key = `${r.symbol}\u0000${r.name}`;
        let ok = types.get(key);
        if (ok === undefined) {
          const t = classifySecurity(r.symbol, r.name);
          ok = t === 'common' || t === 'adr';
          types.set(key, ok);
        }
        (counted.get(r.symbol) as Uint8Array)[j] = ok ? 1 : 0;
      }
    }

    // The windows: for each 2024 settlement T, 1d on its switch day and 30d and ytd on its last day in effect.
    const switchIndex = (k: number) => accepted.findIndex((d) => d >= (settlements[k] as string));
    checks = [];
    for (let k = 1; k < finra.length; k++) {
      const on = switchIndex(k);
      const next = k + 1 < finra.length ? switchIndex(k + 1) : -1;
      const last = next === -1 ? n - 1 : next - 1;
      const settlement = settlements[k] as string;
      checks.push({ name: '1d', a: on, settlement });
      checks.push({ name: '30d', a: last, settlement });
      checks.push({ name: 'ytd', a: last, settlement });
    }
    seconds = (performance.now() - t0) / 1000;
  }, 300_000);

  it('ran over the whole year with a snapshot for every chosen day', () => {
    expect(finra.map((f) => f.settlement)).toHaveLength(25);
    expect(finra[0]?.settlement).toBe('2023-12-29');
    expect(accepted).toHaveLength(252);
    expect(checks).toHaveLength(72);
    for (const c of checks) expect(snapshots.has(accepted[c.a] as string), accepted[c.a]).toBe(true);
    console.info(`engine pass and reading: ${seconds.toFixed(1)} s, ${snapshots.size} snapshots`);
  });

  it('hand-checked examples: CMI, MSFT across an R revision, NVDA across its split', () => {
    const entry = (date: string, name: WindowName, side: 'adding' | 'covering', symbol: string) =>
      snapshots.get(date)?.windows[name].netNewShorting?.groups.total[side].find((e) => e.symbol === symbol);
    // awk -F'|' '$2=="CMI"' shrt20240229.csv shrt20240315.csv: 5,837,707 then 32,498,522 shares (Cummins'
    // Atmus exchange offer); screener 2024-03-15 CMI $274.84: (32,498,522 − 5,837,707) × 274.84 = $7,327,458,394.60,
    // the largest addition of the day.
    const cmi = snapshots.get('2024-03-15')?.windows['1d'].netNewShorting?.groups.total.adding[0];
    expect(cmi?.symbol).toBe('CMI');
    expect(cmi?.changeShares).toBe(26_660_815);
    expect(cmi?.netNewShortingUsd).toBeCloseTo(7_327_458_394.6, 3);
    // MSFT: 56,321,541 on 2024-04-15, revised (row flagged R on 2024-04-30, previousShortPositionQuantity) to
    // 56,353,741; 49,773,013 on 2024-04-30; screener 2024-04-30 MSFT $389.33: (49,773,013 − 56,353,741) × 389.33
    // = −$2,562,074,832.24 (without the revision it would read −$2,549,538,406.24): the day's largest covering.
    const msft = snapshots.get('2024-04-30')?.windows['1d'].netNewShorting?.groups.total.covering[0];
    expect(msft?.symbol).toBe('MSFT');
    expect(msft?.changeShares).toBe(-6_580_728);
    expect(msft?.netNewShortingUsd).toBeCloseTo(-2_562_074_832.24, 3);
    // NVDA (not a clean symbol: its 10-for-1 of 2024-06-10): 29,202,972 on 2024-05-31, 315,033,985 (flag S) on
    // 2024-06-14. Rule 3(a) applies the screener's share-count ratio unrounded, q = (2,995,832,068,526 / 121.79) /
    // (2,973,844,800,000 / 1,208.88) = 9.999326…, so on 2024-06-14 at $131.88: (315,033,985 − 29,202,972 · q) ×
    // 131.88 = $3,036,398,220.62 (with q = 10 exactly: $3,033,802,468.20; unadjusted: $37.7B).
    const nvda = entry('2024-06-14', '1d', 'adding', 'NVDA');
    const q = 2_995_832_068_526 / 121.79 / (2_973_844_800_000 / 1208.88);
    expect(nvda?.netNewShortingUsd).toBeCloseTo((315_033_985 - 29_202_972 * q) * 131.88, 3);
    expect(nvda?.netNewShortingUsd).toBeCloseTo(3_036_398_220.62, 1);
  });

  it('each window’s total lists equal the independent Σ N on every clean symbol, and miss none', {
    timeout: 300_000,
  }, () => {
    let entries = 0;
    let clean = 0;
    let cleanSymbols = 0;
    let switches = 0;
    const uncleanDiffers: string[] = [];
    const failures: string[] = [];
    const lines: string[] = [];
    for (const check of checks) {
      const A = accepted[check.a] as string;
      const body = snapshots.get(A) as SnapshotBody;
      const window = body.windows[check.name];
      const net = window.netNewShorting;
      expect(net, `${check.name} ${A}`).toBeDefined();
      if (!net) continue;
      const label = `${check.name} at ${A} (T ${check.settlement})`;

      // The window's counted days (rule 7): accepted, with a previous accepted day.
      const first =
        check.name === '1d'
          ? check.a
          : check.name === '30d'
            ? accepted.findIndex((d, i) => i >= 1 && d >= addDays(A, -29))
            : accepted.findIndex((d, i) => i >= 1 && d >= `${A.slice(0, 4)}-01-01`);
      expect(window.from, label).toBe(accepted[first]);
      expect(window.tradingDays, label).toBe(check.a - first + 1);
      // (c) the files compared.
      const fromK = inEffect(accepted[first - 1] as string);
      const toK = inEffect(A);
      expect(net.fromSettlement, label).toBe(finra[fromK]?.settlement ?? null);
      expect(net.toSettlement, label).toBe(finra[toK]?.settlement ?? null);
      const sw: { j: number; old: number; neu: number }[] = [];
      for (let j = first; j <= check.a; j++) {
        const old = inEffect(accepted[j - 1] as string);
        const neu = inEffect(accepted[j] as string);
        if (old !== neu && old >= 0) sw.push({ j, old, neu });
      }
      expect(sw.length, label).toBeGreaterThanOrEqual(1);
      if (check.name === '1d') expect(sw).toEqual([{ j: check.a, old: toK - 1, neu: toK }]);
      else expect(sw.some((s) => s.neu === finra.findIndex((f) => f.settlement === check.settlement))).toBe(true);
      switches += sw.length;

      // The range where a split, a pending hold or a quarantine could touch the switches' positions.
      const oldestOld = sw[0]?.old as number;
      const tookEffect = accepted.findIndex((d) => d >= (finra[oldestOld] as RawFinra).settlement);
      const from = Math.max(1, tookEffect - 8);
      const flagged = new Set<string>();
      for (const s of sw) {
        for (const x of finra[s.old]?.splitFlag ?? []) flagged.add(x);
        for (const x of finra[s.neu]?.splitFlag ?? []) flagged.add(x);
      }

      // Σ N and Σ ΔSI of every symbol priced on A; `isClean` as in the header comment.
      const mine = new Map<string, { n: number; shares: number; clean: boolean }>();
      for (const [symbol, p] of price) {
        const pA = p[check.a] as number;
        if (!(pA > 0)) continue;
        const c = cap.get(symbol) as Float64Array;
        const universe = counted.get(symbol) as Uint8Array;
        let isClean =
          /^[A-Z]+$/.test(symbol) &&
          !compressed.has(symbol) &&
          !flagged.has(symbol) &&
          (c[check.a] as number) > 0 &&
          universe[check.a] === 1;
        for (let j = from; isClean && j <= check.a; j++) {
          const p0 = p[j - 1] as number;
          const p1 = p[j] as number;
          if (p1 > 0 && universe[j] !== 1) isClean = false;
          if (!(p0 > 0 && p1 > 0)) continue;
          const x = p1 / p0;
          if (x < 0.72 || x > 1.38) isClean = false;
          const m0 = c[j - 1] as number;
          const m1 = c[j] as number;
          if (m0 > 0 && m1 > 0) {
            const q = m1 / p1 / (m0 / p0);
            if (q < 0.7 || q > 1.45) isClean = false;
          }
        }
        let n = 0;
        let shares = 0;
        for (const s of sw) {
          const p0 = p[s.j - 1] as number;
          const p1 = p[s.j] as number;
          const m0 = c[s.j - 1] as number;
          if (!(p0 > 0 && p1 > 0 && m0 > 0)) continue; // rule 6: the symbol-day is left out
          if (universe[s.j] !== 1) continue; // rule 12: not a common stock or ADR that day
          const before = si[s.old]?.get(symbol) ?? 0;
          const after = si[s.neu]?.get(symbol) ?? 0;
          const m1 = c[s.j] as number;
          if (!(before < m0 / p0) || !(m1 > 0) || !(after < m1 / p1)) isClean = false;
          n += (after - before) * p1;
          shares += after - before;
        }
        mine.set(symbol, { n, shares, clean: isClean });
        if (isClean) cleanSymbols++;
      }

      // (a) each entry, (b) the order, and completeness.
      const total = net.groups.total;
      const check1 = (e: NetNewEntry, sign: 1 | -1) => {
        entries++;
        expect(Math.sign(e.netNewShortingUsd), `${label} ${e.symbol}`).toBe(sign);
        const m = mine.get(e.symbol);
        if (!m) {
          failures.push(`${label}: ${e.symbol} listed but not priced on A`);
          return;
        }
        if (!m.clean) {
          if (!close(e.netNewShortingUsd, m.n)) {
            uncleanDiffers.push(`${label} ${e.symbol}: engine ${e.netNewShortingUsd}, naive ${m.n}`);
          }
          return;
        }
        clean++;
        const siA = si[toK]?.get(e.symbol) ?? 0;
        const pA = price.get(e.symbol)?.[check.a] as number;
        const soA = (cap.get(e.symbol)?.[check.a] as number) / pA;
        const bad: string[] = [];
        if (!close(e.netNewShortingUsd, m.n)) bad.push(`netNewShortingUsd ${e.netNewShortingUsd} ≠ ${m.n}`);
        if (!close(e.changeShares, m.shares)) bad.push(`changeShares ${e.changeShares} ≠ ${m.shares}`);
        if (e.shortInterestShares !== siA) bad.push(`shortInterestShares ${e.shortInterestShares} ≠ ${siA}`);
        if (!close(e.shortInterestUsd, siA * pA)) bad.push(`shortInterestUsd ${e.shortInterestUsd} ≠ ${siA * pA}`);
        const pct = (m.shares / soA) * 100;
        if (e.changePctSharesOut === null || Math.abs(e.changePctSharesOut - pct) > 1e-9 * Math.max(1, Math.abs(pct))) {
          bad.push(`changePctSharesOut ${e.changePctSharesOut} ≠ ${pct}`);
        }
        if (bad.length > 0) failures.push(`${label} ${e.symbol}: ${bad.join('; ')}`);
      };
      for (const e of total.adding) check1(e, 1);
      for (const e of total.covering) check1(e, -1);
      const ordered = (list: NetNewEntry[], sign: 1 | -1) =>
        list.every((e, i) => {
          const prev = list[i - 1];
          if (!prev) return true;
          const d = sign * (prev.netNewShortingUsd - e.netNewShortingUsd);
          return d > 0 || (d === 0 && prev.symbol < e.symbol);
        });
      expect(ordered(total.adding, 1), `${label} adding order`).toBe(true);
      expect(ordered(total.covering, -1), `${label} covering order`).toBe(true);
      for (const [list, sign, side] of [
        [total.adding, 1, 'adding'],
        [total.covering, -1, 'covering'],
      ] as const) {
        const listed = new Set(list.map((e) => e.symbol));
        const bar = list.length === 10 ? sign * (list[9] as NetNewEntry).netNewShortingUsd : 0;
        for (const [symbol, m] of mine) {
          if (!m.clean || listed.has(symbol)) continue;
          const v = sign * m.n;
          if (v > bar + Math.max(1e-6, 1e-9 * Math.abs(bar))) {
            failures.push(
              `${label} ${side}: ${symbol} (Σ N ${m.n}) beats the list's last (${sign * bar}) but is missing`,
            );
          }
        }
      }
      lines.push(
        `${label}: ${net.fromSettlement} → ${net.toSettlement}, ${sw.length} switch(es); adding ${total.adding
          .slice(0, 3)
          .map((e) => `${e.symbol} ${(e.netNewShortingUsd / 1e6).toFixed(0)}M`)
          .join(', ')}; covering ${total.covering
          .slice(0, 3)
          .map((e) => `${e.symbol} ${(e.netNewShortingUsd / 1e6).toFixed(0)}M`)
          .join(', ')}`,
      );
    }
    console.info(
      `rule 13 real check: ${checks.length} windows, ${switches} switches, ${entries} list entries, ${clean} clean ` +
        `entries compared, ${cleanSymbols} clean symbol-windows for completeness; ${uncleanDiffers.length} unclean ` +
        `entries differ from the naive sum\n${lines.join('\n')}\nunclean differing (first 40):\n${uncleanDiffers.slice(0, 40).join('\n')}`,
    );
    expect(failures).toEqual([]);
    expect(entries).toBeGreaterThan(1000);
    expect(clean).toBeGreaterThan(150);
  });
});
