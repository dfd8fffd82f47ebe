/**
 * Issue 21 item 12: the feed across a restatement. Each item's pubDate is when its day was first published,
 * kept when the day is restated (from the feed, or from the published file for a day the feed no longer
 * holds); the title is the market day and the day's move; a restated item says so and what was published
 * before (item 8); the first paragraph is plain text. Snapshots: the site fixtures (valid v1), on the in-memory stores with a clock per publish.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import type { PipelineDeps } from '../../functions/pipeline/deps.ts';
import { FEED_KEY } from '../../functions/pipeline/keys.ts';
import { buildHeadline } from '../../shared/present/headline.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { memoryDeps } from './helpers/deps.ts';
import { publishSnapshots } from './helpers/publish.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/site/data/snapshots');
const snapshot = (date: string): Snapshot => JSON.parse(readFileSync(path.join(FIXTURES, `${date}.json`), 'utf8'));
const at = (deps: PipelineDeps, iso: string): PipelineDeps => ({ ...deps, clock: () => new Date(iso) });

async function feed(deps: PipelineDeps) {
  const o = await deps.site.get('rss.xml');
  return new Parser().parseString(Buffer.from(o?.bytes as Uint8Array).toString('utf8'));
}

const T1 = '2024-06-13T23:41:07.000Z';
const T2 = '2024-06-14T23:40:02.000Z';
const T3 = '2024-06-20T23:39:00.000Z';

describe('the feed across a restatement', () => {
  it('keeps each day’s first publication time, titles it by the day’s move and says when it was restated', async () => {
    const deps = memoryDeps();
    await publishSnapshots(at(deps, T1), '2024-06-13', [snapshot('2024-06-13')]);
    let rss = await feed(deps);
    expect(rss.items.map((i) => i.pubDate)).toEqual([new Date(T1).toUTCString()]);

    // The next day restates 13 June (a late short interest file) and publishes 14 June.
    const restated = { ...snapshot('2024-06-13'), restated: true, restatedOn: '2024-06-14', generatedAt: T2 };
    await publishSnapshots(at(deps, T2), '2024-06-14', [restated, snapshot('2024-06-14')]);
    rss = await feed(deps);
    expect(rss.items.map((i) => [i.link?.slice(-12), i.pubDate])).toEqual([
      ['/2024-06-14/', new Date(T2).toUTCString()],
      ['/2024-06-13/', new Date(T1).toUTCString()],
    ]);
    const [day14, day13] = rss.items;
    const s14 = snapshot('2024-06-14');
    // "14 Jun 2024: shorts +$…B on the day, +$…B this year", the sign of the fixture's figures.
    const sign = (v: number | null) => ((v ?? 0) >= 0 ? '\\+' : '−');
    expect(day14?.title).toMatch(
      new RegExp(
        `^Sample data: 14 Jun 2024: shorts ${sign(s14.windows['1d'].groups.total.pnlUsd)}\\$[\\d.]+[KMB]? on the day, ${sign(s14.windows.ytd.groups.total.pnlUsd)}\\$[\\d.]+[KMB]? this year$`,
      ),
    );
    expect(day13?.title).toMatch(/^(Sample data: )?13 Jun 2024: shorts .* \(restated 14 Jun 2024\)$/);
    expect(day13?.content).toContain('Restated on 14 Jun 2024');
    // Item 8: what was published for the day before the restatement stays with it, in the file and the feed.
    const first13 = snapshot('2024-06-13');
    const file13 = JSON.parse(
      Buffer.from((await deps.site.get('data/snapshots/2024-06-13.json'))?.bytes as Uint8Array).toString(),
    );
    expect(file13.previousPublication).toEqual({
      generatedAt: first13.generatedAt,
      headline: buildHeadline(first13).text,
      ytdPnlUsd: first13.windows.ytd.groups.total.pnlUsd,
      dayPnlUsd: first13.windows['1d'].groups.total.pnlUsd,
    });
    expect(day13?.content).toContain(`Published before: ${buildHeadline(first13).text}`);
    expect(day14?.content).not.toContain('Published before');
    expect(day14?.content).not.toContain('Restated');
    // The first paragraph is the headline as plain text (no table cells run together in the snippet).
    expect(day14?.content?.startsWith('<p>Short sellers ')).toBe(true);
    expect(day14?.contentSnippet?.split('\n')[0]).toMatch(/^Short sellers .*\.$/);

    // The published files carry the time too; latest.json is 14 June's.
    const latest = JSON.parse(Buffer.from((await deps.site.get('data/latest.json'))?.bytes as Uint8Array).toString());
    expect(latest).toMatchObject({ asOf: '2024-06-14', publishedAt: T2 });

    // A restatement of a day the feed no longer holds takes the time from the day's published file.
    await deps.raw.delete(FEED_KEY);
    const again = { ...restated, restatedOn: '2024-06-20', generatedAt: T3 };
    await publishSnapshots(at(deps, T3), '2024-06-20', [again]);
    const file = JSON.parse(
      Buffer.from((await deps.site.get('data/snapshots/2024-06-13.json'))?.bytes as Uint8Array).toString(),
    );
    expect(file).toMatchObject({ generatedAt: T3, publishedAt: T1, restatedOn: '2024-06-20' });
    // The version published before this one is now the 14 June restatement.
    expect(file.previousPublication.generatedAt).toBe(T2);
    rss = await feed(deps);
    expect(rss.items.find((i) => i.link?.endsWith('/2024-06-13/'))?.pubDate).toBe(new Date(T1).toUTCString());
  });
});
