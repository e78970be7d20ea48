import { expect } from 'chai';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3Client as S3ClientType,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { credentials, rejects, s3Client } from './helpers.js';

describe('local-aws S3', () => {
  let aws: LocalAws;
  let s3: S3ClientType;

  beforeEach(async () => {
    aws = await startLocalAws();
    s3 = s3Client(aws, 'eu-central-1');
    aws.s3.createBucket('eu-central-1', 'plain');
    aws.s3.createBucket('eu-central-1', 'secure', { requireSse: true });
  });
  afterEach(async () => {
    s3.destroy();
    await aws.stop();
  });

  it('puts (string and stream bodies), gets, heads and deletes objects with SSE, content-type and metadata', async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'plain',
        Key: 'dir/a b+c.txt',
        Body: 'hello',
        ContentType: 'text/plain',
        ServerSideEncryption: 'AES256',
        Metadata: { sha: 'abc' },
      }),
    );
    expect(put.ETag).to.equal(`"${createHash('md5').update('hello').digest('hex')}"`);
    expect(put.ServerSideEncryption).to.equal('AES256');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'dir/a b+c.txt' }));
    expect(await got.Body?.transformToString()).to.equal('hello');
    expect(got).to.include({ ContentType: 'text/plain', ServerSideEncryption: 'AES256', ContentLength: 5 });
    expect(got.Metadata).to.deep.equal({ sha: 'abc' });
    expect(got.LastModified).to.be.instanceOf(Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'dir/a b+c.txt' }));
    expect(head).to.include({ ServerSideEncryption: 'AES256', ContentLength: 5 });

    const streamBody = Readable.from([Buffer.from('chunk-1;'), Buffer.from('chunk-2')]);
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'stream', Body: streamBody, ContentLength: 15 }));
    expect(aws.s3.getObject('plain', 'stream')?.toString()).to.equal('chunk-1;chunk-2');
    expect(aws.s3.objectMeta('plain', 'stream')?.sse).to.equal(undefined);
    expect(aws.s3.objectMeta('plain', 'dir/a b+c.txt')).to.include({ sse: 'AES256', contentType: 'text/plain', size: 5 });

    await s3.send(new DeleteObjectCommand({ Bucket: 'plain', Key: 'stream' }));
    expect(aws.s3.getObject('plain', 'stream')).to.equal(undefined);
    const missing = await rejects(s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'stream' })));
    expect(missing.name).to.equal('NoSuchKey');
    const headMissing = await rejects(s3.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'stream' })));
    expect(headMissing.$metadata?.httpStatusCode).to.equal(404);
  });

  it('reports NoSuchBucket and a wrong signing region', async () => {
    expect((await rejects(s3.send(new PutObjectCommand({ Bucket: 'nope', Key: 'k', Body: 'x' })))).name).to.equal('NoSuchBucket');
    expect((await rejects(s3.send(new HeadBucketCommand({ Bucket: 'nope' })))).$metadata?.httpStatusCode).to.equal(404);
    await s3.send(new HeadBucketCommand({ Bucket: 'plain' }));
    const other = s3Client(aws, 'us-east-1');
    const err = await rejects(other.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'x' })));
    other.destroy();
    expect(err.name).to.equal('AuthorizationHeaderMalformed');
  });

  it('creates buckets through the API', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'made', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } }));
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'made' }))).BucketRegion).to.equal('eu-central-1');
    expect((await rejects(s3.send(new CreateBucketCommand({ Bucket: 'made' })))).name).to.equal('BucketAlreadyOwnedByYou');
  });

  it('refuses writes without SSE AES256 on a requireSse bucket', async () => {
    const err = await rejects(s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'k', Body: 'x' })));
    expect(err.name).to.equal('AccessDenied');
    expect(err.$metadata?.httpStatusCode).to.equal(403);
    await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'k', Body: 'x', ServerSideEncryption: 'AES256' }));
    expect(aws.s3.listObjects('secure')).to.have.length(1);
  });

  it('lists with prefix, max-keys, continuation token and delimiter', async () => {
    for (let i = 0; i < 7; i++) aws.s3.createBucket('eu-central-1', 'plain');
    const keys = ['a/1', 'a/2', 'a/3', 'b/1', 'b/sub/2', 'c', 'd'];
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: k, Body: k }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: 'plain', MaxKeys: 3, ContinuationToken: token }));
      seen.push(...(out.Contents ?? []).map((o) => o.Key ?? ''));
      expect(out.KeyCount).to.equal(out.Contents?.length);
      token = out.NextContinuationToken;
      expect(out.IsTruncated).to.equal(token !== undefined);
      pages++;
    } while (token);
    expect(seen).to.deep.equal(keys);
    expect(pages).to.equal(3);
    const prefixed = await s3.send(new ListObjectsV2Command({ Bucket: 'plain', Prefix: 'b/' }));
    expect(prefixed.Contents?.map((o) => o.Key)).to.deep.equal(['b/1', 'b/sub/2']);
    expect(prefixed.Contents?.[0].Size).to.equal(3);
    const delim = await s3.send(new ListObjectsV2Command({ Bucket: 'plain', Delimiter: '/' }));
    expect(delim.CommonPrefixes?.map((p) => p.Prefix)).to.deep.equal(['a/', 'b/']);
    expect(delim.Contents?.map((o) => o.Key)).to.deep.equal(['c', 'd']);
    await s3.send(new DeleteObjectsCommand({ Bucket: 'plain', Delete: { Objects: [{ Key: 'c' }, { Key: 'd' }] } }));
    expect(aws.s3.listObjects('plain').map((o) => o.key)).to.not.include('c');
  });

  it('uploads 12 MB through lib-storage multipart with SSE', async () => {
    const size = 12 * 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) data.writeUInt32LE(i, i);
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < size; i += 1024 * 1024) yield data.subarray(i, i + 1024 * 1024);
      })(),
    );
    aws.resetStats();
    const up = new Upload({
      client: s3,
      params: { Bucket: 'secure', Key: 'big.bin', Body: stream, ServerSideEncryption: 'AES256', ContentType: 'application/gzip' },
    });
    const out = await up.done();
    expect(out.ETag).to.match(/-3"$/);
    const stored = aws.s3.getObject('secure', 'big.bin');
    expect(stored?.length).to.equal(size);
    expect(stored?.equals(data)).to.equal(true);
    expect(aws.s3.objectMeta('secure', 'big.bin')).to.include({ sse: 'AES256', contentType: 'application/gzip' });
    const ops = aws.stats().operations;
    expect(ops['s3:CreateMultipartUpload']).to.equal(1);
    expect(ops['s3:UploadPart']).to.equal(3);
    expect(ops['s3:CompleteMultipartUpload']).to.equal(1);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'secure', Key: 'big.bin' }));
    expect(head.ServerSideEncryption).to.equal('AES256');
  });

  it('refuses a multipart upload without SSE on a requireSse bucket', async () => {
    const up = new Upload({ client: s3, params: { Bucket: 'secure', Key: 'big.bin', Body: Buffer.alloc(6 * 1024 * 1024) } });
    expect((await rejects(up.done())).name).to.equal('AccessDenied');
    expect(aws.s3.listObjects('secure')).to.deep.equal([]);
  });

  it('works without forcePathStyle (IP endpoint) and with default SDK retries', async () => {
    const c = new S3Client({ region: 'eu-central-1', endpoint: aws.endpoint, credentials });
    await c.send(new PutObjectCommand({ Bucket: 'plain', Key: 'vh', Body: 'v' }));
    c.destroy();
    expect(aws.s3.getObject('plain', 'vh')?.toString()).to.equal('v');
  });

  it('ExpectedBucketOwner: 403 AccessDenied when the bucket belongs to another account (owner set by the admin API)', async () => {
    const own = '123456789012';
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'v', ExpectedBucketOwner: own }));
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'plain', ExpectedBucketOwner: own }))).$metadata.httpStatusCode).to.equal(200);
    const res = await fetch(`${aws.endpoint}/__local/s3/bucket-owner`, { method: 'POST', body: JSON.stringify({ bucket: 'plain', owner: '999988887777' }) });
    expect(await res.json()).to.deep.equal({ bucket: 'plain', owner: '999988887777' });
    for (const call of [
      s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'k', ExpectedBucketOwner: own })),
      s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k2', Body: 'v', ExpectedBucketOwner: own })),
      s3.send(new ListObjectsV2Command({ Bucket: 'plain', ExpectedBucketOwner: own })),
      new Upload({ client: s3, params: { Bucket: 'plain', Key: 'big', Body: Buffer.alloc(6 * 1024 * 1024), ExpectedBucketOwner: own } }).done(),
    ]) {
      const err = await rejects(call);
      expect([err.name, err.$metadata?.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
    }
    expect(aws.s3.listObjects('plain').map((o) => o.key)).to.deep.equal(['k']);
    expect((await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'k', ExpectedBucketOwner: '999988887777' }))).$metadata.httpStatusCode).to.equal(200);
    expect((await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'k' }))).$metadata.httpStatusCode).to.equal(200);
    aws.s3.setBucketOwner('plain', undefined);
    aws.setOptions({ accountId: '555566667777' });
    expect((await rejects(s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'k', ExpectedBucketOwner: own })))).name).to.equal('AccessDenied');
    expect((await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'k', ExpectedBucketOwner: '555566667777' }))).$metadata.httpStatusCode).to.equal(200);
  });
});
