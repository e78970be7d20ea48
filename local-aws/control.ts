/** Quotas (token buckets), fault injection and statistics. */
import type { FaultSpec, LocalAwsOptions, LocalAwsStats, ServiceName } from './types.js';

type QuotaKey = 'getTps' | 'describeTps' | 'putTps' | 'tagTps' | 'getResourcesTps' | 'labelTps' | 'historyTps';

/** Which token bucket an operation draws from, per 'service:Operation'. Operations not listed are unlimited. */
const QUOTA_GROUPS: Record<string, QuotaKey> = {
  'ssm:GetParameter': 'getTps',
  'ssm:GetParameters': 'getTps',
  'ssm:GetParametersByPath': 'getTps',
  'ssm:DescribeParameters': 'describeTps',
  'ssm:PutParameter': 'putTps',
  'ssm:ListTagsForResource': 'tagTps',
  'ssm:AddTagsToResource': 'tagTps',
  'ssm:RemoveTagsFromResource': 'tagTps',
  'ssm:LabelParameterVersion': 'labelTps',
  'ssm:UnlabelParameterVersion': 'labelTps',
  'ssm:GetParameterHistory': 'historyTps',
  'tagging:GetResources': 'getResourcesTps',
};

interface Bucket {
  rate: number;
  tokens: number;
  last: number;
}

/** Token buckets per region per API group; capacity = rate (one second of burst). */
export class Quotas {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: () => LocalAwsOptions) {}

  /** Returns true when the request may proceed, false when it must be throttled. */
  take(service: ServiceName, operation: string, region: string): boolean {
    const group = QUOTA_GROUPS[`${service}:${operation}`];
    if (!group) return true;
    const rate = this.options()[group];
    if (rate === undefined || rate <= 0) return true;
    const key = `${region}|${group}`;
    const now = performance.now();
    let b = this.buckets.get(key);
    if (!b || b.rate !== rate) {
      b = { rate, tokens: rate, last: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(b.rate, b.tokens + ((now - b.last) / 1000) * b.rate);
    b.last = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return false;
  }

  reset(): void {
    this.buckets.clear();
  }
}

export interface FaultContext {
  service: ServiceName;
  operation: string;
  region: string;
  /** Strings the fault's `match` is tested against (parameter names, path, bucket, key...). */
  subjects: string[];
  decrypting: boolean;
  /** For whenDecrypting faults: names of the SecureString parameters the request decrypts (KMS is only used for those). */
  decryptSubjects?: string[];
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

export class Faults {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    if (!spec || typeof spec !== 'object' || !spec.service || !spec.error?.code) {
      throw new Error('fault needs service and error.code');
    }
    const status = Number(spec.error.status ?? 400);
    this.faults.push({ spec: { ...spec, error: { ...spec.error, status } }, remaining: spec.times ?? Infinity });
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultSpec[] {
    return this.faults.map((f) => f.spec);
  }

  /** Finds the first matching fault, consumes one use of it and returns it with the subject it matched. */
  take(ctx: FaultContext): { spec: FaultSpec; subject?: string } | undefined {
    for (const f of this.faults) {
      const s = f.spec;
      if (f.remaining <= 0) continue;
      if (s.service !== ctx.service) continue;
      if (s.operation !== undefined && s.operation !== ctx.operation) continue;
      if (s.region !== undefined && s.region !== ctx.region) continue;
      if (s.whenDecrypting && !ctx.decrypting) continue;
      const candidates = s.whenDecrypting && ctx.decryptSubjects ? ctx.decryptSubjects : ctx.subjects;
      if (s.whenDecrypting && ctx.decryptSubjects && candidates.length === 0) continue;
      let subject: string | undefined;
      if (s.match !== undefined) {
        const m = s.match;
        subject = candidates.find((x) => x.includes(m));
        if (subject === undefined) continue;
      }
      f.remaining -= 1;
      return { spec: s, subject };
    }
    return undefined;
  }
}

export class Stats {
  private s: LocalAwsStats = Stats.empty();

  private static empty(): LocalAwsStats {
    return { totalRequests: 0, throttles: 0, faultsInjected: 0, operations: {}, byRegion: {}, throttlesByOperation: {} };
  }

  request(op: string, region: string): void {
    this.s.totalRequests += 1;
    this.s.operations[op] = (this.s.operations[op] ?? 0) + 1;
    const r = (this.s.byRegion[region] ??= {});
    r[op] = (r[op] ?? 0) + 1;
  }

  throttle(op: string): void {
    this.s.throttles += 1;
    this.s.throttlesByOperation[op] = (this.s.throttlesByOperation[op] ?? 0) + 1;
  }

  fault(): void {
    this.s.faultsInjected += 1;
  }

  snapshot(): LocalAwsStats {
    return structuredClone(this.s);
  }

  reset(): void {
    this.s = Stats.empty();
  }
}
