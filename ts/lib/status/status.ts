/**
 * The state of each region's backups, from the bucket listing, object metadata and the lifecycle configuration only
 * (ListObjectsV2, HeadObject, GetBucketLifecycleConfiguration: never an archive body). Verdicts:
 *   OK       latest.txt names an archive of the bucket, no newer archive was left behind, and it is at most `maxAgeMs` old
 *   STALE    the archive latest.txt names is older than `maxAgeMs` (no successful backup since)
 *   FAILING  no bucket, the bucket cannot be read, no archive, latest.txt missing or naming no archive, or the newest
 *            archives were not accepted (refused: uploaded after the one latest.txt names, so the shrink guard refused
 *            them or the run failed after the upload)
 */
import pLimit from 'p-limit';
import type { AwsClientFactory } from '../aws/index.js';
import { SEALED_FORMAT_VERSION } from '../archive/index.js';
import { bucketExpiry, expiresAt, headArchive, listArchives, withFacts, type ArchiveEntry } from '../store/index.js';
import { EngineError, describeAwsError } from '../support/index.js';

export const VERDICTS = ['OK', 'STALE', 'FAILING'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** One archive as `status` shows it. */
export interface ArchivePoint {
  key: string;
  createdAt: string;
  /** From the archive's object metadata; null for an archive made by an older version. */
  parameterCount: number | null;
}

export interface RegionStatusView {
  /** Multi-account status only: the member account of the row (one row per account x region). */
  accountId?: string;
  /** Its alias in the accounts parameter, when it has one (the chart's series label). */
  alias?: string;
  region: string;
  bucket: string | null;
  verdict: Verdict;
  /** One line: why the verdict (for OK, the latest archive's age). */
  reason: string;
  latest: (ArchivePoint & { ageHours: number; bytes: number; formatVersion: number | null; encryption: string }) | null;
  /** The newest `last` archives, newest first, with their parameter counts. */
  recent: ArchivePoint[];
  archiveCount: number;
  /** The oldest archive in the bucket and when the lifecycle expires it (null: no rule expires it; `unknown`: not readable). */
  oldest: (ArchivePoint & { expiresAt: string | null | 'unknown' }) | null;
  /** Archives newer than the one latest.txt names, newest first: refused by the guard, or a run failed after the upload. */
  refused: ArchivePoint[];
  /**
   * Newer archives without a refusal mark uploaded less than PENDING_MS ago: a backup that is still comparing and has
   * not moved latest.txt yet. Not a failure (yet); a later status shows them accepted or refused.
   */
  pending: ArchivePoint[];
}

/**
 * How long after its upload (S3 LastModified) a newer archive without a refusal mark counts as a backup in progress:
 * after the upload a run only writes the name index, compares and moves latest.txt (seconds), so an archive left
 * unaccepted longer than this is a run that failed after the upload.
 */
export const PENDING_MS = 10 * 60_000;

export interface StatusOptions {
  environment: string;
  regions: string[];
  buckets: Record<string, string | null>;
  bucketErrors?: Record<string, string>;
  /** Older than this, the latest archive is STALE (milliseconds). */
  maxAgeMs: number;
  /** How many of the newest archives to read the parameter count of (one HeadObject each). */
  last: number;
  now: Date;
}

/** `111111111111 us-west-2` (or `payments-prod us-west-2`) for a row of an account; the region alone otherwise. */
export function unitLabel(r: RegionStatusView, prefer: 'id' | 'alias' = 'id'): string {
  if (!r.accountId) return r.region;
  return `${prefer === 'alias' ? (r.alias ?? r.accountId) : r.accountId} ${r.region}`;
}

const point = (e: ArchiveEntry): ArchivePoint => ({ key: e.key, createdAt: e.createdAt, parameterCount: e.parameterCount ?? null });
const hours = (ms: number) => Math.round(ms / 360_000) / 10;

/** Every region's status, 4 regions at a time; a region that cannot be read is FAILING with its cause. */
export async function backupStatus(aws: AwsClientFactory, o: StatusOptions): Promise<RegionStatusView[]> {
  const limit = pLimit(4);
  return Promise.all(o.regions.map((region) => limit(() => regionStatus(aws, region, o))));
}

async function regionStatus(aws: AwsClientFactory, region: string, o: StatusOptions): Promise<RegionStatusView> {
  const bucket = o.buckets[region] ?? null;
  const empty = { region, bucket, latest: null, recent: [], archiveCount: 0, oldest: null, refused: [], pending: [] };
  if (!bucket) return { ...empty, verdict: 'FAILING', reason: o.bucketErrors?.[region] ?? `no bucket is configured for ${region}` };
  const s3 = aws.s3(region);
  try {
    const [entries, expiry] = await Promise.all([listArchives(s3, bucket, region, o.environment), bucketExpiry(s3, bucket)]);
    if (!entries.length) return { ...empty, verdict: 'FAILING', reason: `no archive in s3://${bucket}` };
    const recent = (await withFacts(s3, bucket, region, entries.slice(0, o.last))).map(point);
    const last = entries[entries.length - 1];
    const oldest = {
      ...point(last),
      expiresAt: 'unknown' in expiry ? ('unknown' as const) : expiresAt(expiry, last.key, last.lastModified),
    };
    const at = entries.findIndex((e) => e.latest);
    const base = { ...empty, recent, archiveCount: entries.length, oldest };
    if (at < 0) return { ...base, verdict: 'FAILING', reason: `latest.txt is missing or names no archive of s3://${bucket}` };
    const latestEntry = entries[at];
    const head = await headArchive(s3, bucket, latestEntry.key);
    const formatVersion = head.facts?.formatVersion ?? null;
    const ageMs = o.now.getTime() - new Date(latestEntry.createdAt).getTime();
    const latest = {
      ...point({ ...latestEntry, parameterCount: head.facts?.parameterCount ?? null }),
      ageHours: hours(ageMs),
      bytes: latestEntry.size,
      formatVersion,
      encryption: formatVersion === SEALED_FORMAT_VERSION ? 'client-side KMS' : head.serverSideEncryption === 'aws:kms' ? 'SSE-KMS' : 'SSE-S3 only',
    };
    const newer = entries.slice(0, at);
    const running = (e: ArchiveEntry) => !e.refused && o.now.getTime() - new Date(e.lastModified).getTime() < PENDING_MS;
    const refused = newer.filter((e) => !running(e)).map(point);
    const pending = newer.filter(running).map(point);
    const view = { ...base, latest, refused, pending };
    const note = pending.length
      ? `; ${pending.length} newer archive(s) uploaded in the last ${PENDING_MS / 60_000} min not accepted yet (a backup is running)`
      : '';
    if (refused.length)
      return {
        ...view,
        verdict: 'FAILING',
        reason: `${refused.length} newer archive(s) not accepted (shrink guard, or a failure after the upload); newest ${refused[0].key}${note}`,
      };
    if (ageMs > o.maxAgeMs)
      return { ...view, verdict: 'STALE', reason: `last successful backup ${hours(ageMs)} h ago (more than ${hours(o.maxAgeMs)} h)${note}` };
    return { ...view, verdict: 'OK', reason: `last successful backup ${hours(ageMs)} h ago${note}` };
  } catch (err) {
    return { ...empty, verdict: 'FAILING', reason: err instanceof EngineError ? err.message : `s3://${bucket} cannot be read: ${describeAwsError(err)}` };
  }
}

/** `26h`, `90m`, `2d` in milliseconds; undefined when `text` is none of these. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,5})(m|h|d)$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) return undefined;
  return Number(m[1]) * { m: 60_000, h: 3600_000, d: 86400_000 }[m[2] as 'm' | 'h' | 'd'];
}
