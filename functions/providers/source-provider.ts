/**
 * The one port every data source implements: "give me the file(s) for this date, or tell me they are not
 * published yet". Network providers (FINRA CDN, Nasdaq screener and split calendar) and the local input folder implement it;
 * file drops arrive through the ingest service directly (functions/providers/file-drop.ts names them).
 */
import { previousTradingDay } from '../../shared/calendar.ts';
import type { IsoDate } from '../../shared/domain.ts';
import type { SourceName } from '../pipeline/keys.ts';

export interface ReceivedFile {
  /** File name as received (no directory): the name the raw archive and the ledger keep. */
  name: string;
  /** The body, byte-exact (after HTTP content decoding). */
  bytes: Uint8Array;
  /** Where it came from (URL or path), for logs and the ledger. */
  location: string;
}

export type FetchResult =
  | { status: 'available'; files: ReceivedFile[] }
  | { status: 'not-yet-available'; location: string; reason: string };

export interface SourceProvider {
  /** e.g. `finra-short-interest`. */
  readonly id: string;
  readonly source: SourceName;
  /**
   * The file dates worth asking for while ingesting trading day `tradingDate`: the day itself for daily
   * sources (with a few days before it for those that can be late: Reg SHO, the split calendar), the recent
   * settlement dates whose files are due by now (short interest). Ingest fetches none whose expected files
   * the ledger already holds as accepted.
   */
  datesFor(tradingDate: IsoDate): IsoDate[] | Promise<IsoDate[]>;
  /**
   * The names `fetch(fileDate)` would return, when known without fetching. When every one of them is
   * already accepted in the ledger, ingest does not fetch again (no repeated downloads of a 3 MB file).
   */
  expectedFiles?(fileDate: IsoDate): string[] | Promise<string[]>;
  /** A name always holds the same bytes (a local folder): a name recorded at all, even rejected, is not re-read. */
  readonly immutable?: boolean;
  fetch(fileDate: IsoDate, signal?: AbortSignal): Promise<FetchResult>;
}

/** `2024-01-31` → `20240131` (FINRA file names). */
export function compactDate(date: IsoDate): string {
  return date.replace(/-/g, '');
}

/**
 * `date` and the `lookback` trading days before it, ascending: the file dates a daily source asks for, so
 * a file missing at its own day's run is asked for again on the following days (ingest does not fetch a
 * date whose files the ledger already holds as accepted).
 */
export function recentTradingDays(date: IsoDate, lookback: number): IsoDate[] {
  const out: IsoDate[] = [date];
  let d = date;
  for (let i = 0; i < lookback; i++) {
    d = previousTradingDay(d);
    out.unshift(d);
  }
  return out;
}
