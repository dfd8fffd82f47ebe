/**
 * The sanity gates inside runPublish, on s3rver + dynalite: a day that trips one is refused before any
 * write (yesterday's latest.json, history.json and rss.xml stay; the step is marked `refused`; the
 * error names the gate, the figure and the bound), and an operator can publish it after checking by
 * re-running the step with `acceptGates`. Snapshots come from the hand-made market of market.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SanityGateError } from '../../functions/pipeline/publish.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { emulatorDeps } from '../pipeline/helpers/deps.ts';
import { publishSnapshots } from '../pipeline/helpers/publish.ts';
import { market, snapshotAt } from './market.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

const SITE_KEYS = ['data/latest.json', 'data/history.json', 'rss.xml'];

describe('publish runs the sanity gates before writing anything', () => {
  it('refuses a day whose mega tier lost 0.4 × its exposure, keeps the site, then publishes it when accepted', async () => {
    const deps = await emulatorDeps(aws, { now: '2024-06-12T23:50:00Z' });
    const days = market({ '2024-06-12': { MEGA: 140 } });
    await publishSnapshots(deps, '2024-06-11', [snapshotAt('2024-06-11', days)]);
    const before = await Promise.all(SITE_KEYS.map(async (k) => (await deps.site.head(k))?.sha256));
    const keysBefore = await deps.site.list('');

    const bad = snapshotAt('2024-06-12', days);
    const error = await publishSnapshots(deps, '2024-06-12', [bad]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SanityGateError);
    expect(error).toMatchObject({
      gate: 'tier-pnl',
      date: '2024-06-12',
      field: 'windows.1d.groups.mega.pnlUsd',
      issues: ['tier-pnl: 2024-06-12 mega 1d P&L −$1.200B is 0.400 × its exposure $3.000B (bound 0.25 ×)'],
    });
    expect(await deps.site.list('')).toEqual(keysBefore);
    expect(await Promise.all(SITE_KEYS.map(async (k) => (await deps.site.head(k))?.sha256))).toEqual(before);
    expect((await deps.table.getCursor()).lastPublished).toBe('2024-06-11');
    const status = (await deps.table.getDay('2024-06-12'))?.steps.publish;
    expect(status?.state).toBe('refused');
    expect(status?.detail).toContain('(tier-pnl): tier-pnl: 2024-06-12 mega 1d P&L −$1.200B');
    expect(deps.log.entries).toContainEqual(expect.objectContaining({ level: 'error', message: 'publish refused' }));
    // The lock was released: the operator's re-run is not "being processed by another run".
    expect((await deps.table.getDay('2024-06-12'))?.lock).toBeNull();

    const accepted = await publishSnapshots(deps, '2024-06-12', [bad], { acceptGates: ['tier-pnl'] });
    expect(accepted).toMatchObject({ skipped: false, published: ['2024-06-12'], latest: '2024-06-12' });
    expect(deps.log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'sanity gates acknowledged by the operator' }),
    );
  });

  it('compares with the last published day from the feed; an unknown accepted gate name changes nothing', async () => {
    const deps = await emulatorDeps(aws, { now: '2024-06-13T23:50:00Z' });
    const days = market({ '2024-06-13': { SML: 'absent', MIC: 'absent' } });
    await publishSnapshots(deps, '2024-06-12', [snapshotAt('2024-06-12', days)]);
    // The publish event schema refuses such a name (test/infra/handler-plumbing.test.ts); past it, nothing is accepted.
    const error = await publishSnapshots(deps, '2024-06-13', [snapshotAt('2024-06-13', days)], {
      acceptGates: ['symbol_drop' as never],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'SanityGateError',
      gate: 'symbol-drop',
      issues: ['symbol-drop: 2024-06-13 has 4 shorted symbols against 6 on 2024-06-12 (−33.33%; bound −10%)'],
    });
  });
});
