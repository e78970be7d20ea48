/**
 * The backup bucket of a region, read-only: it exists in that region and belongs to our account (GetBucketLocation
 * with ExpectedBucketOwner), versioning, public access block, the stack's policy statements (deny non-TLS, deny
 * PutObject without SSE AES256: pulumi/regionalBackupStore.ts), a lifecycle that keeps archives long enough, and the
 * object lock state. API reference pages of GetBucketLocation, GetBucketVersioning, GetPublicAccessBlock,
 * GetBucketPolicy, GetBucketLifecycleConfiguration and GetObjectLockConfiguration.
 */
import {
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLockConfigurationCommand,
  ListObjectsV2Command,
  type S3Client,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { ok, warn, fail, why, codeOf, isDenied, type CheckResult } from './result.js';
import { wrongBucketRegion } from '../support/index.js';
import { isMemberPrefix } from '../aws/index.js';

/** Archives must outlive this many days: the guard compares with the archive latest.txt names, which may be that old when backups stopped. */
export const MIN_ARCHIVE_RETENTION_DAYS = 30;

const STACK = 'run pulumi up for this region (the stack sets it), or set it by hand';

/** Whether the bucket is usable: exists, in `region`, owned by `account`. Stops the other bucket checks when not. */
async function bucketHome(s3: S3Client, region: string, bucket: string, account: string | undefined): Promise<CheckResult> {
  const name = 'bucket exists, region, owner';
  try {
    const out = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    const where = out.LocationConstraint || 'us-east-1';
    if (where !== region)
      return fail(region, name, `s3://${bucket} is in ${where}`, `point /jenkins/<env>/backup/${region}/s3-bucket-name at a bucket in ${region}`, true);
    return ok(region, name, `s3://${bucket} in ${region}, owned by ${account ?? 'this account'}`);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'NoSuchBucket')
      return fail(region, name, `s3://${bucket} does not exist`, `create it (pulumi up for ${region}) or correct its bucket parameter`, true);
    const wrong = wrongBucketRegion(err);
    if (wrong) return fail(region, name, `s3://${bucket} is in ${wrong.bucketRegion}, not ${region}`, wrong.message.replace(/^.*?: fix /, 'correct '), true);
    if (code === 'AuthorizationHeaderMalformed' || code === 'PermanentRedirect' || code === 'IllegalLocationConstraintException')
      return fail(region, name, `s3://${bucket} is not in ${region} (${code})`, `point the bucket parameter of ${region} at a bucket in ${region}`, true);
    if (isDenied(err))
      return fail(
        region,
        name,
        `s3://${bucket}: access denied (not owned by account ${account ?? '?'}, or s3:GetBucketLocation not granted)`,
        'check the bucket name and the role policy (iam/)',
        true,
      );
    return fail(region, name, `s3://${bucket}: ${why(err)}`, 'check the bucket and the endpoint', true);
  }
}

async function versioning(s3: S3Client, region: string, bucket: string): Promise<CheckResult> {
  const out = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  if (out.Status === 'Enabled') return ok(region, 'versioning', 'Enabled');
  return fail(region, 'versioning', `${out.Status ?? 'never enabled'}: an overwritten or deleted archive cannot be recovered`, `enable versioning: ${STACK}`);
}

async function publicAccess(s3: S3Client, region: string, bucket: string): Promise<CheckResult> {
  const name = 'public access block';
  try {
    const c = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration ?? {};
    const off = (['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const).filter((k) => c[k] !== true);
    if (!off.length) return ok(region, name, 'all four settings on');
    return fail(region, name, `off: ${off.join(', ')}`, `turn all four on: ${STACK}`);
  } catch (err) {
    if (codeOf(err) !== 'NoSuchPublicAccessBlockConfiguration') throw err;
    return fail(region, name, 'none on the bucket', `block all public access: ${STACK}`);
  }
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action ?? '']);
const condition = (s: Statement, op: string, key: string) => String(s.Condition?.[op]?.[key] ?? '');

async function policy(s3: S3Client, region: string, bucket: string): Promise<CheckResult[]> {
  const tls = 'policy denies non-TLS';
  const sse = 'policy denies unencrypted writes';
  let statements: Statement[];
  try {
    const doc = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}') as { Statement?: Statement | Statement[] };
    statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  } catch (err) {
    if (codeOf(err) !== 'NoSuchBucketPolicy') throw err;
    return [
      fail(region, tls, 'no bucket policy', `add the stack's policy: ${STACK}`),
      fail(region, sse, 'no bucket policy', `add the stack's policy: ${STACK}`),
    ];
  }
  const deny = statements.filter((s) => s.Effect === 'Deny');
  const hasTls = deny.some((s) => actions(s).some((a) => a === 's3:*' || a === '*') && condition(s, 'Bool', 'aws:SecureTransport') === 'false');
  const hasSse = deny.some(
    (s) => actions(s).some((a) => ['s3:PutObject', 's3:*', '*'].includes(a)) && condition(s, 'StringNotEquals', 's3:x-amz-server-side-encryption') !== '',
  );
  return [
    hasTls
      ? ok(region, tls, 'Deny s3:* when aws:SecureTransport is false')
      : fail(region, tls, 'no such Deny statement', `add DenyInsecureTransport: ${STACK}`),
    hasSse
      ? ok(region, sse, 'Deny s3:PutObject without x-amz-server-side-encryption')
      : fail(region, sse, 'no such Deny statement', `add DenyPutObjectWithoutSSES3: ${STACK}`),
  ];
}

/** Enabled rules that expire current objects (archives included) within `days`: a filter with a prefix other than archives' is not looked into. */
function expiringRules(rules: LifecycleRule[]): { id: string; days: number }[] {
  return rules
    .filter((r) => r.Status === 'Enabled' && typeof r.Expiration?.Days === 'number')
    .map((r) => ({ id: r.ID ?? '(no id)', days: r.Expiration?.Days as number }));
}

async function lifecycle(s3: S3Client, region: string, bucket: string): Promise<CheckResult> {
  const name = 'lifecycle keeps archives';
  try {
    const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? [];
    const expiring = expiringRules(rules);
    const shortest = expiring.sort((a, b) => a.days - b.days)[0];
    if (!shortest) return ok(region, name, 'archives never expire');
    if (shortest.days >= MIN_ARCHIVE_RETENTION_DAYS) return ok(region, name, `archives expire after ${shortest.days} days (rule ${shortest.id})`);
    return warn(
      region,
      name,
      `archives expire after ${shortest.days} days (rule ${shortest.id}): after ${shortest.days} days without a successful backup the archive latest.txt names is gone and the shrink guard has nothing to compare with`,
      `keep archives at least ${MIN_ARCHIVE_RETENTION_DAYS} days (pulumi config retentionDays)`,
    );
  } catch (err) {
    if (codeOf(err) !== 'NoSuchLifecycleConfiguration') throw err;
    return ok(region, name, 'no lifecycle: archives never expire');
  }
}

async function objectLock(s3: S3Client, region: string, bucket: string): Promise<CheckResult> {
  const name = 'object lock';
  try {
    const c = (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration;
    const r = c?.Rule?.DefaultRetention;
    return ok(region, name, `${c?.ObjectLockEnabled ?? 'not enabled'}${r ? ` (default ${r.Mode} ${r.Days ?? r.Years} ${r.Days ? 'days' : 'years'})` : ''}`);
  } catch (err) {
    if (codeOf(err) !== 'ObjectLockConfigurationNotFoundError') throw err;
    return ok(region, name, 'not enabled (pulumi config objectLock: true makes archives undeletable for their retention)');
  }
}

/**
 * A member of a central backup account (its archive location is `bucket/{member}`): the bucket and its settings
 * belong to the backup account, whose policy lets the member list and write only under its prefix, so only that is
 * checked here (ListObjectsV2 under the prefix, ExpectedBucketOwner = the backup account); the settings are checked
 * with `ssm-backup check` in the backup account's stack.
 */
async function memberPrefix(s3: S3Client, region: string, location: string, owner: string | undefined): Promise<CheckResult> {
  const name = 'bucket exists, region, owner';
  try {
    await s3.send(new ListObjectsV2Command({ Bucket: location, MaxKeys: 1 }));
    return ok(region, name, `s3://${location}/: this account's prefix in a bucket of the backup account ${owner ?? ''} (its settings are checked there)`);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'NoSuchBucket')
      return fail(
        region,
        name,
        `s3://${location.split('/')[0]} does not exist`,
        'create it in the backup account (pulumi up there) or correct the bucket parameter',
        true,
      );
    const wrong = wrongBucketRegion(err);
    if (wrong) return fail(region, name, `s3://${location} is in ${wrong.bucketRegion}, not ${region}`, wrong.message.replace(/^.*?: fix /, 'correct '), true);
    if (isDenied(err))
      return fail(
        region,
        name,
        `s3://${location}/: access denied (the bucket is not owned by the backup account ${owner ?? '?'}, or its policy does not admit this role under the prefix)`,
        "check backupAccountId and the backup account's bucket policy (pulumi memberAccounts)",
        true,
      );
    return fail(region, name, `s3://${location}/: ${why(err)}`, 'check the bucket and the endpoint', true);
  }
}

/** Every bucket check of a region, in table order; an unreadable setting is a FAIL naming the call. */
export async function checkBucket(s3: S3Client, region: string, bucket: string, account: string | undefined, backupAccount?: string): Promise<CheckResult[]> {
  if (isMemberPrefix(bucket)) return [await memberPrefix(s3, region, bucket, backupAccount)];
  const home = await bucketHome(s3, region, bucket, account);
  if (home.status !== 'OK') return [home];
  const guarded = async (name: string, call: string, f: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> => {
    try {
      return [await f()].flat();
    } catch (err) {
      if (isDenied(err))
        return [
          warn(region, name, `not checked: ${call} denied to this identity`, `run check with a role that may read the bucket's configuration (s3:${call})`),
        ];
      return [fail(region, name, `${call}: ${why(err)}`, 'check the bucket and the endpoint')];
    }
  };
  return [
    home,
    ...(await guarded('versioning', 'GetBucketVersioning', () => versioning(s3, region, bucket))),
    ...(await guarded('public access block', 'GetBucketPublicAccessBlock', () => publicAccess(s3, region, bucket))),
    ...(await guarded('bucket policy', 'GetBucketPolicy', () => policy(s3, region, bucket))),
    ...(await guarded('lifecycle keeps archives', 'GetLifecycleConfiguration', () => lifecycle(s3, region, bucket))),
    ...(await guarded('object lock', 'GetBucketObjectLockConfiguration', () => objectLock(s3, region, bucket))),
  ];
}
