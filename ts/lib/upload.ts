import { Upload } from '@aws-sdk/lib-storage';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

/**
 * Upload of the archive with SSE-S3 (`@aws-sdk/lib-storage`). Archives under one part (8 MB compressed,
 * tens of thousands of typical parameters) go up as a single PutObject that carries the SSE header the bucket policy
 * checks; larger ones go multipart (the header is on CreateMultipartUpload), one 8 MB part in flight, so memory stays flat.
 */
export async function uploadArchive(s3: S3Client, bucket: string, key: string, body: Readable): Promise<void> {
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ServerSideEncryption: 'AES256', ContentType: 'application/gzip' },
    queueSize: 1,
    partSize: 8 * 1024 * 1024,
    leavePartsOnError: false,
  });
  await upload.done();
}

export async function writeLatestPointer(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'latest.txt', Body: `${key}\n`, ServerSideEncryption: 'AES256', ContentType: 'text/plain' }));
}
