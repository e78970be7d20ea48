import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Adds `ExpectedBucketOwner` (the `x-amz-expected-bucket-owner` header) to every command the client sends, unless
 * the command names one itself: S3 then refuses with 403 AccessDenied a bucket that another account owns (a deleted
 * bucket whose name someone else took). One place, so no call can forget it: PutObject, the multipart calls of
 * @aws-sdk/lib-storage, GetObject, ListObjectsV2 and any later one. Commands without the field ignore it.
 * AWS: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html
 */
export function expectBucketOwner(client: S3Client, owner: () => Promise<string>): S3Client {
  type Args = { input: Record<string, unknown> };
  const middleware = (next: (args: Args) => Promise<unknown>) => async (args: Args) => {
    if (args.input.ExpectedBucketOwner === undefined) args.input = { ...args.input, ExpectedBucketOwner: await owner() };
    return next(args);
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'ssmBackupExpectedBucketOwner', override: true } as never);
  return client;
}
