import { SSMClient } from '@aws-sdk/client-ssm';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:https';
import { setMaxListeners } from 'node:events';
import { Agent as HttpAgent } from 'node:http';
import { AdaptiveRateLimiter } from './pacing.js';
import { awsErrorCode, configError } from '../support/index.js';
import { expectBucketOwner } from './bucket-owner.js';
import { withKeyPrefix } from './key-prefix.js';
import { bucketRegionErrors } from './bucket-region.js';
import { assumeRoleCredentials, type AssumeRoleInput, type AwsCredentialIdentityProvider } from './assume-role.js';

/** API calls and throttles per operation, shared by every client a factory makes. */
export class ApiStats {
  readonly calls: Record<string, number> = {};
  readonly attempts: Record<string, number> = {};
  throttles = 0;

  snapshot(): { calls: Record<string, number>; attempts: Record<string, number>; throttles: number } {
    return { calls: { ...this.calls }, attempts: { ...this.attempts }, throttles: this.throttles };
  }
}

const THROTTLE_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

/**
 * Answers AWS documents as worth retrying that the SDK does not know: PutParameter's (and AddTagsToResource's)
 * TooManyUpdates, "There are concurrent updates for a resource that supports one update at a time" (API reference of
 * PutParameter, Errors; AWS adds "Please retry in a while"). Marked retryable, the SDK retries them with its backoff;
 * the region's deadline (abortRegion) still stops every retry.
 */
const RETRYABLE_CODES = new Set(['TooManyUpdates']);

export function isThrottle(err: unknown): boolean {
  const code = awsErrorCode(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return (code !== undefined && THROTTLE_CODES.has(code)) || status === 429;
}

export interface ClientFactoryOptions {
  /** Requests/s for SSM GetParameter(s)/GetParametersByPath per region (AWS default quota: 40). */
  getRate?: number;
  /** Requests/s for SSM PutParameter per region (AWS default quota: 3). */
  putRate?: number;
  /** Requests/s for SSM ListTagsForResource per region (the per-parameter tag fallback). */
  tagRate?: number;
  /** Requests/s for SSM GetParameterHistory per region (labels). */
  historyRate?: number;
  /** Requests/s for SSM LabelParameterVersion per region (restore of labels). */
  labelRate?: number;
  maxAttempts?: number;
  maxSockets?: number;
  /** Named profile for credentials (--profile); otherwise the SDK's default chain ($AWS_PROFILE included). */
  profile?: string;
  /** Credentials of every client (a member account's assumed role, forAccount); otherwise the SDK's default chain or `profile`. */
  credentials?: AwsCredentialIdentityProvider;
  /** Called every SLOW_CALL_MS while one call (its retries included) has not answered: the CLI prints a progress line. */
  onSlowCall?: (call: { service: string; operation: string; region: string; waitedSec: number }) => void;
  /** How long a call may go unanswered before onSlowCall (default SLOW_CALL_MS). */
  slowCallMs?: number;
  stats?: ApiStats;
  /** The environment of the run: an S3 error for a bucket of another region names its bucket parameter (bucket-region.ts). */
  environment?: string;
  /**
   * A member account whose archives live in a central backup account's buckets (accounts entry `backupAccountId`):
   * every S3 call expects that account as the bucket owner, and the archives sit under `{keyPrefix}/` (key-prefix.ts).
   */
  archiveStore?: ArchiveStore;
}

/** Where a member account's archives go in a central backup account: its buckets' owner and the key prefix there. */
export interface ArchiveStore {
  bucketOwner: string;
  keyPrefix: string;
}

/** Limiter groups: each has its own per-region quota in SSM. */
export type PaceGroup = 'get' | 'put' | 'tag' | 'history' | 'label';

/** Operations paced by a limiter: operation name -> limiter group. */
const PACED: Record<string, PaceGroup> = {
  GetParameterCommand: 'get',
  GetParametersCommand: 'get',
  GetParametersByPathCommand: 'get',
  PutParameterCommand: 'put',
  ListTagsForResourceCommand: 'tag',
  GetParameterHistoryCommand: 'history',
  LabelParameterVersionCommand: 'label',
};

/** A call that has not answered after this long (and again every as long) is reported through onSlowCall. */
export const SLOW_CALL_MS = 10_000;

/** Default requests/s per group when the factory options give none (conservative: AWS publishes no figure for tag, history and label). */
const DEFAULT_RATES: Record<PaceGroup, number> = { get: 40, put: 3, tag: 20, history: 10, label: 3 };

interface Instrumentable {
  middlewareStack: {
    add: (mw: never, opts: never) => void;
    addRelativeTo: (mw: never, opts: never) => void;
  };
}

/** What a factory and the run factories made from it (withSignal) share: connections, pacing, the caller's account. */
interface Shared {
  handler: NodeHttpHandler;
  limiters: Map<string, AdaptiveRateLimiter>;
  account?: Promise<string>;
}

/**
 * Region-aware AWS clients with adaptive retries, path-style S3 when a custom endpoint is set
 * (AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3, read by the SDK itself), per-operation counters and pacing.
 */
export class AwsClientFactory {
  readonly stats: ApiStats;
  private readonly cache = new Map<string, unknown>();
  private readonly shared: Shared;
  private readonly root: boolean;

  /**
   * `signal` (withSignal): every call of this factory's clients that is waiting for its pace, retrying or in flight
   * rejects with the signal's reason once it aborts, and every later call too. The root factory's never aborts.
   */
  constructor(
    private readonly opts: ClientFactoryOptions = {},
    shared?: Shared,
    private readonly signal: AbortSignal = new AbortController().signal,
  ) {
    this.stats = opts.stats ?? new ApiStats();
    setMaxListeners(0, signal); // one listener per call in flight, removed when it settles
    this.root = shared === undefined;
    this.shared = shared ?? { handler: AwsClientFactory.handler(opts), limiters: new Map() };
  }

  /**
   * A factory for one region run (its deadline, --region-timeout): the same HTTP connections, pacing, counters and
   * caller account, but clients of its own whose calls all stop when `signal` aborts.
   */
  withSignal(signal: AbortSignal): AwsClientFactory {
    return new AwsClientFactory({ ...this.opts, stats: this.stats }, this.shared, signal);
  }

  private static handler(opts: ClientFactoryOptions): NodeHttpHandler {
    const maxSockets = opts.maxSockets ?? 64;
    return new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new Agent({ keepAlive: true, maxSockets }),
      connectionTimeout: 5000,
      requestTimeout: 60000,
    });
  }

  private common(region: string) {
    return {
      region,
      retryMode: 'adaptive',
      maxAttempts: this.opts.maxAttempts ?? 12,
      requestHandler: this.shared.handler,
      ...(this.opts.profile ? { profile: this.opts.profile } : {}),
      ...(this.opts.credentials ? { credentials: this.opts.credentials } : {}),
    };
  }

  /**
   * The clients of a member account (multi-account runs): every client signs with the credentials of `role`, assumed
   * with this factory's credentials (one AssumeRole per account, refreshed before expiry). Its own pacing (each
   * account x region has its own SSM quota) and its own caller account (the bucket owner it expects); the same
   * connections and counters. Check the account with `expectAccount` before anything acts.
   */
  forAccount(role: AssumeRoleInput, region: string, archiveStore?: ArchiveStore): AwsClientFactory {
    const sts = this.cached(`sts-assume:${region}`, () => this.instrument(new STSClient(this.common(region)), region));
    const credentials = assumeRoleCredentials(sts, role);
    return new AwsClientFactory(
      { ...this.opts, credentials, stats: this.stats, archiveStore },
      { handler: this.shared.handler, limiters: new Map() },
      this.signal,
    );
  }

  /**
   * Where a region's archives are, from its bucket parameter's value: the bucket itself, or in a central backup
   * account `bucket/{keyPrefix}` (s3() turns that back into S3's Bucket and keys). Every plan's buckets pass here.
   */
  archiveLocation(bucket: string): string {
    return this.opts.archiveStore ? `${bucket}/${this.opts.archiveStore.keyPrefix}` : bucket;
  }

  /** The central backup account owning this member's buckets, or undefined (the caller's own buckets). */
  archiveStoreOwner(): string | undefined {
    return this.opts.archiveStore?.bucketOwner;
  }

  /** GetCallerIdentity must answer `accountId` (the role landed in the configured account); else a config error naming both. */
  async expectAccount(accountId: string, region: string, what: string): Promise<void> {
    const actual = await this.callerAccount(region);
    if (actual !== accountId) {
      throw configError(`${what} landed in account ${actual}, not the configured ${accountId}: fix the roleArn of ${accountId} in the accounts parameter`);
    }
  }

  ssm(region: string): SSMClient {
    return this.cached(`ssm:${region}`, () => this.instrument(new SSMClient(this.common(region)), region));
  }

  s3(region: string): S3Client {
    const customEndpoint = Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
    const store = this.opts.archiveStore;
    return this.cached(`s3:${region}`, () => {
      const client = expectBucketOwner(
        bucketRegionErrors(this.instrument(new S3Client({ ...this.common(region), forcePathStyle: customEndpoint }), region), region, this.opts.environment),
        () => (store ? Promise.resolve(store.bucketOwner) : this.callerAccount(region)),
      );
      return store ? withKeyPrefix(client, store.keyPrefix) : client;
    });
  }

  kms(region: string): KMSClient {
    return this.cached(`kms:${region}`, () => this.instrument(new KMSClient(this.common(region)), region));
  }

  /** Resource Groups Tagging API client of a region (GetResources: the tag sweep). */
  tagging(region: string): ResourceGroupsTaggingAPIClient {
    return this.cached(`tagging:${region}`, () => this.instrument(new ResourceGroupsTaggingAPIClient(this.common(region)), region));
  }

  /** CloudWatch client of a region (PutMetricData after each region of a backup). */
  cloudwatch(region: string): CloudWatchClient {
    return this.cached(`cloudwatch:${region}`, () => this.instrument(new CloudWatchClient(this.common(region)), region));
  }

  async accountId(region: string): Promise<string | undefined> {
    const sts = this.cached(`sts:${region}`, () => this.instrument(new STSClient(this.common(region)), region));
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return out.Account;
  }

  /**
   * The caller's account (STS GetCallerIdentity, asked once per factory; asked again after a failure): the expected
   * owner of every bucket, and the only account whose KMS keys may unwrap an archive's data key.
   */
  callerAccount(region: string): Promise<string> {
    this.shared.account ??= this.accountId(region).then((a) => {
      if (!a || !/^\d{12}$/.test(a)) throw new Error(`STS GetCallerIdentity returned no account id (${String(a)})`);
      return a;
    });
    const account = this.shared.account;
    account.catch(() => {
      if (this.shared.account === account) this.shared.account = undefined;
    });
    return account;
  }

  limiter(region: string, group: PaceGroup): AdaptiveRateLimiter {
    const key = `${group}:${region}`;
    let l = this.shared.limiters.get(key);
    if (!l) {
      const configured = { get: this.opts.getRate, put: this.opts.putRate, tag: this.opts.tagRate, history: this.opts.historyRate, label: this.opts.labelRate }[
        group
      ];
      const rate = configured ?? DEFAULT_RATES[group];
      l = new AdaptiveRateLimiter({ ratePerSec: rate });
      this.shared.limiters.set(key, l);
    }
    return l;
  }

  /** Closes the connections (root factory; a run's factory from withSignal only drops its clients). */
  destroy(): void {
    if (!this.root) {
      this.cache.clear(); // its clients share the root's connections: destroying one would close them all
      return;
    }
    for (const c of this.cache.values()) (c as { destroy(): void }).destroy();
    this.cache.clear();
    this.shared.handler.destroy();
  }

  private cached<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  /** Counts calls (before retries) and attempts (after), paces Get and Put calls, and feeds throttles back into the pacing. */
  private instrument<T extends Instrumentable>(client: T, region: string): T {
    const stats = this.stats;
    type Next = (args: unknown) => Promise<unknown>;
    type Ctx = { commandName?: string };
    const abort = this.signal;
    // Rejects when the region is stopped: waits for a pacing token end at once. Never an unhandled rejection.
    const aborted = new Promise<never>((_resolve, reject) => abort.addEventListener('abort', () => reject(abort.reason), { once: true }));
    aborted.catch(() => undefined);
    const onSlow = this.opts.onSlowCall;
    const count = (next: Next, ctx: Ctx & { clientName?: string }) => async (args: unknown) => {
      const op = ctx.commandName ?? 'unknown';
      stats.calls[op] = (stats.calls[op] ?? 0) + 1;
      abort.throwIfAborted();
      const started = Date.now();
      const service = (ctx.clientName ?? '').replace(/Client$/, '') || 'AWS';
      const slow = onSlow
        ? setInterval(
            () => onSlow({ service, operation: op.replace(/Command$/, ''), region, waitedSec: Math.round((Date.now() - started) / 1000) }),
            this.opts.slowCallMs ?? SLOW_CALL_MS,
          )
        : undefined;
      slow?.unref();
      // Outside the retry loop: an aborted region stops pacing, retries and in-flight calls alike.
      let onAbort = () => undefined as void;
      const aborted = new Promise<never>((_resolve, reject) => {
        onAbort = () => reject(abort.reason);
        abort.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([next(args), aborted]);
      } finally {
        abort.removeEventListener('abort', onAbort);
        clearInterval(slow);
      }
    };
    const attempt = (next: Next, ctx: Ctx) => async (args: unknown) => {
      const op = ctx.commandName ?? 'unknown';
      stats.attempts[op] = (stats.attempts[op] ?? 0) + 1;
      const group = PACED[op];
      const limiter = group ? this.limiter(region, group) : undefined;
      // Inside the retry loop too: after the region's deadline no retry is sent (the error is not retryable).
      abort.throwIfAborted();
      if (limiter) await Promise.race([limiter.acquire(), aborted]);
      abort.throwIfAborted();
      try {
        const out = await next(args);
        limiter?.onSuccess();
        return out;
      } catch (err) {
        if (isThrottle(err)) {
          stats.throttles += 1;
          limiter?.onThrottle();
        }
        if (RETRYABLE_CODES.has(awsErrorCode(err) ?? '')) Object.assign(err as object, { $retryable: { throttling: true } });
        throw err;
      }
    };
    client.middlewareStack.add(count as never, { step: 'initialize', name: 'ssmBackupCount', override: true } as never);
    client.middlewareStack.addRelativeTo(
      attempt as never,
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'ssmBackupAttempt', override: true } as never,
    );
    return client;
  }
}
