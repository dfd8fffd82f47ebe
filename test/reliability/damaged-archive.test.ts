/**
 * Issue 17, "half-written files are trusted": an archived raw object cut short (kill -9 while the local
 * archive copy was written) whose metadata still records the whole file's sha256. On s3rver + dynalite
 * (the real wire protocol). The screener file is cut from the pipeline fixtures (real row shapes).
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { emulatorDeps, type TestDeps } from '../pipeline/helpers/deps.ts';
import { SCREENER_2024_06_10 } from '../pipeline/helpers/fixtures.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const full = new TextEncoder().encode(SCREENER_2024_06_10);
const cut = full.slice(0, Math.floor(full.length / 2));

let aws: LocalAws;
let deps: TestDeps & { rawBucket: string };

/** Writes `bytes` under `key` with the metadata the archive records for `recordedFor`, as a cut-short copy would be. */
async function putDamaged(key: string, bytes: Uint8Array, recordedFor: Uint8Array) {
  await aws.s3.send(
    new PutObjectCommand({
      Bucket: deps.rawBucket,
      Key: key,
      Body: bytes,
      ContentType: 'application/json',
      Metadata: {
        sha256: sha(recordedFor),
        source: 'prices',
        origin: 'drop',
        'received-at': '2024-06-10T23:00:00.000Z',
      },
    }),
  );
}

async function archived(key: string): Promise<Uint8Array> {
  const out = await aws.s3.send(new GetObjectCommand({ Bucket: deps.rawBucket, Key: key }));
  return new Uint8Array(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

beforeAll(async () => {
  aws = await startLocalAws();
  deps = await emulatorDeps(aws, { now: '2024-06-11T14:00:00Z' });
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

describe('a damaged archived copy (issue 17)', () => {
  it('a drop of the same file archives it again from the source instead of trusting the cut copy', async () => {
    const key = 'raw/prices/2024-06-10/2024-06-10.json';
    await putDamaged(key, cut, full);
    await deps.raw.put('incoming/2024-06-10.json', full, { contentType: 'application/json' });
    const result = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/2024-06-10.json' });
    expect(result.files.map((f) => [f.file, f.status, f.rawKey])).toEqual([['2024-06-10.json', 'accepted', key]]);
    expect(sha(await archived(key))).toBe(sha(full));
    expect(deps.log.entries.some((e) => e.level === 'warn' && e.message.startsWith('archived copy damaged'))).toBe(
      true,
    );
  }, 60_000);

  it('recovery from the archive reports a damaged copy it cannot re-archive, reads nothing of it, and goes on', async () => {
    const key = 'raw/prices/2024-06-11/2024-06-11.json';
    await putDamaged(key, cut, full);
    const result = await runIngest(deps, { kind: 'archive' });
    const damaged = result.files.find((f) => f.rawKey === key);
    expect(damaged).toMatchObject({ file: '2024-06-11.json', status: 'failed' });
    expect(damaged?.reason).toMatch(
      /^the archived copy is damaged \(object raw\/prices\/2024-06-11\/2024-06-11\.json: sha256 /,
    );
    expect(deps.log.entries.some((e) => e.level === 'error' && e.message.startsWith('archived copy damaged'))).toBe(
      true,
    );
  }, 120_000);
});

describe('a price file dated in the future, dropped to the pipeline (issue 17)', () => {
  it('is archived and refused with its date and today in New York; it never becomes a day', async () => {
    await deps.raw.put('incoming/2099-01-02.json', full, { contentType: 'application/json' });
    const result = await runIngest(deps, { kind: 'drop', bucket: deps.rawBucket, key: 'incoming/2099-01-02.json' });
    expect(result.files).toHaveLength(1);
    expect(result.files[0]).toMatchObject({
      file: '2099-01-02.json',
      status: 'rejected',
      rawKey: 'raw/prices/2099-01-02/2099-01-02.json',
      reason:
        'is dated 2099-01-02, after today (2024-06-11, New York): a file from the future is refused, never published',
    });
    expect(sha(await archived('raw/prices/2099-01-02/2099-01-02.json'))).toBe(sha(full));
  }, 60_000);
});
