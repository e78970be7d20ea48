/** S3 rules local-aws enforces as the API reference documents them: conditional writes and the checksum headers. */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AwsError } from './types.js';
import { header, type RequestInfo } from './http-util.js';
import type { S3Object } from './s3-store.js';

const unquote = (etag: string): string => etag.replace(/"/g, '');

const preconditionFailed = (condition: string): AwsError =>
  new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition });

const conflict = (): AwsError =>
  new AwsError(
    'ConditionalRequestConflict',
    'A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.',
    409,
  );

/**
 * `If-None-Match: *` and `If-Match: <etag>` of PutObject and CompleteMultipartUpload (API reference of PutObject and
 * CompleteMultipartUpload, "IfNoneMatch" / "IfMatch"; S3 User Guide, "How to prevent object overwrites with
 * conditional writes"):
 * - If-None-Match takes only `*`; the key exists → 412 PreconditionFailed.
 * - If-Match: the ETag differs → 412 PreconditionFailed; no object at the key → 404 NoSuchKey (what moto 5.2.1
 *   answers; the API reference names only the 412 of a differing ETag).
 * - A multipart upload whose key was written by someone else after CreateMultipartUpload → 409
 *   ConditionalRequestConflict ("If a conflicting operation occurs during the upload S3 returns a 409"). A PutObject
 *   body arrives whole here, so its 409 is only reachable as an injected fault.
 * `startedOver` is the object the key held when the multipart upload was created (undefined for PutObject).
 */
export function checkWritePreconditions(info: RequestInfo, key: string, current: S3Object | undefined, upload?: { startedOver?: S3Object }): void {
  const noneMatch = header(info, 'if-none-match');
  const match = header(info, 'if-match');
  const changedDuringUpload = upload !== undefined && current !== upload.startedOver;
  if (noneMatch !== undefined) {
    if (noneMatch.trim() !== '*')
      throw new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, { Header: 'If-None-Match' });
    if (current) throw changedDuringUpload && upload.startedOver === undefined ? conflict() : preconditionFailed('If-None-Match');
  }
  if (match !== undefined) {
    if (!current) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
    if (unquote(match) !== unquote(current.meta.etag)) {
      const matchedAtStart = upload?.startedOver !== undefined && unquote(match) === unquote(upload.startedOver.meta.etag);
      throw changedDuringUpload && matchedAtStart ? conflict() : preconditionFailed('If-Match');
    }
  }
}

const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32c(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC32C_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32 = (n: number): string => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString('base64');
};

/** The `refuseChecksums` option: a store that knows no flexible checksums refuses the headers the SDK sends by default. */
export function refuseChecksums(info: RequestInfo): void {
  const sent = Object.keys(info.headers).find((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-sdk-checksum-algorithm' || h === 'x-amz-trailer');
  if (sent) throw new AwsError('InvalidArgument', `Unsupported header ${sent}`, 400, { ArgumentName: sent });
}

/** Base64 checksums S3 computes (API reference of PutObject, "ChecksumCRC32" ...); CRC64NVME is accepted unverified. */
const CHECKSUMS: Record<string, ((body: Buffer) => string) | undefined> = {
  crc32: (b) => u32(crc32(b)),
  crc32c: (b) => u32(crc32c(b)),
  sha1: (b) => createHash('sha1').update(b).digest('base64'),
  sha256: (b) => createHash('sha256').update(b).digest('base64'),
  crc64nvme: undefined,
};

/**
 * Checks the checksums a PutObject or UploadPart carries, in headers (`x-amz-checksum-<algorithm>`, `Content-MD5`)
 * or in the aws-chunked trailer the SDK sends by default: a mismatch → 400 BadDigest, as S3 answers ("The CRC32 you
 * specified did not match the calculated checksum."). Returns the checksum headers S3 echoes in its answer.
 */
export function verifyChecksums(info: RequestInfo, body: Buffer, trailers: Record<string, string>): Record<string, string> {
  const echoed: Record<string, string> = {};
  const md5 = header(info, 'content-md5');
  if (md5 !== undefined && md5 !== createHash('md5').update(body).digest('base64'))
    throw new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  for (const [algorithm, compute] of Object.entries(CHECKSUMS)) {
    const name = `x-amz-checksum-${algorithm}`;
    const sent = trailers[name] ?? header(info, name);
    if (sent === undefined) continue;
    if (compute && compute(body) !== sent)
      throw new AwsError('BadDigest', `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`, 400);
    echoed[name] = sent;
  }
  return echoed;
}
