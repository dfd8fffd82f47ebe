/**
 * Links to a stock's page and its JSON (issue 19). A symbol is data, so it becomes part of a path only in the
 * canonical spelling of shared/formats/symbols.ts (upper-case letters and digits, single `.` or `-` between
 * them: `BRK.B`, `ABR-PD`, `AAC.WS`); anything else (`..`, `/`, quotes, `javascript:`) throws, so no symbol
 * can leave `/stock/` or become a script URL. `encodeURIComponent` stays as a second guard.
 *
 * No zod here (the browser's search script imports this file): the file name is `stockFileName`'s
 * `<SYMBOL>.json` (shared/snapshot/stocks-schema.ts), which a test holds equal.
 */
import { UnsafePathError } from './escape.ts';

const SAFE_SYMBOL = /^[A-Z0-9]+(?:[.-][A-Z0-9]+)*$/;
/** Longer than any ticker spelling (`ABCD-PA.WI`), so a stray value cannot make a huge path. */
const MAX_SYMBOL_LENGTH = 24;

/** True when `symbol` may appear in a URL path (see above). */
export function isSafeSymbol(symbol: string): boolean {
  return symbol.length <= MAX_SYMBOL_LENGTH && SAFE_SYMBOL.test(symbol);
}

function checked(symbol: string): string {
  if (!isSafeSymbol(symbol)) {
    throw new UnsafePathError('symbol', symbol, 'not a canonical ticker (A-Z, 0-9, one "." or "-" between)');
  }
  return encodeURIComponent(symbol);
}

/** `/stock/BRK.B/`: the stock's page. */
export function stockPath(symbol: string): string {
  return `/stock/${checked(symbol)}/`;
}

/** `/data/stocks/BRK.B.json`: the stock's published file. */
export function stockDataPath(symbol: string): string {
  return `/data/stocks/${checked(symbol)}.json`;
}

/** The page of `symbol` when it has one (listed in the stock index), else null: the name stays plain text. */
export function stockPathIfListed(symbol: string, listed: ReadonlySet<string>): string | null {
  return listed.has(symbol) && isSafeSymbol(symbol) ? stockPath(symbol) : null;
}
