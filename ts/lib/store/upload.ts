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

/** Rewrites latest.txt (`<key>\n`, the old job's format) with the key also in `x-amz-meta-archive-key`. */
export async function writeLatestPointer(s3: S3Client, bucket: string, key: string): Promise<void> {
  const before = pointerWrites.get(bucket);
  pointerWrites.set(bucket, { key, state: 'sent' });
  try {
    await sendPointer(s3, bucket, key);
    pointerWrites.set(bucket, { key, state: 'moved' });
  } catch (err) {
    if (before) pointerWrites.set(bucket, before);
    else pointerWrites.delete(bucket);
    throw err;
  }
}

async function sendPointer(s3: S3Client, bucket: string, key: string): Promise<void> {
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
