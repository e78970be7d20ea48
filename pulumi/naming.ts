/**
 * Pure naming and tagging rules. No Pulumi runtime calls here, so every rule is
 * unit-tested directly (test/naming.test.ts) and shared by the program and the tests.
 */

/** Pulumi project name: existing stacks and their config keys are bound to it. */
export const PROJECT = "jenkins-ssm-backup-s3";

/** Component resource type tokens (`package:module:Type`). */
export const REGIONAL_STORE_TYPE = "jenkins-ssm-backup:index:RegionalBackupStore";
export const HOME_METADATA_TYPE = "jenkins-ssm-backup:index:HomeRegionMetadata";

/**
 * AWS region names: two-letter area, optional partition marker (gov, iso, isob, ...),
 * a direction/location word and a number, e.g. `ap-northeast-1`, `us-gov-west-1`,
 * `eu-central-2`, `us-isob-east-1`.
 */
export const REGION_PATTERN = /^[a-z]{2}(?:-(?:gov|iso[a-z]?))?-[a-z]+-[0-9]{1,2}$/;

/** Environment names allowed in bucket names and SSM paths. */
export const ENVIRONMENT_PATTERN = /^[a-z0-9-]+$/;

/** Project names allowed as the start of an S3 bucket name. */
export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** AWS account ids are always 12 digits; used for the bucket-name length check. */
export const ACCOUNT_ID_LENGTH = 12;

/** S3 bucket names are at most 63 characters. */
export const MAX_BUCKET_NAME_LENGTH = 63;

export function isValidRegion(region: string): boolean {
    return REGION_PATTERN.test(region);
}

/** `${projectName}-ssm-backup-${environment}-${accountId}-${region}` */
export function bucketName(projectName: string, environment: string, accountId: string, region: string): string {
    return `${projectName}-ssm-backup-${environment}-${accountId}-${region}`;
}

/** Length the bucket name will have once the (12-digit) account id is known. */
export function bucketNameLength(projectName: string, environment: string, region: string): number {
    return bucketName(projectName, environment, "0".repeat(ACCOUNT_ID_LENGTH), region).length;
}

/** Logical (Pulumi) names: every per-region resource carries the region as suffix. */
export const logicalNames = {
    regionalStore: (region: string) => `ssm-backup-${region}`,
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
    homeMetadata: (homeRegion: string) => `ssm-backup-home-${homeRegion}`,
    homeProvider: (homeRegion: string) => `aws-ssm-home-${homeRegion}`,
    regionListParameter: (homeRegion: string) => `ssm-backup-region-list-param-${homeRegion}`,
    defaultRegionParameter: (homeRegion: string) => `ssm-backup-default-region-param-${homeRegion}`,
    legacyBucketNameParameter: (homeRegion: string) => `ssm-backup-legacy-bucket-name-param-${homeRegion}`,
} as const;

/** SSM Parameter Store keys read by the backup engine and the Jenkins library. */
export const ssmParameterNames = {
    regionalBucketName: (environment: string, region: string) => `/jenkins/${environment}/backup/${region}/s3-bucket-name`,
    regionList: (environment: string) => `/jenkins/${environment}/backup/region-list`,
    defaultRegion: (environment: string) => `/jenkins/${environment}/backup/default-region`,
    /** Key of the old single-region stack; points at the default region's bucket. */
    legacyBucketName: (environment: string) => `/jenkins/${environment}/backup/s3-bucket-name`,
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
