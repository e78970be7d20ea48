/**
 * `check` of an environment: for every region of the plan, the configuration, the bucket, the keys and the
 * permissions (config, bucket.ts, keys.ts, access.ts), each a row OK / WARN / FAIL with its fix. Read-only.
 */
import type { AwsClientFactory } from '../aws/index.js';
import { configKeys, type PlanWithKeys } from '../config/index.js';
import { checkBucket } from './bucket.js';
import { checkKeys } from './keys.js';
import { checkAccess } from './access.js';
import { ok, warn, fail, why, type CheckResult } from './result.js';

/** The configuration rows of a region: its bucket parameter and the plan's warnings about it. */
export function checkConfiguration(plan: PlanWithKeys, region: string): CheckResult[] {
  const keys = configKeys(plan.environment);
  const bucket = plan.buckets[region];
  const out: CheckResult[] = [
    bucket
      ? ok(region, 'configuration', `${keys.regionBucket(region)} = ${bucket}`)
      : fail(
          region,
          'configuration',
          plan.bucketErrors[region] ?? `${keys.regionBucket(region)} not found in ${region} nor in ${plan.homeRegion}`,
          'run pulumi up for this region, or create the parameter',
          true,
        ),
  ];
  for (const w of plan.regionWarnings[region] ?? [])
    if (!w.startsWith('Bucket definition missing')) out.push(warn(region, 'configuration', w, 'see the message'));
  return out;
}

/** Every check of one region (configuration, bucket, keys, permissions), in table order. */
export async function checkRegion(aws: AwsClientFactory, plan: PlanWithKeys, region: string, account: string | undefined): Promise<CheckResult[]> {
  const bucket = plan.buckets[region] ?? null;
  const out = checkConfiguration(plan, region);
  if (bucket) out.push(...(await checkBucket(aws.s3(region), region, bucket, account, aws.archiveStoreOwner())));
  const key = { arn: plan.kmsKeys?.[region] ?? null, readError: plan.kmsKeyErrors?.[region] };
  out.push(...(await checkKeys((r) => aws.kms(r), region, key, plan.drKmsKeys ?? [])));
  const bucketUsable = !out.some((r) => r.check === 'bucket exists, region, owner' && r.status === 'FAIL');
  const probe = configKeys(plan.environment).regionBucket(region);
  out.push(...(await checkAccess({ ssm: aws.ssm(region), tagging: aws.tagging(region), s3: aws.s3(region) }, region, bucketUsable ? bucket : null, probe)));
  return out;
}

/** Every region of the plan, one after another; the caller's account is asked once (STS). */
export async function runChecks(aws: AwsClientFactory, plan: PlanWithKeys): Promise<CheckResult[]> {
  let account: string | undefined;
  const out: CheckResult[] = [];
  try {
    account = await aws.callerAccount(plan.homeRegion);
    out.push(ok(plan.homeRegion, 'credentials', `account ${account} (STS GetCallerIdentity)`));
  } catch (err) {
    return [fail(plan.homeRegion, 'credentials', why(err), 'give the job AWS credentials (credentialsId, an instance role, AWS_PROFILE)', true)];
  }
  for (const region of plan.regions) out.push(...(await checkRegion(aws, plan, region, account)));
  return out;
}

/** The process exit code of a check: 0 only with no FAIL. */
export const checkExitCode = (results: CheckResult[]): number => (results.some((r) => r.status === 'FAIL') ? 1 : 0);
