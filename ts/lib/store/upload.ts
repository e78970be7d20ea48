import { LATEST_META_KEY, LATEST_POINTER_KEY } from './layout.js';
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
 * archive, which stays in the bucket.
 */
export async function writeLatestPointer(s3: S3Client, bucket: string, key: string, found: PointerState, region?: string): Promise<void> {
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
