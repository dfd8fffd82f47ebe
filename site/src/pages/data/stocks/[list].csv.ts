/**
 * `/data/stocks/index.csv`: the stocks list as CSV, written at build time from `stocks/index.json` (same
 * columns and order as `/stocks/`; text quoted, formula-like cells defused: lib/stock-table.ts). No file when
 * the data directory has no stock index.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { stocksCsv } from '../../../lib/stock-table.ts';
import { stockIndex } from '../../../lib/stocks.ts';

export const getStaticPaths = (async () =>
  (await stockIndex()) ? [{ params: { list: 'index' } }] : []) satisfies GetStaticPaths;

export const GET: APIRoute = async () => {
  const index = await stockIndex();
  return new Response(stocksCsv(index?.stocks ?? []), { headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
};
