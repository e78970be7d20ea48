import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogBucket } from "./accessLogs";
import { BackupStackConfig } from "./config";
import { bucketTags, logicalNames } from "./naming";

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

export interface BackupBucketArgs {
    readonly region: string;
    readonly config: BackupStackConfig;
    readonly name: pulumi.Input<string>;
    readonly accountId: pulumi.Output<string>;
    /** The bucket policy document for the bucket's ARN. */
    readonly policy: (bucketArn: string) => aws.iam.PolicyDocument;
}

/** The hardened backup bucket of one region and its configuration resources. */
export interface BackupBucket {
    readonly bucket: aws.s3.Bucket;
    readonly versioning: aws.s3.BucketVersioning;
    readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
    readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
    readonly ownershipControls: aws.s3.BucketOwnershipControls;
    readonly lifecycle: aws.s3.BucketLifecycleConfiguration;
    readonly objectLock?: aws.s3.BucketObjectLockConfiguration;
    readonly policy: aws.s3.BucketPolicy;
    /** Only with `accessLogs: true`. */
    readonly accessLogBucket?: aws.s3.Bucket;
}

function lifecycleRules(config: BackupStackConfig): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    return [
        { id: LIFECYCLE_RULE_IDS.expireCurrent, status: "Enabled", filter: {}, expiration: { days: config.retentionDays } },
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
        { id: LIFECYCLE_RULE_IDS.deleteMarkers, status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
    ];
}

/**
 * A backup bucket as both the regional store and the backup account's store make it: SSE-S3
 * with bucket keys, versioning, public access block, ACLs disabled (`BucketOwnerEnforced`),
 * lifecycle (`retentionDays`, noncurrent versions, multipart uploads, expired delete markers),
 * optional Object Lock (GOVERNANCE, `retentionDays`), the given bucket policy and, with
 * `accessLogs`, an access log bucket. The bucket is `protect`ed and everything is
 * `retainOnDelete`: removing a region from config never deletes the bucket or strips its setup.
 * `child` carries the parent component and the region's provider.
 */
export function backupBucket(args: BackupBucketArgs, child: pulumi.CustomResourceOptions): BackupBucket {
    const { region, config } = args;
    // Configuration resources stay in AWS if they ever leave the program (region removed).
    const retained: pulumi.CustomResourceOptions = { ...child, retainOnDelete: true };
    // No forceDestroy: a bucket holding backups must never be emptied by Pulumi.
    const bucket = new aws.s3.Bucket(
        logicalNames.bucket(region),
        { bucket: args.name, tags: bucketTags(config.environment, region) },
        { ...retained, protect: true },
    );
    const bucketId = bucket.id;
    const versioning = new aws.s3.BucketVersioning(
        logicalNames.versioning(region),
        { bucket: bucketId, versioningConfiguration: { status: "Enabled" } },
        retained,
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
        logicalNames.encryption(region),
        { bucket: bucketId, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
        retained,
    );
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        logicalNames.publicAccessBlock(region),
        { bucket: bucketId, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        retained,
    );
    const ownershipControls = new aws.s3.BucketOwnershipControls(
        logicalNames.ownershipControls(region),
        { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } },
        retained,
    );
    const lifecycle = new aws.s3.BucketLifecycleConfiguration(
        logicalNames.lifecycle(region),
        { bucket: bucketId, rules: lifecycleRules(config) },
        { ...retained, dependsOn: [versioning] },
    );
    // Enabled through the configuration resource (works on new and existing versioned buckets), not the bucket's
    // create-only objectLockEnabled flag, so turning it on later never forces a replacement. It cannot be turned off.
    const objectLock = config.objectLock
        ? new aws.s3.BucketObjectLockConfiguration(
              logicalNames.objectLock(region),
              { bucket: bucketId, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "GOVERNANCE", days: config.retentionDays } } },
              { ...retained, dependsOn: [versioning] },
          )
        : undefined;
    const policy = new aws.s3.BucketPolicy(
        logicalNames.policy(region),
        { bucket: bucketId, policy: bucket.arn.apply((arn) => JSON.stringify(args.policy(arn))) },
        // After the public access block and ownership controls, as AWS recommends.
        { ...retained, dependsOn: [publicAccessBlock, ownershipControls] },
    );
    const logs = config.accessLogs ? accessLogBucket({ region, config, accountId: args.accountId, sourceBucket: bucket }, child) : undefined;
    return {
        bucket,
        versioning,
        encryption,
        publicAccessBlock,
        ownershipControls,
        lifecycle,
        ...(objectLock ? { objectLock } : {}),
        policy,
        ...(logs ? { accessLogBucket: logs } : {}),
    };
}
