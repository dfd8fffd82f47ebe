/**
 * Recovery from the raw archive (issue 6, "Replays and recovery"; docs/operations.md "Recovery"):
 * `pulse run` takes two weeks of generated sample data day by day — a weekend price file and the short
 * interest file published after the last day arrive as drops, 2024-12-31's file restates the first
 * week on 2025-01-13 — and its published files are kept. Then the table and every object but `raw/`
 * are deleted (derived/, incoming/, the whole site bucket) and `pulse backfill` rebuilds from the
 * archive alone. Every published file must come back byte for byte, apart from fields that record
 * when and how a file was published rather than what the data says:
 *   - `generatedAt` (snapshots, latest.json, history.json), `publishedAt` (when the day was first published)
 *     and RSS `pubDate`/`lastBuildDate` (rendered from them): the time of the run that wrote the file;
 *   - `restated`/`restatedOn` (snapshots, history rows): "first published with other figures, corrected
 *     on …" — publication history kept by the site, not in the archive; a rebuild publishes every day
 *     once, from every file, so no day is a correction. The figures of a restated day are the same; the
 *     feed's "(restated …)" in a title, its "Restated on …" and "Published before: …" paragraphs and a
 *     snapshot's `previousPublication` (what was published before the correction) say the same thing.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../functions/adapters/aws-clients.ts';
import { createS3ObjectStore } from '../../functions/adapters/s3-object-store.ts';
import { backfillLocal } from '../../functions/local/backfill.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../functions/local/emulators.ts';
import { runLocal } from '../../functions/local/runner.ts';
import { tradingDays } from '../../shared/calendar.ts';
import { SAMPLE_MANIFEST_FILE } from '../../shared/sample/index.ts';
import { tempDir, writeSample } from '../local/helpers/market.ts';

const DAYS = tradingDays('2025-01-02', '2025-01-15');
const SATURDAY = '2025-01-11';

let sample: string;
let input: string;
let state: string;
/** The site bucket after `pulse run`, and after the recovery. */
let before: Map<string, string>;
let after: Map<string, string>;
let rawBefore: string[];
let rawAfter: string[];

async function withEmulators<T>(fn: (e: Awaited<ReturnType<typeof startEmulators>>) => Promise<T>): Promise<T> {
  const emulators = await startEmulators({ dir: path.join(state, 'emulators') });
  try {
    return await fn(emulators);
  } finally {
    await emulators.stop();
  }
}

const store = (e: Awaited<ReturnType<typeof startEmulators>>, bucket: string) =>
  createS3ObjectStore({
    client: createS3Client({ s3Endpoint: e.s3Endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } }),
    bucket,
  });

async function texts(e: Awaited<ReturnType<typeof startEmulators>>, bucket: string): Promise<Map<string, string>> {
  const s = store(e, bucket);
  const out = new Map<string, string>();
  for (const { key } of await s.list('')) {
    const o = await s.get(key);
    if (o) out.set(key, Buffer.from(o.bytes).toString('utf8'));
  }
  return out;
}

beforeAll(async () => {
  sample = tempDir('backfill-sample');
  writeSample(sample, { symbols: 300, from: '2025-01-02', to: '2025-03-31', gzip: false });
  input = tempDir('backfill-input');
  for (const sub of ['prices', 'short-interest']) mkdirSync(path.join(input, sub));
  for (const d of DAYS) copyFileSync(path.join(sample, 'prices', `${d}.json`), path.join(input, 'prices', `${d}.json`));
  // A price file dated on a Saturday (a repeat of Friday's): a drop, refused by rule 2 in compute.
  copyFileSync(path.join(sample, 'prices', '2025-01-10.json'), path.join(input, 'prices', `${SATURDAY}.json`));
  for (const f of ['shrt20241231.csv', 'shrt20250115.csv']) {
    copyFileSync(path.join(sample, 'short-interest', f), path.join(input, 'short-interest', f));
  }
  for (const f of ['splits.csv', SAMPLE_MANIFEST_FILE]) copyFileSync(path.join(sample, f), path.join(input, f));
  writeFileSync(path.join(input, 'README'), 'two weeks of the sample, for test/reliability/backfill.test.ts\n');
  state = tempDir('backfill-state');

  await runLocal({ inputDir: input, stateDir: state, serve: false, site: false });
  // Lose everything but the archive: the table, derived/ and incoming/ of the raw bucket, the site bucket.
  await withEmulators(async (e) => {
    before = await texts(e, e.siteBucket);
    const raw = store(e, e.rawBucket);
    const site = store(e, e.siteBucket);
    rawBefore = (await raw.list('raw/')).map((o) => `${o.key} ${o.size}`);
    for (const { key } of await raw.list('')) if (!key.startsWith('raw/')) await raw.delete(key);
    for (const { key } of await site.list('')) await site.delete(key);
  });

  // The table: its dynalite folder, as docs/operations.md says (the emulators recreate an empty table).
  rmSync(path.join(state, 'emulators', 'dynamodb'), { recursive: true, force: true });

  await backfillLocal({ stateDir: state, sample: true, site: false });
  await withEmulators(async (e) => {
    after = await texts(e, e.siteBucket);
    rawAfter = (await store(e, e.rawBucket).list('raw/')).map((o) => `${o.key} ${o.size}`);
  });
}, 600_000);

afterAll(() => {
  for (const dir of [sample, input, state]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The excluded fields (see the file comment) replaced by `…`; everything else left byte for byte. */
function withoutRunFields(text: string): string {
  return text
    .replace(/"generatedAt":"[^"]*"/g, '"generatedAt":"…"')
    .replace(/"publishedAt":"[^"]*"/g, '"publishedAt":"…"')
    .replace(/ \(restated [^)]*\)<\/title>/g, '</title>')
    .replace(/&lt;p&gt;&lt;strong&gt;Restated[^&]*&lt;\/strong&gt;[^&]*&lt;\/p&gt;/g, '')
    .replace(/,"previousPublication":\{[^{}]*\}/g, '')
    .replace(/&lt;p&gt;Published before: .*?&lt;\/p&gt;/g, '')
    .replace(/"restated":(?:true|false)/g, '"restated":…')
    .replace(/"restatedOn":(?:null|"\d{4}-\d{2}-\d{2}")/g, '"restatedOn":…')
    .replace(/<pubDate>[^<]*<\/pubDate>/g, '<pubDate>…</pubDate>')
    .replace(/<lastBuildDate>[^<]*<\/lastBuildDate>/g, '<lastBuildDate>…</lastBuildDate>');
}

describe('the table and derived/ lost, rebuilt from the raw archive by pulse backfill', () => {
  it('republishes every file byte for byte, apart from generatedAt and the restatement marks', () => {
    const snapshots = [...before.keys()].filter((k) => k.startsWith('data/snapshots/'));
    expect(snapshots).toHaveLength(DAYS.length);
    for (const key of ['data/latest.json', 'data/history.json', 'rss.xml']) expect(before.has(key)).toBe(true);
    expect([...after.keys()]).toEqual([...before.keys()]);
    let identical = 0;
    let restatedBefore = 0;
    for (const [key, text] of before) {
      const rebuilt = after.get(key) as string;
      expect(withoutRunFields(rebuilt), key).toBe(withoutRunFields(text));
      if (rebuilt === text) identical++;
      if (key.startsWith('data/snapshots/') && text.includes('"restated":true')) restatedBefore++;
    }
    // The first week was restated on 2025-01-13 by 2024-12-31's file, and again with the rest by the
    // file published after the last day; the rebuild publishes them once.
    expect(restatedBefore).toBeGreaterThan(0);
    console.log(
      `backfill: ${before.size} published files compared (${snapshots.length} snapshots, latest, history, ` +
        `rss, schemas); ${identical} byte-identical as they are, all identical without the excluded fields; ` +
        `${restatedBefore} snapshots had been restated before the loss`,
    );
  });

  it('leaves the raw archive as it was, and lists the refused weekend day again', () => {
    expect(rawAfter).toEqual(rawBefore);
    expect(rawBefore.some((k) => k.startsWith(`raw/prices/${SATURDAY}/`))).toBe(true);
    const latest = JSON.parse(after.get('data/latest.json') as string) as {
      asOf: string;
      dataQuality: { rejectedDays: { date: string }[] };
    };
    expect(latest.asOf).toBe(DAYS.at(-1));
    expect(latest.dataQuality.rejectedDays.map((d) => d.date)).toContain(SATURDAY);
  });
});
