/**
 * The previous archive of a region (the one latest.txt names), learnt without downloading it: its name index, else its
 * metadata count, else the `parameter_count` at the start of its backup.json. lib/backup/drift.ts compares with it.
 */
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { headArchive, type NameIndex } from './facts.js';
import { getIndex, type IndexOpener } from './sealed-index.js';
import { LATEST_POINTER_KEY, isArchiveKey, isOwnArchiveKey } from './layout.js';
import { checkArchiveKey, readLatestPointer } from './archives.js';
import { EngineError, describeAwsError } from '../support/index.js';

/** What latest.txt names, and what could be learnt about it without downloading it. */
export type Previous =
  | { kind: 'none' }
  | { kind: 'index'; key: string; index: NameIndex }
  | { kind: 'count'; key: string; count: number; why: string }
  | { kind: 'unknown'; key: string; why: string }
  /** latest.txt exists but names no archive (empty, blank, not an archive key): nothing to compare with. */
  | { kind: 'unreadable'; why: string };

/**
 * Reads the previous archive's facts: GetObject latest.txt, then GetObject `<archive>.index.json.gz` (2 requests).
 * An archive made by an older version has no index: its count comes from its metadata (HeadObject) or from the
 * `parameter_count` at the start of its backup.json (one ranged GetObject of 64 KiB); failing both it is `unknown`.
 * S3 errors other than "not found" throw a region EngineError (the caller then does not move latest.txt).
 */
export async function readPrevious(s3: S3Client, bucket: string, region: string, trust: PreviousTrust = {}): Promise<Previous> {
  const pointer = await readLatestPointer(s3, bucket, region);
  if (pointer === undefined) {
    const orphan = await anyArchive(s3, bucket, trust.current);
    if (!orphan) return { kind: 'none' };
    return { kind: 'unreadable', why: `s3://${bucket}/${LATEST_POINTER_KEY} is missing although the bucket holds archives (${orphan}): deleted?` };
  }
  if (!pointer) return { kind: 'unreadable', why: `s3://${bucket}/${LATEST_POINTER_KEY} is empty` };
  let key: string;
  try {
    key = checkArchiveKey(pointer, bucket, `s3://${bucket}/${LATEST_POINTER_KEY} holds`, region);
  } catch (err) {
    return { kind: 'unreadable', why: `s3://${bucket}/${LATEST_POINTER_KEY} does not name an archive (${(err as Error).message})` };
  }
  const foreign = trust.environment && otherOwner(key, trust.environment, region);
  if (foreign)
    return {
      kind: 'unreadable',
      why: `s3://${bucket}/${LATEST_POINTER_KEY} names ${key}, an archive of ${foreign}, not of ${trust.environment}/${region}: is the bucket shared with another environment or region? (one bucket, one owner)`,
    };
  const fail = (what: string, err: unknown) =>
    new EngineError('region', `Cannot read ${what} of the previous archive s3://${bucket}/${key}: ${describeAwsError(err)}`, { region, cause: err });
  let damaged: string | undefined;
  try {
    const index = await getIndex(s3, bucket, key, trust.opener);
    if (index && (index.sealed || !trust.sealedOnly)) return { kind: 'index', key, index };
    if (index) damaged = `name index is not encrypted although this region's archives are, so it is not authenticated`;
  } catch (err) {
    if (isS3Error(err)) throw fail('the name index', err);
    damaged = (err as Error).message;
  }
  const head = await headArchive(s3, bucket, key).catch((err) => {
    throw fail('the metadata', err);
  });
  if (!head.exists)
    return { kind: 'unknown', key, why: `latest.txt names s3://${bucket}/${key}, which no longer exists (expired by the bucket lifecycle, or deleted?)` };
  if (trust.sealedOnly) {
    // Object metadata and the start of the object are not authenticated: a bucket writer could set any count there.
    const why = damaged ? `its ${damaged}` : 'its encrypted name index is missing (deleted?)';
    return { kind: 'unknown', key, why: `${why}; in a region with a backup key only an authenticated index is compared with` };
  }
  const noIndex = damaged ? `its ${damaged}` : 'it has no name index (made by an older version)';
  if (head.facts) return { kind: 'count', key, count: head.facts.parameterCount, why: `${noIndex}; count from its metadata` };
  // A ranged GET of a 0-byte object is answered 416 InvalidRange (API reference of GetObject, "Range").
  if (head.size === 0) return { kind: 'unknown', key, why: `latest.txt names s3://${bucket}/${key}, which is empty (0 bytes)` };
  const count = await countFromDocumentHead(s3, bucket, key).catch((err) => {
    throw fail('the start', err);
  });
  if (count !== undefined) return { kind: 'count', key, count, why: `${noIndex}; count from the parameter_count of its backup.json` };
  return { kind: 'unknown', key, why: `${noIndex} and no parameter_count at the start of its backup.json` };
}

/** How far the previous archive's facts are trusted: `opener` opens an encrypted index; `sealedOnly` (the region has a backup key) accepts nothing else. */
export interface PreviousTrust {
  opener?: IndexOpener;
  sealedOnly?: boolean;
  /** Our environment: a latest.txt naming another environment's or region's archive is never compared with. */
  environment?: string;
  /** The archive this run just uploaded (not evidence of an earlier backup). */
  current?: string;
}

/** `env/region` when `key` has the engine's archive naming for another environment or region, else undefined. */
function otherOwner(key: string, environment: string, region: string): string | undefined {
  if (isOwnArchiveKey(key, environment, region)) return undefined;
  const m = /(?:^|\/)ssm-backup-([a-z0-9-]+)-(\d{8}_\d{6})\.(?:tar\.gz|tgz|json)$/.exec(key);
  if (!m) return undefined;
  const r = /-([a-z]{2}(?:-[a-z]+)+-\d+)$/.exec(m[1]);
  return r ? `${m[1].slice(0, -r[0].length)}/${r[1]}` : m[1];
}

/** The first archive key of the bucket's listing, or undefined when it holds none (ListObjectsV2 pages until one is found). */
async function anyArchive(s3: S3Client, bucket: string, except?: string): Promise<string | undefined> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const hit = page.Contents?.find((o) => o.Key && o.Key !== except && isArchiveKey(o.Key))?.Key;
    if (hit) return hit;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return undefined;
}

const isS3Error = (err: unknown): boolean => typeof err === 'object' && err !== null && '$metadata' in err;

const HEAD_BYTES = 65536;

/**
 * `parameter_count` from the first 64 KiB of an archive (a tar.gz whose first entry is backup.json, or a plain
 * backup.json): the header `{backup_date, ..., parameter_count, parameters: [` comes first. Only the text before
 * `"parameters"` is looked at; the bytes are dropped at once.
 */
async function countFromDocumentHead(s3: S3Client, bucket: string, key: string): Promise<number | undefined> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${HEAD_BYTES - 1}` }));
  let bytes = Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString('latin1');
  const end = text.indexOf('"parameters"');
  const m = /"parameter_count"\s*:\s*(\d+)/.exec(end >= 0 ? text.slice(0, end) : '');
  return m ? Number(m[1]) : undefined;
}
