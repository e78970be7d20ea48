/** S3 REST-XML emulation (path-style, virtual-host style for *.localhost). */
import { AwsError } from './types.js';
import { escapeXml, header, makeToken, readToken, xmlEl, type RequestInfo } from './http-util.js';
import { decodeAwsChunked, md5Hex, type PendingUpload, type S3Bucket, type S3Store } from './s3-store.js';
import { checkWritePreconditions, verifyChecksums } from './s3-strict.js';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

export interface S3Route {
  op: string;
  bucket?: string;
  key?: string;
}

export interface S3Answer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export function s3Route(info: RequestInfo): S3Route {
  const q = info.url.searchParams;
  const host = header(info, 'host') ?? '';
  const vhost = /^(.+)\.(localhost|127\.0\.0\.1)(:\d+)?$/.exec(host);
  let bucket: string | undefined;
  let key: string | undefined;
  const path = info.url.pathname;
  if (vhost) {
    bucket = vhost[1];
    key = path.length > 1 ? decodeURIComponent(path.slice(1)) : undefined;
  } else {
    const m = /^\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (m) {
      bucket = decodeURIComponent(m[1]);
      key = m[2] ? decodeURIComponent(m[2]) : undefined;
    }
  }
  const method = info.method;
  let op = 'Unknown';
  if (!bucket) op = method === 'GET' ? 'ListBuckets' : 'Unknown';
  else if (key === undefined && q.has('lifecycle'))
    op = method === 'PUT' ? 'PutBucketLifecycleConfiguration' : method === 'GET' ? 'GetBucketLifecycleConfiguration' : 'Unknown';
  else if (key === undefined) {
    if (method === 'PUT') op = 'CreateBucket';
    else if (method === 'HEAD') op = 'HeadBucket';
    else if (method === 'DELETE') op = 'DeleteBucket';
    else if (method === 'POST' && q.has('delete')) op = 'DeleteObjects';
    else if (method === 'GET') op = q.has('location') ? 'GetBucketLocation' : q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  } else if (method === 'PUT') op = q.has('uploadId') ? 'UploadPart' : header(info, 'x-amz-copy-source') ? 'CopyObject' : 'PutObject';
  else if (method === 'GET') op = q.has('uploadId') ? 'ListParts' : 'GetObject';
  else if (method === 'HEAD') op = 'HeadObject';
  else if (method === 'DELETE') op = q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  else if (method === 'POST') op = q.has('uploads') ? 'CreateMultipartUpload' : q.has('uploadId') ? 'CompleteMultipartUpload' : 'Unknown';
  return { op, bucket, key };
}

/** Request payload with aws-chunked framing removed, and its trailing headers. */
function framed(info: RequestInfo): { body: Buffer; trailers: Record<string, string> } {
  const enc = header(info, 'content-encoding') ?? '';
  const sha = header(info, 'x-amz-content-sha256') ?? '';
  if (enc.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-')) return decodeAwsChunked(info.body);
  return { body: info.body, trailers: {} };
}

const payload = (info: RequestInfo): Buffer => framed(info).body;

function objectMetaFromHeaders(info: RequestInfo, bucket: S3Bucket): PendingUpload['meta'] {
  const sse = header(info, 'x-amz-server-side-encryption');
  if (bucket.requireSse && sse !== 'AES256') throw new AwsError('AccessDenied', 'Access Denied', 403);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(info.headers)) {
    if (k.startsWith('x-amz-meta-') && typeof v === 'string') metadata[k.slice('x-amz-meta-'.length)] = v;
  }
  return {
    contentType: header(info, 'content-type') ?? 'binary/octet-stream',
    sse,
    sseKmsKeyId: header(info, 'x-amz-server-side-encryption-aws-kms-key-id'),
    metadata,
  };
}

function sseHeaders(meta: PendingUpload['meta']): Record<string, string> {
  const h: Record<string, string> = {};
  if (meta.sse) h['x-amz-server-side-encryption'] = meta.sse;
  if (meta.sseKmsKeyId) h['x-amz-server-side-encryption-aws-kms-key-id'] = meta.sseKmsKeyId;
  return h;
}

function xml(body: string, status = 200, headers: Record<string, string> = {}): S3Answer {
  return { status, headers: { 'content-type': 'application/xml', ...headers }, body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}` };
}

function listObjects(bucket: S3Bucket, info: RequestInfo, v2: boolean): S3Answer {
  const q = info.url.searchParams;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = Math.min(1000, Math.max(0, Number(q.get('max-keys') ?? 1000) || 0));
  const token = q.get('continuation-token');
  let after = v2 ? (q.get('start-after') ?? '') : (q.get('marker') ?? '');
  if (v2 && token) {
    const k = readToken(token);
    if (k === undefined) throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token' });
    after = k;
  }
  const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const entries: { key?: string; prefix?: string; marker: string }[] = [];
  for (const k of keys) {
    const idx = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    if (idx >= 0) {
      const cp = k.slice(0, idx + delimiter.length);
      if (entries[entries.length - 1]?.prefix !== cp) entries.push({ prefix: cp, marker: `${cp}\uffff` });
    } else entries.push({ key: k, marker: k });
  }
  const page = entries.slice(0, maxKeys);
  const truncated = entries.length > page.length;
  const contents = page
    .filter((e) => e.key !== undefined)
    .map((e) => {
      const m = bucket.objects.get(e.key as string)!.meta;
      return `<Contents>${xmlEl('Key', m.key)}${xmlEl('LastModified', m.lastModified.toISOString())}${xmlEl('ETag', m.etag)}${xmlEl('Size', m.size)}<StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  const prefixes = page
    .filter((e) => e.prefix !== undefined)
    .map((e) => `<CommonPrefixes>${xmlEl('Prefix', e.prefix)}</CommonPrefixes>`)
    .join('');
  const last = page[page.length - 1]?.marker;
  const paging = v2
    ? `${token ? xmlEl('ContinuationToken', token) : ''}${truncated && last ? xmlEl('NextContinuationToken', makeToken(last)) : ''}${q.has('start-after') ? xmlEl('StartAfter', q.get('start-after') ?? '') : ''}${xmlEl('KeyCount', page.length)}`
    : `${xmlEl('Marker', q.get('marker') ?? '')}${truncated && last && delimiter ? xmlEl('NextMarker', page[page.length - 1].key ?? page[page.length - 1].prefix) : ''}`;
  return xml(
    `<ListBucketResult ${NS}>${xmlEl('Name', bucket.name)}${xmlEl('Prefix', prefix)}${paging}${xmlEl('MaxKeys', maxKeys)}${delimiter ? xmlEl('Delimiter', delimiter) : ''}${xmlEl('IsTruncated', truncated)}${contents}${prefixes}</ListBucketResult>`,
  );
}

function checkRegion(bucket: S3Bucket, info: RequestInfo): void {
  if (bucket.region !== info.region) {
    throw new AwsError(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${info.region}' is wrong; expecting '${bucket.region}'`,
      400,
      { Region: bucket.region },
    );
  }
}

/** `x-amz-expected-bucket-owner` (ExpectedBucketOwner) must name the bucket's owner, else 403 AccessDenied. */
function checkOwner(bucket: S3Bucket, info: RequestInfo, accountId: string): void {
  const expected = header(info, 'x-amz-expected-bucket-owner');
  if (expected !== undefined && expected !== (bucket.owner ?? accountId)) throw new AwsError('AccessDenied', 'Access Denied', 403);
}

export function handleS3(store: S3Store, route: S3Route, info: RequestInfo, accountId: string): S3Answer {
  const q = info.url.searchParams;
  const { op } = route;
  if (op === 'ListBuckets') {
    const list = [...store.buckets.values()].map((b) => `<Bucket>${xmlEl('Name', b.name)}${xmlEl('CreationDate', b.created.toISOString())}</Bucket>`).join('');
    return xml(`<ListAllMyBucketsResult ${NS}><Owner><ID>local</ID></Owner><Buckets>${list}</Buckets></ListAllMyBucketsResult>`);
  }
  const bucketName = route.bucket ?? '';
  if (op === 'CreateBucket') {
    const existing = store.buckets.get(bucketName);
    if (existing && (existing.region !== 'us-east-1' || info.region !== 'us-east-1'))
      throw new AwsError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, {
        BucketName: bucketName,
      });
    store.createBucket(info.region, bucketName);
    return { status: 200, headers: { location: `/${bucketName}` } };
  }
  const bucket = store.bucket(bucketName);
  checkRegion(bucket, info);
  checkOwner(bucket, info, accountId);
  const key = route.key ?? '';
  // API reference of PutObject / "Naming Amazon S3 objects": a key is at most 1024 bytes of UTF-8.
  if (Buffer.byteLength(key) > 1024)
    throw new AwsError('KeyTooLongError', 'Your key is too long', 400, { Size: String(Buffer.byteLength(key)), MaxSizeAllowed: '1024' });
  const keyError = (): AwsError => new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
  switch (op) {
    case 'HeadBucket':
      return { status: 200, headers: { 'x-amz-bucket-region': bucket.region } };
    case 'GetBucketLocation':
      return xml(`<LocationConstraint ${NS}>${bucket.region === 'us-east-1' ? '' : escapeXml(bucket.region)}</LocationConstraint>`);
    case 'DeleteBucket':
      if (bucket.objects.size > 0) throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucketName });
      store.deleteBucket(bucketName);
      return { status: 204, headers: {} };
    // API reference of GetBucketLifecycleConfiguration: 404 NoSuchLifecycleConfiguration when the bucket has none.
    // The rules are kept as the XML the SDK sent (local-aws does not expire objects).
    case 'GetBucketLifecycleConfiguration':
      if (!bucket.lifecycle) throw new AwsError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404, { BucketName: bucketName });
      return xml(bucket.lifecycle.replace(/^<\?xml[^>]*>\s*/, ''));
    case 'PutBucketLifecycleConfiguration': {
      const body = payload(info).toString('utf8');
      if (!/<LifecycleConfiguration[\s>]/.test(body) || !/<Rule>/.test(body))
        throw new AwsError('MalformedXML', 'The XML you provided was not well-formed', 400);
      bucket.lifecycle = body;
      return { status: 200, headers: {} };
    }
    case 'ListObjectsV2':
    case 'ListObjects':
      return listObjects(bucket, info, op === 'ListObjectsV2');
    case 'PutObject': {
      const { body, trailers } = framed(info);
      const meta = objectMetaFromHeaders(info, bucket);
      const checksums = verifyChecksums(info, body, trailers);
      checkWritePreconditions(info, key, bucket.objects.get(key));
      const obj = store.putObject(bucket, key, body, meta);
      return { status: 200, headers: { etag: obj.meta.etag, ...sseHeaders(obj.meta), ...checksums } };
    }
    case 'GetObject':
    case 'HeadObject': {
      const obj = bucket.objects.get(key);
      if (!obj) throw keyError();
      const m = obj.meta;
      const headers: Record<string, string> = {
        'content-type': m.contentType,
        etag: m.etag,
        'last-modified': m.lastModified.toUTCString(),
        'accept-ranges': 'bytes',
        ...sseHeaders(m),
      };
      for (const [k, v] of Object.entries(m.metadata)) headers[`x-amz-meta-${k}`] = v;
      let body = obj.body;
      let status = 200;
      // API reference of GetObject ("Range", RFC 9110): a range that starts at or beyond the end is not satisfiable, so
      // any Range of a 0-byte object → 416 InvalidRange (a 0-byte latest.txt read with `bytes=0-4095` fails on AWS).
      const range = /^bytes=(\d*)-(\d*)$/.exec(header(info, 'range') ?? '');
      if (range && (range[1] || range[2])) {
        const size = body.length;
        const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
        const end = range[1] && range[2] ? Math.min(size - 1, Number(range[2])) : size - 1;
        if (start >= size) throw new AwsError('InvalidRange', 'The requested range is not satisfiable', 416);
        body = body.subarray(start, end + 1);
        status = 206;
        headers['content-range'] = `bytes ${start}-${end}/${size}`;
      }
      headers['content-length'] = String(body.length);
      return { status, headers, body: op === 'GetObject' ? body : undefined };
    }
    case 'DeleteObject':
      bucket.objects.delete(key);
      return { status: 204, headers: {} };
    case 'DeleteObjects': {
      const text = payload(info).toString('utf8');
      const keys = [...text.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => unescapeXml(m[1]));
      keys.forEach((k) => bucket.objects.delete(k));
      const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(text);
      return xml(`<DeleteResult ${NS}>${quiet ? '' : keys.map((k) => `<Deleted>${xmlEl('Key', k)}</Deleted>`).join('')}</DeleteResult>`);
    }
    case 'CreateMultipartUpload': {
      const up = store.createUpload(bucket, key, objectMetaFromHeaders(info, bucket));
      up.startedOver = bucket.objects.get(key);
      return xml(
        `<InitiateMultipartUploadResult ${NS}>${xmlEl('Bucket', bucket.name)}${xmlEl('Key', key)}${xmlEl('UploadId', up.uploadId)}</InitiateMultipartUploadResult>`,
        200,
        sseHeaders(up.meta),
      );
    }
    case 'UploadPart': {
      const up = store.upload(bucket, key, q.get('uploadId') ?? '');
      const partNumber = Number(q.get('partNumber'));
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000)
        throw new AwsError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', 400, { ArgumentName: 'partNumber' });
      const { body, trailers } = framed(info);
      const checksums = verifyChecksums(info, body, trailers);
      const etag = `"${md5Hex(body)}"`;
      up.parts.set(partNumber, { body, etag });
      return { status: 200, headers: { etag, ...sseHeaders(up.meta), ...checksums } };
    }
    case 'CompleteMultipartUpload': {
      const up = store.upload(bucket, key, q.get('uploadId') ?? '');
      const text = payload(info).toString('utf8');
      const parts = [...text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
        partNumber: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1])?.[1] ?? NaN),
        etag: unescapeXml(/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1])?.[1] ?? ''),
      }));
      checkWritePreconditions(info, key, bucket.objects.get(key), up);
      const obj = store.complete(bucket, up, parts);
      return xml(
        `<CompleteMultipartUploadResult ${NS}>${xmlEl('Location', `/${bucket.name}/${key}`)}${xmlEl('Bucket', bucket.name)}${xmlEl('Key', key)}${xmlEl('ETag', obj.meta.etag)}</CompleteMultipartUploadResult>`,
        200,
        sseHeaders(obj.meta),
      );
    }
    case 'AbortMultipartUpload':
      store.upload(bucket, key, q.get('uploadId') ?? '');
      bucket.uploads.delete(q.get('uploadId') ?? '');
      return { status: 204, headers: {} };
    default:
      throw new AwsError('NotImplemented', `local-aws does not implement S3 ${op} (${info.method} ${info.url.pathname}${info.url.search})`, 501);
  }
}

function unescapeXml(s: string): string {
  return s.replace(/&(quot|amp|lt|gt|apos|#34);/g, (_m, e: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'", '#34': '"' })[e] ?? '');
}

/** S3 XML error body (empty for HEAD). */
export function s3ErrorXml(err: AwsError, requestId: string): string {
  const extra = Object.entries(err.extra)
    .map(([k, v]) => xmlEl(k, v))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${xmlEl('Code', err.code)}${xmlEl('Message', err.message)}${extra}${xmlEl('RequestId', requestId)}${xmlEl('HostId', 'local-aws')}</Error>`;
}
