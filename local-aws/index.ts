/** Local AWS emulator (SSM, KMS, STS, S3, Resource Groups Tagging, CloudWatch metrics) for tests and benchmarks. See local-aws/README.md. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Core, createHandler } from './server.js';
import { applySeed, type SeedDocument } from './admin.js';
import { AwsError } from './types.js';
import type { RoleTrust } from './accounts.js';
import type { KmsStore } from './kms-sts.js';
import type { SsmStore } from './ssm-store.js';
import type { MetricDatum } from './cloudwatch.js';
import type { FaultSpec, LocalAwsOptions, LocalAwsStats, S3ObjectMeta, S3ObjectSummary, SeedParameter, StoredParameter } from './types.js';

export type { RoleTrust, MetricDatum };
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
    /** Makes an AMI unavailable in a region: aws:ec2:image writes of it answer 200 and are dropped, as AWS's asynchronous check does. */
    withdrawImage(region: string, amiId: string): void;
  };
  s3: {
    /** Creates a bucket (owner: the emulator's account unless `owner` is given). */
    createBucket(region: string, bucket: string, opts?: { requireSse?: boolean; owner?: string }): void;
    /** Sets the bucket's owner account (12 digits); undefined = the emulator's account again. */
    setBucketOwner(bucket: string, owner: string | undefined): void;
    listObjects(bucket: string): S3ObjectSummary[];
    getObject(bucket: string, key: string): Buffer | undefined;
    objectMeta(bucket: string, key: string): S3ObjectMeta | undefined;
  };
  kms: {
    /** Creates a customer managed key with a fresh secret (or adds aliases); returns its ARN. */
    createKey(region: string, keyId: string, aliases?: string[], opts?: { enabled?: boolean }): string;
    /** Disables (DisabledException on use) or enables a key given by id, ARN or alias. */
    setEnabled(region: string, keyRef: string, enabled: boolean): void;
  };
  /** Several accounts (local-aws/accounts.ts): access keys, roles and their trust, the SSM and KMS of one account. */
  iam: {
    /** Requests signed with `accessKeyId` act in `accountId`. */
    addAccessKey(accessKeyId: string, accountId: string): void;
    /** A role STS AssumeRole can assume when its trust allows the caller (and the external id matches). */
    createRole(roleArn: string, trust: RoleTrust): void;
  };
  /** The SSM and KMS of `accountId` (the default account's are `ssm` and `kms` above). */
  account(accountId: string): { ssm: LocalAws['ssm']; kms: LocalAws['kms'] };
  /** CloudWatch data points put so far (PutMetricData), per region, in arrival order. */
  metrics: { list(region: string): MetricDatum[] };
  faults: { add(f: FaultSpec): void; clear(): void };
  seed(doc: SeedDocument): void;
  stats(): LocalAwsStats;
  resetStats(): void;
  setOptions(o: Partial<LocalAwsOptions>): void;
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

function ssmApi(ssm: SsmStore): LocalAws['ssm'] {
  return {
    put: (region, p) => void rethrowPlain(() => ssm.put(region, p, true)),
    get: (region, name) => ssm.get(region, name),
    list: (region) => [...ssm.list(region)],
    delete: (region, name) => void ssm.delete(region, name),
    clear: (region) => ssm.clear(region),
    withdrawImage: (region, amiId) => ssm.withdrawImage(region, amiId),
  };
}

function kmsApi(kms: KmsStore): LocalAws['kms'] {
  return {
    createKey: (region, keyId, aliases, o) => kms.keyArn(region, kms.createKey(region, keyId, aliases, o?.enabled).keyId),
    setEnabled: (region, keyRef, enabled) => void rethrowPlain(() => kms.setEnabled(region, keyRef, enabled)),
  };
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
    ssm: ssmApi(core.ssm),
    s3: {
      createBucket: (region, bucket, o) => void core.s3.createBucket(region, bucket, o),
      setBucketOwner: (bucket, owner) => core.s3.setOwner(bucket, owner),
      listObjects: (bucket) => core.s3.listObjects(bucket),
      getObject: (bucket, key) => core.s3.getObject(bucket, key)?.body,
      objectMeta: (bucket, key) => {
        const o = core.s3.getObject(bucket, key);
        return o ? { ...o.meta, metadata: { ...o.meta.metadata } } : undefined;
      },
    },
    kms: kmsApi(core.kms),
    iam: {
      addAccessKey: (akid, accountId) => core.identities.addAccessKey(akid, accountId),
      createRole: (roleArn, trust) => core.identities.createRole(roleArn, trust),
    },
    account: (accountId) => {
      const stores = core.stores(accountId);
      return { ssm: ssmApi(stores.ssm), kms: kmsApi(stores.kms) };
    },
    metrics: { list: (region) => core.cloudwatch.list(region) },
    faults: { add: (f) => core.faults.add(f), clear: () => core.faults.clear() },
    seed: (doc) => applySeed(core, doc),
    stats: () => core.stats.snapshot(),
    resetStats: () => core.stats.reset(),
    setOptions: (o) => core.setOptions(o),
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
