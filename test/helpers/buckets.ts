import {
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutBucketLifecycleConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** The bucket policy the Pulumi stack writes (pulumi/regionalBackupStore.ts backupBucketPolicyDocument). */
export function stackBucketPolicy(bucket: string, opts: { tls?: boolean } = {}): string {
  const arn = `arn:aws:s3:::${bucket}`;
  const statements = [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [arn, `${arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'DenyPutObjectWithoutSSES3',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `${arn}/*`,
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
    },
  ];
  return JSON.stringify({ Version: '2012-10-17', Statement: opts.tls === false ? statements.slice(1) : statements });
}

/**
 * Configures a bucket through the S3 API as the Pulumi stack does: versioning, public access block, policy, lifecycle.
 * `tls: false` leaves out the statement denying non-TLS requests: moto evaluates it for object requests, and its
 * endpoint is plain HTTP (so would AWS: the statement is right, the emulator's transport is not TLS).
 */
export async function hardenBucket(s3: S3Client, bucket: string, retentionDays = 90, opts: { tls?: boolean } = {}): Promise<void> {
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }),
  );
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: stackBucketPolicy(bucket, opts) }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: [
          { ID: 'expire-backups', Status: 'Enabled', Filter: {}, Expiration: { Days: retentionDays } },
          { ID: 'expire-noncurrent-versions', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 30 } },
        ],
      },
    }),
  );
}
