/**
 * Issue 21 item 11: the link-preview image's SVG says the day's headline figures (hand-read from the fixture,
 * S3 Partners' 2023 YTD figures), marks sample data, escapes what it prints, and the PNG sharp makes of it is
 * 1200 × 630.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { OG_IMAGE_HEIGHT, OG_IMAGE_WIDTH, ogImageAlt, ogImageSvg } from '../../shared/present/og-image.ts';
import { fixtureLatest } from './fixtures.ts';

describe('the link-preview image', () => {
  const snapshot = fixtureLatest();

  it('shows both headline groups year to date, with their percentages, and the day', () => {
    const svg = ogImageSvg(snapshot);
    // smallMicroNano +12.934B (+15.11%); mid + megaLarge −139.79B over 880.7B (−15.87%).
    expect(svg).toContain('Small, micro &amp; nano caps');
    expect(svg).toContain('▲ +$12.9B');
    expect(svg).toContain('+15.11%');
    expect(svg).toContain('Mid, large &amp; mega caps');
    expect(svg).toContain('▼ −$139.8B');
    expect(svg).toContain('−15.87%');
    expect(svg).toContain('As of Friday 14 June 2024');
    expect(svg).toContain('U.S. short sellers’ P&amp;L this year');
  });

  it('says "Sample data" on sample data only, in the image and its alt text', () => {
    expect(snapshot.sample).toBe(true);
    expect(ogImageSvg(snapshot)).toContain('>Sample data</text>');
    expect(ogImageAlt(snapshot)).toMatch(/^Sample data\. Short sellers are up \$12\.9B/);
    const real = { ...snapshot, sample: false };
    expect(ogImageSvg(real)).not.toContain('Sample data');
    expect(ogImageAlt(real)).toMatch(/^Short sellers are up/);
  });

  it('renders to a 1200 × 630 PNG', async () => {
    const png = await sharp(Buffer.from(ogImageSvg(snapshot)))
      .png()
      .toBuffer();
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', OG_IMAGE_WIDTH, OG_IMAGE_HEIGHT]);
    // Not a blank page: the figures' colours are there (some pixels far from the background).
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    let coloured = 0;
    for (let i = 0; i < data.length; i += 3) if (Math.abs((data[i] ?? 0) - (data[i + 2] ?? 0)) > 80) coloured++;
    expect(coloured).toBeGreaterThan(1000);
  });
});
