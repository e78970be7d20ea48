import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { readArchive, ArchiveError, type ArchiveRead, type ReadOptions } from '../archive/index.js';
import { EngineError, awsErrorCode, describeAwsError } from '../support/index.js';
import { LATEST_META_KEY, LATEST_POINTER_KEY, archiveOfIndex, archiveOfRefusal, createdAtFromKey, isArchiveKey, isOwnArchiveKey } from './layout.js';
import { factsFromMetadata, type ArchiveFacts } from './facts.js';

/** One backup object in a region's bucket. */
export interface ArchiveEntry {
  key: string;
  size: number;
  lastModified: string;
  latest: boolean;
  /** When the archive was made: the UTC stamp in its key (`...-YYYYMMDD_HHMMSS.tar.gz`), else its LastModified. */
  createdAt: string;
  /** Whether `<key>.index.json.gz` (the name index) is in the bucket. */
  indexed: boolean;
  /** Whether the shrink guard refused it (`<key>.refused` is in the bucket): latest.txt never moved onto it. */
  refused: boolean;
  /** From the archive's object metadata (`list` only; HeadObject); null for an archive made by an older version. */
  parameterCount?: number | null;
}

/**
 * Every archive of `environment` and `region` in the bucket (ListObjectsV2 only: no archive is downloaded), newest first
 * by creation time, marking the one latest.txt points at. Only keys with the engine's own naming count (isOwnArchiveKey);
 * name indexes (`*.index.json.gz`) and refusal markers (`*.refused`) are not archives: they set `indexed` and `refused`.
 */
export async function listArchives(s3: S3Client, bucket: string, region: string, environment: string): Promise<ArchiveEntry[]> {
  const latest = await latestPointerKey(s3, bucket, region);
  const out: ArchiveEntry[] = [];
  const indexes = new Set<string>();
  const refusals = new Set<string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token })).catch((err) => {
      throw new EngineError('region', `Cannot list s3://${bucket}: ${describeAwsError(err)}`, { region, cause: err });
    });
    for (const o of page.Contents ?? []) {
      const indexed = o.Key === undefined ? undefined : archiveOfIndex(o.Key);
      if (indexed) indexes.add(indexed);
      const refused = o.Key === undefined ? undefined : archiveOfRefusal(o.Key);
      if (refused) refusals.add(refused);
      if (!o.Key || !isOwnArchiveKey(o.Key, environment, region)) continue;
      const lastModified = new Date(o.LastModified ?? 0).toISOString();
      out.push({
        key: o.Key,
        size: o.Size ?? 0,
        lastModified,
        latest: o.Key === latest,
        createdAt: createdAtFromKey(o.Key) ?? lastModified,
        indexed: false,
        refused: false,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  for (const e of out) {
    e.indexed = indexes.has(e.key);
    e.refused = refusals.has(e.key);
  }
  return out.sort((a, b) => (a.createdAt === b.createdAt ? b.key.localeCompare(a.key) : b.createdAt.localeCompare(a.createdAt)));
}

/** The key latest.txt names: from its `archive-key` metadata (HeadObject), else its body (pointers written by older versions). */
export async function latestPointerKey(s3: S3Client, bucket: string, region: string): Promise<string | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: LATEST_POINTER_KEY }));
    if (head.Metadata?.[LATEST_META_KEY]) return head.Metadata[LATEST_META_KEY];
  } catch (err) {
    if (awsErrorCode(err) === 'NotFound' || awsErrorCode(err) === 'NoSuchKey') return undefined;
    throw new EngineError('region', `Cannot read s3://${bucket}/${LATEST_POINTER_KEY}: ${describeAwsError(err)}`, { region, cause: err });
  }
  return (await readLatestPointer(s3, bucket, region)) || undefined;
}

/**
 * The key latest.txt holds, not yet validated: undefined when there is no latest.txt, '' when it is empty or blank
 * (S3 answers a ranged GET of a 0-byte object with 416 InvalidRange: API reference of GetObject, "Range").
 */
export async function readLatestPointer(s3: S3Client, bucket: string, region: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: LATEST_POINTER_KEY, Range: 'bytes=0-4095' }));
    const text = await (out.Body as { transformToString(): Promise<string> }).transformToString();
    return text.trim();
  } catch (err) {
    if (awsErrorCode(err) === 'NoSuchKey' || awsErrorCode(err) === 'NotFound') return undefined;
    if (awsErrorCode(err) === 'InvalidRange') return '';
    throw new EngineError('region', `Cannot read s3://${bucket}/${LATEST_POINTER_KEY}: ${describeAwsError(err)}`, { region, cause: err });
  }
}

/**
 * An object key an archive may have in `bucket`: `s3://<this bucket>/` is stripped; a key of another bucket, an
 * absolute or relative path (`/x`, `a/../b`, `./x`), blanks or control characters, more than 1024 bytes, or a name
 * not ending in .tar.gz, .tgz or .json is refused (config error: exit 2) before anything is downloaded.
 */
export function checkArchiveKey(raw: string, bucket: string, source: string, region?: string): string {
  let key = raw.trim();
  // The location may be `bucket/{member}` (a central backup account): the whole location is what an s3:// URL must name.
  const url = key.startsWith(`s3://${bucket}/`) ? [key, bucket, key.slice(`s3://${bucket}/`.length)] : /^s3:\/\/([^/]*)\/(.*)$/s.exec(key);
  const refuse = (why: string) =>
    new EngineError('config', `${source} ${JSON.stringify(raw.slice(0, 200))} ${why}: pass the key of an archive in s3://${bucket} (see ssm-backup list)`, {
      region,
    });
  if (url) {
    if (url[1] !== bucket) throw refuse(`is in bucket ${JSON.stringify(url[1].slice(0, 64))}, not in this region's bucket`);
    key = url[2];
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u0020\u007f]/.test(key)) throw refuse('holds blanks or control characters');
  if (Buffer.byteLength(key) > 1024) throw refuse('is longer than 1024 bytes');
  if (key.startsWith('/') || key.split('/').some((s) => s === '' || s === '.' || s === '..')) throw refuse('is not a plain object key');
  if (!isArchiveKey(key)) throw refuse('is not an archive (.tar.gz, .tgz or .json)');
  return key;
}

/**
 * `latest` (or nothing) follows latest.txt; anything else is an object key in the bucket. Both are checked by
 * checkArchiveKey; latest.txt must also name an archive with the engine's own naming for `environment` and `region`
 * (isOwnArchiveKey): a pointer a bucket writer aimed elsewhere is refused (exit 2), never followed.
 */
export async function resolveArchiveKey(s3: S3Client, bucket: string, region: string, archive: string | undefined, environment: string): Promise<string> {
  if (archive && archive !== 'latest') return checkArchiveKey(archive, bucket, '--archive', region);
  const latest = await readLatestPointer(s3, bucket, region);
  if (latest === undefined)
    throw new EngineError('config', `s3://${bucket}/${LATEST_POINTER_KEY} not found: pass --archive <key> (see ssm-backup list)`, { region });
  if (!latest)
    throw new EngineError('config', `s3://${bucket}/${LATEST_POINTER_KEY} is empty: pass --archive <key> (see ssm-backup list); the next backup rewrites it`, {
      region,
    });
  const key = checkArchiveKey(latest, bucket, `s3://${bucket}/${LATEST_POINTER_KEY} holds`, region);
  if (!isOwnArchiveKey(key, environment, region))
    throw new EngineError(
      'config',
      `s3://${bucket}/${LATEST_POINTER_KEY} names ${key}, which is not an archive of ${environment} in ${region} (ssm-backup-${environment}-${region}-<time>): pass --archive <key> (see ssm-backup list)`,
      { region },
    );
  return key;
}

/** Whether `key` exists (HeadObject; 404 means no). Other errors fail the region: `Cannot check s3://... <when>`. */
export async function objectExists(s3: S3Client, bucket: string, key: string, region: string, when: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    (err) => {
      if (
        awsErrorCode(err) === 'NotFound' ||
        awsErrorCode(err) === 'NoSuchKey' ||
        (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
      )
        return false;
      throw new EngineError('region', `Cannot check s3://${bucket}/${key} ${when}: ${describeAwsError(err)}`, { region, cause: err });
    },
  );
}

/** The environment and source region an archive must belong to. */
export interface ArchiveIdentity {
  environment: string;
  region: string;
}

/** A read, checked archive: where it is, what it proved. */
export interface LoadedArchive extends ArchiveRead {
  bucket: string;
  key: string;
  environment: string;
  region: string;
}

/**
 * Streams one archive object (GetObject body -> gunzip -> tar -> JSON; see readArchive) and checks that it belongs to
 * `identity` (manifest.json's environment and region, or the legacy header's `environment` and `region`).
 * Damage is an integrity error (exit 1); an ambiguous, oversized or foreign archive a config error (exit 2).
 */
export async function readArchiveObject(s3: S3Client, bucket: string, key: string, identity: ArchiveIdentity, opts: ReadOptions): Promise<LoadedArchive> {
  const region = identity.region;
  let body: Readable;
  let facts: ArchiveFacts | undefined;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    body = out.Body as Readable;
    facts = factsFromMetadata(out.Metadata);
  } catch (err) {
    const missing = awsErrorCode(err) === 'NoSuchKey';
    throw new EngineError(
      missing ? 'config' : 'region',
      `Cannot download s3://${bucket}/${key}: ${missing ? 'no such object (see ssm-backup list)' : describeAwsError(err)}`,
      { region, cause: err },
    );
  }
  let read: ArchiveRead;
  try {
    read = await readArchive(body, opts);
  } catch (err) {
    body.destroy();
    if (!(err instanceof ArchiveError)) throw err;
    const category = err.kind === 'damaged' ? 'integrity' : 'config';
    throw new EngineError(category, `Archive ${key} ${err.message}; nothing was restored`, { region });
  }
  // This tool wrote it (object metadata with a format and a sha256) but no manifest came out of it: cut short, not legacy.
  if (read.format === 'legacy' && facts && facts.formatVersion >= 1)
    throw new EngineError(
      'integrity',
      `Archive ${key} is damaged: its object metadata says format ${facts.formatVersion}${facts.backupJsonSha256 ? ` with sha256 ${facts.backupJsonSha256.slice(0, 64)}` : ''}, but it holds no manifest.json (cut short?); nothing was restored`,
      { region },
    );
  return { ...read, bucket, key, ...checkIdentity(read, key, identity) };
}

/** The archive's own environment and region must be the ones asked for; a legacy header must name both. */
export function checkIdentity(read: ArchiveRead, key: string, want: ArchiveIdentity): ArchiveIdentity {
  const from = read.manifest ? 'manifest.json' : 'the legacy backup.json header';
  const have = read.manifest
    ? { environment: read.manifest.environment, region: read.manifest.region }
    : { environment: read.header.environment, region: read.header.region };
  if (typeof have.environment !== 'string' || typeof have.region !== 'string') {
    throw new EngineError(
      'config',
      `Archive ${key}: ${from} does not name its environment and region, so it cannot be matched to ${want.environment}/${want.region}; nothing was restored`,
      { region: want.region },
    );
  }
  if (have.environment !== want.environment || have.region !== want.region) {
    throw new EngineError(
      'config',
      `Archive ${key} belongs to environment ${JSON.stringify(have.environment.slice(0, 64))}, region ${JSON.stringify(have.region.slice(0, 64))} (${from}), not ${want.environment}/${want.region}: pick an archive of this environment and region (see ssm-backup list); nothing was restored`,
      { region: want.region },
    );
  }
  return { environment: have.environment, region: have.region };
}
