/**
 * A 10× oversized input: refused above the documented limit (64 MiB by default, `maxFileBytes`;
 * docs/data-formats.md "Size limit"), archived as received, with bounded memory. The memory figures
 * come from a fresh Node process (helpers/refuse-oversized.ts) whose peak resident set is read from
 * the kernel (`maxRSS`) — no wall-clock assertion. A drop above the limit is refused from its size
 * (HEAD) and archived by a server-side copy: the pipeline never reads it whole.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDynamoPipelineTable } from '../../functions/adapters/dynamo-pipeline-table.ts';
import { createS3ObjectStore } from '../../functions/adapters/s3-object-store.ts';
import { createPipelineDeps } from '../../functions/pipeline/deps.ts';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { recordingLog } from '../pipeline/helpers/deps.ts';

const MiB = 1024 * 1024;
const HELPER = path.join(import.meta.dirname, 'helpers/refuse-oversized.ts');

const Rejection = z.object({ file: z.string(), line: z.number(), field: z.string(), reason: z.string() });
const GzipMeasure = z.object({
  limit: z.number(),
  compressed: z.number(),
  decompressed: z.number(),
  rssBefore: z.number(),
  peakAfter: z.number(),
  status: z.string(),
  rejection: Rejection,
  archivedIntact: z.boolean(),
  logged: z.boolean(),
});
const DropMeasure = z.object({
  limit: z.number(),
  rssBefore: z.number(),
  peakAfter: z.number(),
  get: z.number(),
  getBytes: z.number(),
  digest: z.number(),
  copy: z.number(),
  putBytes: z.number(),
  status: z.string(),
  rawKey: z.string(),
  rejection: Rejection,
  logged: z.boolean(),
});
const PlainMeasure = z.object({
  limit: z.number(),
  size: z.number(),
  rssBefore: z.number(),
  peakAfter: z.number(),
  rejection: Rejection,
});

/** The helper's one JSON line, from a fresh process (its peak RSS is then this refusal's). */
function measure(mode: 'gzip' | 'plain'): unknown {
  const out = execFileSync(process.execPath, ['--expose-gc', HELPER, mode], { encoding: 'utf8', maxBuffer: MiB });
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

describe('a gzip that decompresses to 10× the limit (640 MiB of screener rows)', () => {
  it('is refused by ingest at the limit, archived byte for byte, with ~the limit of extra memory', () => {
    const m = GzipMeasure.parse(measure('gzip'));
    expect(m.limit).toBe(64 * MiB);
    // The compressed body is under the limit: only the decompression bound can stop it.
    expect(m.compressed).toBeLessThan(m.limit);
    expect(m.decompressed).toBeGreaterThanOrEqual(10 * m.limit);
    expect(m.status).toBe('rejected');
    expect(m.rejection).toEqual({
      file: '2024-06-12.json.gz',
      line: 0,
      field: '*',
      reason: 'the gzip body decompresses to more than the 64.0 MiB limit',
    });
    expect(m.archivedIntact).toBe(true);
    expect(m.logged).toBe(true);
    const growth = m.peakAfter - m.rssBefore;
    console.log(
      `gzip ×10: ${(m.compressed / MiB).toFixed(1)} MiB → ${(m.decompressed / MiB).toFixed(0)} MiB; ` +
        `peak RSS growth while refusing ${(growth / MiB).toFixed(1)} MiB (limit ${m.limit / MiB} MiB)`,
    );
    // Decompression stopped at the limit: far below the 640 MiB a full inflate needs.
    expect(growth).toBeLessThan(2 * m.limit);
  });
});

describe('a plain body of 10× the limit', () => {
  it('is refused from its length alone, before any decoding (no extra memory)', () => {
    const m = PlainMeasure.parse(measure('plain'));
    expect(m.size).toBe(10 * m.limit);
    expect(m.rejection).toEqual({
      file: '2024-06-12.json',
      line: 0,
      field: '*',
      reason: 'the body is 40.0 MiB, above the 4.0 MiB limit',
    });
    const growth = m.peakAfter - m.rssBefore;
    console.log(`plain ×10: ${m.size / MiB} MiB refused; peak RSS growth ${(growth / MiB).toFixed(2)} MiB`);
    // Decoding would need the 40 MiB again as a string; refusing needs less than the limit itself.
    expect(growth).toBeLessThan(m.limit);
  });
});

describe('a drop of 10× the limit under incoming/ (s3rver + dynalite, `maxFileBytes` 32 MiB, 320 MiB dropped)', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => {
    await aws?.stop();
  });

  it('is refused from its size before any read, archived by a server-side copy, byte for byte', async () => {
    const limit = 32 * MiB;
    const size = 10 * limit;
    const rawBucket = await aws.newBucket('raw');
    const siteBucket = await aws.newBucket('site');
    const tableName = await aws.newTable('pulse');
    const key = 'incoming/2024-06-12.json';
    // Streamed into s3rver in 1 MiB chunks of screener rows, hashed on the way: this process never holds it.
    const row = `${JSON.stringify({ symbol: 'AAA', name: 'Listing', lastsale: '$10.00', volume: '1', marketCap: '1.00' })},`;
    const chunk = Buffer.from(row.repeat(Math.ceil(MiB / row.length)).slice(0, MiB), 'utf8');
    const hash = createHash('sha256');
    const body = Readable.from(
      (function* () {
        for (let sent = 0; sent < size; sent += MiB) {
          hash.update(chunk);
          yield chunk;
        }
      })(),
    );
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: rawBucket,
        Key: key,
        Body: body,
        ContentLength: size,
        ContentType: 'application/json',
      }),
    );
    const sha = hash.digest('hex');

    // Not execFileSync: the emulators answering the helper run in this process's event loop.
    const { stdout: out } = await promisify(execFile)(process.execPath, ['--expose-gc', HELPER, 'drop'], {
      encoding: 'utf8',
      maxBuffer: MiB,
      env: {
        ...process.env,
        ...aws.emulators.env,
        RAW_BUCKET: rawBucket,
        SITE_BUCKET: siteBucket,
        TABLE_NAME: tableName,
        DROP_KEY: key,
        DROP_LIMIT: String(limit),
      },
    });
    const m = DropMeasure.parse(JSON.parse(out.trim().split('\n').at(-1) as string));
    expect(m.status).toBe('rejected');
    expect(m.rejection).toEqual({
      file: '2024-06-12.json',
      line: 0,
      field: '*',
      reason: 'the body is 320.0 MiB, above the 32.0 MiB limit',
    });
    expect(m.logged).toBe(true);
    // Never read whole: no GET of the object, no byte of it written back by the pipeline; one streamed
    // hash (the ledger's sha256) and one server-side copy into the archive.
    expect({ get: m.get, getBytes: m.getBytes, putBytes: m.putBytes, digest: m.digest, copy: m.copy }).toEqual({
      get: 0,
      getBytes: 0,
      putBytes: 0,
      digest: 1,
      copy: 1,
    });
    const growth = m.peakAfter - m.rssBefore;
    console.log(
      `drop ×10: ${size / MiB} MiB refused at ${limit / MiB} MiB; bytes read whole 0; ` +
        `peak RSS growth while refusing ${(growth / MiB).toFixed(1)} MiB`,
    );
    // Holding the body would take all of it; hashing it as a stream leaves only chunks V8 has not
    // collected yet (they go in batches of some tens of MiB, whatever the file's size).
    expect(growth).toBeLessThan(size / 3);

    const raw = createS3ObjectStore({ client: aws.s3, bucket: rawBucket });
    expect(m.rawKey).toBe('raw/prices/2024-06-12/2024-06-12.json');
    const archived = await raw.head('raw/prices/2024-06-12/2024-06-12.json');
    expect(archived).toMatchObject({ size, sha256: sha, metadata: { origin: 'drop', source: 'prices' } });
    // The copy's bytes, hashed again from the archive: the file as received.
    expect(await raw.digest('raw/prices/2024-06-12/2024-06-12.json')).toEqual({ size, sha256: sha });
    // The drop itself stays where it was (never lost, whatever happens to the archive).
    expect((await raw.head(key))?.size).toBe(size);
    const table = createDynamoPipelineTable({ client: aws.dynamo, tableName });
    expect(await table.getFile('prices', '2024-06-12.json', sha)).toMatchObject({
      status: 'rejected',
      size,
      rawKey: 'raw/prices/2024-06-12/2024-06-12.json',
    });
    expect(await raw.head('derived/prices/2024-06-12.json')).toBeUndefined();

    // Dropped again (a duplicate event): a no-op, still without reading it whole.
    const again = await runIngest(
      createPipelineDeps({
        raw,
        site: createS3ObjectStore({ client: aws.s3, bucket: siteBucket }),
        table,
        clock: () => new Date('2024-06-12T23:40:00Z'),
        log: recordingLog(),
        config: { maxFileBytes: limit },
      }),
      { kind: 'drop', bucket: rawBucket, key },
    );
    expect(again).toMatchObject({ skipped: true, reason: 'already ingested' });
    expect(again.files[0]).toMatchObject({ status: 'duplicate', ledgerStatus: 'rejected', sha256: sha });
  });
});
