/**
 * Least-privilege IAM policy documents for the role the backup runs as and the role restores
 * run as (pure). The stack does not create or attach roles; it exports these documents
 * (`backupRolePolicy`, `restoreRolePolicy`) for whoever owns the roles. Actions follow the
 * calls the engine makes (ts/lib/aws, ts/lib/store/upload.ts) and the Service Authorization
 * Reference: actions without resource-level permissions (ssm:DescribeParameters,
 * tag:GetResources, sts:GetCallerIdentity, cloudwatch:PutMetricData) can only be granted on "*".
 * sts:GetCallerIdentity needs no grant at all (STS API reference: no permission is required,
 * an explicit deny does not stop it); the statement documents the call and costs nothing.
 */
import * as aws from "@pulumi/aws";
import { bucketName, ssmParameterPath } from "../ts/contract/naming";
import { NAME_INDEX_DECRYPT_CONDITION } from "./kms";
import { memberRoleNames, roleArn } from "./accounts";

export interface RolePolicyScope {
    readonly partition: string;
    readonly dnsSuffix: string;
    readonly accountId: string;
    readonly environment: string;
    readonly homeRegion: string;
    /** Backup regions. */
    readonly regions: readonly string[];
    readonly drKeyRegions: readonly string[];
    readonly bucketArns: readonly string[];
    /** Archive encryption keys, one per backup region. */
    readonly backupKeyArns: readonly string[];
    readonly drKeyArns: readonly string[];
    /**
     * Set when the buckets belong to a central backup account: the key prefix of this account's
     * archives there (its account id). Objects are then granted under `{prefix}/*` only, the
     * listing only with `s3:prefix` like `{prefix}/*`, and no bucket setup reads (the backup
     * account's bucket policy grants none).
     */
    readonly objectPrefix?: string;
}

/** What of a stack's config the role policies depend on (config.ts BackupStackConfig). */
export interface RoleScopeConfig {
    readonly partition: string;
    readonly dnsSuffix: string;
    readonly environment: string;
    readonly ssmHomeRegion: string;
    readonly regions: readonly string[];
    readonly drKeyRegions: readonly string[];
    readonly member?: { readonly backupAccountId?: string };
}

/**
 * The scope of a stack's backup and restore role policies: its config with the account, bucket and key ARNs it
 * resolved (the stack outputs and `npm run policies -- --scope` both build it here, so their documents agree).
 */
export function roleScope(config: RoleScopeConfig, arns: Pick<RolePolicyScope, "accountId" | "bucketArns" | "backupKeyArns" | "drKeyArns">): RolePolicyScope {
    return {
        partition: config.partition,
        dnsSuffix: config.dnsSuffix,
        environment: config.environment,
        homeRegion: config.ssmHomeRegion,
        regions: config.regions,
        drKeyRegions: config.drKeyRegions,
        ...arns,
        ...(config.member?.backupAccountId ? { objectPrefix: arns.accountId } : {}),
    };
}

export const BACKUP_POLICY_SIDS = {
    describeParameters: "DescribeParameters",
    readParameters: "ReadParameters",
    findTaggedParameters: "FindTaggedParameters",
    decryptSecureStrings: "DecryptSecureStringsViaSsm",
    encryptArchives: "EncryptArchivesAndDescribeKeys",
    decryptNameIndexes: "DecryptNameIndexes",
    writeArchives: "WriteArchivesAndLatestPointer",
    listArchives: "ListArchivesAndReadBucketSetup",
    callerIdentity: "CallerIdentity",
    putMetrics: "PutBackupMetrics",
} as const;

/** CloudWatch namespace of the engine's metrics (issue 23); the alarm reads `BackupSuccess` from it. */
export const METRIC_NAMESPACE = "SSMParameterBackup";

export const RESTORE_POLICY_SIDS = {
    describeParameters: "DescribeParameters",
    readParameters: "ReadParameters",
    findTaggedParameters: "FindTaggedParameters",
    writeParameters: "WriteParameters",
    secureStringKeys: "SecureStringKeysViaSsm",
    describeKeys: "DescribeTargetKeys",
    decryptArchives: "DecryptArchives",
    readArchives: "ReadArchives",
    listArchives: "ListArchives",
    callerIdentity: "CallerIdentity",
} as const;

type Statement = aws.iam.PolicyStatement;

function unique(values: readonly string[]): string[] {
    return [...new Set(values)];
}

/** Every parameter of the regions, plus the backup configuration in the home region. */
function parameterArns(scope: RolePolicyScope, regions: readonly string[]): string[] {
    const arn = (region: string, path: string) => `arn:${scope.partition}:ssm:${region}:${scope.accountId}:parameter${path}`;
    const arns = regions.map((region) => arn(region, "/*"));
    if (!regions.includes(scope.homeRegion)) {
        arns.push(arn(scope.homeRegion, `${ssmParameterPath(scope.environment)}/*`));
    }
    return arns;
}

function anyKeyIn(scope: RolePolicyScope, regions: readonly string[]): string[] {
    return regions.map((region) => `arn:${scope.partition}:kms:${region}:${scope.accountId}:key/*`);
}

/** Only when SSM itself calls KMS for a SecureString in one of the regions. */
function viaSsm(scope: RolePolicyScope, regions: readonly string[]): Statement["Condition"] {
    return { StringEquals: { "kms:ViaService": regions.map((region) => `ssm.${region}.${scope.dnsSuffix}`) } };
}

/** Archive objects: every object of the buckets, or only this account's prefix in a backup account's buckets. */
function objectArns(scope: RolePolicyScope): string[] {
    const prefix = scope.objectPrefix === undefined ? "" : `${scope.objectPrefix}/`;
    return scope.bucketArns.map((arn) => `${arn}/${prefix}*`);
}

/** s3:ListBucket on the buckets (with `actions`); in a backup account's buckets only under this account's prefix. */
function listStatement(scope: RolePolicyScope, sid: string, actions: readonly string[]): Statement {
    if (scope.objectPrefix === undefined) {
        return { Sid: sid, Effect: "Allow", Action: [...actions], Resource: [...scope.bucketArns] };
    }
    return {
        Sid: sid,
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [...scope.bucketArns],
        Condition: { StringLike: { "s3:prefix": `${scope.objectPrefix}/*` } },
    };
}

function common(sid: string, action: string): Statement {
    return { Sid: sid, Effect: "Allow", Action: [action], Resource: "*" };
}

/**
 * Backup role: read every parameter (with its tags and history) of the backup regions and the
 * configuration in the home region, decrypt SecureStrings through SSM only, encrypt archives
 * with exactly the archive and DR keys, write/read exactly the backup buckets (archives and
 * `latest.txt`; `s3:AbortMultipartUpload` lets a failed multipart upload clean up), and read
 * the setup `check` reports (bucket location, versioning, public access block, policy,
 * lifecycle, object lock; the keys' DescribeKey) of exactly those buckets and keys.
 */
export function backupRolePolicyDocument(scope: RolePolicyScope): aws.iam.PolicyDocument {
    const sids = BACKUP_POLICY_SIDS;
    return {
        Version: "2012-10-17",
        Statement: [
            common(sids.describeParameters, "ssm:DescribeParameters"),
            {
                Sid: sids.readParameters,
                Effect: "Allow",
                Action: ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:ListTagsForResource"],
                Resource: parameterArns(scope, scope.regions),
            },
            common(sids.findTaggedParameters, "tag:GetResources"),
            {
                Sid: sids.decryptSecureStrings,
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: anyKeyIn(scope, scope.regions),
                Condition: viaSsm(scope, scope.regions),
            },
            // kms:DescribeKey: the keys' state, as `ssm-backup check` reports it (ts/lib/check/keys.ts).
            {
                Sid: sids.encryptArchives,
                Effect: "Allow",
                Action: ["kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                Resource: [...scope.backupKeyArns, ...scope.drKeyArns],
            },
            {
                Sid: sids.decryptNameIndexes,
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: [...scope.backupKeyArns, ...scope.drKeyArns],
                Condition: NAME_INDEX_DECRYPT_CONDITION,
            },
            {
                Sid: sids.writeArchives,
                Effect: "Allow",
                Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                Resource: objectArns(scope),
            },
            // Besides the listing, what `ssm-backup check` and `backup --dry-run` read of each bucket's setup
            // (ts/lib/check/bucket.ts), read-only. One statement with the listing: the bucket ARNs are written once,
            // which keeps a member stack's inline policy under IAM's size limit for as many regions as before.
            listStatement(scope, sids.listArchives, [
                "s3:GetBucketLocation",
                "s3:GetBucketObjectLockConfiguration",
                "s3:GetBucketPolicy",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetBucketVersioning",
                "s3:GetLifecycleConfiguration",
                "s3:ListBucket",
            ]),
            common(sids.callerIdentity, "sts:GetCallerIdentity"),
            // PutMetricData has no resource-level permission; the namespace condition keeps the role to our metrics.
            { ...common(sids.putMetrics, "cloudwatch:PutMetricData"), Condition: { StringEquals: { "cloudwatch:namespace": METRIC_NAMESPACE } } },
        ],
    };
}

/**
 * Restore role: read the backup buckets and decrypt archives with the archive and DR keys;
 * read and write parameters (put, tag, label, delete for `--prune`) in the backup and DR
 * regions; find tagged parameters (`tag:GetResources`: live tags in one sweep); let SSM use KMS keys for SecureStrings there; check target keys exist
 * (`kms:DescribeKey`, for `--kms-key-map`).
 */
export function restoreRolePolicyDocument(scope: RolePolicyScope): aws.iam.PolicyDocument {
    const sids = RESTORE_POLICY_SIDS;
    const targets = unique([...scope.regions, ...scope.drKeyRegions]);
    return {
        Version: "2012-10-17",
        Statement: [
            common(sids.describeParameters, "ssm:DescribeParameters"),
            {
                Sid: sids.readParameters,
                Effect: "Allow",
                Action: ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:ListTagsForResource"],
                Resource: parameterArns(scope, targets),
            },
            // diff and restore read live tags with one GetResources sweep, as backup does.
            common(sids.findTaggedParameters, "tag:GetResources"),
            {
                Sid: sids.writeParameters,
                Effect: "Allow",
                Action: [
                    "ssm:AddTagsToResource",
                    "ssm:DeleteParameter",
                    "ssm:DeleteParameters",
                    "ssm:LabelParameterVersion",
                    "ssm:PutParameter",
                    "ssm:RemoveTagsFromResource",
                ],
                Resource: targets.map((region) => `arn:${scope.partition}:ssm:${region}:${scope.accountId}:parameter/*`),
            },
            {
                Sid: sids.secureStringKeys,
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                Resource: anyKeyIn(scope, targets),
                Condition: viaSsm(scope, targets),
            },
            { Sid: sids.describeKeys, Effect: "Allow", Action: ["kms:DescribeKey"], Resource: anyKeyIn(scope, targets) },
            {
                Sid: sids.decryptArchives,
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: [...scope.backupKeyArns, ...scope.drKeyArns],
            },
            {
                Sid: sids.readArchives,
                Effect: "Allow",
                Action: ["s3:GetObject"],
                Resource: objectArns(scope),
            },
            listStatement(scope, sids.listArchives, ["s3:ListBucket"]),
            common(sids.callerIdentity, "sts:GetCallerIdentity"),
        ],
    };
}

export const TRUST_POLICY_SID = "AssumedByCentralJenkinsRole";

/**
 * Trust policy of a member account's backup or restore role: only `principalArn` (the central
 * Jenkins role) may `sts:AssumeRole`, and only with `externalId` when one is configured.
 */
export function memberRoleTrustPolicyDocument(principalArn: string, externalId?: string): aws.iam.PolicyDocument {
    const statement: Statement = {
        Sid: TRUST_POLICY_SID,
        Effect: "Allow",
        Principal: { AWS: principalArn },
        Action: ["sts:AssumeRole"],
    };
    if (externalId !== undefined) {
        statement.Condition = { StringEquals: { "sts:ExternalId": externalId } };
    }
    return { Version: "2012-10-17", Statement: [statement] };
}

/** Identity policy for the central Jenkins role: assume exactly the member roles of the accounts parameter. */
export function assumeMemberRolesPolicyDocument(roleArns: readonly string[], sid = "AssumeMemberBackupRoles"): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: sid, Effect: "Allow", Action: ["sts:AssumeRole"], Resource: unique(roleArns) }],
    };
}

/**
 * The central restore identity's policy: sts:AssumeRole on each member's `jenkins-ssm-restore-<env>` (the role
 * `restore`, `verify` and `diff --account` / `--target-account` assume: they decrypt and write). The member stacks'
 * restore roles trust `centralRestoreRoleArn` (default `centralRoleArn`); attach this to that identity.
 */
export function assumeMemberRestoreRolesPolicyDocument(partition: string, environment: string, accountIds: readonly string[]): aws.iam.PolicyDocument {
    return assumeMemberRolesPolicyDocument(
        accountIds.map((id) => roleArn(partition, id, memberRoleNames(environment).restore)),
        "AssumeMemberRestoreRoles",
    );
}

/** Inline policies of one role: at most 10,240 characters, whitespace not counted (IAM User Guide, "IAM and AWS STS quotas"). */
export const INLINE_POLICY_MAX_CHARS = 10_240;

/** What fixes the size of the documents: names, regions, partition (key ids and the account id have fixed lengths). */
export type PolicySizeScope = Pick<RolePolicyScope, "partition" | "dnsSuffix" | "environment" | "homeRegion" | "regions" | "drKeyRegions"> & {
    readonly projectName: string;
    /** The archives go to a backup account's buckets (object grants under the account's prefix). */
    readonly centralBackup?: boolean;
};

/**
 * Why a member stack's inline role policies would be refused by IAM, or undefined. Sized with a
 * placeholder account id and key ids of the real lengths (12 digits, 36-character key ids), so
 * the stack refuses before it creates anything.
 */
export function inlinePolicyProblem(size: PolicySizeScope): string | undefined {
    const account = "0".repeat(12);
    const keyArn = (region: string) => `arn:${size.partition}:kms:${region}:${account}:key/${"0".repeat(36)}`;
    const scope: RolePolicyScope = {
        ...size,
        accountId: account,
        bucketArns: size.regions.map((region) => `arn:${size.partition}:s3:::${bucketName(size.projectName, size.environment, account, region)}`),
        backupKeyArns: size.regions.map(keyArn),
        drKeyArns: size.drKeyRegions.map(keyArn),
        ...(size.centralBackup ? { objectPrefix: account } : {}),
    };
    const documents = { backup: backupRolePolicyDocument(scope), restore: restoreRolePolicyDocument(scope) };
    for (const [role, document] of Object.entries(documents)) {
        const length = JSON.stringify(document).length;
        if (length > INLINE_POLICY_MAX_CHARS) {
            return `the ${role} role's policy would be ${length} characters, more than IAM allows inline (${INLINE_POLICY_MAX_CHARS}): split regions/drKeyRegions across environments`;
        }
    }
    return undefined;
}
