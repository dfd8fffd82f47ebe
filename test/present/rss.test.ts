import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { buildRss, normalizeSiteUrl, RssOptionsError } from '../../shared/present/rss.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { fixtureLatest, fixtureSnapshots } from './fixtures.ts';

interface AtomLink {
  $: { href: string; rel: string; type: string };
}
interface RawGuid {
  _: string;
  $: { isPermaLink: string };
}
type Feed = { 'atom:link': AtomLink; language: string; lastBuildDate: string };
type Item = { guidRaw: RawGuid[]; description: string };

const parser = new Parser<Feed, Item>({
  customFields: {
    feed: ['atom:link', 'language', 'lastBuildDate'],
    item: [['guid', 'guidRaw', { keepArray: true }], 'description'],
  },
});

const SITE = 'https://pulse.example/';

function addDays(iso: string, n: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

describe('buildRss on the fixture days', () => {
  const xml = buildRss(fixtureSnapshots(), { siteUrl: SITE });

  it('is RSS 2.0 with every required channel element and atom:link rel=self', async () => {
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
      ),
    ).toBe(true);
    const feed = await parser.parseString(xml);
    expect(feed.title).toBe('Short Pulse');
    expect(feed.link).toBe('https://pulse.example/');
    expect(feed.description).toContain('short sellers');
    expect(feed.language).toBe('en-us');
    expect(feed['atom:link'].$).toEqual({
      href: 'https://pulse.example/rss.xml',
      rel: 'self',
      type: 'application/rss+xml',
    });
    // Newest generatedAt among the items (2024-06-14's run).
    expect(feed.lastBuildDate).toBe('Fri, 14 Jun 2024 22:05:44 GMT');
  });

  it('has one item per published day, newest first, with title/link/guid/pubDate/description', async () => {
    const feed = await parser.parseString(xml);
    expect(feed.items.map((i) => i.link)).toEqual([
      'https://pulse.example/archive/2024-06-14/',
      'https://pulse.example/archive/2024-06-13/',
      'https://pulse.example/archive/2024-06-12/',
      'https://pulse.example/archive/2024-06-11/',
      'https://pulse.example/archive/2024-06-10/',
    ]);
    const first = feed.items[0]!;
    // Issue 21 item 12: the market day and the day's move, then the year's; the latest fixture day is sample
    // data: the title says so first. The headline sentence is the description's plain-text first paragraph.
    expect(first.title).toBe('Sample data: 14 Jun 2024: shorts +$1.1B on the day, −$126.9B this year');
    expect(first.contentSnippet?.split('\n')[0]).toBe(
      'Short sellers are up $12.9B on small, micro and nano caps this year, down $139.8B on mid, large and mega caps.',
    );
    expect(first.guidRaw).toEqual([{ _: 'https://pulse.example/archive/2024-06-14/', $: { isPermaLink: 'true' } }]);
    expect(first.pubDate).toBe('Fri, 14 Jun 2024 22:05:44 GMT');
    // Description: the tier table as HTML (decoded once by the XML parser).
    expect(first.description).toContain('<table>');
    expect(first.description).toContain('<th scope="row">Mega &amp; large</th><td>−$110.7B</td><td>−16.95%</td>');
    expect(first.description).toContain('<th scope="row">Small, micro &amp; nano</th><td>+$12.9B</td><td>+15.11%</td>');
    for (const item of feed.items.slice(1)) expect(item.title).toMatch(/^\d{1,2} Jun 2024: shorts [+−]\$/);
  });

  it('escapes hostile names: no markup reaches a feed reader as HTML', async () => {
    // Raw XML: HTML-escaped inside the description, then XML-escaped.
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;');
    const feed = await parser.parseString(xml);
    const description = feed.items[0]!.description;
    expect(description).toContain('XSS (&lt;script&gt;alert(1)&lt;/script&gt;)');
    expect(description).not.toContain('<script>');
  });
});

describe('buildRss limits and identity', () => {
  const base = fixtureLatest();
  const days = Array.from({ length: 70 }, (_, i) => addDays('2024-03-01', i));
  const many: Snapshot[] = days.map((asOf) => ({
    ...base,
    asOf,
    generatedAt: `${asOf}T21:30:00.000Z`,
    sample: false,
  }));

  it('says, on a day a new FINRA report took effect, the groups’ net new shorting and the top three names each way (rule 13)', async () => {
    const feed = await parser.parseString(buildRss(fixtureSnapshots(), { siteUrl: SITE }));
    const latest = feed.items[0]?.description ?? '';
    // The fixture's latest 1D window compares the reports settled 2024-05-15 and 2024-05-31.
    expect(latest).toContain(
      '<p>FINRA’s short interest report settled Friday 31 May 2024 took effect (against the one settled Wednesday 15 May 2024). Net new shorting: All U.S. ',
    );
    expect(latest).toMatch(
      /Shorts added most to: ACMR \(Acme Robotics Inc\.\) \+\$412\.5M, \S+ \([^)]*\) \+\$330\.0M, /,
    );
    expect(latest).toMatch(/Shorts covered most: \S+ \([^)]*\) −\$250\.0M/);
    // Other days (no lists, or the same report on both sides) say nothing of it.
    for (const item of feed.items.slice(1)) expect(item.description).not.toContain('took effect');
    const same = structuredClone(fixtureLatest());
    const n = same.windows['1d'].netNewShorting;
    if (!n) throw new Error('the fixture’s latest day has rule 13’s lists');
    n.fromSettlement = n.toSettlement;
    expect(buildRss([same], { siteUrl: SITE })).not.toContain('took effect');
  });

  it('keeps the 60 most recent days', async () => {
    const feed = await parser.parseString(buildRss([...many].reverse(), { siteUrl: SITE }));
    expect(feed.items).toHaveLength(60);
    expect(feed.items[0]!.link).toBe(`https://pulse.example/archive/${days[69]}/`);
    expect(feed.items[59]!.link).toBe(`https://pulse.example/archive/${days[10]}/`);
  });

  it('keeps GUIDs and pubDate when a day is restated: first published is when it was published first', async () => {
    const published = many.slice(0, 3).map((s) => ({ ...s, publishedAt: `${s.asOf}T23:40:00.000Z` }));
    const before = await parser.parseString(buildRss(published, { siteUrl: SITE }));
    const restated = {
      ...published[1]!,
      generatedAt: '2024-03-04T10:00:00.000Z',
      restated: true,
      restatedOn: '2024-03-04',
    };
    const after = await parser.parseString(buildRss([published[0]!, restated, published[2]!], { siteUrl: SITE }));
    expect(after.items.map((i) => i.guidRaw[0]?._)).toEqual(before.items.map((i) => i.guidRaw[0]?._));
    expect(before.items[1]!.guidRaw[0]?._).toBe('https://pulse.example/archive/2024-03-02/');
    expect(after.items[1]!.pubDate).toBe('Sat, 02 Mar 2024 23:40:00 GMT');
    expect(after.items[1]!.title).toMatch(/^2 Mar 2024: .* \(restated 4 Mar 2024\)$/);
    expect(after.items[1]!.content).toContain('<strong>Restated on 4 Mar 2024</strong>');
    // Without a publication time (pulse build's output), the time it was computed.
    expect(await parser.parseString(buildRss([many[1]!], { siteUrl: SITE }))).toMatchObject({
      items: [{ pubDate: 'Sat, 02 Mar 2024 21:30:00 GMT' }],
    });
  });

  it('builds the same bytes for the same input', () => {
    expect(buildRss(many, { siteUrl: SITE })).toBe(buildRss([...many].reverse(), { siteUrl: SITE }));
  });

  it('builds a valid empty channel without items', async () => {
    const feed = await parser.parseString(buildRss([], { siteUrl: SITE }));
    expect(feed.items).toHaveLength(0);
    expect(feed.title).toBe('Short Pulse');
  });
});

describe('site URL', () => {
  it('normalises trailing slashes and keeps a base path', () => {
    expect(normalizeSiteUrl('https://pulse.example/')).toBe('https://pulse.example');
    expect(normalizeSiteUrl('https://example.org/pulse/')).toBe('https://example.org/pulse');
  });

  it.each(['javascript:alert(1)', 'ftp://pulse.example', 'pulse.example', 'https://pulse.example/?a=1'])(
    'refuses %j',
    (url) => {
      expect(() => buildRss([], { siteUrl: url })).toThrow(RssOptionsError);
    },
  );
});
