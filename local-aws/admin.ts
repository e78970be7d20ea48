/** Test-only admin API under /__local/ and the seed document. */
import type { ServerResponse } from 'node:http';
import type { FaultSpec, SeedParameter } from './types.js';
import type { RequestInfo } from './http-util.js';
import type { Core } from './server.js';

export interface SeedDocument {
  accountId?: string;
  ssm?: Record<string, SeedParameter[]>;
  /** `settings`: configuration subresources by query name (versioning, publicAccessBlock, policy, lifecycle, object-lock), as PUT bodies. */
  buckets?: Record<string, (string | { name: string; requireSse?: boolean; owner?: string; settings?: Record<string, string> })[]>;
  kmsKeys?: Record<string, { keyId: string; aliases?: string[]; enabled?: boolean }[]>;
  faults?: FaultSpec[];
}

/** Applies a seed document: KMS keys first (so SecureString seeds can use them), then buckets, parameters, faults. */
export function applySeed(core: Core, doc: SeedDocument): void {
  if (doc.accountId !== undefined) core.setOptions({ accountId: doc.accountId });
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
  for (const [region, params] of Object.entries(doc.ssm ?? {})) {
    for (const p of params) {
      try {
        core.ssm.put(region, p, true);
      } catch (e) {
        throw new Error(`seed parameter ${p?.Name} in ${region}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
    }
  }
  for (const f of doc.faults ?? []) core.faults.add(f);
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
