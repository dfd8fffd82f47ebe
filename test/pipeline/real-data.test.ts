/**
 * Real public files (../shared/data, skipped when absent) dropped through s3rver/dynalite: a full-market
 * screener day (gzip, 1.9 MB) and a complete Reg SHO file. Known facts from the data README: NVDA's 10-for-1
 * split shows $121.79 on 2024-06-10; the Reg SHO file of 2021-04-27 holds 9,714 rows.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { emulatorDeps } from './helpers/deps.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dataDir = path.resolve(repoRoot, '../shared/data');
const screenerFile = path.join(dataDir, 'nasdaq-screener/2024/2024-06-10.json.gz');
const regShoFile = path.join(dataDir, 'finra/regsho/CNMSshvol20210427.txt');
const exists = existsSync(screenerFile) && existsSync(regShoFile);

describe.skipIf(!exists)('real files through the emulators', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => {
    await aws?.stop();
  });

  it('a full-market screener day: archived byte-exact, every row either normalised or rejected with a reason', async () => {
    const deps = await emulatorDeps(aws);
    const bytes = readFileSync(screenerFile);
    await deps.raw.put('incoming/2024-06-10.json.gz', bytes, { contentType: 'application/gzip' });

    const result = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/2024-06-10.json.gz' });

    const archived = await deps.raw.get('raw/prices/2024-06-10/2024-06-10.json.gz');
    expect(archived?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const rowsInFile = (JSON.parse(gunzipSync(bytes).toString()) as { data: { rows: unknown[] } }).data.rows.length;
    const day = await deps.derived.getPriceDay('2024-06-10');
    expect(day!.rows.length + result.rejectedRows).toBe(rowsInFile);
    expect(result.files[0]).toMatchObject({ status: 'accepted', rows: day!.rows.length });
    expect(day!.rows.find((r) => r.symbol === 'NVDA')?.price).toBe(121.79);
    expect(day!.rows.find((r) => r.symbol === 'BRK.B')).toBeDefined();
    for (const r of result.rejections)
      expect(r).toMatchObject({ file: '2024-06-10.json.gz', line: expect.any(Number), field: expect.any(String) });
  });

  it('a complete Reg SHO file: 9,714 rows accounted for', async () => {
    const deps = await emulatorDeps(aws);
    await deps.raw.put('incoming/CNMSshvol20210427.txt', readFileSync(regShoFile), { contentType: 'text/plain' });
    const result = await runIngest(deps, {
      kind: 'drop',
      bucket: deps.rawBucket,
      key: 'incoming/CNMSshvol20210427.txt',
    });
    const day = await deps.derived.getShortVolumeDay('2021-04-27');
    expect(day!.records.length + result.rejectedRows).toBe(9714);
    expect(result.files[0]?.status).toBe('accepted');
  });
});
