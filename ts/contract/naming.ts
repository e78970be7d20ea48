/**
 * The naming contract shared by the engine (ts/, bundled by esbuild) and the Pulumi program
 * (pulumi/, compiled by its own tsconfig as CommonJS and run by the Pulumi CLI's ts-node):
 * environment and region rules, every SSM key the stack writes and the engine reads, the
 * bucket and KMS alias naming rules.
 *
 * Dependency-free on purpose (no imports at all): both module systems load it as is, and a
 * change here changes both sides at once. test/contract/naming.test.ts and
 * pulumi/test/namingContract.test.ts feed the same table (test/fixtures/naming-contract.json)
 * to the engine's validators and to Pulumi's config validation.
 */

/** Longest environment name: keeps bucket names (63 characters at most) within reach. */
export const ENVIRONMENT_MAX_LENGTH = 32;

/**
 * Environment names: 1-32 lowercase letters, digits and single '-' between them, so starting
 * and ending with a letter or digit (`dev`, `prod-eu`, `qa2`). The environment is a segment of
 * every SSM key (`/jenkins/{env}/backup/...`), bucket name and KMS alias. S3 itself would
 * accept a leading/trailing or doubled '-' here (the environment sits inside the bucket name),
 * but that puts `--` into bucket names, the separator S3 uses for reserved suffixes
 * (`--ol-s3`, `--x-s3`); so both sides refuse it. Decided for issue "one naming contract".
 */
export const ENVIRONMENT_PATTERN = /^(?=.{1,32}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The environment rule in words, for error messages on both sides. */
export const ENVIRONMENT_RULE = "1-32 lowercase letters, digits and single '-', starting and ending with a letter or digit";

/**
 * AWS partitions and the region names each one accepts, after the AWS SDK's endpoint rules
 * (`partitions.json` in @aws-sdk/core: `regionRegex`, `dnsSuffix`), with the location word
 * narrowed from `\w+` to letters and the number to 1-2 digits.
 */
export const PARTITIONS = [
  { id: 'aws', regionPattern: /^(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d{1,2}$/, dnsSuffix: 'amazonaws.com' },
  { id: 'aws-cn', regionPattern: /^cn-[a-z]+-\d{1,2}$/, dnsSuffix: 'amazonaws.com.cn' },
  { id: 'aws-us-gov', regionPattern: /^us-gov-[a-z]+-\d{1,2}$/, dnsSuffix: 'amazonaws.com' },
  { id: 'aws-iso', regionPattern: /^us-iso-[a-z]+-\d{1,2}$/, dnsSuffix: 'c2s.ic.gov' },
  { id: 'aws-iso-b', regionPattern: /^us-isob-[a-z]+-\d{1,2}$/, dnsSuffix: 'sc2s.sgov.gov' },
  { id: 'aws-iso-e', regionPattern: /^eu-isoe-[a-z]+-\d{1,2}$/, dnsSuffix: 'cloud.adc-e.uk' },
  { id: 'aws-iso-f', regionPattern: /^us-isof-[a-z]+-\d{1,2}$/, dnsSuffix: 'csp.hci.ic.gov' },
  { id: 'aws-eusc', regionPattern: /^eusc-de-[a-z]+-\d{1,2}$/, dnsSuffix: 'amazonaws.eu' },
] as const;

export type Partition = (typeof PARTITIONS)[number];

/**
 * Region names of every partition above, in one expression (`us-west-2`, `us-gov-west-1`,
 * `cn-north-1`, `us-isob-east-1`, `eu-isoe-west-1`, `eusc-de-east-1`). A test checks that it
 * accepts exactly what the partition table accepts.
 */
export const REGION_PATTERN = /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+|us-(?:gov|iso|isob|isof)-[a-z]+|eu-isoe-[a-z]+|eusc-de-[a-z]+)-\d{1,2}$/;

/** The region rule in words, for error messages on both sides. */
export const REGION_RULE = 'AWS region names such as us-west-2';

export function isValidEnvironment(environment: string): boolean {
  return ENVIRONMENT_PATTERN.test(environment);
}

export function isValidRegion(region: string): boolean {
  return REGION_PATTERN.test(region);
}

/** The partition a region belongs to, or undefined for a name no partition accepts. */
export function partitionOf(region: string): Partition | undefined {
  return PARTITIONS.find((partition) => partition.regionPattern.test(region));
}

/**
 * Every SSM Parameter Store key the Pulumi stack writes and the engine reads, for one
 * environment. Values are plain `String` parameters:
 * - `regionList` (home region): JSON array of region names, in backup order;
 * - `defaultRegion` (home region): one region name;
 * - `legacyBucket` (home region): bucket name of the default region (old single-region key);
 * - `drKmsKeyArns` (home region): JSON array of the DR KMS key ARNs (`[]` when none);
 * - `regionBucket(region)` (in that region): the region's backup bucket name;
 * - `kmsKeyArn(region)` (in that region): ARN of the region's archive encryption KMS key.
 */
export function ssmParameterNames(environment: string) {
  const base = `/jenkins/${environment}/backup`;
  return {
    regionList: `${base}/region-list`,
    defaultRegion: `${base}/default-region`,
    legacyBucket: `${base}/s3-bucket-name`,
    drKmsKeyArns: `${base}/dr-kms-key-arns`,
    /** Home region of the central account only: JSON list of {accountId, roleArn, externalId?, alias?} (multi-account, issue 21). */
    accounts: `${base}/accounts`,
    regionBucket: (region: string) => `${base}/${region}/s3-bucket-name`,
    kmsKeyArn: (region: string) => `${base}/${region}/kms-key-arn`,
  };
}

/** True for the backup configuration of any environment: /jenkins/{environment}/backup and every key below it. */
export function isBackupConfigurationName(name: string): boolean {
  return /^\/jenkins\/[^/]+\/backup(\/|$)/.test(name);
}

/** Every key under this path belongs to the backup configuration of the environment. */
export function ssmParameterPath(environment: string): string {
  return `/jenkins/${environment}/backup`;
}

/** AWS account ids are always 12 digits; used for the bucket-name length check. */
export const ACCOUNT_ID_LENGTH = 12;

/** S3 bucket names are 3-63 characters (S3 User Guide, "General purpose bucket naming rules"). */
export const MAX_BUCKET_NAME_LENGTH = 63;

/** Project names start the bucket names: lowercase letters, digits and '-', starting with a letter or digit. */
export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** Bucket name prefixes S3 reserves (S3 User Guide, "General purpose bucket naming rules"). */
export const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;

/** Backup bucket: `{projectName}-ssm-backup-{environment}-{accountId}-{region}`. */
export function bucketName(projectName: string, environment: string, accountId: string, region: string): string {
  return `${projectName}-ssm-backup-${environment}-${accountId}-${region}`;
}

/**
 * Names of the roles a member stack creates in each member account (issue 21), which the engine assumes by default:
 * the backup role (the accounts entry's default roleArn) and the restore role (restore, verify, diff with --account or
 * --target-account). IAM role names: 1-64 of `[\w+=,.@-]`; environments are at most 32 characters.
 */
export function memberRoleNames(environment: string): { backup: string; restore: string } {
  return { backup: `jenkins-ssm-backup-${environment}`, restore: `jenkins-ssm-restore-${environment}` };
}

/** S3 server access log bucket of a backup bucket: `{projectName}-ssm-backup-logs-{environment}-{accountId}-{region}`. */
export function accessLogBucketName(projectName: string, environment: string, accountId: string, region: string): string {
  return `${projectName}-ssm-backup-logs-${environment}-${accountId}-${region}`;
}

/**
 * Why the bucket names of a project/environment/region would be refused by S3, or undefined.
 * `accessLogs` also checks the (longer) access-log bucket name. Names are checked with a
 * 12-digit placeholder account id, since the real one is only known at deploy time.
 */
export function bucketNameProblem(projectName: string, environment: string, region: string, accessLogs = false): string | undefined {
  if (!PROJECT_NAME_PATTERN.test(projectName)) {
    return `projectName "${projectName}" is invalid: use lowercase letters, digits or '-', starting with a letter or digit (S3 bucket naming)`;
  }
  const reserved = RESERVED_BUCKET_PREFIXES.find((prefix) => projectName.startsWith(prefix));
  if (reserved) return `projectName "${projectName}" is invalid: S3 reserves bucket names starting with "${reserved}"`;
  const account = '0'.repeat(ACCOUNT_ID_LENGTH);
  const names = [bucketName(projectName, environment, account, region)];
  if (accessLogs) names.push(accessLogBucketName(projectName, environment, account, region));
  const longest = names.reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > MAX_BUCKET_NAME_LENGTH) {
    return `Bucket name for ${region} would be ${longest.length} characters (S3 allows ${MAX_BUCKET_NAME_LENGTH}): shorten projectName or environment`;
  }
  return undefined;
}

/**
 * KMS alias of a region's archive encryption key: `alias/jenkins/{environment}/backup`, the
 * SSM path in alias form. Aliases are per region, so every backup region uses the same name.
 * (KMS: `alias/` + letters, digits, '/', '_', '-'; never `alias/aws/`.)
 */
export function kmsAliasName(environment: string): string {
  return `alias/jenkins/${environment}/backup`;
}

/** KMS alias of a DR key (one per DR region; a DR region may also be a backup region). */
export function drKmsAliasName(environment: string): string {
  return `alias/jenkins/${environment}/backup-dr`;
}

/**
 * The encryption context pair that marks a format 2 name index (the engine's store/sealed-index.ts) apart from an
 * archive. Key policies and the backup role's IAM policy (pulumi/) let the backup role `kms:Decrypt` only messages
 * carrying it (`kms:EncryptionContext:content`): the shrink guard reads the previous archive's names, never values.
 */
export const NAME_INDEX_CONTEXT = { key: 'content', value: 'name-index' } as const;

/**
 * The time stamp in an archive's object key (`...-YYYYMMDD_HHMMSS.tar.gz`, UTC; `.tgz` and `.json` too), else
 * undefined. The engine writes it from the same clock reading as the `backup_timestamp` inside the archive.
 */
export function archiveKeyStamp(key: string): string | undefined {
  return /(\d{8}_\d{6})\.(?:tar\.gz|tgz|json)$/.exec(key)?.[1];
}
