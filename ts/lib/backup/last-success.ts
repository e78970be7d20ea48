/**
 * After a region failed: when it last backed up successfully, from the archive latest.txt names (HeadObject of
 * latest.txt; its key carries the creation time), so the on-call reads it in the Slack preview.
 */
import { createdAtFromKey, latestPointerKey } from '../store/index.js';
import type { AwsClientFactory } from '../aws/index.js';

/** ISO-8601 creation time of the archive latest.txt names; null without (or with an empty) latest.txt; undefined when it cannot be read. */
export async function lastSuccessAt(aws: AwsClientFactory, bucket: string, region: string): Promise<string | null | undefined> {
  let key: string | undefined;
  try {
    key = await latestPointerKey(aws.s3(region), bucket, region);
  } catch {
    return undefined; // the failure itself is what the summary reports
  }
  return key === undefined ? null : (createdAtFromKey(key) ?? undefined);
}
