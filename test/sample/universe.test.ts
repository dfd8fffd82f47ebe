import { describe, expect, it } from 'vitest';
import { generateSample } from '../../shared/sample/index.ts';
import { Rng } from '../../shared/sample/prng.ts';
import { buildUniverse } from '../../shared/sample/universe.ts';
import { fileAt, textOf } from './load.ts';

const bare = (screenerSymbol: string) => screenerSymbol.trim().replace(/[/^].*$/, '');

describe('ticker names at scale', () => {
  it('names 20,000 listings apart: all 676 two-letter names are used, the rest are longer', () => {
    const universe = buildUniverse(new Rng(7), { count: 20_000, megaCaps: 80 });
    expect(universe).toHaveLength(20_000);
    expect(new Set(universe.map((l) => l.symbol)).size).toBe(20_000);
    expect(new Set(universe.map((l) => l.screenerSymbol.trim())).size).toBe(20_000);
    // Commons, SPACs and the no-market-cap stock get a bare name of their own (class shares and
    // preferreds share their parent's root, warrants and units the SPAC's plus W/U).
    const own = universe.filter((l) => l.kind === 'common' || l.kind === 'spac' || l.kind === 'no-market-cap');
    const twoLetter = own.filter((l) => /^[A-Z]{2}$/.test(bare(l.screenerSymbol)));
    // Every two-letter name is used once by a common (26 × 26 = 676): the listings asking for more
    // two-letter names than exist got a longer one instead of waiting for a free one forever.
    expect(new Set(twoLetter.map((l) => bare(l.screenerSymbol))).size).toBe(26 * 26);
    expect(twoLetter).toHaveLength(676);
  });

  it('generates a 20,000-symbol sample (seed 7 used to loop forever from about 9,500)', () => {
    const { files, manifest } = generateSample({
      seed: 7,
      symbols: 20_000,
      from: '2025-01-02',
      to: '2025-03-31',
      gzip: false,
    });
    expect(manifest.symbols).toBe(20_000);
    expect(manifest.tradingDays).toBe(60);
    const rows = (
      JSON.parse(textOf(fileAt(files, 'prices/2025-01-02.json'))) as { data: { rows: { symbol: string }[] } }
    ).data.rows;
    const symbols = rows.map((r) => r.symbol.trim());
    // Listings that start later or skip the day are absent; every row present is a distinct symbol.
    expect(new Set(symbols).size).toBe(symbols.length);
    expect(symbols.length).toBeGreaterThan(19_000);
  });
});
