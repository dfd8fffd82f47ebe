/**
 * An independent implementation of the group and sector figures of methodology rules 1–8 in DuckDB
 * SQL, for the issue-7 benchmark and as a second check of the TypeScript engine. It shares nothing
 * with shared/methodology: only the input folder convention and the domain/snapshot types.
 * The SQL lives in ./sql (run in file-name order); this file lists the inputs, substitutes them into
 * the SQL, runs it and shapes the result. README.md explains the stages.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { holidayName } from '../../../shared/calendar.ts';
import { GROUPS, type Group, type IsoDate, WINDOWS, type WindowName } from '../../../shared/domain.ts';
import { canonicalSymbol } from '../../../shared/formats/symbols.ts';
import { COUNTED_TYPES, classifySecurity } from '../../../shared/methodology/securities.ts';
import type { GroupFigures } from '../../../shared/snapshot/schema.ts';

export interface DuckdbReferenceInput {
  /** Folder of `YYYY-MM-DD.json[.gz]` screener snapshots. */
  pricesDir: string;
  /** Folder of `shrtYYYYMMDD*.csv` FINRA short interest files (may be empty). */
  shortInterestDir: string;
  /** Optional `splits.csv` (symbol,date,ratio). */
  splitsFile?: string;
  /** Last date to use (`YYYY-MM-DD`); default: every file. */
  asOf?: IsoDate;
  /** 2 (default): rule 12 leaves out every listing that is not a common stock or ADR; 1: methodology v1. */
  methodology?: 1 | 2;
}

export interface DuckdbWindowFigures {
  from: IsoDate | null;
  to: IsoDate;
  tradingDays: number;
  groups: Record<Group, GroupFigures>;
  sectors: Record<string, GroupFigures>;
}

export interface DuckdbReferenceResult {
  /** A: the last accepted day ≤ asOf (rule 7). */
  asOf: IsoDate;
  windows: Record<WindowName, DuckdbWindowFigures>;
  /** Rule 2's rejections, in date order. */
  rejectedDays: { date: IsoDate; reason: 'weekend' | 'holiday' | 'partial' | 'stale' }[];
  /** Every factor rule 3 found, by date then symbol. */
  splits: { symbol: string; date: IsoDate; factor: number; rule: '3a' | '3b' | '3c' }[];
  /** Rule 3(b) undecided with fewer than 10 later days known: the symbol is held out from that day on. */
  pendingSplits: { symbol: string; date: IsoDate }[];
  /** Milliseconds per stage (load prices, load short interest, rule 1 prices, trading days, splits, short interest, figures, windows), total wall and CPU. */
  timings: Record<string, number>;
}

/** An input DuckDB cannot be given as is (names the file or field at fault). */
export class DuckdbReferenceError extends Error {
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, reason: string) {
    super(`${file}: ${field}: ${reason}`);
    this.name = 'DuckdbReferenceError';
    this.file = file;
    this.field = field;
  }
}

const SQL_DIR = path.join(import.meta.dirname, 'sql');
const PRICE_FILE = /^(\d{4}-\d{2}-\d{2})\.json(\.gz)?$/;
const SHORT_INTEREST_FILE = /^shrt\d{8}.*\.csv$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIRST_LOOKBACK = 2;
const SCREENER_ROW = 'STRUCT(symbol VARCHAR, name VARCHAR, lastsale VARCHAR, marketCap VARCHAR, sector VARCHAR)';

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `DATE '…', …` of the dates that are exchange holidays, or `NULL` (an IN list needs one item). */
function holidayDates(dates: readonly string[]): string {
  const closed = [...new Set(dates)].filter((d) => {
    try {
      return holidayName(d) !== null;
    } catch {
      return false;
    }
  });
  return closed.length > 0 ? closed.map((d) => `DATE ${sqlString(d)}`).join(', ') : 'NULL::DATE';
}

function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}

function readSql(name: string, params: Record<string, string>): string {
  const text = readFileSync(path.join(SQL_DIR, name), 'utf8');
  return text.replaceAll(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new DuckdbReferenceError(name, key, 'SQL placeholder without a value');
    return value;
  });
}

/** The first non-blank character of a JSON file (gzipped or not), read from its first 64 KiB. */
function firstJsonChar(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(65_536);
    const size = readSync(fd, head, 0, head.length, 0);
    let bytes = head.subarray(0, size);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    }
    const match = /[^\s\uFEFF]/.exec(bytes.toString('utf8'));
    return match?.[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

interface PriceFile {
  date: IsoDate;
  file: string;
  shape: 'wrapped' | 'bare';
}

function listPriceFiles(dir: string, asOf: IsoDate | undefined): PriceFile[] {
  const byDate = new Map<IsoDate, string>();
  for (const name of readdirSync(dir).sort()) {
    const match = PRICE_FILE.exec(name);
    if (!match) continue;
    const date = match[1]!;
    if (asOf !== undefined && date > asOf) continue;
    const earlier = byDate.get(date);
    if (earlier !== undefined) throw new DuckdbReferenceError(name, 'date', `same trading date as ${earlier}`);
    byDate.set(date, name);
  }
  return [...byDate].map(([date, name]) => {
    const file = path.join(dir, name);
    const first = firstJsonChar(file);
    if (first !== '{' && first !== '[') throw new DuckdbReferenceError(name, '*', 'not a JSON object or array');
    return { date, file, shape: first === '[' ? 'bare' : 'wrapped' };
  });
}

function listShortInterestFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => SHORT_INTEREST_FILE.test(name) && statSync(path.join(dir, name)).isFile())
    .sort()
    .map((name) => path.join(dir, name));
}

type Row = Record<string, unknown>;

function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return Number(value);
}

function figuresOf(row: Row): GroupFigures {
  const pnlUsd = num(row.pnl_usd);
  const avgShortInterestUsd = num(row.avg_short_interest_usd);
  return {
    pnlUsd,
    pnlPct: pnlUsd !== null && avgShortInterestUsd ? (pnlUsd / avgShortInterestUsd) * 100 : null,
    avgShortInterestUsd,
    netNewShortingUsd: num(row.net_new_shorting_usd),
    returnPct: num(row.return_pct),
    decliningPct: num(row.declining_pct),
    symbols: Number(row.symbols),
  };
}

/** The SQL's canonical form of each raw symbol (the `canonical_symbol` macro of 00-schema.sql). */
export async function duckdbCanonicalSymbols(raws: readonly string[]): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(readSql('00-schema.sql', {}));
    const reader = await connection.runAndReadAll(
      `SELECT list_transform(${sqlList(raws)}::VARCHAR[], x -> canonical_symbol(x)) AS symbols`,
    );
    const value = reader.getRowObjectsJS()[0]?.symbols;
    return Array.isArray(value) ? value.map(String) : [];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Group and sector figures of every window (rules 1–8) computed by DuckDB from an input folder's
 * files. Throws DuckdbReferenceError when no day is accepted or a file cannot be given to DuckDB.
 */
export async function duckdbGroupFigures(input: DuckdbReferenceInput): Promise<DuckdbReferenceResult> {
  if (input.asOf !== undefined && !ISO_DATE.test(input.asOf)) {
    throw new DuckdbReferenceError('asOf', 'asOf', `expected YYYY-MM-DD, got ${input.asOf}`);
  }
  const timings: Record<string, number> = {};
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let mark = started;
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = now - mark;
    mark = now;
  };

  const priceFiles = listPriceFiles(input.pricesDir, input.asOf);
  const siFiles = listShortInterestFiles(input.shortInterestDir);
  const asOf = `DATE ${sqlString(input.asOf ?? '9999-12-31')}`;

  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const run = async (name: string, params: Record<string, string> = {}): Promise<void> => {
    let statement = '';
    try {
      for (statement of readSql(name, params).split(/;\s*\n/))
        if (statement.trim() !== '') await connection.run(statement);
    } catch (error) {
      if (process.env.DUCKDB_DEBUG) console.error(statement);
      if (error instanceof DuckdbReferenceError) throw error;
      throw new DuckdbReferenceError(name, '*', (error as Error).message);
    }
  };
  const rows = async (sql: string): Promise<Row[]> => (await connection.runAndReadAll(sql)).getRowObjectsJS();

  try {
    await run('00-schema.sql');
    if (priceFiles.length > 0) {
      const values = priceFiles.map((f) => `(DATE ${sqlString(f.date)}, ${sqlString(f.file)})`).join(', ');
      await connection.run(`INSERT INTO price_files VALUES ${values}`);
    }
    const wrapped = priceFiles.filter((f) => f.shape === 'wrapped').map((f) => f.file);
    const bare = priceFiles.filter((f) => f.shape === 'bare').map((f) => f.file);
    if (wrapped.length > 0) {
      await run('10-load-prices.sql', {
        files: sqlList(wrapped),
        rows_path: 'data."rows"',
        records: 'true',
        columns: `{data: 'STRUCT("rows" ${SCREENER_ROW}[])'}`,
      });
    }
    if (bare.length > 0) {
      await run('10-load-prices.sql', {
        files: sqlList(bare),
        rows_path: '"rows"',
        records: 'false',
        columns: `{"rows": '${SCREENER_ROW}[]'}`,
      });
    }
    if ((input.methodology ?? 2) === 2) {
      const listings = await rows('SELECT DISTINCT symbol, name FROM price_rows WHERE symbol IS NOT NULL');
      const values = listings.map((l) => {
        const raw = String(l.symbol);
        const name = String(l.name ?? '');
        const counted = COUNTED_TYPES.has(classifySecurity(canonicalSymbol(raw), name));
        return `(${sqlString(raw)}, ${sqlString(name)}, ${counted})`;
      });
      for (let i = 0; i < values.length; i += 5000) {
        await connection.run(`INSERT INTO security_counted VALUES ${values.slice(i, i + 5000).join(', ')}`);
      }
    }
    lap('loadPricesMs');
    if (siFiles.length > 0) await run('11-load-short-interest.sql', { files: sqlList(siFiles) });
    if (input.splitsFile !== undefined && existsSync(input.splitsFile)) {
      await run('12-load-splits.sql', { file: sqlString(input.splitsFile) });
    }
    lap('loadShortInterestMs');

    await run('20-prices.sql', { as_of: asOf });
    lap('pricesMs');
    // Rule 2 is sequential; see 21/22 for why a look-back window plus a retry is exact. The exchange
    // calendar is shared/calendar.ts (a fact, not methodology): the holidays among the files' dates.
    const holidays = holidayDates(priceFiles.map((f) => f.date));
    const candidates = Number((await rows('SELECT count(*) AS n FROM price_files'))[0]?.n ?? 0);
    for (let lookback = FIRST_LOOKBACK; ; lookback *= 4) {
      await run('21-candidate-days.sql', { as_of: asOf, lookback: String(lookback), holidays });
      await run('22-trading-days.sql');
      const missing = await rows('SELECT count(*) AS n FROM walk WHERE missing');
      if (Number(missing[0]?.n) === 0 || lookback >= candidates) break;
    }
    const asOfRow = (await rows('SELECT max(date)::VARCHAR AS a FROM days'))[0];
    if (asOfRow?.a == null) {
      throw new DuckdbReferenceError(
        input.pricesDir,
        'date',
        `no accepted trading day on or before ${input.asOf ?? 'the last file'}`,
      );
    }
    const a = String(asOfRow.a);
    lap('tradingDaysMs');

    await run('30-splits.sql', { v2: (input.methodology ?? 2) === 2 ? 'true' : 'false' });
    lap('splitsMs');
    await run('40-short-interest.sql', { as_of: asOf });
    lap('shortInterestMs');
    await run('50-daily-figures.sql');
    lap('figuresMs');
    await run('60-windows.sql');
    const figureRows = await rows(
      `SELECT f.*, w.from_date::VARCHAR AS from_date FROM figures f JOIN win w USING (w) ORDER BY f.w, f.kind, f.ord, f.key`,
    );
    lap('windowsMs');

    const rejectedDays = (
      await rows(`SELECT date::VARCHAR AS date, reason FROM walk WHERE reason IS NOT NULL ORDER BY date`)
    ).map((r) => ({ date: String(r.date), reason: r.reason as 'weekend' | 'holiday' | 'partial' | 'stale' }));
    const splits = (
      await rows(
        `SELECT y.symbol, f.date::VARCHAR AS date, f.f, f.rule FROM split_factor f JOIN symbols y USING (sid) ORDER BY f.date, y.symbol`,
      )
    ).map((r) => ({
      symbol: String(r.symbol),
      date: String(r.date),
      factor: Number(r.f),
      rule: r.rule as '3a' | '3b' | '3c',
    }));
    const pendingSplits = (
      await rows(
        `SELECT y.symbol, p.date::VARCHAR AS date FROM split_pending p JOIN symbols y USING (sid) ORDER BY p.date, y.symbol`,
      )
    ).map((r) => ({ symbol: String(r.symbol), date: String(r.date) }));

    const windows = {} as Record<WindowName, DuckdbWindowFigures>;
    for (const w of WINDOWS) {
      const mine = figureRows.filter((r) => r.w === w);
      const first = mine[0];
      const groups = {} as Record<Group, GroupFigures>;
      for (const g of GROUPS) {
        const row = mine.find((r) => r.kind === 'group' && r.key === g);
        if (!row) throw new DuckdbReferenceError('60-windows.sql', g, `no figures row for window ${w}`);
        groups[g] = figuresOf(row);
      }
      const sectors: Record<string, GroupFigures> = {};
      for (const row of mine.filter((r) => r.kind === 'sector')) sectors[String(row.key)] = figuresOf(row);
      windows[w] = {
        from: first?.from_date == null ? null : String(first.from_date),
        to: a,
        tradingDays: Number(first?.trading_days ?? 0),
        groups,
        sectors,
      };
    }
    timings.totalMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    // CPU time of this process (Node and DuckDB's threads): steadier than wall time on a busy machine.
    timings.cpuMs = (cpu.user + cpu.system) / 1000;
    return { asOf: a, windows, rejectedDays, splits, pendingSplits, timings };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
