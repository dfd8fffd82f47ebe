/**
 * ObjectStore on S3 (AWS, or s3rver locally): the reads, writes and lists of s3-read-write.ts (the sha256
 * recorded on every put and checked on every get is explained there) and the archive's calls, which read
 * large files in constant memory or copy them server side.
 */
import { createHash } from 'node:crypto';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { ObjectIntegrityError, type ObjectStore, type PutIfAbsentResult } from './ports.ts';
import { isNotFound, isPreconditionFailed, type S3ObjectStoreOptions, s3Calls } from './s3-read-write.ts';

export type { S3ObjectStoreOptions } from './s3-read-write.ts';

export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const { client, bucket } = options;
  const { store, retry, putObject, head, conditionalWrites } = s3Calls(options);

  return {
    ...store,

    async putIfAbsent(key, bytes, opts): Promise<PutIfAbsentResult> {
      const existing = await head(key);
      if (existing) return { created: false, existing };
      try {
        // A retried attempt whose first try did land sees 412: the HEAD below then reports our own object.
        const created = await retry(() => putObject(key, bytes, opts, conditionalWrites));
        return { created: true, info: created };
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
        const winner = await head(key);
        if (!winner) throw error;
        return { created: false, existing: winner };
      }
    },

    async digest(key) {
      try {
        return await retry(async () => {
          const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const hash = createHash('sha256');
          let size = 0;
          for await (const chunk of (out.Body ?? []) as AsyncIterable<Uint8Array>) {
            hash.update(chunk);
            size += chunk.byteLength;
          }
          const actual = hash.digest('hex');
          const recorded = out.Metadata?.sha256;
          if (recorded !== undefined && recorded !== actual) throw new ObjectIntegrityError(key, recorded, actual);
          return { size, sha256: actual };
        });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async copyIfAbsent(from, to, opts): Promise<PutIfAbsentResult> {
      const existing = await head(to);
      if (existing) return { created: false, existing };
      const source = `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
      await retry(() =>
        client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: to,
            CopySource: source,
            MetadataDirective: 'REPLACE',
            ContentType: opts.contentType,
            ...(opts.cacheControl ? { CacheControl: opts.cacheControl } : {}),
            ...(opts.contentEncoding ? { ContentEncoding: opts.contentEncoding } : {}),
            Metadata: { ...(opts.metadata ?? {}), sha256: opts.sha256 },
          }),
        ),
      );
      const info = await head(to);
      if (!info) throw new Error(`copyIfAbsent: ${to} is missing right after the copy from ${from}`);
      return { created: true, info };
    },

    async delete(key) {
      await retry(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },
  };
}
