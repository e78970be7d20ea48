import { LATEST_META_KEY, LATEST_POINTER_KEY, refusedKey } from './layout.js';
import { Upload } from '@aws-sdk/lib-storage';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { EngineError, awsErrorCode, describeAwsError } from '../support/index.js';

/**
 * Whether a conditional write lost: S3 answers 412 PreconditionFailed when `If-None-Match: *` meets an existing key or
 * `If-Match` another ETag, and 409 ConditionalRequestConflict when a concurrent write won during the request (API
 * reference of PutObject and CompleteMultipartUpload). `If-Match` on a key that no longer exists is 404 NoSuchKey.
 */
export const lostConditionalWrite = (err: unknown): boolean =>
  ['PreconditionFailed', 'ConditionalRequestConflict', 'NoSuchKey'].includes(awsErrorCode(err) ?? '') ||
  [409, 412].includes((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0);

/**
 * Upload of the archive with SSE-S3 (`@aws-sdk/lib-storage`). Archives under one part (8 MB compressed,
 * tens of thousands of typical parameters) go up as a single PutObject that carries the SSE header the bucket policy
 * checks; larger ones go multipart (the header is on CreateMultipartUpload), one 8 MB part in flight, so memory stays flat.
 * `metadata` (the archive's facts, see facts.ts) goes on PutObject / CreateMultipartUpload as `x-amz-meta-*`.
 * An object already at `key` is never overwritten: the upload fails (see lostConditionalWrite).
 */
export async function uploadArchive(s3: S3Client, bucket: string, key: string, body: Readable, metadata?: Record<string, string>): Promise<void> {
  const upload = new Upload({
    client: s3,
    // If-None-Match: * (on PutObject, and on CompleteMultipartUpload: lib-storage passes its params to both) never
    // replaces an object at the key, even one another backup wrote a moment ago.
    params: { Bucket: bucket, Key: key, Body: body, ServerSideEncryption: 'AES256', ContentType: 'application/gzip', Metadata: metadata, IfNoneMatch: '*' },
    queueSize: 1,
    partSize: 8 * 1024 * 1024,
    leavePartsOnError: false,
  });
  await upload.done();
}

/**
 * The latest.txt writes of this process, by bucket: `sent` while the PutObject is unanswered, then `moved` (S3
 * confirmed) or removed again (refused). Process-wide like the private temp dirs, because the message a signal
 * prints (main.ts) must say what actually happened to the pointers, whichever command and region was running.
 */
const pointerWrites = new Map<string, { key: string; state: 'sent' | 'moved' }>();

/**
 * One clause on latest.txt for an interrupted run: which pointers this process moved (and to what), which moves were
 * in flight (they may or may not have landed), or that it moved none.
 */
export function latestPointerReport(): string {
  if (pointerWrites.size === 0) return 'latest.txt not moved by this run';
  const parts = [...pointerWrites].map(([bucket, w]) =>
    w.state === 'moved' ? `s3://${bucket}/latest.txt moved to ${w.key}` : `s3://${bucket}/latest.txt may have moved to ${w.key} (the write was in flight)`,
  );
  return parts.join('; ');
}

/**
 * Marks an archive the shrink guard refused (`<key>.refused`, JSON `{archive, refusedAt, reason}`; the reason names
 * parameters, never values): `list` shows the mark from the bucket listing alone.
 */
export async function markRefused(s3: S3Client, bucket: string, key: string, reason: string, at: Date = new Date()): Promise<void> {
  const body = JSON.stringify({ archive: key, refusedAt: at.toISOString(), reason }) + '\n';
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: refusedKey(key), Body: body, ServerSideEncryption: 'AES256', ContentType: 'application/json' }));
}

/** latest.txt as a backup found it when it started: its ETag, or none when there was no latest.txt. */
export interface PointerState {
  etag?: string;
}

/** HeadObject of latest.txt at the start of a region: the state writeLatestPointer requires to still hold. */
export async function readPointerState(s3: S3Client, bucket: string, region: string): Promise<PointerState> {
  try {
    return { etag: (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: LATEST_POINTER_KEY }))).ETag };
  } catch (err) {
    if (awsErrorCode(err) === 'NotFound' || awsErrorCode(err) === 'NoSuchKey') return {};
    throw new EngineError('region', `Cannot read s3://${bucket}/${LATEST_POINTER_KEY}: ${describeAwsError(err)}`, { region, cause: err });
  }
}

/**
 * Rewrites latest.txt (`<key>\n`, the old job's format) with the key also in `x-amz-meta-archive-key`, only if it is
 * still as the backup found it (`If-Match: <ETag>`, or `If-None-Match: *` when there was none): a run that overlapped
 * another never moves the pointer back to an older archive. A lost race throws an EngineError 'region' naming the
 * archive, which stays in the bucket. The write is recorded for latestPointerReport while it is in flight and once S3
 * confirmed it.
 */
export async function writeLatestPointer(s3: S3Client, bucket: string, key: string, found: PointerState, region?: string): Promise<void> {
  const before = pointerWrites.get(bucket);
  pointerWrites.set(bucket, { key, state: 'sent' });
  try {
    await sendPointer(s3, bucket, key, found, region);
    pointerWrites.set(bucket, { key, state: 'moved' });
  } catch (err) {
    if (before) pointerWrites.set(bucket, before);
    else pointerWrites.delete(bucket);
    throw err;
  }
}

async function sendPointer(s3: S3Client, bucket: string, key: string, found: PointerState, region?: string): Promise<void> {
  const condition = found.etag ? { IfMatch: found.etag } : { IfNoneMatch: '*' };
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: LATEST_POINTER_KEY,
        Body: `${key}\n`,
        ServerSideEncryption: 'AES256',
        ContentType: 'text/plain',
        Metadata: { [LATEST_META_KEY]: key },
        ...condition,
      }),
    );
  } catch (err) {
    if (!lostConditionalWrite(err)) throw err;
    throw new EngineError(
      'region',
      `s3://${bucket}/${LATEST_POINTER_KEY} was ${found.etag ? 'changed' : 'created'} by another backup of this region after this one started (${awsErrorCode(err)}): latest.txt was not moved; this archive is kept as s3://${bucket}/${key}`,
      { region, cause: err },
    );
  }
}
