/**
 * Every permission a backup of the region needs, each proven by one read-only call the backup itself makes:
 * ssm:DescribeParameters, ssm:GetParameters, tag:GetResources, s3:ListBucket (ListObjectsV2), s3:GetObject (HeadObject
 * and GetObject of latest.txt). Nothing is written.
 */
import { DescribeParametersCommand, GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { ListObjectsV2Command, HeadObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LATEST_POINTER_KEY } from '../store/index.js';
import { ok, warn, fail, why, codeOf, isDenied, type CheckResult } from './result.js';

export interface AccessClients {
  ssm: SSMClient;
  tagging: ResourceGroupsTaggingAPIClient;
  s3: S3Client;
}

const GRANT = (action: string) => `grant ${action} to the backup role (iam/ssm-backup-backup-role.json)`;

async function attempt(region: string, name: string, action: string, call: () => Promise<string>, blocks = true): Promise<CheckResult> {
  try {
    return ok(region, name, await call());
  } catch (err) {
    if (!isDenied(err)) return fail(region, name, why(err), 'check the endpoint and the network', blocks);
    return fail(region, name, `denied: ${why(err)}`, GRANT(action), blocks);
  }
}

const missing = (err: unknown) =>
  ['NoSuchKey', 'NotFound'].includes(codeOf(err) ?? '') || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/** The permission checks of a region, in table order. `probeName`: a parameter to read (the bucket parameter). */
export async function checkAccess(c: AccessClients, region: string, bucket: string | null, probeName: string): Promise<CheckResult[]> {
  const out: CheckResult[] = [
    await attempt(region, 'ssm:DescribeParameters', 'ssm:DescribeParameters', async () => {
      await c.ssm.send(new DescribeParametersCommand({ MaxResults: 1 }));
      return 'lists parameters';
    }),
    await attempt(region, 'ssm:GetParameters', 'ssm:GetParameters (and kms:Decrypt for SecureString keys)', async () => {
      await c.ssm.send(new GetParametersCommand({ Names: [probeName], WithDecryption: true }));
      return 'reads values (with decryption)';
    }),
  ];
  try {
    await c.tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['ssm:parameter'], ResourcesPerPage: 1 }));
    out.push(ok(region, 'tag:GetResources', 'one tag sweep per region'));
  } catch (err) {
    const detail = `${why(err)}: tags are read with one ListTagsForResource per parameter (slow)`;
    out.push(
      isDenied(err)
        ? warn(region, 'tag:GetResources', detail, GRANT('tag:GetResources'))
        : fail(region, 'tag:GetResources', why(err), 'check the endpoint', true),
    );
  }
  if (!bucket) return out;
  out.push(
    await attempt(region, 's3:ListBucket', 's3:ListBucket', async () => {
      await c.s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
      return `lists s3://${bucket}`;
    }),
    await attempt(region, 's3:GetObject latest.txt', 's3:GetObject', async () => {
      try {
        await c.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: LATEST_POINTER_KEY }));
      } catch (err) {
        if (missing(err)) return 'no latest.txt yet: the first backup is not guarded';
        throw err;
      }
      const got = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: LATEST_POINTER_KEY, Range: 'bytes=0-4095' })).catch((err: unknown) => {
        if (codeOf(err) === 'InvalidRange') return undefined; // a 0-byte latest.txt (API reference of GetObject, "Range")
        throw err;
      });
      const text = ((await got?.Body?.transformToString()) ?? '').trim();
      return text ? `latest.txt names ${text}` : 'latest.txt is empty: the next backup rewrites it';
    }),
  );
  return out;
}
