/**
 * DynamoDB (dynalite, LevelDB under `<dir>/dynamodb`) and S3 (s3rver, files under `<dir>/s3`) in this
 * process, for `npm start` and the integration tests. Data persists in `dir`, so a second start resumes;
 * the table and buckets are created when missing.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { createDynamoDocumentClient, createS3Client } from '../adapters/aws-clients.ts';
import { ensureBucket, ensureTable } from '../adapters/provision.ts';

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';
export const DEFAULT_LOCAL_NAMES = {
  tableName: 'short-pulse',
  rawBucket: 'short-pulse-raw',
  siteBucket: 'short-pulse-site',
} as const;

export interface EmulatorOptions {
  /** Data folder (e.g. `.local/emulators`); created when missing. */
  dir: string;
  /** 0 or absent: a free port. */
  ports?: { s3?: number; dynamo?: number };
  tableName?: string;
  rawBucket?: string;
  siteBucket?: string;
}

export interface Emulators {
  s3Endpoint: string;
  dynamoEndpoint: string;
  tableName: string;
  rawBucket: string;
  siteBucket: string;
  /** The environment `createAwsDeps` reads to run the real handlers against these emulators. */
  env: Record<string, string>;
  /** S3 ObjectCreated notifications (s3rver emits them for PUT/POST/COPY); returns an unsubscribe function. */
  onObjectCreated(listener: (bucket: string, key: string) => void): () => void;
  stop(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets from SDK clients would otherwise hold close() open.
    server.closeAllConnections();
  });
}

function listen(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** A state folder another process (or this one) is using: two emulators on one LevelDB corrupt it. */
export class StateInUseError extends Error {
  readonly dir: string;
  readonly pid: number;
  constructor(dir: string, pid: number) {
    super(
      `the state folder ${dir} is in use by another Short Pulse process (pid ${pid}: npm start, pulse run or pulse backfill); ` +
        'stop it first, or give this run another --state folder',
    );
    this.name = 'StateInUseError';
    this.dir = dir;
    this.pid = pid;
  }
}

/** State folders this process holds: its own pid in a lock it does not hold is a stale lock (a reused pid). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dir>/.lock` for this process (issue 17: a second `pulse run` on a state in use crashed with a
 * database stack trace). A lock left by a process that is gone (kill -9) is taken over. Returns the release.
 */
export function lockState(dir: string): () => void {
  const file = path.join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      held.add(file);
      return () => {
        held.delete(file);
        rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      // After a crash a restarted container often gets the same pid: ours, but not a lock we hold.
      const ours = pid === process.pid && !held.has(file);
      if (Number.isInteger(pid) && !ours && alive(pid)) throw new StateInUseError(dir, pid);
      rmSync(file, { force: true });
    }
  }
  throw new StateInUseError(dir, Number.NaN);
}

export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const names = {
    tableName: options.tableName ?? DEFAULT_LOCAL_NAMES.tableName,
    rawBucket: options.rawBucket ?? DEFAULT_LOCAL_NAMES.rawBucket,
    siteBucket: options.siteBucket ?? DEFAULT_LOCAL_NAMES.siteBucket,
  };
  if (names.tableName.length < 3) throw new Error(`table name ${names.tableName}: DynamoDB needs 3+ characters`);
  const dynamoDir = path.join(options.dir, 'dynamodb');
  const s3Dir = path.join(options.dir, 's3');
  await mkdir(dynamoDir, { recursive: true });
  await mkdir(s3Dir, { recursive: true });
  // The lock first: a second dynalite on the same LevelDB would break the first one's database.
  const unlock = lockState(options.dir);
  let dynamoServer: ReturnType<typeof dynalite>;
  try {
    dynamoServer = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  } catch (error) {
    unlock();
    throw error;
  }
  let s3: S3rver | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const s3Server = s3?.httpServer;
    try {
      await Promise.all([
        s3Server?.listening ? closeServer(s3Server) : Promise.resolve(),
        dynamoServer.listening ? closeServer(dynamoServer) : Promise.resolve(),
      ]);
    } finally {
      unlock();
    }
  };

  try {
    const dynamoAddress = await listen(dynamoServer, options.ports?.dynamo ?? 0);
    s3 = new S3rver({ port: options.ports?.s3 ?? 0, address: '127.0.0.1', directory: s3Dir, silent: true });
    const s3Address = await s3.run();
    const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
    const dynamoEndpoint = `http://127.0.0.1:${dynamoAddress.port}`;

    const clientConfig = { s3Endpoint, dynamoEndpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
    const s3Client = createS3Client(clientConfig);
    const dynamo = createDynamoDocumentClient(clientConfig);
    try {
      await ensureTable(dynamo, names.tableName);
      await ensureBucket(s3Client, names.rawBucket);
      await ensureBucket(s3Client, names.siteBucket);
    } finally {
      s3Client.destroy();
      dynamo.destroy();
    }

    const emitter = s3;
    return {
      s3Endpoint,
      dynamoEndpoint,
      ...names,
      env: {
        TABLE_NAME: names.tableName,
        RAW_BUCKET: names.rawBucket,
        SITE_BUCKET: names.siteBucket,
        AWS_ENDPOINT_URL_S3: s3Endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
      onObjectCreated(listener) {
        const handler = (event: {
          Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[];
        }) => {
          for (const record of event.Records) {
            if (record.eventName.startsWith('ObjectCreated:')) listener(record.s3.bucket.name, record.s3.object.key);
          }
        };
        emitter.on('event', handler);
        return () => {
          emitter.off('event', handler);
        };
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
