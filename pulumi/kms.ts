import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BackupStackConfig } from "./config";
import { NAME_INDEX_CONTEXT } from "../ts/contract/naming";

/** Days KMS waits before deleting a key scheduled for deletion (7-30; 30 is the longest). */
export const KEY_DELETION_WINDOW_DAYS = 30;

/** Key policy statement ids. */
export const KEY_POLICY_SIDS = {
    iamPolicies: "EnableIamPolicies",
    administration: "KeyAdministrationByAccount",
    backupRole: "BackupRoleEncrypt",
    backupRoleIndexes: "BackupRoleDecryptNameIndexes",
    restoreRole: "RestoreRoleDecrypt",
} as const;

/**
 * What the account root may do once the roles are named: administer the key (the AWS console's
 * "key administrators" set), never use it for cryptography. Keeping administration with the
 * account keeps the key manageable (KMS refuses a policy that locks its caller out).
 */
export const KEY_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
] as const;

/** Cryptographic actions the backup role needs (AWS Encryption SDK KMS keyring: generator + extra keys). */
export const BACKUP_KEY_ACTIONS = ["kms:Encrypt", "kms:GenerateDataKey"] as const;
/**
 * The backup role may also decrypt name indexes, and nothing else: messages whose encryption context carries
 * NAME_INDEX_CONTEXT (names, types, versions; never values). The shrink guard compares with the previous index.
 */
export const NAME_INDEX_DECRYPT_CONDITION = { StringEquals: { [`kms:EncryptionContext:${NAME_INDEX_CONTEXT.key}`]: NAME_INDEX_CONTEXT.value } };
/** Cryptographic actions the restore role needs. */
export const RESTORE_KEY_ACTIONS = ["kms:Decrypt"] as const;

export interface KeyPolicyScope {
    readonly partition: string;
    readonly accountId: string;
    readonly backupRoleArn?: string;
    readonly restoreRoleArn?: string;
}

/**
 * Key policy of an archive key or DR key (pure).
 * - No roles configured: the AWS default key policy (account root `kms:*`), so IAM policies
 *   (the `backupRolePolicy` / `restoreRolePolicy` outputs) decide who may use the key.
 * - Roles configured: the account root may only administer the key; the backup role may
 *   `kms:Encrypt` + `kms:GenerateDataKey` (and `kms:Decrypt` of name indexes only), the restore role `kms:Decrypt`.
 *   Nobody else can use it.
 */
export function archiveKeyPolicyDocument(scope: KeyPolicyScope): aws.iam.PolicyDocument {
    const root = `arn:${scope.partition}:iam::${scope.accountId}:root`;
    if (!scope.backupRoleArn || !scope.restoreRoleArn) {
        return {
            Version: "2012-10-17",
            Statement: [{ Sid: KEY_POLICY_SIDS.iamPolicies, Effect: "Allow", Principal: { AWS: root }, Action: "kms:*", Resource: "*" }],
        };
    }
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: KEY_POLICY_SIDS.administration,
                Effect: "Allow",
                Principal: { AWS: root },
                Action: [...KEY_ADMIN_ACTIONS],
                Resource: "*",
            },
            {
                Sid: KEY_POLICY_SIDS.backupRole,
                Effect: "Allow",
                Principal: { AWS: scope.backupRoleArn },
                Action: [...BACKUP_KEY_ACTIONS],
                Resource: "*",
            },
            {
                Sid: KEY_POLICY_SIDS.backupRoleIndexes,
                Effect: "Allow",
                Principal: { AWS: scope.backupRoleArn },
                Action: ["kms:Decrypt"],
                Resource: "*",
                Condition: NAME_INDEX_DECRYPT_CONDITION,
            },
            {
                Sid: KEY_POLICY_SIDS.restoreRole,
                Effect: "Allow",
                Principal: { AWS: scope.restoreRoleArn },
                Action: [...RESTORE_KEY_ACTIONS],
                Resource: "*",
            },
        ],
    };
}

/** The roles a key policy names: from `backupRoleArn`/`restoreRoleArn`, or the roles a member stack creates. */
export interface KeyUsers {
    readonly backupRoleArn: pulumi.Input<string>;
    readonly restoreRoleArn: pulumi.Input<string>;
}

export interface ArchiveKeyArgs {
    readonly keyLogicalName: string;
    readonly aliasLogicalName: string;
    /** KMS alias, from the naming contract (`alias/...`). */
    readonly aliasName: string;
    readonly description: string;
    readonly tags: Record<string, string>;
    readonly accountId: pulumi.Input<string>;
    readonly config: BackupStackConfig;
    /** Created roles (member stacks); else the configured role ARNs, if any. */
    readonly keyUsers?: KeyUsers;
}

export interface ArchiveKey {
    readonly key: aws.kms.Key;
    readonly alias: aws.kms.Alias;
}

/**
 * A symmetric KMS key with yearly rotation and a 30-day deletion window, plus its alias.
 * The key is `protect`ed and `retainOnDelete` like the buckets: archives encrypted with it
 * stay readable after its region leaves the config (the alias is deleted then, the key kept).
 * `opts` carries parent and provider.
 */
export function archiveKey(args: ArchiveKeyArgs, opts: pulumi.CustomResourceOptions): ArchiveKey {
    const { config } = args;
    const users = args.keyUsers ?? { backupRoleArn: config.backupRoleArn, restoreRoleArn: config.restoreRoleArn };
    const policy = pulumi
        .all([args.accountId, users.backupRoleArn, users.restoreRoleArn])
        .apply(([accountId, backupRoleArn, restoreRoleArn]) =>
            JSON.stringify(archiveKeyPolicyDocument({ partition: config.partition, accountId, backupRoleArn, restoreRoleArn })),
        );
    const key = new aws.kms.Key(
        args.keyLogicalName,
        {
            description: args.description,
            keyUsage: "ENCRYPT_DECRYPT",
            customerMasterKeySpec: "SYMMETRIC_DEFAULT",
            enableKeyRotation: true,
            deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
            policy,
            tags: args.tags,
        },
        { ...opts, protect: true, retainOnDelete: true },
    );
    const alias = new aws.kms.Alias(
        args.aliasLogicalName,
        { name: args.aliasName, targetKeyId: key.keyId },
        // A pointer like the SSM parameters: deleted with the region, so re-adding it can create it again.
        opts,
    );
    return { key, alias };
}
