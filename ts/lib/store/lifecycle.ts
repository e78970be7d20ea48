/**
 * When the bucket's lifecycle expires an archive (GetBucketLifecycleConfiguration; read by `status`, never written).
 * S3 "calculates the time by adding the number of days specified in the rule to the object creation time and rounding
 * the resulting time to the next day midnight UTC" (S3 User Guide, "Lifecycle configuration elements", Expiration).
 */
import { GetBucketLifecycleConfigurationCommand, type LifecycleRule, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorCode, describeAwsError } from '../support/index.js';
import { isMemberPrefix } from '../aws/index.js';

/** The bucket's expiration rules (enabled, with Days) or why they are not known. */
export type BucketExpiry = { rules: { id: string; prefix: string; days: number }[] } | { unknown: string };

/** Enabled current-version Expiration rules with Days (a bucket without lifecycle configuration has none). */
export async function bucketExpiry(s3: S3Client, bucket: string): Promise<BucketExpiry> {
  // A member's prefix in a central backup account's bucket: the lifecycle is the backup account's, not readable here.
  if (isMemberPrefix(bucket)) return { unknown: "the bucket's lifecycle is the backup account's (see its status there)" };
  try {
    const out = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    return { rules: (out.Rules ?? []).flatMap(expirationRule) };
  } catch (err) {
    if (awsErrorCode(err) === 'NoSuchLifecycleConfiguration') return { rules: [] };
    return { unknown: describeAwsError(err) };
  }
}

function expirationRule(r: LifecycleRule): { id: string; prefix: string; days: number }[] {
  const days = r.Expiration?.Days;
  if (r.Status !== 'Enabled' || !days) return [];
  // A rule filtered by tags or size may not apply to an archive: only prefix filters (or none) are taken.
  const f = r.Filter;
  if (f && (f.Tag || f.And || f.ObjectSizeGreaterThan !== undefined || f.ObjectSizeLessThan !== undefined)) return [];
  return [{ id: r.ID ?? '', prefix: f?.Prefix ?? r.Prefix ?? '', days }];
}

/** When the first matching rule expires `key` (created at `lastModified`, ISO-8601): ISO-8601, or null when none does. */
export function expiresAt(expiry: { rules: { prefix: string; days: number }[] }, key: string, lastModified: string): string | null {
  const days = expiry.rules.filter((r) => key.startsWith(r.prefix)).map((r) => r.days);
  if (!days.length) return null;
  const t = new Date(lastModified).getTime() + Math.min(...days) * 86400_000;
  const midnight = Math.ceil(t / 86400_000) * 86400_000;
  return new Date(midnight).toISOString();
}
