import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketName, kmsAliasName, ssmParameterNames } from "../ts/contract/naming";
import { accessLogBucket } from "./accessLogs";
import { BackupStackConfig } from "./config";
import { BackupAlarm, backupAlarm } from "./alarm";
import { KeyUsers, archiveKey } from "./kms";
import { REGIONAL_STORE_TYPE, bucketTags, keyTags, logicalNames, parameterTags } from "./naming";

/** Incomplete multipart uploads (e.g. an interrupted backup upload) are aborted after this many days. */
export const ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS = 7;

/** Lifecycle rule ids (stable: changing them rewrites the lifecycle configuration). */
export const LIFECYCLE_RULE_IDS = {
    expireCurrent: "expire-backups",
    expireNoncurrent: "expire-noncurrent-versions",
    abortMultipart: "abort-incomplete-multipart-uploads",
    deleteMarkers: "remove-expired-delete-markers",
} as const;

/** Policy statement ids. */
export const POLICY_SIDS = {
    denyInsecureTransport: "DenyInsecureTransport",
    denyUnencryptedUploads: "DenyPutObjectWithoutSSES3",
} as const;

/**
 * Bucket policy for a backup bucket (pure; tested on its own and through the mocks):
 * - deny every request that is not sent over TLS;
 * - deny `s3:PutObject` unless the request carries `x-amz-server-side-encryption: AES256`.
 *   `StringNotEquals` is also true when the header is absent, so uploads without the header
 *   are denied too: writers (the backup engine) must send `ServerSideEncryption: "AES256"`.
 */
export function backupBucketPolicyDocument(bucketArn: string): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: POLICY_SIDS.denyInsecureTransport,
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: POLICY_SIDS.denyUnencryptedUploads,
                Effect: "Deny",
                Principal: "*",
                Action: "s3:PutObject",
                Resource: `${bucketArn}/*`,
                Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "AES256" } },
            },
        ],
    };
}

export interface RegionalBackupStoreArgs {
    readonly region: string;
    readonly config: BackupStackConfig;
    readonly keyUsers?: KeyUsers;
}

/**
 * Everything one region needs: an explicit AWS provider pinned to the region, the hardened
 * backup bucket with its configuration resources, the bucket policy, the archive encryption
 * KMS key and alias, optionally an access log bucket, and the SSM parameters
 * `/jenkins/{environment}/backup/{region}/s3-bucket-name` and `.../{region}/kms-key-arn` in
 * that same region.
 *
 * Every child's logical name ends with the region, so adding or removing a region never
 * renames another region's resources. The bucket is `protect`ed and, like its configuration
 * resources, `retainOnDelete`: removing a region from config never deletes the bucket or
 * strips its encryption, versioning, public access block or policy (see README). The KMS key
 * is kept the same way.
 */
export class RegionalBackupStore extends pulumi.ComponentResource {
    public readonly region: string;
    public readonly provider: aws.Provider;
    public readonly bucket: aws.s3.Bucket;
    public readonly versioning: aws.s3.BucketVersioning;
    public readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
    public readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
    public readonly ownershipControls: aws.s3.BucketOwnershipControls;
    public readonly lifecycle: aws.s3.BucketLifecycleConfiguration;
    public readonly objectLock?: aws.s3.BucketObjectLockConfiguration;
    public readonly policy: aws.s3.BucketPolicy;
    public readonly bucketNameParameter: aws.ssm.Parameter;
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly accountId: pulumi.Output<string>;
    /** Archive encryption key of the region and its alias. */
    public readonly kmsKey: aws.kms.Key;
    public readonly kmsAlias: aws.kms.Alias;
    public readonly kmsKeyArnParameter: aws.ssm.Parameter;
    /** Only with `accessLogs: true`. */
    public readonly accessLogBucket?: aws.s3.Bucket;
    /** The "no successful backup" alarm (and topic), unless `backupAlarm: false`. */
    public readonly alarm?: BackupAlarm;

    constructor(args: RegionalBackupStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        const { region, config } = args;
        super(REGIONAL_STORE_TYPE, logicalNames.regionalStore(region), {}, opts);
        this.region = region;

        this.provider = new aws.Provider(logicalNames.provider(region), { region }, { parent: this });
        const provider = this.provider;
        const child: pulumi.CustomResourceOptions = { parent: this, provider };
        // Configuration resources stay in AWS if they ever leave the program (region removed).
        const retained: pulumi.CustomResourceOptions = { ...child, retainOnDelete: true };

        const identity = aws.getCallerIdentityOutput({}, { parent: this, provider });
        this.accountId = identity.accountId;
        const name = identity.accountId.apply((accountId) => bucketName(config.projectName, config.environment, accountId, region));

        this.bucket = new aws.s3.Bucket(
            logicalNames.bucket(region),
            {
                bucket: name,
                tags: bucketTags(config.environment, region),
                // No forceDestroy: a bucket holding backups must never be emptied by Pulumi.
            },
            { ...retained, protect: true },
        );
        const bucketId = this.bucket.id;

        this.versioning = new aws.s3.BucketVersioning(
            logicalNames.versioning(region),
            { bucket: bucketId, versioningConfiguration: { status: "Enabled" } },
            retained,
        );

        this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            logicalNames.encryption(region),
            {
                bucket: bucketId,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            retained,
        );

        this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            logicalNames.publicAccessBlock(region),
            {
                bucket: bucketId,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            retained,
        );

        this.ownershipControls = new aws.s3.BucketOwnershipControls(
            logicalNames.ownershipControls(region),
            { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } },
            retained,
        );

        this.lifecycle = new aws.s3.BucketLifecycleConfiguration(
            logicalNames.lifecycle(region),
            {
                bucket: bucketId,
                rules: [
                    {
                        id: LIFECYCLE_RULE_IDS.expireCurrent,
                        status: "Enabled",
                        filter: {},
                        expiration: { days: config.retentionDays },
                    },
                    {
                        id: LIFECYCLE_RULE_IDS.expireNoncurrent,
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: config.noncurrentVersionRetentionDays },
                    },
                    {
                        id: LIFECYCLE_RULE_IDS.abortMultipart,
                        status: "Enabled",
                        filter: {},
                        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS },
                    },
                    {
                        id: LIFECYCLE_RULE_IDS.deleteMarkers,
                        status: "Enabled",
                        filter: {},
                        expiration: { expiredObjectDeleteMarker: true },
                    },
                ],
            },
            { ...retained, dependsOn: [this.versioning] },
        );

        if (config.objectLock) {
            // Enabled through the configuration resource (works on new and existing versioned
            // buckets), not the bucket's create-only objectLockEnabled flag, so turning it on
            // later never forces a bucket replacement. Object Lock cannot be turned off again.
            this.objectLock = new aws.s3.BucketObjectLockConfiguration(
                logicalNames.objectLock(region),
                {
                    bucket: bucketId,
                    objectLockEnabled: "Enabled",
                    rule: { defaultRetention: { mode: "GOVERNANCE", days: config.retentionDays } },
                },
                { ...retained, dependsOn: [this.versioning] },
            );
        }

        this.policy = new aws.s3.BucketPolicy(
            logicalNames.policy(region),
            {
                bucket: bucketId,
                policy: this.bucket.arn.apply((arn) => JSON.stringify(backupBucketPolicyDocument(arn))),
            },
            // After the public access block and ownership controls, as AWS recommends.
            { ...retained, dependsOn: [this.publicAccessBlock, this.ownershipControls] },
        );

        this.bucketName = this.bucket.bucket;
        this.bucketArn = this.bucket.arn;

        if (config.accessLogs) {
            this.accessLogBucket = accessLogBucket({ region, config, accountId: this.accountId, sourceBucket: this.bucket }, child);
        }

        const archive = archiveKey(
            {
                keyLogicalName: logicalNames.kmsKey(region),
                aliasLogicalName: logicalNames.kmsAlias(region),
                aliasName: kmsAliasName(config.environment),
                description: `SSM Parameter Store backup archives of ${config.environment} in ${region} (managed by Pulumi)`,
                tags: keyTags(config.environment, region, "backup"),
                accountId: this.accountId,
                config,
                keyUsers: args.keyUsers,
            },
            child,
        );
        this.kmsKey = archive.key;
        this.kmsAlias = archive.alias;

        const names = ssmParameterNames(config.environment);
        this.kmsKeyArnParameter = new aws.ssm.Parameter(
            logicalNames.kmsKeyArnParameter(region),
            {
                name: names.kmsKeyArn(region),
                type: "String",
                insecureValue: this.kmsKey.arn,
                description: `KMS key encrypting the SSM Parameter Store backup archives in ${region} (managed by Pulumi)`,
                tags: parameterTags(config.environment, region),
            },
            child,
        );

        this.bucketNameParameter = new aws.ssm.Parameter(
            logicalNames.bucketNameParameter(region),
            {
                name: names.regionBucket(region),
                type: "String",
                insecureValue: this.bucketName,
                description: `SSM Parameter Store backup bucket for ${region} (managed by Pulumi)`,
                tags: parameterTags(config.environment, region),
            },
            child,
        );

        // Member stacks alarm on the AccountId dimension the engine adds when it runs across accounts.
        this.alarm = backupAlarm(region, config, config.member ? this.accountId : undefined, child);

        this.registerOutputs({
            region,
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            bucketNameParameter: this.bucketNameParameter.name,
            kmsKeyArn: this.kmsKey.arn,
            kmsKeyArnParameter: this.kmsKeyArnParameter.name,
        });
    }
}

/** Factory used by the program: one store per configured region. */
export function regionalBackupStore(
    region: string,
    config: BackupStackConfig,
    keyUsers?: KeyUsers,
    opts?: pulumi.ComponentResourceOptions,
): RegionalBackupStore {
    return new RegionalBackupStore({ region, config, keyUsers }, opts);
}
