/**
 * Copies the publish step's files to `/data/…` byte for byte (latest.json, history.json,
 * snapshots/*.json, schema/*.json). Snapshots and history are validated by the content loaders.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { APIRoute, GetStaticPaths } from 'astro';
import { contentTypeFor } from '../../../../shared/present/security-headers.ts';
import { dataDir, listDataFiles } from '../../lib/data-files.ts';

export const getStaticPaths = (async () =>
  (await listDataFiles()).map((file) => ({ params: { file } }))) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ params }) => {
  const file = params.file ?? '';
  const body = await readFile(path.join(dataDir(), file));
  return new Response(body, { headers: { 'Content-Type': contentTypeFor(`/data/${file}`) } });
};
