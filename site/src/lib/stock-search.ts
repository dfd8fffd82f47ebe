/**
 * Matching for the stock search (header combobox and the list's `?q=`): symbols that start with the query
 * first (an exact symbol before the rest, shorter and then alphabetical), then names that contain it (a name
 * that starts with it first). Case- and accent-insensitive. Pure: used in the browser and in tests.
 */

export interface SearchEntry {
  symbol: string;
  name: string;
}

/** An entry with its normalised symbol and name, computed once (5,000 names are not re-normalised per key). */
export interface Prepared<T extends SearchEntry> {
  entry: T;
  symbol: string;
  name: string;
}

/** Lower case, accents removed, runs of spaces and commas as one space: `Société  Générale, S.A.` → `societe generale s.a.`. */
export function normalise(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s,]+/g, ' ')
    .trim();
}

export function prepare<T extends SearchEntry>(entries: readonly T[]): Prepared<T>[] {
  return entries.map((entry) => ({ entry, symbol: normalise(entry.symbol), name: normalise(entry.name) }));
}

const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Up to `limit` entries for `query` (none for a blank query). Never mutates its input. */
export function matchStocks<T extends SearchEntry>(prepared: readonly Prepared<T>[], query: string, limit = 8): T[] {
  const q = normalise(query);
  if (q === '') return [];
  const symbolHits: Prepared<T>[] = [];
  const nameHits: Array<{ p: Prepared<T>; at: number }> = [];
  for (const p of prepared) {
    if (p.symbol.startsWith(q)) symbolHits.push(p);
    else {
      const at = p.name.indexOf(q);
      if (at >= 0) nameHits.push({ p, at });
    }
  }
  symbolHits.sort((a, b) => a.symbol.length - b.symbol.length || order(a.symbol, b.symbol));
  nameHits.sort((a, b) => Number(a.at !== 0) - Number(b.at !== 0) || order(a.p.name, b.p.name));
  return [...symbolHits, ...nameHits.map((h) => h.p)].slice(0, limit).map((p) => p.entry);
}

/** Whether a prepared entry matches at all (the list page's filter: every match, no limit). */
export function matches(p: Prepared<SearchEntry>, query: string): boolean {
  const q = normalise(query);
  return q !== '' && (p.symbol.startsWith(q) || p.name.includes(q));
}
