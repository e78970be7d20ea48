/**
 * What each archive says about itself without being downloaded: S3 object metadata on the archive (and on its
 * index) and a small name index next to it. Neither ever holds a parameter value or a hash of one. The index of a
 * format 2 archive is encrypted (sealed-index.ts): it holds names. Object metadata is not authenticated: `list` shows
 * it, the shrink guard of a region with a backup key never believes it.
 *
 * Object metadata (S3 user metadata, `x-amz-meta-<key>`; S3 returns it on HeadObject and GetObject):
 *   format-version, environment, region, parameter-count, backup-json-sha256, created-at (ISO-8601), tool-version.
 * Name index: `<archive key>.index.json.gz`, gzip of {@link NameIndex}.
 */
import { indexKey } from './layout.js';
import { createGzip, gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorCode } from '../support/index.js';
import type { BackupParameter } from '../archive/index.js';

export const INDEX_VERSION = 1;

/** The facts of one archive, as carried in its object metadata. */
export interface ArchiveFacts {
  formatVersion: number;
  environment: string;
  region: string;
  parameterCount: number;
  backupJsonSha256: string;
  createdAt: string;
  toolVersion: string;
}

/** One parameter of the index: names and version facts only, never Value (nor any hash of it). */
export interface IndexEntry {
  Name: string;
  Type: string;
  Version?: number;
  LastModifiedDate?: string;
}

/** `<archive>.index.json.gz`: the archive's facts, the selection that made it, and one entry per parameter, by name. */
export interface NameIndex extends ArchiveFacts {
  indexVersion: number;
  archive: string;
  selection: { path: string; nameContains: string | null };
  parameters: IndexEntry[];
  /** Set on read (never written): the index was encrypted and authenticated (format 2; sealed-index.ts). */
  sealed?: boolean;
}

const META_KEYS = {
  formatVersion: 'format-version',
  environment: 'environment',
  region: 'region',
  parameterCount: 'parameter-count',
  backupJsonSha256: 'backup-json-sha256',
  createdAt: 'created-at',
  toolVersion: 'tool-version',
} as const satisfies Record<keyof ArchiveFacts, string>;

/** S3 `Metadata` map for an archive or its index (lowercase keys: S3 returns user metadata keys in lowercase). */
export function factsToMetadata(f: ArchiveFacts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, m] of Object.entries(META_KEYS)) out[m] = String(f[k as keyof ArchiveFacts]);
  return out;
}

/** Facts from HeadObject/GetObject `Metadata`; undefined when the object was written by an older version (no metadata). */
export function factsFromMetadata(meta: Record<string, string> | undefined): ArchiveFacts | undefined {
  const count = Number(meta?.[META_KEYS.parameterCount]);
  if (!meta || meta[META_KEYS.parameterCount] === undefined || !Number.isInteger(count) || count < 0) return undefined;
  return {
    formatVersion: Number(meta[META_KEYS.formatVersion]),
    environment: meta[META_KEYS.environment] ?? '',
    region: meta[META_KEYS.region] ?? '',
    parameterCount: count,
    backupJsonSha256: meta[META_KEYS.backupJsonSha256] ?? '',
    createdAt: meta[META_KEYS.createdAt] ?? '',
    toolVersion: meta[META_KEYS.toolVersion] ?? '',
  };
}

/** The index entry of an archived parameter: Name, Type, Version, LastModifiedDate (the value is dropped here). */
export function indexEntry(p: BackupParameter): IndexEntry {
  const e: IndexEntry = { Name: p.Name, Type: p.Type };
  if (p.Version !== undefined) e.Version = p.Version;
  if (p.LastModifiedDate !== undefined) e.LastModifiedDate = p.LastModifiedDate;
  return e;
}

/**
 * The index as gzipped JSON, written 1,000 entries at a time: the JSON text of 100,000 entries (11 MB) never exists
 * whole. Same document as JSON.stringify(index), `parameters` last.
 */
export async function gzipIndex(index: NameIndex): Promise<Buffer> {
  const { parameters, ...head } = index;
  function* text(): Generator<string> {
    const h = JSON.stringify(head);
    yield `${h.slice(0, -1)}${h === '{}' ? '' : ','}"parameters":[`;
    for (let i = 0; i < parameters.length; i += 1000)
      yield (
        (i ? ',' : '') +
        parameters
          .slice(i, i + 1000)
          .map((e) => JSON.stringify(e))
          .join(',')
      );
    yield ']}';
  }
  return buffer(Readable.from(text()).pipe(createGzip()));
}

/** Parses index bytes; throws an Error naming the defect. */
export function parseIndex(body: Buffer, archiveKey: string): NameIndex {
  let index: NameIndex;
  try {
    index = JSON.parse(gunzipSync(body).toString('utf8')) as NameIndex;
  } catch (err) {
    throw new Error(`index ${indexKey(archiveKey)} is damaged (${(err as Error).message})`);
  }
  if (index?.indexVersion !== INDEX_VERSION)
    throw new Error(`index ${indexKey(archiveKey)} has version ${String(index?.indexVersion)}; this tool reads version ${INDEX_VERSION}`);
  if (index.archive !== archiveKey) throw new Error(`index ${indexKey(archiveKey)} describes ${String(index.archive)}, not ${archiveKey}`);
  if (!Array.isArray(index.parameters) || index.parameters.length !== index.parameterCount) {
    throw new Error(
      `index ${indexKey(archiveKey)} holds ${Array.isArray(index.parameters) ? index.parameters.length : 'no'} entries but says parameterCount ${index.parameterCount}`,
    );
  }
  return index;
}

/** HeadObject of an archive: its facts (undefined for an older archive without metadata), or undefined when it does not exist. */
export async function headArchive(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ exists: boolean; size: number; facts?: ArchiveFacts; serverSideEncryption?: string }> {
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { exists: true, size: out.ContentLength ?? 0, facts: factsFromMetadata(out.Metadata), serverSideEncryption: out.ServerSideEncryption };
  } catch (err) {
    if (awsErrorCode(err) === 'NotFound' || awsErrorCode(err) === 'NoSuchKey') return { exists: false, size: 0 };
    throw err;
  }
}
