/**
 * The local runner end to end on a week of generated sample data: the state machine's steps per day
 * against dynalite and s3rver, a day whose prices are an HTML error page, the late short interest file
 * dropped after the last day, the site built from what publish wrote and served with production's
 * headers, then stopped and resumed.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRun, type RunEvent, runLocal } from '../../functions/local/runner.ts';
import { PIPELINE_STEPS } from '../../functions/pipeline/steps.ts';
import { CONTENT_SECURITY_POLICY } from '../../shared/present/security-headers.ts';
import { SAMPLE_MANIFEST_FILE } from '../../shared/sample/index.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { expectedLatestJson, tempDir, writeSample } from './helpers/market.ts';

const WEEK = ['2025-01-02', '2025-01-03', '2025-01-06', '2025-01-07', '2025-01-08', '2025-01-10'];
const BAD_DAY = '2025-01-07';
const HTML =
  '<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body>Try again later</body></html>\n';

let sample: string;
let input: string;
let state: string;
let run: LocalRun;
const events: RunEvent[] = [];

beforeAll(async () => {
  sample = tempDir('week-sample');
  writeSample(sample, { symbols: 300, from: '2025-01-02', to: '2025-03-31', gzip: false });
  // The first week of the sample; 2024-12-31's short interest is published on 2025-01-13, after it.
  input = tempDir('week-input');
  for (const sub of ['prices', 'short-interest']) mkdirSync(path.join(input, sub));
  for (const d of WEEK) copyFileSync(path.join(sample, 'prices', `${d}.json`), path.join(input, 'prices', `${d}.json`));
  writeFileSync(path.join(input, 'prices', `${BAD_DAY}.json`), HTML);
  copyFileSync(
    path.join(sample, 'short-interest', 'shrt20241231.csv'),
    path.join(input, 'short-interest', 'shrt20241231.csv'),
  );
  for (const f of ['splits.csv', SAMPLE_MANIFEST_FILE]) copyFileSync(path.join(sample, f), path.join(input, f));
  state = tempDir('week-state');
  run = await runLocal({ inputDir: input, stateDir: state, port: 0, onProgress: (e) => events.push(e) });
}, 300_000);

afterAll(async () => {
  await run?.stop();
  for (const dir of [sample, input, state]) rmSync(dir, { recursive: true, force: true });
});

const stepsOf = (label: string) =>
  events
    .filter((e): e is Extract<RunEvent, { kind: 'step' }> => e.kind === 'step' && e.label === label)
    .map((e) => e.step);

describe('a week run by the local runner', () => {
  it('walks the state machine step list: each day ingest → compute → publish, then the site build', () => {
    expect([...stepsOf('2025-01-03'), ...stepsOf('run')]).toEqual(PIPELINE_STEPS.map((s) => s.name));
    for (const d of WEEK.filter((d) => d !== BAD_DAY)) expect(stepsOf(d)).toEqual(['ingest', 'compute', 'publish']);
    const steps = events.filter((e) => e.kind === 'step');
    expect(steps.at(-1)).toMatchObject({ step: 'build-site', label: 'run' });
  });

  it('a day whose prices are an HTML page is reported with file, line, field and reason; the run goes on', async () => {
    const bad = run.reports.find((r) => r.date === BAD_DAY && r.kind === 'day');
    expect(bad).toMatchObject({ outcome: 'failed', published: [] });
    expect(bad?.problems).toEqual([expect.stringMatching(/^2025-01-07\.json:1 \[\*\] .*HTML/)]);
    expect(stepsOf(BAD_DAY)).toEqual(['ingest']);
    expect(run.reports.find((r) => r.date === '2025-01-08')).toMatchObject({ outcome: 'published' });
    // Nothing was published for the bad day; the next day is measured from the one before it.
    expect(await run.deps.site.get(`data/snapshots/${BAD_DAY}.json`)).toBeUndefined();
    const next = JSON.parse(
      Buffer.from((await run.deps.site.get('data/snapshots/2025-01-08.json'))?.bytes as Uint8Array).toString('utf8'),
    ) as Snapshot;
    expect(next.dataQuality.rejections).toContainEqual(
      expect.objectContaining({ file: `${BAD_DAY}.json`, line: 1, field: '*' }),
    );
  });

  it('the short interest file published after the last day arrives as a drop and restates the week', () => {
    const drop = run.reports.find((r) => r.kind === 'drop');
    expect(drop).toMatchObject({ label: 'shrt20241231.csv', outcome: 'published' });
    expect(drop?.restated).toEqual(['2025-01-02', '2025-01-03', '2025-01-06', '2025-01-08']);
    expect(drop?.published.at(-1)).toBe('2025-01-10');
  });

  it('serves the built site with production headers: the page, latest.json (= pulse build) and the feed', async () => {
    const urls = run.urls;
    if (!urls) throw new Error('not serving');
    const page = await fetch(urls.page);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('Sample data');
    expect(html).toContain('10 Jan 2025');

    const latest = await fetch(urls.latest);
    expect(latest.headers.get('access-control-allow-origin')).toBe('*');
    const text = await latest.text();
    const published = JSON.parse(text) as Snapshot;
    expect(text).toBe(expectedLatestJson(input, published));

    const rss = await fetch(urls.rss);
    expect(rss.headers.get('content-type')).toMatch(/^application\/rss\+xml/);
    const xml = await rss.text();
    expect(xml.match(/<item>/g)).toHaveLength(WEEK.length - 1);
    expect(xml).toContain('/archive/2025-01-10/');
  });

  it('stop() closes the server and the emulators; a second run resumes without redoing the published days', async () => {
    const urls = run.urls as NonNullable<LocalRun['urls']>;
    await run.stop();
    await expect(fetch(urls.page)).rejects.toThrow();
    const again: RunEvent[] = [];
    run = await runLocal({ inputDir: input, stateDir: state, serve: false, onProgress: (e) => again.push(e) });
    expect(again.find((e) => e.kind === 'plan')).toMatchObject({ days: WEEK.length, done: WEEK.length - 1, toRun: 1 });
    // Only the bad day is tried again (as the state machine retries a day whose data is not in).
    expect(run.reports.map((r) => [r.label, r.outcome])).toEqual([[BAD_DAY, 'failed']]);
    expect(again.find((e) => e.kind === 'site')).toMatchObject({ built: false });
  });
});
