/**
 * createAwsDeps(env) and compute's createAwsComputeDeps(env): the wiring the handlers use, pointed at the
 * emulators through `emulators.env` only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvError } from '../../functions/lib/env.ts';
import { createAwsComputeDeps } from '../../functions/pipeline/compute-deps.ts';
import { createAwsDeps, createAwsStoreDeps } from '../../functions/pipeline/deps.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

describe('createAwsDeps', () => {
  it('builds stores, table and providers from the environment alone', async () => {
    const deps = createAwsDeps({
      ...aws.emulators.env,
      PROVIDERS: 'finra-short-volume',
      SITE_URL: 'https://pulse.example',
    });
    expect(deps.raw.bucket).toBe('short-pulse-raw');
    expect(deps.site.bucket).toBe('short-pulse-site');
    expect(deps.providers.map((p) => p.id)).toEqual(['finra-short-volume']);
    expect(deps.config.siteUrl).toBe('https://pulse.example');
    await deps.raw.put('derived/probe.json', new TextEncoder().encode('{}'), { contentType: 'application/json' });
    expect((await deps.raw.head('derived/probe.json'))?.size).toBe(2);
    await deps.table.advanceCursor('lastComputed', '2024-06-10');
    expect((await deps.table.getCursor()).lastComputed).toBe('2024-06-10');
  });

  it('builds the same stores without providers for the steps that fetch nothing', async () => {
    // PROVIDERS is ingest's setting: compute and publish neither read nor validate it.
    const deps = createAwsStoreDeps({ ...aws.emulators.env, PROVIDERS: 'bloomberg' });
    expect(deps.providers).toEqual([]);
    expect(deps.site.bucket).toBe('short-pulse-site');
    expect(() => createAwsDeps({ ...aws.emulators.env, PROVIDERS: 'bloomberg' })).toThrow(
      /PROVIDERS: unknown provider/,
    );
    await deps.table.advanceCursor('lastComputed', '2024-06-11');
    expect((await deps.table.getCursor()).lastComputed).toBe('2024-06-11');
  });

  it('fails at init naming the missing variable', () => {
    const { TABLE_NAME: _omitted, ...rest } = aws.emulators.env;
    expect(() => createAwsDeps(rest)).toThrow(EnvError);
    expect(() => createAwsDeps(rest)).toThrow(/TABLE_NAME/);
    expect(() => createAwsStoreDeps(rest)).toThrow(/TABLE_NAME/);
    expect(() => createAwsComputeDeps(rest)).toThrow(/TABLE_NAME/);
  });
});

describe('createAwsComputeDeps', () => {
  it("builds compute's calls from the environment, and none of ingest's or publish's", async () => {
    const deps = createAwsComputeDeps({
      ...aws.emulators.env,
      PROVIDERS: 'bloomberg',
      SITE_URL: 'https://pulse.example',
    });
    expect(deps.raw.bucket).toBe('short-pulse-raw');
    expect(deps.config.siteUrl).toBe('https://pulse.example');
    // What compute's bundle leaves out: the archive's S3 calls, ingest's ledger writes and record encoders,
    // publish's readers, the site bucket and the providers.
    for (const call of ['putIfAbsent', 'copyIfAbsent', 'digest', 'delete']) expect(deps.raw).not.toHaveProperty(call);
    for (const call of ['recordFile', 'getFile', 'listFileVersions', 'markRestateFrom', 'acquireRunLock']) {
      expect(deps.table).not.toHaveProperty(call);
    }
    for (const call of ['putPriceDay', 'putShortInterestFile', 'getSnapshotBatch', 'getStockRun']) {
      expect(deps.derived).not.toHaveProperty(call);
    }
    expect(deps).not.toHaveProperty('site');
    expect(deps).not.toHaveProperty('providers');

    await deps.derived.putCheckpoint('2024-06-12', { v: 1, probe: true });
    expect(await deps.derived.getCheckpoint('2024-06-12')).toEqual({ v: 1, probe: true });
    await deps.table.advanceCursor('lastComputed', '2024-06-12');
    expect((await deps.table.getCursor()).lastComputed).toBe('2024-06-12');
  });
});
