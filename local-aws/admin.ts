/** Test-only admin API under /__local/ and the seed document. */
import type { ServerResponse } from 'node:http';
import type { FaultSpec, SeedParameter } from './types.js';
import type { RequestInfo } from './http-util.js';
import type { Core } from './server.js';

export interface SeedDocument {
  accountId?: string;
  ssm?: Record<string, SeedParameter[]>;
  buckets?: Record<string, (string | { name: string; requireSse?: boolean })[]>;
  kmsKeys?: Record<string, { keyId: string; aliases?: string[] }[]>;
  faults?: FaultSpec[];
}

/** Applies a seed document: KMS keys first (so SecureString seeds can use them), then buckets, parameters, faults. */
export function applySeed(core: Core, doc: SeedDocument): void {
  if (doc.accountId !== undefined) core.setOptions({ accountId: doc.accountId });
  for (const [region, keys] of Object.entries(doc.kmsKeys ?? {})) for (const k of keys) core.kms.createKey(region, k.keyId, k.aliases ?? []);
  for (const [region, buckets] of Object.entries(doc.buckets ?? {})) {
    for (const b of buckets) {
      if (typeof b === 'string') core.s3.createBucket(region, b);
      else core.s3.createBucket(region, b.name, { requireSse: b.requireSse });
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

export async function handleAdmin(core: Core, info: RequestInfo, res: ServerResponse): Promise<void> {
  const path = info.url.pathname.slice('/__local/'.length);
  const method = info.method;
  let body: unknown = undefined;
  try {
    if (info.body.length > 0) body = JSON.parse(info.body.toString('utf8'));
    if (method === 'POST' && path === 'seed') {
      applySeed(core, (body ?? {}) as SeedDocument);
      return json(res, 200, { ok: true });
    }
    if (method === 'POST' && path === 'faults') {
      const b = (body ?? {}) as FaultSpec | FaultSpec[] | { clear: boolean };
      if ('clear' in b && b.clear) core.faults.clear();
      else for (const f of Array.isArray(b) ? b : [b as FaultSpec]) core.faults.add(f);
      return json(res, 200, { ok: true, faults: core.faults.list() });
    }
    if (method === 'GET' && path === 'faults') return json(res, 200, core.faults.list());
    if (method === 'POST' && path === 'options') {
      core.setOptions((body ?? {}) as Record<string, unknown>);
      return json(res, 200, core.options);
    }
    if (method === 'GET' && path === 'stats') return json(res, 200, core.stats.snapshot());
    if ((method === 'POST' || method === 'DELETE') && (path === 'stats' || path === 'reset-stats')) {
      core.stats.reset();
      return json(res, 200, { ok: true });
    }
    if (method === 'POST' && path === 'reset') {
      core.ssm.clear();
      core.s3.clear();
      core.kms.clear();
      core.faults.clear();
      core.stats.reset();
      return json(res, 200, { ok: true });
    }
    if (method === 'GET' && path === 'state') return json(res, 200, stateSnapshot(core));
    const raw = /^s3\/([^/]+)\/(.+)$/.exec(path);
    if (method === 'GET' && raw) {
      const obj = core.s3.getObject(decodeURIComponent(raw[1]), decodeURIComponent(raw[2]));
      if (!obj) return json(res, 404, { error: 'NoSuchKey' });
      res.writeHead(200, { 'content-type': obj.meta.contentType, 'content-length': obj.body.length, ...(obj.meta.sse ? { 'x-amz-server-side-encryption': obj.meta.sse } : {}) });
      res.end(obj.body);
      return;
    }
    return json(res, 404, { error: `unknown admin route ${method} /__local/${path}` });
  } catch (e) {
    return json(res, 400, { error: e instanceof Error ? e.message : String(e) });
  }
}
