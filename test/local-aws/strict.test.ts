import { expect } from 'chai';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  DeleteParameterCommand,
  GetParametersByPathCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { rejects, s3Client, ssmClient } from './helpers.js';

const R = 'us-west-2';
const B = 'strict-bucket';

describe('local-aws as strict as AWS documents', () => {
  let aws: LocalAws;
  let ssm: SSMClient;
  let s3: S3Client;

  beforeEach(async () => {
    aws = await startLocalAws();
    ssm = ssmClient(aws, R);
    s3 = s3Client(aws, R);
    aws.s3.createBucket(R, B);
  });
  afterEach(async () => {
    ssm.destroy();
    s3.destroy();
    await aws.stop();
  });

  describe('SSM', () => {
    it('`dup` and `/dup` are one parameter with one ARN, kept in the spelling it was created with (as moto keeps it)', async () => {
      await ssm.send(new PutParameterCommand({ Name: '/dup', Value: 'a', Type: 'String' }));
      expect((await rejects(ssm.send(new PutParameterCommand({ Name: 'dup', Value: 'b', Type: 'String' })))).name).to.equal('ParameterAlreadyExists');
      await ssm.send(new PutParameterCommand({ Name: 'dup', Value: 'b', Type: 'String', Overwrite: true }));
      for (const ref of ['dup', '/dup', `arn:aws:ssm:${R}:123456789012:parameter/dup`]) {
        const { Parameter } = await ssm.send(new GetParameterCommand({ Name: ref }));
        expect(Parameter, ref).to.include({ Name: '/dup', Value: 'b', Version: 2, ARN: `arn:aws:ssm:${R}:123456789012:parameter/dup` });
      }
      const listed = await ssm.send(new DescribeParametersCommand({}));
      expect(listed.Parameters!.map((p) => p.Name)).to.deep.equal(['/dup']);
      for (const v of ['dup', '/dup']) {
        const one = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [v] }] }));
        expect(
          one.Parameters!.map((p) => p.Name),
          v,
        ).to.deep.equal(['/dup']);
      }
      expect((await ssm.send(new GetParametersCommand({ Names: ['dup'] }))).Parameters!.map((p) => p.Name)).to.deep.equal(['/dup']);
      // Created without the slash, it stays `flat`; GetParametersByPath / lists it at the root.
      await ssm.send(new PutParameterCommand({ Name: 'flat', Value: 'f', Type: 'String' }));
      expect((await ssm.send(new GetParameterCommand({ Name: '/flat' }))).Parameter!.Name).to.equal('flat');
      const root = await ssm.send(new GetParametersByPathCommand({ Path: '/' }));
      expect(root.Parameters!.map((p) => p.Name).sort()).to.deep.equal(['/dup', 'flat']);
      await ssm.send(new DeleteParameterCommand({ Name: 'dup' }));
      expect((await rejects(ssm.send(new GetParameterCommand({ Name: '/dup' })))).name).to.equal('ParameterNotFound');
    });

    it('emptyFirstPage: a filtered DescribeParameters answers an empty first page with a NextToken; the next page holds the match', async () => {
      aws.ssm.put(R, { Name: '/app/a', Value: 'v' });
      aws.ssm.put(R, { Name: '/app/b', Value: 'v' });
      aws.setOptions({ emptyFirstPage: true });
      const filters = [{ Key: 'Name', Option: 'Equals', Values: ['/app/b'] }];
      const first = await ssm.send(new DescribeParametersCommand({ ParameterFilters: filters }));
      expect(first.Parameters).to.deep.equal([]);
      expect(first.NextToken).to.be.a('string');
      const second = await ssm.send(new DescribeParametersCommand({ ParameterFilters: filters, NextToken: first.NextToken }));
      expect(second.Parameters!.map((p) => p.Name)).to.deep.equal(['/app/b']);
      expect(second.NextToken).to.equal(undefined);
      // Unfiltered listings are not affected.
      expect((await ssm.send(new DescribeParametersCommand({}))).Parameters).to.have.length(2);
    });

    it('PutParameter TooManyUpdates (a retryable answer) is injected as a fault, `times` limits it', async () => {
      aws.faults.add({ service: 'ssm', operation: 'PutParameter', match: '/app/x', error: { code: 'TooManyUpdates', status: 400 }, times: 1 });
      const err = await rejects(ssm.send(new PutParameterCommand({ Name: '/app/x', Value: 'v', Type: 'String' })));
      expect(err.name).to.equal('TooManyUpdates');
      expect((await ssm.send(new PutParameterCommand({ Name: '/app/x', Value: 'v', Type: 'String' }))).Version).to.equal(1);
    });
  });

  describe('S3', () => {
    const put = (Key: string, Body: string, extra: Record<string, unknown> = {}) => s3.send(new PutObjectCommand({ Bucket: B, Key, Body, ...extra }));

    it('answers 416 InvalidRange to a ranged GET of a 0-byte object; a plain GET and HEAD work', async () => {
      await s3.send(new PutObjectCommand({ Bucket: B, Key: 'latest.txt', Body: new Uint8Array(0) }));
      const err = await rejects(s3.send(new GetObjectCommand({ Bucket: B, Key: 'latest.txt', Range: 'bytes=0-4095' })));
      expect(err.name).to.equal('InvalidRange');
      expect(err.$metadata?.httpStatusCode).to.equal(416);
      const whole = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'latest.txt' }));
      expect(await whole.Body!.transformToString()).to.equal('');
      expect((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'latest.txt' }))).ContentLength).to.equal(0);
    });

    it('PutObject If-None-Match: * writes a new key once, then 412 PreconditionFailed; only * is accepted', async () => {
      await put('a', 'one', { IfNoneMatch: '*' });
      const err = await rejects(put('a', 'two', { IfNoneMatch: '*' }));
      expect(err.name).to.equal('PreconditionFailed');
      expect(err.$metadata?.httpStatusCode).to.equal(412);
      expect(aws.s3.getObject(B, 'a')!.toString()).to.equal('one');
      expect((await rejects(put('b', 'x', { IfNoneMatch: '"abc"' }))).$metadata?.httpStatusCode).to.equal(501);
    });

    it('PutObject If-Match: the current ETag writes; another ETag → 412; no object → 404 NoSuchKey', async () => {
      const { ETag } = await put('latest.txt', 'k1');
      const moved = await put('latest.txt', 'k2', { IfMatch: ETag });
      expect(aws.s3.getObject(B, 'latest.txt')!.toString()).to.equal('k2');
      const stale = await rejects(put('latest.txt', 'k3', { IfMatch: ETag }));
      expect([stale.name, stale.$metadata?.httpStatusCode]).to.deep.equal(['PreconditionFailed', 412]);
      await put('latest.txt', 'k3', { IfMatch: moved.ETag!.replace(/"/g, '') }); // quotes do not matter
      const missing = await rejects(put('nothing', 'x', { IfMatch: ETag }));
      expect([missing.name, missing.$metadata?.httpStatusCode]).to.deep.equal(['NoSuchKey', 404]);
    });

    it('CompleteMultipartUpload If-None-Match: * → 409 ConditionalRequestConflict when the key was written during the upload, 412 when it existed before', async () => {
      const upload = async (Key: string) => {
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key }));
        const { ETag } = await s3.send(new UploadPartCommand({ Bucket: B, Key, UploadId, PartNumber: 1, Body: 'part' }));
        return () =>
          s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
      };
      const raced = await upload('archive.tar.gz');
      await put('archive.tar.gz', 'the winner');
      const lost = await rejects(raced());
      expect([lost.name, lost.$metadata?.httpStatusCode]).to.deep.equal(['ConditionalRequestConflict', 409]);
      const late = await upload('archive.tar.gz');
      expect((await rejects(late())).$metadata?.httpStatusCode).to.equal(412);
      expect(aws.s3.getObject(B, 'archive.tar.gz')!.toString()).to.equal('the winner');
      const fresh = await upload('other.tar.gz');
      await fresh();
      expect(aws.s3.getObject(B, 'other.tar.gz')!.toString()).to.equal('part');
    });

    it("validates the SDK's checksums (CRC32 by default, SHA256 on request) and answers BadDigest to a wrong one", async () => {
      const crc = await put('a', 'hello');
      expect(crc.ChecksumCRC32).to.equal('NhCmhg==');
      expect((await put('b', 'hello', { ChecksumAlgorithm: 'SHA256' })).ChecksumSHA256).to.equal('LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=');
      // CRC32C("hello") = 0x9a71bb4c
      expect((await put('c', 'hello', { ChecksumAlgorithm: 'CRC32C' })).ChecksumCRC32C).to.equal('mnG7TA==');
      const bad = await rejects(put('d', 'hello', { ChecksumCRC32: 'AAAAAA==' }));
      expect([bad.name, bad.$metadata?.httpStatusCode]).to.deep.equal(['BadDigest', 400]);
      expect(aws.s3.getObject(B, 'd')).to.equal(undefined);
    });
  });
});
