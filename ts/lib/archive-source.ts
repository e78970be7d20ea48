import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { readTarGz } from './archive-read.js';
import { FORMAT_VERSION, type Manifest } from './archive.js';
import type { BackupParameter } from './parameter.js';
import { EngineError, awsErrorCode, describeAwsError } from './errors.js';
import { INDEX_SUFFIX, createdAtFromKey } from './archive-facts.js';
import { LATEST_META_KEY } from './upload.js';

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
  /** From the archive's object metadata (`list` only; HeadObject); null for an archive made by an older version. */
  parameterCount?: number | null;
}

/** A downloaded, checked archive. `verified` is false for the old job's plain backup.json (no checksum). */
export interface LoadedArchive {
  bucket: string;
  key: string;
  format: 'v1' | 'legacy';
  verified: boolean;
  manifest?: Manifest;
  environment?: string;
  region?: string;
  backupDate?: string;
  parameters: BackupParameter[];
  checks: string[];
}

const ARCHIVE_KEY = /\.(tar\.gz|tgz|json)$/;

const integrity = (message: string, region?: string, cause?: unknown) => new EngineError('integrity', message, { region, cause });

/**
 * Every archive in the bucket (ListObjectsV2 only: no archive is downloaded), newest first by creation time, marking
 * the one latest.txt points at. Name indexes (`*.index.json.gz`) are not archives: they set `indexed`.
 */
export async function listArchives(s3: S3Client, bucket: string, region: string): Promise<ArchiveEntry[]> {
  const latest = await latestPointerKey(s3, bucket, region);
  const out: ArchiveEntry[] = [];
  const indexes = new Set<string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token })).catch((err) => {
      throw new EngineError('region', `Cannot list s3://${bucket}: ${describeAwsError(err)}`, { region, cause: err });
    });
    for (const o of page.Contents ?? []) {
      if (o.Key?.endsWith(INDEX_SUFFIX)) indexes.add(o.Key.slice(0, -INDEX_SUFFIX.length));
      if (!o.Key || !ARCHIVE_KEY.test(o.Key)) continue;
      const lastModified = new Date(o.LastModified ?? 0).toISOString();
      out.push({ key: o.Key, size: o.Size ?? 0, lastModified, latest: o.Key === latest, createdAt: createdAtFromKey(o.Key) ?? lastModified, indexed: false });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  for (const e of out) e.indexed = indexes.has(e.key);
  return out.sort((a, b) => (a.createdAt === b.createdAt ? b.key.localeCompare(a.key) : b.createdAt.localeCompare(a.createdAt)));
}

/** The key latest.txt names: from its `archive-key` metadata (HeadObject), else its body (pointers written by older versions). */
export async function latestPointerKey(s3: S3Client, bucket: string, region: string): Promise<string | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'latest.txt' }));
    if (head.Metadata?.[LATEST_META_KEY]) return head.Metadata[LATEST_META_KEY];
  } catch (err) {
    if (awsErrorCode(err) === 'NotFound' || awsErrorCode(err) === 'NoSuchKey') return undefined;
    throw new EngineError('region', `Cannot read s3://${bucket}/latest.txt: ${describeAwsError(err)}`, { region, cause: err });
  }
  return readLatestPointer(s3, bucket, region);
}

export async function readLatestPointer(s3: S3Client, bucket: string, region: string): Promise<string | undefined> {
  try {
    const body = await getObject(s3, bucket, 'latest.txt');
    return body.toString('utf8').trim() || undefined;
  } catch (err) {
    if (awsErrorCode(err) === 'NoSuchKey' || awsErrorCode(err) === 'NotFound') return undefined;
    throw new EngineError('region', `Cannot read s3://${bucket}/latest.txt: ${describeAwsError(err)}`, { region, cause: err });
  }
}

async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

/** `latest` (or nothing) follows latest.txt; anything else is an object key in the bucket. */
export async function resolveArchiveKey(s3: S3Client, bucket: string, region: string, archive: string | undefined): Promise<string> {
  if (archive && archive !== 'latest') return archive.replace(new RegExp(`^s3://${bucket}/`), '');
  const latest = await readLatestPointer(s3, bucket, region);
  if (!latest) throw new EngineError('config', `s3://${bucket}/latest.txt not found: pass --archive <key> (see ssm-backup list)`, { region });
  return latest;
}

/** Downloads and checks an archive; throws an integrity error (before anything is restored) when it is damaged. */
export async function loadArchive(s3: S3Client, bucket: string, region: string, archive: string | undefined): Promise<LoadedArchive> {
  const key = await resolveArchiveKey(s3, bucket, region, archive);
  let body: Buffer;
  try {
    body = await getObject(s3, bucket, key);
  } catch (err) {
    const missing = awsErrorCode(err) === 'NoSuchKey';
    throw new EngineError(missing ? 'config' : 'region', `Cannot download s3://${bucket}/${key}: ${missing ? 'no such object (see ssm-backup list)' : describeAwsError(err)}`, { region, cause: err });
  }
  return { bucket, key, ...(await parseArchive(body, key, region)) };
}

type Parsed = Omit<LoadedArchive, 'bucket' | 'key'>;

/** Parses archive bytes: a tar.gz with manifest.json (checked), or the old job's backup.json (plain or in a tar.gz). */
export async function parseArchive(body: Buffer, key: string, region?: string): Promise<Parsed> {
  const isGzip = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
  if (!isGzip) return parseLegacy(body, key, region);
  let files: Map<string, Buffer>;
  try {
    files = await readTarGz(body);
  } catch (err) {
    throw integrity(`Archive ${key} is damaged (${describeAwsError(err)}); nothing was restored`, region, err);
  }
  return parseFiles(files, key, region);
}

function parseFiles(files: Map<string, Buffer>, key: string, region?: string): Parsed {
  const doc = files.get('backup.json');
  if (!doc) throw integrity(`Archive ${key} holds no backup.json (found: ${[...files.keys()].join(', ') || 'nothing'})`, region);
  const manifestBytes = files.get('manifest.json');
  if (!manifestBytes) return parseLegacy(doc, key, region);
  const manifest = parseJson(manifestBytes, `${key}: manifest.json`, region) as Manifest;
  const checks: string[] = [];
  if (manifest.formatVersion !== FORMAT_VERSION) throw integrity(`Archive ${key} has format version ${String(manifest.formatVersion)}; this tool reads version ${FORMAT_VERSION}`, region);
  checks.push(`format version ${FORMAT_VERSION}`);
  const sha = createHash('sha256').update(doc).digest('hex');
  if (sha !== manifest.backupJson?.sha256) throw integrity(`Archive ${key}: sha256 of backup.json is ${sha} but manifest.json says ${String(manifest.backupJson?.sha256)}`, region);
  if (doc.length !== manifest.backupJson.bytes) throw integrity(`Archive ${key}: backup.json has ${doc.length} bytes but manifest.json says ${manifest.backupJson.bytes}`, region);
  checks.push(`sha256 ${sha}`, `${doc.length} bytes`);
  const parsed = parseDocument(doc, key, region);
  if (parsed.parameters.length !== manifest.parameterCount) {
    throw integrity(`Archive ${key}: backup.json holds ${parsed.parameters.length} parameters but manifest.json says ${manifest.parameterCount}`, region);
  }
  checks.push(`${manifest.parameterCount} parameters`);
  return { ...parsed, format: 'v1', verified: true, manifest, checks };
}

function parseLegacy(doc: Buffer, key: string, region?: string): Parsed {
  const parsed = parseDocument(doc, key, region);
  return { ...parsed, format: 'legacy', verified: false, checks: ['legacy backup.json without manifest: unverified (no checksum)'] };
}

function parseJson(bytes: Buffer, what: string, region?: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw integrity(`${what} is not valid JSON (${(err as Error).message}); nothing was restored`, region, err);
  }
}

function parseDocument(doc: Buffer, key: string, region?: string): Omit<Parsed, 'format' | 'verified' | 'checks'> {
  const data = parseJson(doc, `${key}: backup.json`, region) as { parameters?: unknown; environment?: string; region?: string; backup_date?: string; parameter_count?: number };
  if (!data || typeof data !== 'object' || !Array.isArray(data.parameters)) throw integrity(`${key}: backup.json has no "parameters" array`, region);
  data.parameters.forEach((p, i) => {
    const q = p as Partial<BackupParameter>;
    if (!q || typeof q.Name !== 'string' || typeof q.Value !== 'string' || typeof q.Type !== 'string') {
      throw integrity(`${key}: parameter #${i + 1} in backup.json lacks Name, Type or Value`, region);
    }
  });
  if (typeof data.parameter_count === 'number' && data.parameter_count !== data.parameters.length) {
    throw integrity(`${key}: backup.json says parameter_count ${data.parameter_count} but holds ${data.parameters.length}`, region);
  }
  return { parameters: data.parameters as BackupParameter[], environment: data.environment, region: data.region, backupDate: data.backup_date };
}
