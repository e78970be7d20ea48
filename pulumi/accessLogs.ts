import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogBucketName } from "../ts/contract/naming";
import { BackupStackConfig } from "./config";
import { bucketTags, logicalNames } from "./naming";

/** Key prefix of the backup bucket's server access logs in the log bucket. */
export const ACCESS_LOG_PREFIX = "s3-access-logs/";

export const ACCESS_LOG_POLICY_SIDS = {
    denyInsecureTransport: "DenyInsecureTransport",
    allowLogDelivery: "AllowS3ServerAccessLogDelivery",
} as const;

export const ACCESS_LOG_LIFECYCLE_RULE_ID = "expire-access-logs";

/**
 * Policy of an access log bucket (pure): deny requests without TLS; let the S3 logging
 * service (`logging.s3.amazonaws.com`) put log objects under `ACCESS_LOG_PREFIX`, only for the
 * backup bucket of this account (S3 User Guide, "Permissions for log delivery": with ACLs
 * disabled the bucket policy is the only way to grant delivery).
 */
export function accessLogBucketPolicyDocument(logBucketArn: string, sourceBucketArn: string, accountId: string): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: ACCESS_LOG_POLICY_SIDS.denyInsecureTransport,
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [logBucketArn, `${logBucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: ACCESS_LOG_POLICY_SIDS.allowLogDelivery,
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${logBucketArn}/${ACCESS_LOG_PREFIX}*`,
                Condition: {
                    ArnLike: { "aws:SourceArn": sourceBucketArn },
                    StringEquals: { "aws:SourceAccount": accountId },
                },
            },
        ],
    };
}

export interface AccessLogArgs {
    readonly region: string;
    readonly config: BackupStackConfig;
    readonly accountId: pulumi.Output<string>;
    readonly sourceBucket: aws.s3.Bucket;
}

/**
 * The S3 server access log bucket of one region and the backup bucket's logging into it.
 * The log bucket is hardened like the backup bucket (SSE-S3, which log delivery requires;
 * public access blocked; ACLs off; TLS only), expires logs after `accessLogRetentionDays`, and
 * is `protect`ed + `retainOnDelete` (its configuration resources retained too; the logging
 * setting of the backup bucket is not). No Object Lock: S3 cannot deliver logs to such a bucket.
 */
export function accessLogBucket(args: AccessLogArgs, opts: pulumi.CustomResourceOptions): aws.s3.Bucket {
    const { region, config } = args;
    const retained: pulumi.CustomResourceOptions = { ...opts, retainOnDelete: true };
    const bucket = new aws.s3.Bucket(
        logicalNames.accessLogBucket(region),
        {
            bucket: args.accountId.apply((accountId) => accessLogBucketName(config.projectName, config.environment, accountId, region)),
            tags: { ...bucketTags(config.environment, region), Purpose: "SSM Parameter Store Backup access logs" },
        },
        { ...retained, protect: true },
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
        logicalNames.accessLogEncryption(region),
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        retained,
    );
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        logicalNames.accessLogPublicAccessBlock(region),
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        retained,
    );
    const ownership = new aws.s3.BucketOwnershipControls(
        logicalNames.accessLogOwnershipControls(region),
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        retained,
    );
    new aws.s3.BucketLifecycleConfiguration(
        logicalNames.accessLogLifecycle(region),
        {
            bucket: bucket.id,
            rules: [
                {
                    id: ACCESS_LOG_LIFECYCLE_RULE_ID,
                    status: "Enabled",
                    filter: {},
                    expiration: { days: config.accessLogRetentionDays },
                },
            ],
        },
        retained,
    );
    const policy = new aws.s3.BucketPolicy(
        logicalNames.accessLogPolicy(region),
        {
            bucket: bucket.id,
            policy: pulumi
                .all([bucket.arn, args.sourceBucket.arn, args.accountId])
                .apply(([logArn, sourceArn, accountId]) => JSON.stringify(accessLogBucketPolicyDocument(logArn, sourceArn, accountId))),
        },
        { ...retained, dependsOn: [publicAccessBlock, ownership] },
    );
    new aws.s3.BucketLogging(
        logicalNames.bucketLogging(region),
        { bucket: args.sourceBucket.id, targetBucket: bucket.id, targetPrefix: ACCESS_LOG_PREFIX },
        // Not retained: dropping the log bucket (accessLogs off, region removed) stops the logging.
        { ...opts, dependsOn: [policy, encryption] },
    );
    return bucket;
}
