/**
 * Central backup account (issue 21, "Optional central backup account"): a stack in a dedicated
 * account (config `memberAccounts`) whose buckets hold the archives of every member account,
 * each under the key prefix `{memberAccountId}/`, so that a compromised member account cannot
 * delete its own backups (AWS Prescriptive Guidance: backups in a separate account).
 *
 * The engine writes there with the member's roles and sends `ExpectedBucketOwner` = the backup
 * account; archives are encrypted client-side under the member's own keys, so the backup account
 * holds no KMS key and no SSM metadata (members read their own configuration).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketName } from "../ts/contract/naming";
import { memberRoleNames, roleArn } from "./accounts";
import { BackupBucket, backupBucket, backupBucketPolicyDocument } from "./backupBucket";
import { BackupStackConfig } from "./config";
import { fail } from "./configValues";
import { BACKUP_ACCOUNT_STORE_TYPE, logicalNames } from "./naming";

/** Bucket policies hold at most 20 KB (S3 User Guide, "Bucket policies for Amazon S3"). */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

/** Statement ids (suffixed with the member account id where per member). */
export const BACKUP_ACCOUNT_POLICY_SIDS = {
    backupRoleWrites: "MemberBackupRoleWritesOwnPrefix",
    restoreRoleReads: "MemberRestoreRoleReadsOwnPrefix",
    listOwnPrefix: "MemberRolesListOwnPrefix",
    denyMemberDeletes: "DenyMemberRolesDeleteOrReconfigure",
} as const;

/** What no member role may do to the backup buckets, whatever else grants it. */
export const MEMBER_DENIED_ACTIONS = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration"];

export interface BackupAccountScope {
    readonly partition: string;
    readonly environment: string;
    /** Member account ids, in config order. */
    readonly memberAccountIds: readonly string[];
}

function memberStatements(bucketArn: string, scope: BackupAccountScope, memberId: string): aws.iam.PolicyStatement[] {
    const names = memberRoleNames(scope.environment);
    const backup = roleArn(scope.partition, memberId, names.backup);
    const restore = roleArn(scope.partition, memberId, names.restore);
    const objects = `${bucketArn}/${memberId}/*`;
    const sids = BACKUP_ACCOUNT_POLICY_SIDS;
    return [
        // AbortMultipartUpload: the member policy grants it too, so a failed multipart upload can clean up its parts.
        {
            Sid: `${sids.backupRoleWrites}${memberId}`,
            Effect: "Allow",
            Principal: { AWS: backup },
            Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            Resource: objects,
        },
        { Sid: `${sids.restoreRoleReads}${memberId}`, Effect: "Allow", Principal: { AWS: restore }, Action: ["s3:GetObject"], Resource: objects },
        {
            Sid: `${sids.listOwnPrefix}${memberId}`,
            Effect: "Allow",
            Principal: { AWS: [backup, restore] },
            Action: ["s3:ListBucket"],
            Resource: bucketArn,
            Condition: { StringLike: { "s3:prefix": `${memberId}/*` } },
        },
    ];
}

/**
 * Policy of a backup account's bucket (pure): the TLS and SSE deny statements of every backup
 * bucket; per member account, its `jenkins-ssm-backup-{env}` role may put and get objects under
 * `{id}/` (and abort its multipart uploads), its `jenkins-ssm-restore-{env}` role may get them,
 * both may list with `s3:prefix` like `{id}/*`; and every member role is denied deleting objects
 * or versions and replacing the lifecycle or the policy. S3 refuses a policy naming a role that
 * does not exist ("Invalid principal in policy"): the member stacks go first.
 */
export function backupAccountBucketPolicyDocument(bucketArn: string, scope: BackupAccountScope): aws.iam.PolicyDocument {
    const base = backupBucketPolicyDocument(bucketArn);
    const names = memberRoleNames(scope.environment);
    const memberRoles = scope.memberAccountIds.flatMap((id) => [roleArn(scope.partition, id, names.backup), roleArn(scope.partition, id, names.restore)]);
    return {
        Version: "2012-10-17",
        Statement: [
            ...(base.Statement as aws.iam.PolicyStatement[]),
            ...scope.memberAccountIds.flatMap((id) => memberStatements(bucketArn, scope, id)),
            {
                Sid: BACKUP_ACCOUNT_POLICY_SIDS.denyMemberDeletes,
                Effect: "Deny",
                Principal: { AWS: memberRoles },
                Action: MEMBER_DENIED_ACTIONS,
                Resource: [bucketArn, `${bucketArn}/*`],
            },
        ],
    };
}

/** Why the bucket policy of the longest bucket name would be too large for S3, or undefined. */
export function backupAccountPolicyProblem(projectName: string, regions: readonly string[], scope: BackupAccountScope): string | undefined {
    for (const region of regions) {
        const arn = `arn:${scope.partition}:s3:::${bucketName(projectName, scope.environment, "0".repeat(12), region)}`;
        const bytes = Buffer.byteLength(JSON.stringify(backupAccountBucketPolicyDocument(arn, scope)), "utf8");
        if (bytes > BUCKET_POLICY_MAX_BYTES) {
            return `memberAccounts: the bucket policy for ${scope.memberAccountIds.length} member accounts would be ${bytes} bytes, more than S3 allows (${BUCKET_POLICY_MAX_BYTES}): split the members across environments or backup accounts`;
        }
    }
    return undefined;
}

/** The bucket of `region` in the backup account `accountId`; refuses a backup account that lists itself as a member. */
export function backupAccountBucketName(config: BackupStackConfig, scope: BackupAccountScope, accountId: string, region: string): string {
    if (scope.memberAccountIds.includes(accountId)) {
        fail(`memberAccounts lists ${accountId}, the backup account this stack runs in: list only the member accounts.`);
    }
    return bucketName(config.projectName, config.environment, accountId, region);
}

/** A member's bucket of `region` in its backup account; refuses a backup account that is the member itself. */
export function memberBucketName(config: BackupStackConfig, backupAccountId: string, accountId: string, region: string): string {
    if (accountId === backupAccountId) {
        fail(`backupAccountId ${backupAccountId} is the account this stack runs in: name the separate backup account, or leave it out.`);
    }
    return bucketName(config.projectName, config.environment, backupAccountId, region);
}

/**
 * One region of the backup account: a provider pinned to the region and the hardened backup
 * bucket named with the backup account's own id (`bucketName(projectName, env, accountId,
 * region)`, what the member stacks compute), with the member grants above. `BucketOwnerEnforced`
 * object ownership makes the backup account own every object a member writes.
 */
export class BackupAccountStore extends pulumi.ComponentResource {
    public readonly region: string;
    public readonly provider: aws.Provider;
    public readonly accountId: pulumi.Output<string>;
    public readonly store: BackupBucket;

    constructor(region: string, config: BackupStackConfig, scope: BackupAccountScope, opts?: pulumi.ComponentResourceOptions) {
        super(BACKUP_ACCOUNT_STORE_TYPE, logicalNames.backupAccountStore(region), {}, opts);
        this.region = region;
        this.provider = new aws.Provider(logicalNames.provider(region), { region }, { parent: this });
        const child: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };
        this.accountId = aws.getCallerIdentityOutput({}, { parent: this, provider: this.provider }).accountId;
        const name = this.accountId.apply((accountId) => backupAccountBucketName(config, scope, accountId, region));
        const policy = (arn: string) => backupAccountBucketPolicyDocument(arn, scope);
        this.store = backupBucket({ region, config, name, accountId: this.accountId, policy }, child);
        this.registerOutputs({ region, bucketName: this.store.bucket.bucket, bucketArn: this.store.bucket.arn });
    }
}
