/**
 * The plan file: what `ssm-backup plan --output-file` writes, `backup --plan-file` reads, and Jenkins reads to draw its
 * stages (BackupRun.units) and hands to every branch (stash), so a build plans once. Two shapes:
 * - single account: the plan itself (PlanFile);
 * - multi-account (an accounts parameter exists, issue 21): MultiAccountPlanFile, each account's own plan inside.
 */

/** One account's plan: its region list and where each region's archives go (read from its SSM configuration). */
export interface PlanFile {
  environment: string;
  /** Region holding /jenkins/{env}/backup/region-list (and, in the central account, the accounts parameter). */
  homeRegion: string;
  defaultRegion: string;
  regions: string[];
  /**
   * Where each region's archives go: the bucket (its parameter's value), or for a member of a central backup account
   * `bucket/{member account id}` (the key prefix there); null when neither the region nor the home region defines one.
   */
  buckets: Record<string, string | null>;
  /** Regions whose own bucket parameter could not be read (opt-in region not enabled, access denied): why. */
  bucketErrors: Record<string, string>;
  legacyBucket: string | null;
  legacyBucketMatches: boolean | null;
  warnings: string[];
  /** The warnings that concern each region (a subset of `warnings`), for that region's summary. */
  regionWarnings: Record<string, string[]>;
  /** Backup key ARN per region (null: none configured, SSE-S3 only); absent in a plan made without reading keys. */
  kmsKeys?: Record<string, string | null>;
  /** Regions whose key parameter could not be read: why (those regions fail: never a silent downgrade). */
  kmsKeyErrors?: Record<string, string>;
  drKmsKeys?: string[];
}

/** An entry of the accounts parameter, with that account's plan or why it could not be planned. */
export interface PlanAccount {
  accountId: string;
  roleArn: string;
  externalId?: string;
  /** The name Jenkins shows in stage names (`Backup {alias} {region}`). */
  alias?: string;
  /** The central backup account owning this member's buckets; its plan's buckets then read `bucket/{accountId}`. */
  backupAccountId?: string;
  plan?: PlanFile;
  /** Why the role could not be assumed or the configuration read: that account's units fail with it. */
  failure?: string;
}

export interface MultiAccountPlanFile {
  environment: string;
  homeRegion: string;
  accounts: PlanAccount[];
  /** The units in order, `{accountId}/{region}` (unitKey): one Jenkins stage each. */
  units: string[];
}

export const PLAN_FILE_FIELDS: readonly (keyof PlanFile)[] = [
  'environment',
  'homeRegion',
  'defaultRegion',
  'regions',
  'buckets',
  'bucketErrors',
  'legacyBucket',
  'legacyBucketMatches',
  'warnings',
  'regionWarnings',
  'kmsKeys',
  'kmsKeyErrors',
  'drKmsKeys',
];
export const MULTI_ACCOUNT_PLAN_FIELDS: readonly (keyof MultiAccountPlanFile)[] = ['environment', 'homeRegion', 'accounts', 'units'];
export const PLAN_ACCOUNT_FIELDS: readonly (keyof PlanAccount)[] = ['accountId', 'roleArn', 'externalId', 'alias', 'backupAccountId', 'plan', 'failure'];
