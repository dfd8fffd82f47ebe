/**
 * ObjectStore's reads, writes and lists on S3 (AWS, or s3rver locally): `ObjectReadWrite`, the calls compute
 * makes; s3-object-store.ts adds the archive's (copy, digest, put-if-absent, delete) over the same pieces. Kept
 * apart so the compute bundle carries neither those calls nor the SDK commands behind them. Every put records
 * the sha256 of the bytes in the object's metadata and sends it as `x-amz-checksum-sha256`, so AWS refuses a
 * body damaged in transit; every get checks the bytes against it, so a truncated read is retried instead of
 * parsed.
 */
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  type ListedObject,
  ObjectChangedError,
  type ObjectInfo,
  ObjectIntegrityError,
  type ObjectReadWrite,
  type PutObjectOptions,
  type StoredObject,
} from './ports.ts';
import {
  DEFAULT_AWS_RETRY,
  errorName,
  httpStatusOf,
  isRetryableAwsError,
  type RetryPolicy,
  withRetry,
} from './retry.ts';

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  retry?: Partial<RetryPolicy>;
  /** Send If-None-Match: * on putIfAbsent (AWS honours it; s3rver ignores it, where the HEAD pre-check decides). */
  conditionalWrites?: boolean;
  /** Keys per LIST page (S3's maximum and default: 1,000); tests use a small one to exercise paging. */
  listPageSize?: number;
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

export function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatusOf(error) === 404;
}

export function isPreconditionFailed(error: unknown): boolean {
  const name = errorName(error);
  const status = httpStatusOf(error);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409;
}

/** The bucket's reads and writes, and what the archive's calls build on: the retry, a bare PUT, the HEAD. */
export function s3Calls(options: S3ObjectStoreOptions) {
  const { client, bucket } = options;
  const policy: RetryPolicy = { ...DEFAULT_AWS_RETRY, ...options.retry };
  const conditionalWrites = options.conditionalWrites ?? true;
  const retry = <T>(fn: () => Promise<T>) => withRetry(fn, { ...policy, isRetryable: isRetryableAwsError });

  function info(
    key: string,
    out: {
      ContentLength?: number;
      ContentType?: string;
      CacheControl?: string;
      ContentEncoding?: string;
      Metadata?: Record<string, string>;
      ETag?: string;
    },
  ): ObjectInfo {
    const metadata = { ...(out.Metadata ?? {}) };
    return {
      key,
      size: out.ContentLength ?? 0,
      sha256: metadata.sha256,
      contentType: out.ContentType,
      cacheControl: out.CacheControl,
      contentEncoding: out.ContentEncoding,
      metadata,
      ...(out.ETag ? { etag: out.ETag } : {}),
    };
  }

  async function putObject(key: string, bytes: Uint8Array, opts: PutObjectOptions, ifNoneMatch: boolean) {
    const digest = sha256(bytes);
    const metadata = { ...(opts.metadata ?? {}), sha256: digest.toString('hex') };
    const { onlyIf } = opts;
    const condition =
      ifNoneMatch || onlyIf === 'absent' ? { IfNoneMatch: '*' } : onlyIf ? { IfMatch: onlyIf.etag } : {};
    const out = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: opts.contentType,
        ...(opts.cacheControl ? { CacheControl: opts.cacheControl } : {}),
        ...(opts.contentEncoding ? { ContentEncoding: opts.contentEncoding } : {}),
        Metadata: metadata,
        ChecksumSHA256: digest.toString('base64'),
        ...(conditionalWrites ? condition : {}),
      }),
    );
    return {
      key,
      size: bytes.byteLength,
      sha256: metadata.sha256,
      contentType: opts.contentType,
      cacheControl: opts.cacheControl,
      contentEncoding: opts.contentEncoding,
      metadata,
      ...(out.ETag ? { etag: out.ETag } : {}),
    } satisfies ObjectInfo;
  }

  /**
   * A put with `onlyIf`: on AWS the condition travels with the PUT (atomic; 412 when it fails); where the
   * store ignores it (s3rver), a HEAD just before compares the ETag (not atomic: the run lock is what keeps
   * two runs apart there).
   */
  async function putChecked(key: string, bytes: Uint8Array, opts: PutObjectOptions): Promise<ObjectInfo> {
    const { onlyIf } = opts;
    if (onlyIf !== undefined && !conditionalWrites) {
      const current = await head(key);
      if (onlyIf === 'absent' ? current !== undefined : current?.etag !== onlyIf.etag)
        throw new ObjectChangedError(key);
    }
    try {
      return await retry(() => putObject(key, bytes, opts, false));
    } catch (error) {
      // If-Match on a key deleted since it was read is a 404 on AWS: changed all the same.
      if (onlyIf !== undefined && (isPreconditionFailed(error) || (onlyIf !== 'absent' && isNotFound(error)))) {
        throw new ObjectChangedError(key);
      }
      throw error;
    }
  }

  async function head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await retry(() => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
      return info(key, out);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  const store: ObjectReadWrite = {
    bucket,

    put(key, bytes, opts) {
      return putChecked(key, bytes, opts);
    },

    async get(key): Promise<StoredObject | undefined> {
      try {
        return await retry(async () => {
          const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
          const meta = info(key, out);
          if (meta.sha256 !== undefined) {
            const actual = sha256(bytes).toString('hex');
            if (actual !== meta.sha256) throw new ObjectIntegrityError(key, meta.sha256, actual);
          }
          return { ...meta, size: bytes.byteLength, bytes };
        });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    head,

    async list(prefix): Promise<ListedObject[]> {
      const found: ListedObject[] = [];
      // ListObjects (v1) with Marker = the last key seen: the same pages on S3, while s3rver's v2 continuation
      // tokens use DES, which OpenSSL 3 (Node 18+) no longer provides (any truncated v2 page fails there).
      let marker: string | undefined;
      for (;;) {
        const page = await retry(() =>
          client.send(
            new ListObjectsCommand({
              Bucket: bucket,
              Prefix: prefix,
              ...(options.listPageSize ? { MaxKeys: options.listPageSize } : {}),
              ...(marker ? { Marker: marker } : {}),
            }),
          ),
        );
        const contents = page.Contents ?? [];
        for (const item of contents) {
          if (item.Key !== undefined) found.push({ key: item.Key, size: item.Size ?? 0 });
        }
        const last = contents.at(-1)?.Key;
        if (!page.IsTruncated || last === undefined) break;
        marker = last;
      }
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
  };
  return { store, retry, putObject, head, conditionalWrites };
}

export function createS3ReadWrite(options: S3ObjectStoreOptions): ObjectReadWrite {
  return s3Calls(options).store;
}
