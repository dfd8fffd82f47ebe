/**
 * The link-preview image of a day (issue 21 item 11): 1200 × 630, the size og:image and twitter's
 * `summary_large_image` expect, showing the headline's two groups year to date and All U.S. on the day, as SVG.
 * The site turns it into PNG at build time (site/src/pages/og/[name].png.ts). Pure: the same snapshot gives the
 * same bytes.
 */
import type { Snapshot } from '../snapshot/schema.ts';
import { escapeHtml } from './escape.ts';
import { formatDateLong, formatPercent, formatUsd, pnlTone, type Tone, toneArrow } from './format.ts';
import { buildHeadline, HEADLINE_GROUP_LABELS, headlineGroupFigures, ytdPeriod } from './headline.ts';

export const OG_IMAGE_WIDTH = 1200;
export const OG_IMAGE_HEIGHT = 630;

/** Colours of the light theme: blue = short sellers gained, orange = lost (site/src/styles/global.css). */
const GAIN = '#0a5ca3';
const LOSS = '#a03f00';
const TEXT = '#1b2430';
const MUTED = '#4f5b69';

const COLOUR: Readonly<Record<Tone, string>> = { gain: GAIN, loss: LOSS, flat: TEXT, none: TEXT };

function tone(value: number | null): string {
  return COLOUR[pnlTone(value)];
}

function arrow(value: number | null): string {
  const a = toneArrow(pnlTone(value));
  return a === '' ? '' : `${a} `;
}

/** The alt text of the image: what it shows, in words. */
export function ogImageAlt(snapshot: Pick<Snapshot, 'asOf' | 'windows' | 'sample'>): string {
  return `${snapshot.sample ? 'Sample data. ' : ''}${buildHeadline(snapshot).text} As of ${formatDateLong(snapshot.asOf)}.`;
}

export function ogImageSvg(snapshot: Pick<Snapshot, 'asOf' | 'windows' | 'sample'>): string {
  const ytd = snapshot.windows.ytd.groups;
  const day = snapshot.windows['1d'].groups.total.pnlUsd;
  const rows = (['smallMicroNano', 'midLargeMega'] as const).map((g, i) => {
    const f = headlineGroupFigures(ytd, g);
    const y = 300 + i * 130;
    return [
      `<text x="80" y="${y}" font-size="36" fill="${MUTED}">${escapeHtml(HEADLINE_GROUP_LABELS[g])} caps</text>`,
      `<text x="80" y="${y + 62}" font-size="64" font-weight="700" fill="${tone(f.pnlUsd)}">${escapeHtml(
        `${arrow(f.pnlUsd)}${formatUsd(f.pnlUsd, { signed: true })}`,
      )}</text>`,
      `<text x="720" y="${y + 62}" font-size="40" fill="${tone(f.pnlUsd)}">${escapeHtml(formatPercent(f.pnlPct, { signed: true }))}</text>`,
    ].join('');
  });
  const period = ytdPeriod(snapshot.windows.ytd);
  const sample = snapshot.sample
    ? `<rect x="830" y="40" width="300" height="56" rx="10" fill="#fff4d6" stroke="#b8860b" stroke-width="2"/><text x="980" y="78" font-size="30" font-weight="700" fill="#6b4e00" text-anchor="middle">Sample data</text>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${OG_IMAGE_WIDTH}" height="${OG_IMAGE_HEIGHT}" viewBox="0 0 ${OG_IMAGE_WIDTH} ${OG_IMAGE_HEIGHT}" font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif">`,
    `<rect width="${OG_IMAGE_WIDTH}" height="${OG_IMAGE_HEIGHT}" fill="#f4f6f9"/>`,
    `<rect x="40" y="130" width="1120" height="440" rx="18" fill="#ffffff" stroke="#d5dbe3" stroke-width="2"/>`,
    `<rect x="80" y="44" width="48" height="48" rx="10" fill="#1d3557"/>`,
    `<path d="M86 74h9l4.5-13.5 6 21 4.5-12 3 4.5h9" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/>`,
    `<text x="146" y="82" font-size="38" font-weight="700" fill="${TEXT}">Short Pulse</text>`,
    sample,
    `<text x="80" y="200" font-size="34" font-weight="700" fill="${TEXT}">U.S. short sellers’ P&amp;L ${escapeHtml(period)}</text>`,
    `<text x="80" y="244" font-size="28" fill="${MUTED}">As of ${escapeHtml(formatDateLong(snapshot.asOf))} · All U.S. on the day ${escapeHtml(
      formatUsd(day, { signed: true }),
    )}</text>`,
    ...rows,
    `<text x="80" y="610" font-size="22" fill="${MUTED}">▲ short sellers gained · ▼ short sellers lost · from FINRA short interest and Nasdaq prices</text>`,
    '</svg>',
  ].join('\n');
}
