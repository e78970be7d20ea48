import { LATEST_META_KEY, LATEST_POINTER_KEY, refusedKey } from './layout.js';
import { Upload } from '@aws-sdk/lib-storage';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

/**
 * Upload of the archive with SSE-S3 (`@aws-sdk/lib-storage`). Archives under one part (8 MB compressed,
 * tens of thousands of typical parameters) go up as a single PutObject that carries the SSE header the bucket policy
 * checks; larger ones go multipart (the header is on CreateMultipartUpload), one 8 MB part in flight, so memory stays flat.
 * `metadata` (the archive's facts, see facts.ts) goes on PutObject / CreateMultipartUpload as `x-amz-meta-*`.
 */
export async function uploadArchive(s3: S3Client, bucket: string, key: string, body: Readable, metadata?: Record<string, string>): Promise<void> {
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ServerSideEncryption: 'AES256', ContentType: 'application/gzip', Metadata: metadata },
    queueSize: 1,
    partSize: 8 * 1024 * 1024,
    leavePartsOnError: false,
  });
  await upload.done();
}

/**
 * Marks an archive the shrink guard refused (`<key>.refused`, JSON `{archive, refusedAt, reason}`; the reason names
 * parameters, never values): `list` shows the mark from the bucket listing alone.
 */
export async function markRefused(s3: S3Client, bucket: string, key: string, reason: string, at: Date = new Date()): Promise<void> {
  const body = JSON.stringify({ archive: key, refusedAt: at.toISOString(), reason }) + '\n';
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: refusedKey(key), Body: body, ServerSideEncryption: 'AES256', ContentType: 'application/json' }));
}

/** Rewrites latest.txt (`<key>\n`, the old job's format) with the key also in `x-amz-meta-archive-key`. */
export async function writeLatestPointer(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: LATEST_POINTER_KEY,
      Body: `${key}\n`,
      ServerSideEncryption: 'AES256',
      ContentType: 'text/plain',
      Metadata: { [LATEST_META_KEY]: key },
    }),
  );
}
