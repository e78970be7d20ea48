/** In-memory S3 buckets, objects and multipart uploads; aws-chunked body decoding. */
import { createHash, randomBytes } from 'node:crypto';
import { AwsError } from './types.js';
import type { S3ObjectMeta, S3ObjectSummary } from './types.js';

export interface S3Object {
  body: Buffer;
  meta: S3ObjectMeta;
}

export interface PendingUpload {
  uploadId: string;
  key: string;
  meta: Omit<S3ObjectMeta, 'size' | 'etag' | 'lastModified' | 'key'>;
  parts: Map<number, { body: Buffer; etag: string }>;
  /** The object the key held when the upload was created (conditional CompleteMultipartUpload: 409 vs 412). */
  startedOver?: S3Object;
}

export interface S3Bucket {
  name: string;
  region: string;
  requireSse: boolean;
  /** Owner account id; undefined = the emulator's account (what STS GetCallerIdentity returns). */
  owner?: string;
  created: Date;
  /** PutBucketLifecycleConfiguration's XML body as sent (GetBucketLifecycleConfiguration returns it); undefined: none. */
  lifecycle?: string;
  objects: Map<string, S3Object>;
  uploads: Map<string, PendingUpload>;
}

export const md5Hex = (b: Buffer): string => createHash('md5').update(b).digest('hex');

export class S3Store {
  readonly buckets = new Map<string, S3Bucket>();

  /** Creates a bucket, or updates `requireSse` / `owner` of an existing one (`owner: null` restores the default). */
  createBucket(region: string, name: string, opts: { requireSse?: boolean; owner?: string | null } = {}): S3Bucket {
    const existing = this.buckets.get(name);
    if (existing) {
      existing.requireSse = opts.requireSse ?? existing.requireSse;
      if (opts.owner !== undefined) existing.owner = opts.owner ?? undefined;
      return existing;
    }
    const b: S3Bucket = {
      name,
      region,
      requireSse: opts.requireSse === true,
      owner: opts.owner ?? undefined,
      created: new Date(),
      objects: new Map(),
      uploads: new Map(),
    };
    this.buckets.set(name, b);
    return b;
  }

  /** Sets the owner account of an existing bucket (undefined = the emulator's account); Error when unknown. */
  setOwner(name: string, owner: string | undefined): void {
    const b = this.buckets.get(name);
    if (!b) throw new Error(`no bucket ${name}`);
    if (owner !== undefined && !/^\d{12}$/.test(owner)) throw new Error(`owner must be a 12-digit account id: ${owner}`);
    b.owner = owner;
  }

  deleteBucket(name: string): void {
    this.buckets.delete(name);
  }

  clear(): void {
    this.buckets.clear();
  }

  /** The bucket, or NoSuchBucket. */
  bucket(name: string): S3Bucket {
    const b = this.buckets.get(name);
    if (!b) throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
    return b;
  }

  putObject(bucket: S3Bucket, key: string, body: Buffer, meta: PendingUpload['meta'], etag = `"${md5Hex(body)}"`): S3Object {
    const obj: S3Object = { body, meta: { ...meta, key, size: body.length, etag, lastModified: new Date() } };
    bucket.objects.set(key, obj);
    return obj;
  }

  listObjects(bucket: string): S3ObjectSummary[] {
    const b = this.buckets.get(bucket);
    if (!b) return [];
    return [...b.objects.values()]
      .map((o) => ({ key: o.meta.key, size: o.meta.size, sse: o.meta.sse, lastModified: o.meta.lastModified }))
      .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  }

  getObject(bucket: string, key: string): S3Object | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  createUpload(bucket: S3Bucket, key: string, meta: PendingUpload['meta']): PendingUpload {
    const up: PendingUpload = { uploadId: randomBytes(24).toString('base64url'), key, meta, parts: new Map() };
    bucket.uploads.set(up.uploadId, up);
    return up;
  }

  upload(bucket: S3Bucket, key: string, uploadId: string): PendingUpload {
    const up = bucket.uploads.get(uploadId);
    if (!up || up.key !== key) {
      throw new AwsError(
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        404,
        { UploadId: uploadId },
      );
    }
    return up;
  }

  /** Completes an upload from the `<Part>` list of the CompleteMultipartUpload body. */
  complete(bucket: S3Bucket, up: PendingUpload, requested: { partNumber: number; etag: string }[]): S3Object {
    if (requested.length === 0) throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    const bodies: Buffer[] = [];
    const digests: Buffer[] = [];
    let last = 0;
    requested.forEach((r, i) => {
      if (r.partNumber <= last)
        throw new AwsError('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
      last = r.partNumber;
      const part = up.parts.get(r.partNumber);
      if (!part || part.etag.replace(/"/g, '') !== r.etag.replace(/"/g, '')) {
        throw new AwsError(
          'InvalidPart',
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      }
      if (i < requested.length - 1 && part.body.length < 5 * 1024 * 1024)
        throw new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
      bodies.push(part.body);
      digests.push(Buffer.from(part.etag.replace(/"/g, ''), 'hex'));
    });
    const etag = `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${requested.length}"`;
    bucket.uploads.delete(up.uploadId);
    return this.putObject(bucket, up.key, Buffer.concat(bodies), up.meta, etag);
  }
}

/**
 * Decodes an `aws-chunked` body: `<hex-size>[;chunk-signature=..]\r\n<data>\r\n ... 0\r\n[trailers]\r\n\r\n`.
 * Returns the payload and the trailing headers (e.g. x-amz-checksum-crc32).
 */
export function decodeAwsChunked(buf: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let pos = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) throw new AwsError('IncompleteBody', 'The aws-chunked body is truncated (missing chunk header).');
    const size = parseInt(buf.subarray(pos, eol).toString('latin1').split(';')[0].trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw new AwsError('InvalidRequest', 'Invalid aws-chunked chunk size.');
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size > buf.length) throw new AwsError('IncompleteBody', 'The aws-chunked body is truncated.');
    parts.push(buf.subarray(pos, pos + size));
    pos += size;
    if (buf.subarray(pos, pos + 2).toString('latin1') === '\r\n') pos += 2;
  }
  for (const line of buf.subarray(pos).toString('latin1').split('\r\n')) {
    const idx = line.indexOf(':');
    if (idx > 0) trailers[line.slice(0, idx).trim().toLowerCase()] = line.slice(idx + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}
