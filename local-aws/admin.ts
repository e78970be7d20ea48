/** Test-only admin API under /__local/ and the seed document. */
import type { ServerResponse } from 'node:http';
import type { FaultSpec, SeedParameter } from './types.js';
import type { RequestInfo } from './http-util.js';
import type { Core } from './server.js';
import type { KmsStore } from './kms-sts.js';
import type { SsmStore } from './ssm-store.js';
import type { RoleTrust } from './accounts.js';

/** What an account holds of its own: parameters and KMS keys by region. */
interface AccountSeed {
  ssm?: Record<string, SeedParameter[]>;
  kmsKeys?: Record<string, { keyId: string; aliases?: string[]; enabled?: boolean }[]>;
}

export interface SeedDocument extends AccountSeed {
  accountId?: string;
  /** `settings`: configuration subresources by query name (versioning, publicAccessBlock, policy, lifecycle, object-lock), as PUT bodies. */
  buckets?: Record<string, (string | { name: string; requireSse?: boolean; owner?: string; settings?: Record<string, string> })[]>;
  faults?: FaultSpec[];
  /**
   * Other accounts (accounts.ts), by 12-digit id: the access keys acting in it, its roles (ARNs in that account, with
   * the principals they trust and an optional external id), its own parameters and KMS keys. Its buckets are `buckets`
   * entries with `owner` set to it.
   */
  accounts?: Record<string, AccountSeed & { accessKeys?: string[]; roles?: ({ roleArn: string } & RoleTrust)[] }>;
}

/**
 * Applies a seed document: the default account's id, then each account of `accounts` (access keys, roles, KMS keys,
 * parameters), then the default account's KMS keys (so SecureString seeds can use them), buckets, parameters, faults.
 */
export function applySeed(core: Core, doc: SeedDocument): void {
  if (doc.accountId !== undefined) core.setOptions({ accountId: doc.accountId });
  for (const [accountId, account] of Object.entries(doc.accounts ?? {})) {
    for (const akid of account.accessKeys ?? []) core.identities.addAccessKey(akid, accountId);
    for (const { roleArn, ...trust } of account.roles ?? []) {
      if (!roleArn?.startsWith(`arn:aws:iam::${accountId}:role/`)) throw new Error(`seed role ${roleArn} is not a role of account ${accountId}`);
      core.identities.createRole(roleArn, trust);
    }
    seedStores(core.stores(accountId), account);
  }
  for (const [region, keys] of Object.entries(doc.kmsKeys ?? {})) for (const k of keys) core.kms.createKey(region, k.keyId, k.aliases ?? [], k.enabled);
  for (const [region, buckets] of Object.entries(doc.buckets ?? {})) {
    for (const b of buckets) {
      if (typeof b === 'string') core.s3.createBucket(region, b);
      else {
        const bucket = core.s3.createBucket(region, b.name, { requireSse: b.requireSse });
        if (b.owner !== undefined) core.s3.setOwner(b.name, b.owner);
        Object.assign(bucket.settings, b.settings ?? {});
      }
    }
  }
  seedParameters(core.ssm, doc.ssm);
  for (const f of doc.faults ?? []) core.faults.add(f);
}

/** An account's KMS keys, then its parameters. */
function seedStores(stores: { kms: KmsStore; ssm: SsmStore }, seed: AccountSeed): void {
  for (const [region, keys] of Object.entries(seed.kmsKeys ?? {})) for (const k of keys) stores.kms.createKey(region, k.keyId, k.aliases ?? [], k.enabled);
  seedParameters(stores.ssm, seed.ssm);
}

function seedParameters(ssm: SsmStore, byRegion: Record<string, SeedParameter[]> | undefined): void {
  for (const [region, params] of Object.entries(byRegion ?? {})) {
    for (const p of params) {
      try {
        ssm.put(region, p, true);
      } catch (e) {
        throw new Error(`seed parameter ${p?.Name} in ${region}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
    }
  }
}

/** Everything stored, values included (test-only). */
export function stateSnapshot(core: Core): unknown {
  const ssm: Record<string, unknown[]> = {};
  for (const region of core.ssm.regionNames()) {
    ssm[region] = core.ssm.list(region).map((p) => ({ ...p, LastModifiedDate: p.LastModifiedDate.toISOString() }));
  }
  const s3: Record<string, unknown> = {};
  for (const b of core.s3.buckets.values()) {
    s3[b.name] = {
      region: b.region,
      requireSse: b.requireSse,
      owner: b.owner ?? core.accountId,
      objects: [...b.objects.values()].map((o) => ({ ...o.meta, lastModified: o.meta.lastModified.toISOString() })).sort((x, y) => (x.key < y.key ? -1 : 1)),
      pendingUploads: b.uploads.size,
    };
  }
  return { accountId: core.accountId, options: core.options, ssm, s3, faults: core.faults.list() };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** `POST /__local/kms/keys`: creates or updates a key; answers its id, ARN, aliases and state. */
function kmsKey(core: Core, body: Record<string, unknown>): unknown {
  const { region, keyId, aliases, enabled } = body as { region?: unknown; keyId?: unknown; aliases?: unknown; enabled?: unknown };
  if (typeof region !== 'string' || typeof keyId !== 'string') throw new Error('kms/keys needs region and keyId');
  if (aliases !== undefined && !(Array.isArray(aliases) && aliases.every((a) => typeof a === 'string')))
    throw new Error('aliases must be a list of alias/... names');
  if (enabled !== undefined && typeof enabled !== 'boolean') throw new Error('enabled must be true or false');
  const known = core.kms.resolve(region, keyId);
  const k = known ? core.kms.setEnabled(region, keyId, enabled ?? known.enabled) : core.kms.createKey(region, keyId, [], enabled);
  if (aliases) core.kms.createKey(region, k.keyId, aliases as string[]);
  return { keyId: k.keyId, arn: core.kms.keyArn(region, k.keyId), aliases: k.aliases, enabled: k.enabled };
}

/** `POST /__local/s3/bucket-owner`: `{bucket, owner}`; owner null = the emulator's account again. */
function bucketOwner(core: Core, body: Record<string, unknown>): unknown {
  if (typeof body.bucket !== 'string') throw new Error('s3/bucket-owner needs bucket');
  if (body.owner !== null && typeof body.owner !== 'string') throw new Error('s3/bucket-owner needs owner (a 12-digit account id, or null)');
  core.s3.setOwner(body.bucket, body.owner ?? undefined);
  return { bucket: body.bucket, owner: body.owner ?? core.accountId };
}

type Route = (core: Core, body: Record<string, unknown>) => unknown;

const ROUTES: Record<string, Route> = {
  'POST seed': (core, body) => (applySeed(core, body as SeedDocument), { ok: true }),
  'POST faults': (core, body) => {
    if ('clear' in body && body.clear === true) core.faults.clear();
    else for (const f of Array.isArray(body) ? (body as FaultSpec[]) : [body as unknown as FaultSpec]) core.faults.add(f);
    return { ok: true, faults: core.faults.list() };
  },
  'POST options': (core, body) => (core.setOptions(body), core.options),
  'GET stats': (core) => core.stats.snapshot(),
  'POST reset-stats': (core) => (core.stats.reset(), { ok: true }),
  'GET state': (core) => stateSnapshot(core),
  'POST kms/keys': kmsKey,
  'POST s3/bucket-owner': bucketOwner,
};

export async function handleAdmin(core: Core, info: RequestInfo, res: ServerResponse): Promise<void> {
  const path = info.url.pathname.slice('/__local/'.length);
  const route = ROUTES[`${info.method} ${path}`];
  if (!route) return json(res, 404, { error: `unknown admin route ${info.method} /__local/${path}` });
  try {
    const body: unknown = info.body.length > 0 ? JSON.parse(info.body.toString('utf8')) : {};
    if (body === null || typeof body !== 'object') throw new Error('the body must be a JSON object');
    return json(res, 200, route(core, body as Record<string, unknown>));
  } catch (e) {
    return json(res, 400, { error: e instanceof Error ? e.message : String(e) });
  }
}
