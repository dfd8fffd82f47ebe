/**
 * Copies the publish step's files to `/data/…` byte for byte (latest.json, history.json,
 * snapshots/*.json, schema/*.json, stocks/*.json), but for a schema's `$id`, set to this site's URL. Snapshots, history and the stock index are validated by
 * the content loaders, each stock file by its page; a stock file the index does not list is not published.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { APIRoute, GetStaticPaths } from 'astro';
import { contentTypeFor } from '../../../../shared/present/security-headers.ts';
import { stockFileName } from '../../../../shared/snapshot/stocks-schema.ts';
import { dataDir, listDataFiles, STOCK_INDEX_FILE } from '../../lib/data-files.ts';
import { stockPageSymbols } from '../../lib/stocks.ts';

export const getStaticPaths = (async () => {
  const stockFiles = new Set([...(await stockPageSymbols())].map((s) => `stocks/${stockFileName(s)}`));
  return (await listDataFiles())
    .filter((file) => !file.startsWith('stocks/') || file === STOCK_INDEX_FILE || stockFiles.has(file))
    .map((file) => ({ params: { file } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ params, site }) => {
  const file = params.file ?? '';
  const body = await readFile(path.join(dataDir(), file));
  // Issue 21 item 13: a schema's `$id` names this site's URL for it (publish and `pulse build` write the
  // site-relative `/data/schema/<file>` or the origin they were given); the rest of the file is copied as it is.
  if (file.startsWith('schema/') && file.endsWith('.json') && site) {
    const schema = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const id = new URL(`/data/${file}`, site).href;
    if (schema.$id !== id) {
      return new Response(`${JSON.stringify({ ...schema, $id: id }, null, 2)}\n`, {
        headers: { 'Content-Type': contentTypeFor(`/data/${file}`) },
      });
    }
  }
  return new Response(body, { headers: { 'Content-Type': contentTypeFor(`/data/${file}`) } });
};
