/**
 * Pulumi-only naming and tagging rules (logical names, type tokens, tags). The names AWS and
 * the engine see (environment and region rules, SSM keys, bucket names, KMS aliases) come from
 * the contract shared with the engine, ts/contract/naming.ts. No Pulumi runtime calls here, so every
 * rule is unit-tested directly (test/naming.test.ts).
 */

/** Pulumi project name: existing stacks and their config keys are bound to it. */
export const PROJECT = "jenkins-ssm-backup-s3";

/** Component resource type tokens (`package:module:Type`). */
export const REGIONAL_STORE_TYPE = "jenkins-ssm-backup:index:RegionalBackupStore";
export const HOME_METADATA_TYPE = "jenkins-ssm-backup:index:HomeRegionMetadata";
export const DR_KEY_TYPE = "jenkins-ssm-backup:index:DrKey";
export const MEMBER_ROLES_TYPE = "jenkins-ssm-backup:index:MemberRoles";
export const BACKUP_ACCOUNT_STORE_TYPE = "jenkins-ssm-backup:index:BackupAccountStore";

/** Logical (Pulumi) names: every per-region resource carries the region as suffix. */
export const logicalNames = {
    regionalStore: (region: string) => `ssm-backup-${region}`,
    backupAccountStore: (region: string) => `ssm-backup-account-${region}`,
    provider: (region: string) => `aws-${region}`,
    bucket: (region: string) => `ssm-backup-bucket-${region}`,
    versioning: (region: string) => `ssm-backup-bucket-versioning-${region}`,
    encryption: (region: string) => `ssm-backup-bucket-encryption-${region}`,
    publicAccessBlock: (region: string) => `ssm-backup-bucket-public-access-block-${region}`,
    ownershipControls: (region: string) => `ssm-backup-bucket-ownership-${region}`,
    lifecycle: (region: string) => `ssm-backup-bucket-lifecycle-${region}`,
    objectLock: (region: string) => `ssm-backup-bucket-object-lock-${region}`,
    policy: (region: string) => `ssm-backup-bucket-policy-${region}`,
    bucketNameParameter: (region: string) => `ssm-backup-bucket-name-param-${region}`,
    kmsKey: (region: string) => `ssm-backup-kms-key-${region}`,
    kmsAlias: (region: string) => `ssm-backup-kms-alias-${region}`,
    kmsKeyArnParameter: (region: string) => `ssm-backup-kms-key-arn-param-${region}`,
    accessLogBucket: (region: string) => `ssm-backup-access-logs-${region}`,
    accessLogEncryption: (region: string) => `ssm-backup-access-logs-encryption-${region}`,
    accessLogPublicAccessBlock: (region: string) => `ssm-backup-access-logs-public-access-block-${region}`,
    accessLogOwnershipControls: (region: string) => `ssm-backup-access-logs-ownership-${region}`,
    accessLogLifecycle: (region: string) => `ssm-backup-access-logs-lifecycle-${region}`,
    accessLogPolicy: (region: string) => `ssm-backup-access-logs-policy-${region}`,
    bucketLogging: (region: string) => `ssm-backup-bucket-logging-${region}`,
    alarm: (region: string) => `ssm-backup-alarm-${region}`,
    alarmTopic: (region: string) => `ssm-backup-alarm-topic-${region}`,
    alarmEmail: (region: string) => `ssm-backup-alarm-email-${region}`,
    accountsParameter: (homeRegion: string) => `ssm-backup-accounts-param-${homeRegion}`,
    drKey: (region: string) => `ssm-backup-dr-${region}`,
    drProvider: (region: string) => `aws-dr-${region}`,
    drKmsKey: (region: string) => `ssm-backup-dr-kms-key-${region}`,
    drKmsAlias: (region: string) => `ssm-backup-dr-kms-alias-${region}`,
    homeMetadata: (homeRegion: string) => `ssm-backup-home-${homeRegion}`,
    homeProvider: (homeRegion: string) => `aws-ssm-home-${homeRegion}`,
    regionListParameter: (homeRegion: string) => `ssm-backup-region-list-param-${homeRegion}`,
    defaultRegionParameter: (homeRegion: string) => `ssm-backup-default-region-param-${homeRegion}`,
    legacyBucketNameParameter: (homeRegion: string) => `ssm-backup-legacy-bucket-name-param-${homeRegion}`,
    drKmsKeyArnsParameter: (homeRegion: string) => `ssm-backup-dr-kms-key-arns-param-${homeRegion}`,
} as const;

/** Logical names of global (IAM) resources: no region, so moving ssmHomeRegion never renames them. */
export const globalLogicalNames = {
    memberRoles: "ssm-backup-member-roles",
    iamProvider: "aws-iam",
    backupRole: "ssm-backup-backup-role",
    restoreRole: "ssm-backup-restore-role",
    backupRolePolicy: "ssm-backup-backup-role-policy",
    restoreRolePolicy: "ssm-backup-restore-role-policy",
} as const;

/** Tags on every backup bucket. */
export function bucketTags(environment: string, region: string): Record<string, string> {
    return {
        Environment: environment,
        ManagedBy: "Pulumi",
        Region: region,
        Purpose: "SSM Parameter Store Backup",
        DataClassification: "Confidential",
    };
}

/** Tags on the KMS keys (archive encryption and DR keys). */
export function keyTags(environment: string, region: string, role: "backup" | "dr"): Record<string, string> {
    return {
        Environment: environment,
        ManagedBy: "Pulumi",
        Region: region,
        Purpose: role === "backup" ? "SSM Parameter Store Backup archive encryption" : "SSM Parameter Store Backup DR key",
    };
}

/** Tags on the SSM parameters this stack writes. */
export function parameterTags(environment: string, region: string): Record<string, string> {
    return {
        Environment: environment,
        ManagedBy: "Pulumi",
        Region: region,
        Purpose: "SSM Parameter Store Backup",
    };
}

/** JSON array string stored in the region-list parameter (config order kept). */
export function regionListValue(regions: readonly string[]): string {
    return JSON.stringify(regions);
}
