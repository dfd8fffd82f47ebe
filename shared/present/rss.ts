/**
 * RSS 2.0 feed (https://www.rssboard.org/rss-specification): one item per published day, newest
 * first. Title: the market day and the day's move, then the year's ("31 Dec 2025: shorts +$3.6B on the day,
 * −$177.1B this year"), marked when the day was restated; description: the headline as a plain-text first
 * paragraph (what readers show as the snippet), then the tier table as HTML. `pubDate`: when the day was first
 * published (`publishedAt`, set by the pipeline's publish and kept when the day is restated), else when it was
 * computed (`generatedAt`: `pulse build` output, which is never "published"). Pure and deterministic: every
 * date comes from the snapshots, never from a clock. Used by the site (`site/src/pages/rss.xml.ts`, which
 * regenerates it for the site's own origin) and the pipeline's publish step.
 */
import type { NetNewEntry, Snapshot } from '../snapshot/schema.ts';
import { archivePath, escapeHtml, escapeXml } from './escape.ts';
import { formatDate, formatDateLong, formatPercent, formatRfc822, formatUsd } from './format.ts';
import { buildHeadline, ytdPeriod } from './headline.ts';
import { GROUP_LABELS, GROUP_ROWS } from './labels.ts';
import { NET_NEW_PAGE_GROUPS } from './net-new.ts';
import { stockPathIfListed } from './stock-links.ts';

export interface RssOptions {
  /** Absolute http(s) origin (and optional base path) of the site, e.g. `https://shortpulse.example`. */
  siteUrl: string;
  /** How many most recent published days become items (default 60). */
  limit?: number;
  title?: string;
  description?: string;
  /** Symbols that have a stock page (`/data/stocks/index.json`): their names in items link to it. */
  stockSymbols?: ReadonlySet<string>;
}

/** How an item names a stock: `SYM (Name)`, escaped, linked to its page when it has one. */
type StockLabel = (symbol: string, name: string) => string;

function stockLabel(base: string | null, symbols: ReadonlySet<string> | undefined): StockLabel {
  return (symbol, name) => {
    const text = `${escapeHtml(symbol)} (${escapeHtml(name)})`;
    const path = base !== null && symbols ? stockPathIfListed(symbol, symbols) : null;
    return path === null ? text : `<a href="${escapeHtml(`${base}${path}`)}">${text}</a>`;
  };
}

export const RSS_ITEM_LIMIT = 60;
export const RSS_TITLE = 'Short Pulse';
export const RSS_DESCRIPTION =
  'Daily mark-to-market profit and loss of U.S. short sellers by market-cap tier, sector and stock, from public FINRA and Nasdaq data.';

export class RssOptionsError extends Error {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`RSS option ${field}: ${reason}`);
    this.name = 'RssOptionsError';
    this.field = field;
  }
}

/** `https://x.example/base/` → `https://x.example/base` (no trailing slash); rejects non-http(s) URLs. */
export function normalizeSiteUrl(siteUrl: string): string {
  let url: URL;
  try {
    url = new URL(siteUrl);
  } catch {
    throw new RssOptionsError('siteUrl', `not an absolute URL: ${JSON.stringify(siteUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RssOptionsError('siteUrl', `only http(s) URLs are allowed, got ${JSON.stringify(url.protocol)}`);
  }
  if (url.search || url.hash) throw new RssOptionsError('siteUrl', 'must not carry a query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The tier table of one snapshot as an HTML fragment (names escaped), used as the item description. With `links`,
 * a stock named in it links to its page on `links.base` when `links.symbols` has it.
 */
export function rssItemHtml(
  snapshot: Snapshot,
  itemUrl: string,
  links?: { base: string; symbols: ReadonlySet<string> },
): string {
  const label = stockLabel(links?.base ?? null, links?.symbols);
  const ytd = snapshot.windows.ytd;
  const day = snapshot.windows['1d'];
  const rows = GROUP_ROWS.map((g) => {
    const y = ytd.groups[g];
    const d = day.groups[g];
    return `<tr><th scope="row">${escapeHtml(GROUP_LABELS[g])}</th><td>${formatUsd(y.pnlUsd, { signed: true })}</td><td>${formatPercent(y.pnlPct, { signed: true })}</td><td>${formatUsd(d.pnlUsd, { signed: true })}</td></tr>`;
  }).join('');
  const parts: string[] = [];
  // Plain text first: feed readers show the first paragraph's text as the item's snippet.
  parts.push(`<p>${escapeHtml(buildHeadline(snapshot).text)}</p>`);
  if (snapshot.restated) {
    parts.push(
      `<p><strong>Restated${snapshot.restatedOn ? ` on ${escapeHtml(formatDate(snapshot.restatedOn))}` : ''}</strong> after late data (a short interest file or a split decided later): these figures replace the ones first published for this day.</p>`,
    );
    const before = snapshot.previousPublication;
    if (before) {
      parts.push(
        `<p>Published before: ${escapeHtml(before.headline)} All U.S. stocks: ${formatUsd(before.ytdPnlUsd, { signed: true })} ${ytdPeriod(ytd)}, ${formatUsd(before.dayPnlUsd, { signed: true })} on the day (now ${formatUsd(ytd.groups.total.pnlUsd, { signed: true })} and ${formatUsd(day.groups.total.pnlUsd, { signed: true })}).</p>`,
      );
    }
  }
  if (snapshot.sample) parts.push('<p><strong>Sample data:</strong> generated for demonstration, not market data.</p>');
  parts.push(
    `<p>Short sellers’ mark-to-market P&amp;L as of ${escapeHtml(formatDateLong(snapshot.asOf))}; positive = short sellers gained.</p>`,
  );
  parts.push(
    `<table><thead><tr><th scope="col">Tier</th><th scope="col">P&amp;L YTD</th><th scope="col">% YTD</th><th scope="col">P&amp;L 1D</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
  const winner = ytd.topWinners[0];
  const loser = ytd.topLosers[0];
  if (winner) {
    parts.push(
      `<p>Biggest short winner ${ytdPeriod(ytd)}: ${label(winner.symbol, winner.name)}, ${formatUsd(winner.pnlUsd, { signed: true })}.</p>`,
    );
  }
  if (loser) {
    parts.push(
      `<p>Biggest short loser ${ytdPeriod(ytd)}: ${label(loser.symbol, loser.name)}, ${formatUsd(loser.pnlUsd, { signed: true })}.</p>`,
    );
  }
  const flows = netNewHtml(day, label);
  if (flows) parts.push(flows);
  parts.push(`<p><a href="${escapeHtml(itemUrl)}">All tables for this day</a></p>`);
  return parts.join('');
}

/**
 * Rule 13 on a day a new FINRA report took effect (its 1D window compares two reports): net new shorting of the
 * headline groups and the three stocks shorts added to and covered most. Nothing on other days.
 */
function netNewHtml(day: Snapshot['windows']['1d'], label: StockLabel): string | null {
  const n = day.netNewShorting;
  if (!n || n.fromSettlement === null || n.toSettlement === null || n.fromSettlement === n.toSettlement) return null;
  const names = (entries: NetNewEntry[]) =>
    entries
      .slice(0, 3)
      .map((e) => `${label(e.symbol, e.name)} ${formatUsd(e.netNewShortingUsd, { signed: true })}`)
      .join(', ');
  const totals = NET_NEW_PAGE_GROUPS.map(
    (g) => `${escapeHtml(GROUP_LABELS[g])} ${formatUsd(day.groups[g].netNewShortingUsd, { signed: true })}`,
  ).join(', ');
  const lines = [
    `<p>FINRA’s short interest report settled ${escapeHtml(formatDateLong(n.toSettlement))} took effect (against the one settled ${escapeHtml(formatDateLong(n.fromSettlement))}). Net new shorting: ${totals}.</p>`,
  ];
  const { adding, covering } = n.groups.total;
  if (adding.length > 0) lines.push(`<p>Shorts added most to: ${names(adding)}.</p>`);
  if (covering.length > 0) lines.push(`<p>Shorts covered most: ${names(covering)}.</p>`);
  return lines.join('');
}

/**
 * An item's title: the market day and the day's move of all U.S. stocks, then the year's (positive = short
 * sellers gained), "(restated …)" when the day was recomputed, "Sample data: " first when it is.
 */
export function rssItemTitle(s: Snapshot): string {
  const day = s.windows['1d'].groups.total.pnlUsd;
  const ytd = s.windows.ytd;
  const text = `${formatDate(s.asOf)}: shorts ${formatUsd(day, { signed: true })} on the day, ${formatUsd(ytd.groups.total.pnlUsd, { signed: true })} ${ytdPeriod(ytd)}${s.restated ? ` (restated${s.restatedOn ? ` ${formatDate(s.restatedOn)}` : ''})` : ''}`;
  return s.sample ? `Sample data: ${text}` : text;
}

/** When an item was first published: `publishedAt` (the pipeline's), else `generatedAt`. */
export function rssPubDate(s: Pick<Snapshot, 'publishedAt' | 'generatedAt'>): string {
  return s.publishedAt ?? s.generatedAt;
}

/** Builds the feed XML from published snapshots (any order; one item per `asOf`, the last given wins). */
export function buildRss(snapshots: readonly Snapshot[], options: RssOptions): string {
  const base = normalizeSiteUrl(options.siteUrl);
  const limit = options.limit ?? RSS_ITEM_LIMIT;
  if (!Number.isInteger(limit) || limit < 1)
    throw new RssOptionsError('limit', `expected a positive integer, got ${limit}`);
  const byDate = new Map<string, Snapshot>();
  for (const s of snapshots) byDate.set(s.asOf, s);
  const items = [...byDate.values()].sort((a, b) => (a.asOf < b.asOf ? 1 : a.asOf > b.asOf ? -1 : 0)).slice(0, limit);

  // The channel changed when its newest item was last computed (a restatement changes an older item).
  const newest = items.reduce<string | undefined>(
    (max, s) => (max === undefined || Date.parse(s.generatedAt) > Date.parse(max) ? s.generatedAt : max),
    undefined,
  );
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    '<channel>',
    `<title>${escapeXml(options.title ?? RSS_TITLE)}</title>`,
    `<link>${escapeXml(`${base}/`)}</link>`,
    `<description>${escapeXml(options.description ?? RSS_DESCRIPTION)}</description>`,
    '<language>en-us</language>',
    ...(newest ? [`<lastBuildDate>${formatRfc822(newest)}</lastBuildDate>`] : []),
    '<docs>https://www.rssboard.org/rss-specification</docs>',
    '<generator>Short Pulse</generator>',
    '<ttl>360</ttl>',
    `<atom:link href="${escapeXml(`${base}/rss.xml`)}" rel="self" type="application/rss+xml"/>`,
  ];
  for (const s of items) {
    // The archive URL is the stable identity of a day: a restated day keeps its GUID.
    const url = `${base}${archivePath(s.asOf)}`;
    lines.push(
      '<item>',
      `<title>${escapeXml(rssItemTitle(s))}</title>`,
      `<link>${escapeXml(url)}</link>`,
      `<guid isPermaLink="true">${escapeXml(url)}</guid>`,
      `<pubDate>${formatRfc822(rssPubDate(s))}</pubDate>`,
      `<description>${escapeXml(rssItemHtml(s, url, options.stockSymbols ? { base, symbols: options.stockSymbols } : undefined))}</description>`,
      '</item>',
    );
  }
  lines.push('</channel>', '</rss>', '');
  return lines.join('\n');
}
