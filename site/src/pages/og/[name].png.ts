/**
 * Link-preview images (issue 21 item 11): `/og/<date>.png` for each published day and the latest, 1200 × 630
 * PNG drawn from the snapshot (shared/present/og-image.ts) by sharp at build time. The
 * text is set in the build machine's fonts (DejaVu Sans on Debian; docs/site.md).
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import sharp from 'sharp';
import { ogImageSvg } from '../../../../shared/present/og-image.ts';
import type { Snapshot } from '../../../../shared/snapshot/schema.ts';
import { allSnapshots, latestSnapshot } from '../../lib/site-data.ts';

export const getStaticPaths = (async () => {
  const latest = await latestSnapshot();
  const days = await allSnapshots();
  // Every page previews its day by the day's own URL (link previews are cached by URL: a fixed `latest.png`
  // would keep showing an old day); the latest day has one even when no snapshot file is kept for it.
  const byDay = new Map(days.map((s) => [s.asOf, s]));
  byDay.set(latest.asOf, byDay.get(latest.asOf) ?? latest);
  return [...byDay.values()].map((s) => ({ params: { name: s.asOf }, props: { snapshot: s } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ props }) => {
  const snapshot = (props as { snapshot: Snapshot }).snapshot;
  const png = await sharp(Buffer.from(ogImageSvg(snapshot)))
    .png({ compressionLevel: 9 })
    .toBuffer();
  return new Response(new Uint8Array(png), { headers: { 'Content-Type': 'image/png' } });
};
