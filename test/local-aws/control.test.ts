import { expect } from 'chai';
import { GetParameterCommand, GetParametersByPathCommand, GetParametersCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { rejects, s3Client, ssmClient } from './helpers.js';

describe('local-aws quotas, latency, faults and stats', () => {
  let aws: LocalAws;

  before(async () => {
    aws = await startLocalAws();
  });
  after(async () => {
    await aws.stop();
  });
  beforeEach(() => {
    aws.setOptions({ latencyMs: undefined, getTps: undefined, describeTps: undefined, putTps: undefined, tagTps: undefined });
    aws.faults.clear();
    aws.resetStats();
    aws.ssm.clear();
    aws.ssm.put('us-east-1', { Name: '/q', Value: 'v' });
    aws.ssm.put('us-west-2', { Name: '/q', Value: 'v' });
  });

  it('throttles over the per-region get quota and counts throttles', async () => {
    aws.setOptions({ getTps: 5 });
    const c = ssmClient(aws, 'us-east-1', 1);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => c.send(new GetParameterCommand({ Name: '/q' }))));
    const throttled = results.filter((r) => r.status === 'rejected');
    expect(throttled.length).to.be.within(10, 15);
    expect((throttled[0] as PromiseRejectedResult).reason).to.have.property('name', 'ThrottlingException');
    expect(((throttled[0] as PromiseRejectedResult).reason as Error).message).to.equal('Rate exceeded');
    // Another region has its own bucket; other API groups are not limited.
    const west = ssmClient(aws, 'us-west-2', 1);
    await west.send(new GetParametersCommand({ Names: ['/q'] }));
    await c.send(new PutParameterCommand({ Name: '/q', Value: 'w', Overwrite: true }));
    const s = aws.stats();
    expect(s.throttles).to.equal(throttled.length);
    expect(s.throttlesByOperation['ssm:GetParameter']).to.equal(throttled.length);
    expect(s.operations['ssm:GetParameter']).to.equal(20);
    expect(s.byRegion['us-west-2']['ssm:GetParameters']).to.equal(1);
    c.destroy();
    west.destroy();
  });

  it('lets the SDK retry throttles until it succeeds', async () => {
    aws.setOptions({ getTps: 10 });
    const c = ssmClient(aws, 'us-east-1', 10);
    const out = await Promise.all(Array.from({ length: 15 }, () => c.send(new GetParametersByPathCommand({ Path: '/', Recursive: true }))));
    expect(out.every((o) => o.Parameters?.length === 1)).to.equal(true);
    expect(aws.stats().throttles).to.be.greaterThan(0);
    c.destroy();
  });

  it('adds latency before every answer', async () => {
    aws.setOptions({ latencyMs: 150 });
    const c = ssmClient(aws);
    const t0 = Date.now();
    await c.send(new GetParameterCommand({ Name: '/q' }));
    expect(Date.now() - t0).to.be.at.least(140);
    c.destroy();
  });

  it('injects faults by operation, region, match and times', async () => {
    aws.ssm.put('us-east-1', { Name: '/app/other', Value: 'o' });
    aws.faults.add({
      service: 'ssm',
      operation: 'GetParameter',
      region: 'us-east-1',
      match: '/q',
      error: { code: 'InternalServerError', status: 500, message: 'boom' },
      times: 2,
    });
    const c = ssmClient(aws);
    const west = ssmClient(aws, 'us-west-2');
    expect((await west.send(new GetParameterCommand({ Name: '/q' }))).Parameter?.Value).to.equal('v');
    expect((await c.send(new GetParameterCommand({ Name: '/app/other' }))).Parameter?.Value).to.equal('o');
    const e1 = await rejects(c.send(new GetParameterCommand({ Name: '/q' })));
    expect(e1.name).to.equal('InternalServerError');
    expect(e1.message).to.equal('boom');
    expect(e1.$metadata?.httpStatusCode).to.equal(500);
    await rejects(c.send(new GetParameterCommand({ Name: '/q' })));
    expect((await c.send(new GetParameterCommand({ Name: '/q' }))).Parameter?.Value).to.equal('v');
    expect(aws.stats().faultsInjected).to.equal(2);
    c.destroy();
    west.destroy();
  });

  it('a whenDecrypting fault fires only when a SecureString is decrypted', async () => {
    aws.kms.createKey('us-east-1', 'key-1', ['alias/app-secrets']);
    aws.ssm.put('us-east-1', { Name: '/app/secret', Value: 'TOPSECRET', Type: 'SecureString', KeyId: 'alias/app-secrets' });
    aws.faults.add({
      service: 'ssm',
      operation: 'GetParameters',
      match: '/app/secret',
      whenDecrypting: true,
      error: { code: 'AccessDeniedException', status: 400, message: 'not authorized to perform kms:Decrypt' },
    });
    const c = ssmClient(aws);
    const plain = await c.send(new GetParametersCommand({ Names: ['/app/secret', '/q'] }));
    expect(plain.Parameters).to.have.length(2);
    const err = await rejects(c.send(new GetParametersCommand({ Names: ['/app/secret', '/q'], WithDecryption: true })));
    expect(err.name).to.equal('AccessDeniedException');
    expect(err.message).to.equal('not authorized to perform kms:Decrypt');
    aws.faults.clear();
    aws.faults.add({ service: 'ssm', whenDecrypting: true, error: { code: 'AccessDeniedException', status: 400 } });
    expect((await c.send(new GetParameterCommand({ Name: '/q', WithDecryption: true }))).Parameter?.Value).to.equal('v');
    expect((await rejects(c.send(new GetParametersByPathCommand({ Path: '/app', WithDecryption: true })))).name).to.equal('AccessDeniedException');
    c.destroy();
  });

  it('injects S3 faults matched by key', async () => {
    aws.s3.createBucket('us-east-1', 'fb');
    aws.faults.add({
      service: 's3',
      operation: 'PutObject',
      match: '.tar.gz',
      error: { code: 'AccessDenied', status: 403, message: 'Access Denied' },
      times: 1,
    });
    const s3 = s3Client(aws);
    await s3.send(new PutObjectCommand({ Bucket: 'fb', Key: 'latest.txt', Body: 'x' }));
    const err = await rejects(s3.send(new PutObjectCommand({ Bucket: 'fb', Key: 'a.tar.gz', Body: 'x' })));
    expect(err.name).to.equal('AccessDenied');
    await s3.send(new PutObjectCommand({ Bucket: 'fb', Key: 'a.tar.gz', Body: 'x' }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'fb', Key: 'a.tar.gz' }))).Body?.transformToString()).to.equal('x');
    s3.destroy();
  });
});
