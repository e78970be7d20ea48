/** Local AWS emulator (SSM, KMS, STS, S3) for tests and benchmarks. See local-aws/README.md. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Core, createHandler } from './server.js';
import { applySeed, stateSnapshot, type SeedDocument } from './admin.js';
import { AwsError } from './types.js';
import type { FaultSpec, LocalAwsOptions, LocalAwsStats, S3ObjectMeta, S3ObjectSummary, SeedParameter, StoredParameter } from './types.js';

export type { FaultSpec, LocalAwsOptions, LocalAwsStats, S3ObjectMeta, S3ObjectSummary, SeedParameter, StoredParameter, SeedDocument };
export { AwsError };

export interface LocalAws {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  /** AWS_ENDPOINT_URL, credentials, AWS_REGION... ready to merge into a child process env. */
  env: Record<string, string>;
  ssm: {
    /** Seeds a parameter (same validation as PutParameter; overwrites, Type defaults to String). */
    put(region: string, p: SeedParameter): void;
    get(region: string, name: string): StoredParameter | undefined;
    list(region: string): StoredParameter[];
    delete(region: string, name: string): void;
    clear(region?: string): void;
  };
  s3: {
    createBucket(region: string, bucket: string, opts?: { requireSse?: boolean }): void;
    deleteBucket(bucket: string): void;
    listBuckets(): { name: string; region: string; requireSse: boolean }[];
    listObjects(bucket: string): S3ObjectSummary[];
    getObject(bucket: string, key: string): Buffer | undefined;
    objectMeta(bucket: string, key: string): S3ObjectMeta | undefined;
    clear(): void;
  };
  kms: { createKey(region: string, keyId: string, aliases?: string[]): void };
  faults: { add(f: FaultSpec): void; clear(): void; list(): FaultSpec[] };
  seed(doc: SeedDocument): void;
  /** Everything stored (what GET /__local/state returns). */
  state(): unknown;
  stats(): LocalAwsStats;
  resetStats(): void;
  setOptions(o: Partial<LocalAwsOptions>): void;
  options(): LocalAwsOptions;
  stop(): Promise<void>;
}

function rethrowPlain<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AwsError) throw new Error(`${e.code}: ${e.message}`);
    throw e;
  }
}

export async function startLocalAws(opts: LocalAwsOptions = {}, port = 0): Promise<LocalAws> {
  const core = new Core(opts);
  const server: Server = createServer(createHandler(core));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${actualPort}`;
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port: actualPort,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    ssm: {
      put: (region, p) => void rethrowPlain(() => core.ssm.put(region, p, true)),
      get: (region, name) => core.ssm.get(region, name),
      list: (region) => core.ssm.list(region),
      delete: (region, name) => void core.ssm.delete(region, name),
      clear: (region) => core.ssm.clear(region),
    },
    s3: {
      createBucket: (region, bucket, o) => void core.s3.createBucket(region, bucket, o),
      deleteBucket: (bucket) => core.s3.deleteBucket(bucket),
      listBuckets: () => [...core.s3.buckets.values()].map((b) => ({ name: b.name, region: b.region, requireSse: b.requireSse })),
      listObjects: (bucket) => core.s3.listObjects(bucket),
      getObject: (bucket, key) => core.s3.getObject(bucket, key)?.body,
      objectMeta: (bucket, key) => {
        const o = core.s3.getObject(bucket, key);
        return o ? { ...o.meta, metadata: { ...o.meta.metadata } } : undefined;
      },
      clear: () => core.s3.clear(),
    },
    kms: { createKey: (region, keyId, aliases) => core.kms.createKey(region, keyId, aliases) },
    faults: { add: (f) => core.faults.add(f), clear: () => core.faults.clear(), list: () => core.faults.list() },
    seed: (doc) => applySeed(core, doc),
    state: () => stateSnapshot(core),
    stats: () => core.stats.snapshot(),
    resetStats: () => core.stats.reset(),
    setOptions: (o) => core.setOptions(o),
    options: () => ({ ...core.options }),
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
