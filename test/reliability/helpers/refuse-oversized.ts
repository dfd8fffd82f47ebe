/**
 * Runs in a fresh Node process (test/reliability/oversized.test.ts) so its peak resident memory
 * (`process.resourceUsage().maxRSS`) reflects only what refusing an oversized file costs. Prints one
 * JSON line. Three cases:
 *   gzip   a screener body repeating its rows until it decompresses to 10× the pipeline's 64 MiB limit
 *          (a runaway export, or a gzip bomb), dropped under incoming/ and ingested with the default limit;
 *   plain  a body 10× a 4 MiB limit given to decodeText, which must refuse it from its length alone;
 *   drop   an object 10× `maxFileBytes` already dropped under incoming/ on the emulators of the parent
 *          test (endpoints and names in the environment, so s3rver's own memory is not counted here),
 *          ingested through a raw store that counts what the pipeline reads of it.
 */
import { gzipSync } from 'node:zlib';
import { createDynamoDocumentClient, createS3Client } from '../../../functions/adapters/aws-clients.ts';
import { createDynamoPipelineTable } from '../../../functions/adapters/dynamo-pipeline-table.ts';
import type { ObjectStore } from '../../../functions/adapters/ports.ts';
import { createS3ObjectStore } from '../../../functions/adapters/s3-object-store.ts';
import { createPipelineDeps, DEFAULT_PIPELINE_CONFIG } from '../../../functions/pipeline/deps.ts';
import { runIngest } from '../../../functions/pipeline/ingest.ts';
import { decodeText, FormatError } from '../../../shared/formats/index.ts';
import { memoryDeps, recordingLog } from '../../pipeline/helpers/deps.ts';

const MiB = 1024 * 1024;
const mode = process.argv[2];
const peak = () => process.resourceUsage().maxRSS * 1024;

function row(i: number): string {
  return JSON.stringify({
    symbol: `S${i}`,
    name: `Listing ${i} Inc. Common Stock`,
    lastsale: `$${(10 + (i % 97) / 10).toFixed(2)}`,
    volume: String(1000 + i),
    marketCap: String(1_000_000 * (i + 1)),
    sector: 'Technology',
    industry: 'Semiconductors',
    country: 'United States',
    ipoyear: '',
    exchange: 'NASDAQ',
  });
}

if (mode === 'gzip') {
  const limit = DEFAULT_PIPELINE_CONFIG.maxFileBytes;
  // gzip members concatenate into one stream: a 1 MiB run of rows compressed once and repeated.
  const rows = Array.from({ length: 64 }, (_, i) => row(i)).join(',');
  let block = '';
  while (block.length < MiB) block += `${rows},`;
  const head = gzipSync('{"data":{"rows":[');
  const middle = gzipSync(block);
  const tail = gzipSync(`${row(64)}]}}`);
  const copies = Math.ceil((10 * limit) / block.length);
  const body = Buffer.concat([head, ...Array.from({ length: copies }, () => middle), tail]);
  const decompressed = 17 + copies * block.length + row(64).length + 3;

  const deps = memoryDeps({ now: '2024-06-12T23:30:00Z' });
  await deps.raw.put('incoming/2024-06-12.json.gz', body, { contentType: 'application/gzip' });
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const peakBefore = peak();
  const result = await runIngest(deps, { kind: 'drop', bucket: deps.raw.bucket, key: 'incoming/2024-06-12.json.gz' });
  const peakAfter = peak();
  const archived = await deps.raw.get('raw/prices/2024-06-12/2024-06-12.json.gz');
  console.log(
    JSON.stringify({
      limit,
      compressed: body.length,
      decompressed,
      rssBefore,
      peakBefore,
      peakAfter,
      status: result.files[0]?.status,
      rejection: result.rejections[0],
      archivedIntact: archived !== undefined && Buffer.from(archived.bytes).equals(body),
      logged: deps.log.entries.some((e) => e.message === 'file rejected'),
    }),
  );
} else if (mode === 'plain') {
  const limit = 4 * MiB;
  const body = Buffer.alloc(10 * limit, '{"data":{"rows":[]}}');
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const peakBefore = peak();
  let refusal: FormatError | undefined;
  try {
    decodeText(body, '2024-06-12.json', { maxBytes: limit });
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    refusal = error;
  }
  console.log(
    JSON.stringify({
      limit,
      size: body.length,
      rssBefore,
      rssAfter: process.memoryUsage().rss,
      peakBefore,
      peakAfter: peak(),
      rejection: refusal?.toRejection(),
    }),
  );
} else if (mode === 'drop') {
  const env = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`refuse-oversized.ts drop: ${name} is not set`);
    return v;
  };
  const limit = Number(env('DROP_LIMIT'));
  const key = env('DROP_KEY');
  const config = {
    s3Endpoint: env('AWS_ENDPOINT_URL_S3'),
    dynamoEndpoint: env('AWS_ENDPOINT_URL_DYNAMODB'),
    region: 'us-east-1',
    credentials: { accessKeyId: env('AWS_ACCESS_KEY_ID'), secretAccessKey: env('AWS_SECRET_ACCESS_KEY') },
  };
  const s3 = createS3Client(config);
  const raw = createS3ObjectStore({ client: s3, bucket: env('RAW_BUCKET') });
  // What ingest asks of the dropped object: whole reads (get), streamed hashes (digest), server-side copies.
  const reads = { get: 0, getBytes: 0, digest: 0, copy: 0, putBytes: 0 };
  const counted: ObjectStore = {
    ...raw,
    async get(k) {
      const o = await raw.get(k);
      if (k === key) {
        reads.get++;
        reads.getBytes += o?.bytes.byteLength ?? 0;
      }
      return o;
    },
    async digest(k) {
      if (k === key) reads.digest++;
      return raw.digest(k);
    },
    async copyIfAbsent(from, to, options) {
      if (from === key) reads.copy++;
      return raw.copyIfAbsent(from, to, options);
    },
    async put(k, bytes, options) {
      reads.putBytes += bytes.byteLength;
      return raw.put(k, bytes, options);
    },
    async putIfAbsent(k, bytes, options) {
      reads.putBytes += bytes.byteLength;
      return raw.putIfAbsent(k, bytes, options);
    },
  };
  const log = recordingLog();
  const deps = createPipelineDeps({
    raw: counted,
    site: createS3ObjectStore({ client: s3, bucket: env('SITE_BUCKET') }),
    table: createDynamoPipelineTable({ client: createDynamoDocumentClient(config), tableName: env('TABLE_NAME') }),
    clock: () => new Date('2024-06-12T23:30:00Z'),
    log,
    config: { maxFileBytes: limit },
  });
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const result = await runIngest(deps, { kind: 'drop', bucket: raw.bucket, key });
  const peakAfter = peak();
  console.log(
    JSON.stringify({
      limit,
      rssBefore,
      peakAfter,
      ...reads,
      status: result.files[0]?.status,
      rawKey: result.files[0]?.rawKey,
      rejection: result.rejections[0],
      logged: log.entries.some((e) => e.message === 'file rejected'),
    }),
  );
  s3.destroy();
} else {
  throw new Error(`usage: refuse-oversized.ts gzip|plain|drop (got ${mode})`);
}
