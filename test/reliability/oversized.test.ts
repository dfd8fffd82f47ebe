/**
 * A 10× oversized input: refused above the documented limit (64 MiB by default, `maxFileBytes`;
 * docs/data-formats.md "Size limit"), archived as received, with bounded memory. The memory figures
 * come from a fresh Node process (helpers/refuse-oversized.ts) whose peak resident set is read from
 * the kernel (`maxRSS`) — no wall-clock assertion.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPipelineDeps } from '../../functions/pipeline/deps.ts';
import { runIngest } from '../../functions/pipeline/ingest.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { emulatorDeps } from '../pipeline/helpers/deps.ts';

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

  describe('dropped into the pipeline (s3rver + dynalite, limit set to 1 MiB)', () => {
    let aws: LocalAws;
    beforeAll(async () => {
      aws = await startLocalAws();
    });
    afterAll(async () => {
      await aws?.stop();
    });

    it('is archived as received and refused with the size and the limit; nothing is normalised', async () => {
      const base = await emulatorDeps(aws);
      const deps = { ...createPipelineDeps({ ...base, config: { ...base.config, maxFileBytes: MiB } }), log: base.log };
      const rows: string[] = [];
      for (let i = 0, size = 0; size < 10 * MiB; i++) {
        const r = { symbol: `S${i}`, name: `Listing ${i}`, lastsale: '$10.00', volume: '1', marketCap: '1.00' };
        rows.push(JSON.stringify(r));
        size += (rows.at(-1) as string).length + 1;
      }
      const body = Buffer.from(`{"data":{"rows":[${rows.join(',')}]}}`, 'utf8');
      await base.raw.put('incoming/2024-06-12.json', body, { contentType: 'application/json' });
      const result = await runIngest(deps, { kind: 'drop', bucket: base.rawBucket, key: 'incoming/2024-06-12.json' });
      expect(result.skipped).toBe(true);
      expect(result.rejections).toEqual([
        {
          file: '2024-06-12.json',
          line: 0,
          field: '*',
          reason: `the body is ${(body.length / MiB).toFixed(1)} MiB, above the 1.0 MiB limit`,
        },
      ]);
      const archived = await base.raw.get('raw/prices/2024-06-12/2024-06-12.json');
      expect(archived && Buffer.from(archived.bytes).equals(body)).toBe(true);
      const sha = createHash('sha256').update(body).digest('hex');
      expect(await base.table.getFile('prices', '2024-06-12.json', sha)).toMatchObject({
        status: 'rejected',
        size: body.length,
      });
      expect(await base.raw.head('derived/prices/2024-06-12.json')).toBeUndefined();
    });
  });
});
