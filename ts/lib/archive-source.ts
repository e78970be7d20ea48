import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { readTarGz } from './archive-read.js';
import { FORMAT_VERSION, type Manifest } from './archive.js';
import type { BackupParameter } from './parameter.js';
import { EngineError, awsErrorCode, describeAwsError } from './errors.js';
import { isSealedArchive, openSealedArchive, type ArchiveOpener, type SealedManifest } from './archive-sealed.js';
import { SEALED_FORMAT_VERSION } from './envelope.js';

/** One backup object in a region's bucket. */
export interface ArchiveEntry {
  key: string;
  size: number;
  lastModified: string;
  latest: boolean;
}

/** A downloaded, checked archive. `verified` is false for the old job's plain backup.json (no checksum). */
export interface LoadedArchive {
  bucket: string;
  key: string;
  format: 'v1' | 'v2' | 'legacy';
  verified: boolean;
  manifest?: Manifest | SealedManifest;
  environment?: string;
  region?: string;
  backupDate?: string;
  parameters: BackupParameter[];
  checks: string[];
}

const ARCHIVE_KEY = /\.(tar\.gz|tgz|json)$/;

const integrity = (message: string, region?: string, cause?: unknown) => new EngineError('integrity', message, { region, cause });

/** Every archive in the bucket, newest first, marking the one latest.txt points at. */
export async function listArchives(s3: S3Client, bucket: string, region: string): Promise<ArchiveEntry[]> {
  const latest = await readLatestPointer(s3, bucket, region);
  const out: ArchiveEntry[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token })).catch((err) => {
      throw new EngineError('region', `Cannot list s3://${bucket}: ${describeAwsError(err)}`, { region, cause: err });
    });
    for (const o of page.Contents ?? []) {
      if (!o.Key || !ARCHIVE_KEY.test(o.Key)) continue;
      out.push({ key: o.Key, size: o.Size ?? 0, lastModified: new Date(o.LastModified ?? 0).toISOString(), latest: o.Key === latest });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort((a, b) => (a.lastModified === b.lastModified ? b.key.localeCompare(a.key) : b.lastModified.localeCompare(a.lastModified)));
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
export async function loadArchive(s3: S3Client, bucket: string, region: string, archive: string | undefined, opener?: ArchiveOpener): Promise<LoadedArchive> {
  const key = await resolveArchiveKey(s3, bucket, region, archive);
  let body: Buffer;
  try {
    body = await getObject(s3, bucket, key);
  } catch (err) {
    const missing = awsErrorCode(err) === 'NoSuchKey';
    throw new EngineError(missing ? 'config' : 'region', `Cannot download s3://${bucket}/${key}: ${missing ? 'no such object (see ssm-backup list)' : describeAwsError(err)}`, { region, cause: err });
  }
  return { bucket, key, ...(await parseArchive(body, key, region, opener)) };
}

type Parsed = Omit<LoadedArchive, 'bucket' | 'key'>;

/**
 * Parses archive bytes: a tar.gz with manifest.json (checked), format 2 (decrypted with `opener`, see
 * lib/archive-sealed.ts), or the old job's backup.json (plain or in a tar.gz).
 */
export async function parseArchive(body: Buffer, key: string, region?: string, opener?: ArchiveOpener): Promise<Parsed> {
  const isGzip = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
  if (!isGzip) return parseLegacy(body, key, region);
  let files: Map<string, Buffer>;
  try {
    files = await readTarGz(body);
  } catch (err) {
    throw integrity(`Archive ${key} is damaged (${describeAwsError(err)}); nothing was restored`, region, err);
  }
  // --- format 2 (client-side encrypted): decrypt, then the same document checks as format 1 ---
  if (isSealedArchive(files)) {
    const opened = await openSealedArchive(files, key, opener);
    const parsed = parseDocument(opened.document, key, region);
    if (parsed.parameters.length !== opened.manifest.parameterCount) {
      throw integrity(`Archive ${key}: the encrypted backup.json holds ${parsed.parameters.length} parameters but manifest.json says ${opened.manifest.parameterCount}`, region);
    }
    return { ...parsed, format: 'v2', verified: true, manifest: opened.manifest, checks: [...opened.checks, `${parsed.parameters.length} parameters`] };
  }
  // --- end format 2 ---
  return parseFiles(files, key, region);
}

function parseFiles(files: Map<string, Buffer>, key: string, region?: string): Parsed {
  const doc = files.get('backup.json');
  if (!doc) throw integrity(`Archive ${key} holds no backup.json (found: ${[...files.keys()].join(', ') || 'nothing'})`, region);
  const manifestBytes = files.get('manifest.json');
  if (!manifestBytes) return parseLegacy(doc, key, region);
  const manifest = parseJson(manifestBytes, `${key}: manifest.json`, region) as Manifest;
  const checks: string[] = [];
  if (manifest.formatVersion !== FORMAT_VERSION) throw integrity(`Archive ${key} has format version ${String(manifest.formatVersion)}; this tool reads versions ${FORMAT_VERSION} and ${SEALED_FORMAT_VERSION}`, region);
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
