/**
 * Issue 18, "Done when": `pulse fetch --prices-from-git <repo>` plus FINRA's files (served by the replay server
 * standing in for cdn.finra.org and api.nasdaq.com) fills a folder on which `pulse build` computes the snapshot
 * `pulse build` computes on the original files. The real command line in a child process, offline: the archive
 * is a git repository this test builds (one commit a night, the per-exchange files of a nightly job).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { repoRoot } from '../helpers/pulse-cli.ts';
import { tempDir, writeSample } from '../local/helpers/market.ts';
import { type ReplayServer, startReplayServer } from '../providers/helpers/replay-server.ts';

const FROM = '2025-01-02';
const TO = '2025-03-31';
const EXCHANGES = ['nasdaq', 'nyse', 'amex'] as const;
const run = promisify(execFile);

let work: string;
let original: string;
let archive: string;
let fetched: string;
let server: ReplayServer;

function git(args: string[], env: Record<string, string> = {}): void {
  execFileSync('git', ['-c', 'user.name=archive', '-c', 'user.email=archive@example.org', ...args], {
    cwd: archive,
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
}

/**
 * Runs the real `pulse` command line with `env` on top of this process's environment, asynchronously: the
 * replay server answers from this process's event loop.
 */
async function pulse(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'functions/cli/pulse.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  work = tempDir('fetch-build');
  original = path.join(work, 'original');
  const manifest = writeSample(original, { symbols: 300, from: FROM, to: TO, gzip: false, seed: 4 });
  // What no public source serves is left out of the original too: the operator's splits.csv, and the
  // generator's deliberate stale, partial and weekend snapshots (an archive job would not commit them).
  rmSync(path.join(original, 'splits.csv'));
  for (const d of [...manifest.staleDays, ...manifest.partialDays, ...manifest.weekendFiles]) {
    rmSync(path.join(original, 'prices', `${d}.json`), { force: true });
  }

  // The archive: each night at 21:00 New York (02:00 UTC in winter), the day's rows split over three
  // exchange files in order, each a bare rows array as the nightly job writes it.
  archive = path.join(work, 'archive');
  mkdirSync(archive);
  git(['init', '-q', '-b', 'main']);
  for (const file of readdirSync(path.join(original, 'prices')).sort()) {
    const day = file.slice(0, 10);
    const rows = (
      JSON.parse(readFileSync(path.join(original, 'prices', file), 'utf8')) as { data: { rows: unknown[] } }
    ).data.rows;
    const third = Math.ceil(rows.length / 3);
    EXCHANGES.forEach((exchange, i) => {
      mkdirSync(path.join(archive, exchange), { recursive: true });
      const part = rows.slice(i * third, (i + 1) * third);
      writeFileSync(path.join(archive, exchange, `${exchange}_full_tickers.json`), JSON.stringify(part, null, 2));
    });
    const next = new Date(`${day}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    const at = `${next.toISOString().slice(0, 10)}T02:00:00Z`;
    git(['add', '-A']);
    git(['commit', '-q', '-m', `Update stock symbols ${day}`], { GIT_COMMITTER_DATE: at, GIT_AUTHOR_DATE: at });
  }

  // FINRA's CDN and Nasdaq's API: the original's short interest and Reg SHO files; the split calendar has
  // no file for these days (404: reported as not published, as a day it has not served yet).
  server = await startReplayServer();
  for (const file of readdirSync(path.join(original, 'short-interest'))) {
    server.script(`/equity/otcmarket/biweekly/${file}`, {
      status: 200,
      body: readFileSync(path.join(original, 'short-interest', file)),
    });
  }
  for (const file of readdirSync(path.join(original, 'short-volume'))) {
    server.script(`/equity/regsho/daily/${file}`, {
      status: 200,
      body: readFileSync(path.join(original, 'short-volume', file)),
    });
  }
  fetched = path.join(work, 'fetched');
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const env = () => ({
  FINRA_BASE_URL: server.baseUrl,
  NASDAQ_BASE_URL: server.baseUrl,
  PULSE_CONTACT: 'ops@example.org',
  HTTP_MAX_ATTEMPTS: '1',
});

describe('pulse fetch, then pulse build', () => {
  it('fetches FINRA’s files and the archive’s nights into the input layout, resumably', {
    timeout: 240_000,
  }, async () => {
    const first = await pulse(
      ['fetch', '--out', fetched, '--from', FROM, '--to', TO, '--prices-from-git', archive],
      env(),
    );
    if (first.code !== 0) console.log(first.stdout, first.stderr.slice(-3000));
    expect(first.stderr).not.toMatch(/pulse fetch: /);
    expect(first.code).toBe(0);
    const days = readdirSync(path.join(original, 'prices')).length;
    expect(first.stdout).toContain(`past prices     ${days} written, 0 already present`);
    expect(first.stdout).toMatch(/short-interest {2}\d+ fetched/);
    expect(readdirSync(path.join(fetched, 'short-interest')).sort()).toEqual(
      readdirSync(path.join(original, 'short-interest'))
        .filter((f) => f >= 'shrt20241212' && f <= 'shrt20250331.csv')
        .sort(),
    );
    // A second run asks for nothing it has: every file present and valid is skipped.
    const hits = server.hits(`/equity/otcmarket/biweekly/${readdirSync(path.join(fetched, 'short-interest'))[0]}`);
    const again = await pulse(
      ['fetch', '--out', fetched, '--from', FROM, '--to', TO, '--prices-from-git', archive],
      env(),
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`past prices     0 written, ${days} already present`);
    expect(
      server.hits(`/equity/otcmarket/biweekly/${readdirSync(path.join(fetched, 'short-interest'))[0]}`),
    ).toHaveLength(hits.length);
  });

  it('builds from the fetched folder the snapshot pulse build computes on the original files', {
    timeout: 240_000,
  }, async () => {
    const outA = path.join(work, 'out-original');
    const outB = path.join(work, 'out-fetched');
    // The original's short interest from the settlement before FROM on, as fetch asks for it.
    expect((await pulse(['build', '--input', original, '--out', outA])).code).toBe(0);
    expect((await pulse(['build', '--input', fetched, '--out', outB])).code).toBe(0);
    const read = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'data/latest.json'), 'utf8')) as Snapshot;
    const a = read(outA);
    const b = read(outB);
    expect(b.asOf).toBe(a.asOf);
    expect(b.windows).toEqual(a.windows);
    expect(b.crowded).toEqual(a.crowded);
    expect(b.dataQuality).toEqual(a.dataQuality);
    // Same days and short interest read; the price files differ in bytes (the archive's exchange field, gzip).
    expect(b.sources.map((s) => s.rows)).toEqual(a.sources.map((s) => s.rows));
  });
});
