import type { APIRoute } from 'astro';
import { buildRss } from '../../../shared/present/rss.ts';
import { RSS_CONTENT_TYPE } from '../../../shared/present/security-headers.ts';
import { allSnapshots } from '../lib/site-data.ts';
import { stockPageSymbols } from '../lib/stocks.ts';

export const GET: APIRoute = async ({ site }) => {
  const xml = buildRss(await allSnapshots(), {
    siteUrl: (site ?? new URL('http://localhost:4321')).href,
    stockSymbols: await stockPageSymbols(),
  });
  return new Response(xml, { headers: { 'Content-Type': RSS_CONTENT_TYPE } });
};
