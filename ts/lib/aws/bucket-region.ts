import type { S3Client } from '@aws-sdk/client-s3';
import { ssmParameterNames } from '../../contract/naming.js';
import { attachWrongBucketRegion } from '../support/index.js';

/**
 * S3 answers a request for a bucket of another region with 301 PermanentRedirect, 400 AuthorizationHeaderMalformed
 * or 400 IllegalLocationConstraintException, and names the bucket's region in the `x-amz-bucket-region` header, also
 * when the answer has no body (HEAD: the SDK then knows no error code). This middleware reads that header
 * (`$response`, as the SDK's own region-redirect middleware does; redirects are never followed: a bucket parameter
 * naming another region's bucket is a configuration mistake) and attaches the facts to the error, for
 * describeAwsError. `environment` names the parameter to fix. AWS: S3 User Guide, "Making requests" (redirects).
 */
export function bucketRegionErrors(client: S3Client, region: string, environment: string | undefined): S3Client {
  type Args = { input: Record<string, unknown> };
  const middleware = (next: (args: Args) => Promise<unknown>) => async (args: Args) => {
    try {
      return await next(args);
    } catch (err) {
      const headers = (err as { $response?: { headers?: Record<string, string | undefined> } })?.$response?.headers ?? {};
      const bucketRegion = headers['x-amz-bucket-region'];
      const bucket = args.input.Bucket;
      if (bucketRegion && bucketRegion !== region && typeof bucket === 'string' && err && typeof err === 'object') {
        const parameter = ssmParameterNames(environment ?? '<environment>').regionBucket(region);
        const message = `bucket ${bucket} is in region ${bucketRegion}, not ${region}: fix ${parameter} or create the bucket in ${region}`;
        attachWrongBucketRegion(err, { bucket, bucketRegion, region, message });
      }
      throw err;
    }
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'ssmBackupWrongBucketRegion', override: true } as never);
  return client;
}
