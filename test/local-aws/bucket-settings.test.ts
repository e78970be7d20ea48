import { expect } from 'chai';
import {
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLockConfigurationCommand,
  PutObjectLockConfigurationCommand,
  PutBucketPolicyCommand,
  GetBucketLocationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { rejects, s3Client } from './helpers.js';
import { hardenBucket, stackBucketPolicy } from '../helpers/buckets.js';

/** Bucket configuration subresources the `check` command reads (API reference of each Get/Put operation). */
describe('local-aws S3 bucket configuration: versioning, public access block, policy, lifecycle, object lock', () => {
  let aws: LocalAws;
  let s3: S3Client;
  beforeEach(async () => {
    aws = await startLocalAws();
    s3 = s3Client(aws, 'us-west-2');
    aws.s3.createBucket('us-west-2', 'b');
  });
  afterEach(async () => {
    s3.destroy();
    await aws.stop();
  });

  it('answers an unconfigured bucket as AWS documents: no versioning status, 404 with the documented code for the others', async () => {
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'b' }))).Status).to.equal(undefined);
    const codes = [
      [new GetPublicAccessBlockCommand({ Bucket: 'b' }), 'NoSuchPublicAccessBlockConfiguration'],
      [new GetBucketPolicyCommand({ Bucket: 'b' }), 'NoSuchBucketPolicy'],
      [new GetBucketLifecycleConfigurationCommand({ Bucket: 'b' }), 'NoSuchLifecycleConfiguration'],
      [new GetObjectLockConfigurationCommand({ Bucket: 'b' }), 'ObjectLockConfigurationNotFoundError'],
    ] as const;
    for (const [command, code] of codes) {
      const err = await rejects(s3.send(command as never));
      expect(err.name, code).to.equal(code);
      expect(err.$metadata?.httpStatusCode).to.equal(404);
    }
    expect((await rejects(s3.send(new GetBucketVersioningCommand({ Bucket: 'none' })))).name).to.equal('NoSuchBucket');
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: 'b' }))).LocationConstraint).to.equal('us-west-2');
  });

  it('answers back what was put, parsed by the SDK', async () => {
    await hardenBucket(s3, 'b', 45);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'b' }))).Status).to.equal('Enabled');
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'b' }))).PublicAccessBlockConfiguration).to.deep.equal({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: 'b' }))).Policy ?? '')).to.deep.equal(JSON.parse(stackBucketPolicy('b')));
    const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'b' }))).Rules ?? [];
    expect(rules.map((r) => [r.ID, r.Expiration?.Days, r.NoncurrentVersionExpiration?.NoncurrentDays])).to.deep.equal([
      ['expire-backups', 45, undefined],
      ['expire-noncurrent-versions', undefined, 30],
    ]);
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: 'b',
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } } },
      }),
    );
    const lock = (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'b' }))).ObjectLockConfiguration;
    expect(lock).to.deep.equal({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } } });
  });

  it('refuses a policy that is not JSON (MalformedPolicy)', async () => {
    expect((await rejects(s3.send(new PutBucketPolicyCommand({ Bucket: 'b', Policy: 'not json' })))).name).to.equal('MalformedPolicy');
  });
});
