/**
 * Reads price snapshots on worker threads while the caller folds earlier days: read + sha256 +
 * decode + parseScreener is most of `pulse build`'s time, the engine a small part, so parsing day
 * d+1 on another core while day d is stepped shortens the wall time (docs/benchmarks.md, part 1).
 *
 * A day travels from its worker as typed arrays (moved, not copied) plus the strings the main thread
 * has not had from that worker yet: each worker keeps a dictionary of the symbols, names, sectors and
 * industries it has sent, so after the first day only new strings cross. Cloning the row objects
 * instead costs more on the receiving side than parsing them did (measured: ~17 ms a day to
 * deserialize 7,000 rows against ~1 ms to rebuild them from the arrays).
 */
import { Worker } from 'node:worker_threads';
import type { PriceDay, PriceRow } from '../../shared/domain.ts';
import type { ScreenerSink } from '../../shared/formats/nasdaq-screener.ts';
import type { PriceFileRead } from './price-file.ts';

/** One read price file as a worker posts it. */
export interface PackedRead {
  id: number;
  read: Omit<PriceFileRead, 'day'> & { day: PackedDay | null };
  /** readFileSync failed: the error the main thread rethrows. */
  error?: { message: string; code?: string };
}

export interface PackedDay {
  date: string;
  file: string;
  /** Strings new to this worker's dictionary, appended in order. */
  strings: string[];
  /** Per row: dictionary indices of symbol, name, sector, industry. */
  text: Int32Array;
  /** Per row: price, market cap, volume; NaN for null (the parser never yields NaN). */
  numbers: Float64Array;
}

interface LastTexts {
  symbol: number;
  name: string;
  nameRef: number;
  sector: string;
  sectorRef: number;
  industry: string;
  industryRef: number;
}

/**
 * Worker side: rows → arrays, remembering which strings the receiver already has. `sink` takes the
 * rows of one day straight from the parser (`scanScreener`), so no row object is built on the worker;
 * `finish` hands the day over and starts the next.
 */
export class DayPacker {
  #index = new Map<string, number>();
  #strings: string[] = [];
  // Reused across days (a day's arrays are copied out at its exact size to be transferred).
  #text = new Int32Array(4 * 1024);
  #numbers = new Float64Array(3 * 1024);
  #n = 0;

  #ref(s: string): number {
    let k = this.#index.get(s);
    if (k === undefined) {
      k = this.#index.size;
      this.#index.set(s, k);
      this.#strings.push(s);
    }
    return k;
  }

  #grow(): void {
    const text = new Int32Array(2 * this.#text.length);
    text.set(this.#text);
    this.#text = text;
    const numbers = new Float64Array(2 * this.#numbers.length);
    numbers.set(this.#numbers);
    this.#numbers = numbers;
  }

  // Per symbol, its last name, sector and industry and their indices: a symbol's texts rarely change
  // from one day to the next, and comparing with the last one costs less than a dictionary lookup,
  // which hashes the string (the lookups were 15% of a worker's profile).
  #last = new Map<string, LastTexts>();

  /** Appends one row of the current day (a `ScreenerSink`). */
  readonly sink: ScreenerSink = (symbol, name, price, marketCap, volume, sector, industry) => {
    const i = this.#n++;
    if (4 * i >= this.#text.length) this.#grow();
    let last = this.#last.get(symbol);
    if (last === undefined) {
      last = {
        symbol: this.#ref(symbol),
        name,
        nameRef: this.#ref(name),
        sector,
        sectorRef: this.#ref(sector),
        industry,
        industryRef: this.#ref(industry),
      };
      this.#last.set(symbol, last);
    } else {
      if (last.name !== name) {
        last.name = name;
        last.nameRef = this.#ref(name);
      }
      if (last.sector !== sector) {
        last.sector = sector;
        last.sectorRef = this.#ref(sector);
      }
      if (last.industry !== industry) {
        last.industry = industry;
        last.industryRef = this.#ref(industry);
      }
    }
    const text = this.#text;
    const numbers = this.#numbers;
    text[4 * i] = last.symbol;
    text[4 * i + 1] = last.nameRef;
    text[4 * i + 2] = last.sectorRef;
    text[4 * i + 3] = last.industryRef;
    numbers[3 * i] = price;
    numbers[3 * i + 1] = marketCap ?? Number.NaN;
    numbers[3 * i + 2] = volume ?? Number.NaN;
  };

  /** Drops the rows sunk since the last `finish` (a file refused after some rows were sunk). */
  discard(): void {
    this.#n = 0;
  }

  /** The rows sunk since the last `finish` as one day. */
  finish(date: string, file: string): { packed: PackedDay; transfer: ArrayBuffer[] } {
    const n = this.#n;
    const text = this.#text.slice(0, 4 * n);
    const numbers = this.#numbers.slice(0, 3 * n);
    const strings = this.#strings;
    this.#strings = [];
    this.#n = 0;
    return {
      packed: { date, file, strings, text, numbers },
      transfer: [text.buffer as ArrayBuffer, numbers.buffer as ArrayBuffer],
    };
  }

  pack(day: PriceDay): { packed: PackedDay; transfer: ArrayBuffer[] } {
    this.discard();
    for (const r of day.rows) this.sink(r.symbol, r.name, r.price, r.marketCap, r.volume, r.sector, r.industry);
    return this.finish(day.date, day.file);
  }
}

/** Main side: `dictionary` must already hold the strings of this message and of every earlier one from the worker. */
export function unpackDay(packed: PackedDay, dictionary: readonly string[]): PriceDay {
  const { text, numbers } = packed;
  const n = numbers.length / 3;
  const rows: PriceRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const marketCap = numbers[3 * i + 1] as number;
    const volume = numbers[3 * i + 2] as number;
    rows[i] = {
      symbol: dictionary[text[4 * i] as number] as string,
      name: dictionary[text[4 * i + 1] as number] as string,
      price: numbers[3 * i] as number,
      marketCap: Number.isNaN(marketCap) ? null : marketCap,
      volume: Number.isNaN(volume) ? null : volume,
      sector: dictionary[text[4 * i + 2] as number] as string,
      industry: dictionary[text[4 * i + 3] as number] as string,
    };
  }
  return { date: packed.date, file: packed.file, rows };
}

export interface PoolOptions {
  /** Worker threads (at least 1). */
  workers: number;
  /** Files requested ahead of the one being consumed (default 12 per worker): bounds memory to a few days. */
  ahead?: number;
}

export interface PricePool {
  /** `readPriceFile(dir, f)` for each file, in order. One pass; leaving it early stops the workers. */
  reads(): AsyncGenerator<PriceFileRead>;
  /** Stops the workers (for a caller that will not call `reads`). */
  close(): Promise<void>;
}

const WORKER_URL = new URL('./price-worker.ts', import.meta.url);

interface Waiting {
  resolve: (m: PackedRead) => void;
  reject: (e: Error) => void;
}

/**
 * Starts `workers` threads and has them read the first files at once, so they parse while the caller
 * does other work (reading the short interest files). File i goes to worker i mod n: each worker's
 * messages, and so its dictionary, arrive in order. Until `reads` is called the workers do not keep
 * the process alive.
 */
export function startPricePool(dir: string, files: readonly string[], options: PoolOptions): PricePool {
  const n = Math.max(1, Math.min(options.workers, files.length));
  const ahead = Math.max(1, options.ahead ?? 12 * n);
  const workers: Worker[] = [];
  const dictionaries: string[][] = [];
  const waiting = new Map<number, Waiting>();
  const replies: (Promise<PackedRead> | undefined)[] = [];
  const failAll = (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  // Set to 1 on close: a worker skips the files still queued to it and exits by itself. terminate()
  // on a worker in the middle of gunzipSync aborts the whole process (Node's zlib asserts "close
  // before init" while tearing the thread down), so the pool never terminates a busy worker.
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const exited: Promise<void>[] = [];
  for (let w = 0; w < n; w++) {
    const worker = new Worker(WORKER_URL, { workerData: { stop } });
    exited.push(new Promise((resolve) => worker.once('exit', () => resolve())));
    worker.unref();
    const dictionary: string[] = [];
    worker.on('message', (m: PackedRead) => {
      // Applied on arrival, in the worker's order: its later days index into these strings.
      if (m.read.day) for (const s of m.read.day.strings) dictionary.push(s);
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error) w?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      else w?.resolve(m);
    });
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`a price worker stopped (exit code ${code})`)));
    workers.push(worker);
    dictionaries.push(dictionary);
  }
  let next = 0;
  const requestUpTo = (last: number) => {
    while (next < files.length && next <= last) {
      const id = next++;
      const reply = new Promise<PackedRead>((resolve, reject) => waiting.set(id, { resolve, reject }));
      // Awaited later, in order; a rejection before then must not count as unhandled.
      reply.catch(() => {});
      replies[id] = reply;
      (workers[id % n] as Worker).postMessage({ id, dir, file: files[id] });
    }
  };
  const close = async () => {
    Atomics.store(stop, 0, 1);
    for (const w of workers) {
      w.ref();
      w.postMessage({ stop: true });
    }
    await Promise.all(exited);
  };
  requestUpTo(ahead - 1);

  async function* reads(): AsyncGenerator<PriceFileRead> {
    for (const w of workers) w.ref();
    try {
      for (let i = 0; i < files.length; i++) {
        requestUpTo(i + ahead);
        const m = await (replies[i] as Promise<PackedRead>);
        replies[i] = undefined;
        const day = m.read.day ? unpackDay(m.read.day, dictionaries[i % n] as string[]) : null;
        yield { ...m.read, day };
      }
    } finally {
      await close();
    }
  }
  return { reads, close };
}
