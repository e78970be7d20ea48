/**
 * The IAM documents as files, for teams that manage roles with Terraform, CloudFormation or the
 * console instead of this stack (pure; written by `npm run policies`, scripts/policies.ts).
 * Built by the same functions as the stack's policies (iamPolicies.ts), so they cannot differ:
 * - templates (`iam/*.json` at the repository root): one backup region, `${Name}` placeholders
 *   (TEMPLATE_PLACEHOLDERS) that Terraform's templatefile() and CloudFormation's Fn::Sub fill in;
 * - rendered documents for any number of regions and DR keys, from a scope file (`renderPolicies`).
 */
import * as aws from "@pulumi/aws";
import { bucketName } from "../ts/contract/naming";
import { memberRoleNames, roleArn } from "./accounts";
import { backupAccountBucketPolicyDocument } from "./backupAccount";
import { RawBackupStackConfig, validateConfig } from "./config";
import { fail } from "./configValues";
import {
    RolePolicyScope,
    assumeMemberRestoreRolesPolicyDocument,
    assumeMemberRolesPolicyDocument,
    backupRolePolicyDocument,
    memberRoleTrustPolicyDocument,
    restoreRolePolicyDocument,
    roleScope,
} from "./iamPolicies";

/** Every placeholder the templates use, and what to put in its place. */
export const TEMPLATE_PLACEHOLDERS = {
    Partition: "AWS partition: aws, aws-cn, aws-us-gov, ... (CloudFormation: AWS::Partition)",
    DnsSuffix: "the partition's DNS suffix: amazonaws.com (aws, aws-us-gov), amazonaws.com.cn (aws-cn)",
    AccountId: "12-digit id of the account that holds the parameters, buckets and keys (CloudFormation: AWS::AccountId)",
    Environment: "the environment, e.g. prod (SSM keys /jenkins/{Environment}/backup/...)",
    Region: "the backup region, e.g. us-west-2",
    HomeRegion: "the region holding /jenkins/{Environment}/backup/region-list etc. (may equal Region)",
    BucketName: "the backup bucket of Region ({projectName}-ssm-backup-{Environment}-{AccountId}-{Region} when Pulumi names it)",
    ArchiveKeyArn: "ARN of the archive KMS key of Region (/jenkins/{Environment}/backup/{Region}/kms-key-arn)",
    CentralRoleArn: "ARN of the central Jenkins role that assumes the member roles",
    ExternalId: "the external id the central job sends (optional: use the -no-external-id file without one)",
    MemberAccountId: "12-digit id of a member account (repeat the Resource entry per account)",
    BackupBucketName: "the central backup account's bucket of Region ({projectName}-ssm-backup-{Environment}-{backup account id}-{Region})",
} as const;

const ph = (name: keyof typeof TEMPLATE_PLACEHOLDERS) => `\${${name}}`;

/** The scope of the templates: every value a placeholder, one backup region, no DR key. */
export const TEMPLATE_SCOPE: RolePolicyScope = {
    partition: ph("Partition"),
    dnsSuffix: ph("DnsSuffix"),
    accountId: ph("AccountId"),
    environment: ph("Environment"),
    homeRegion: ph("HomeRegion"),
    regions: [ph("Region")],
    drKeyRegions: [],
    bucketArns: [`arn:${ph("Partition")}:s3:::${ph("BucketName")}`],
    backupKeyArns: [ph("ArchiveKeyArn")],
    drKeyArns: [],
};

/** The member templates when a central backup account holds the archives: its bucket, this account's prefix. */
export const BACKUP_ACCOUNT_TEMPLATE_SCOPE: RolePolicyScope = {
    ...TEMPLATE_SCOPE,
    bucketArns: [`arn:${ph("Partition")}:s3:::${ph("BackupBucketName")}`],
    objectPrefix: ph("AccountId"),
};

/** File name (under iam/) -> document of every committed template. */
export function policyTemplates(): Record<string, aws.iam.PolicyDocument> {
    return {
        "backup-role-policy.json": backupRolePolicyDocument(TEMPLATE_SCOPE),
        "restore-role-policy.json": restoreRolePolicyDocument(TEMPLATE_SCOPE),
        "member-role-trust-policy.json": memberRoleTrustPolicyDocument(ph("CentralRoleArn"), ph("ExternalId")),
        "member-role-trust-policy-no-external-id.json": memberRoleTrustPolicyDocument(ph("CentralRoleArn")),
        "central-role-policy.json": assumeMemberRolesPolicyDocument([
            roleArn(ph("Partition"), ph("MemberAccountId"), memberRoleNames(ph("Environment")).backup),
        ]),
        "central-restore-role-policy.json": assumeMemberRestoreRolesPolicyDocument(ph("Partition"), ph("Environment"), [ph("MemberAccountId")]),
        "backup-role-policy-backup-account.json": backupRolePolicyDocument(BACKUP_ACCOUNT_TEMPLATE_SCOPE),
        "restore-role-policy-backup-account.json": restoreRolePolicyDocument(BACKUP_ACCOUNT_TEMPLATE_SCOPE),
        "backup-account-bucket-policy.json": backupAccountBucketPolicyDocument(`arn:${ph("Partition")}:s3:::${ph("BucketName")}`, {
            partition: ph("Partition"),
            environment: ph("Environment"),
            memberAccountIds: [ph("MemberAccountId")],
        }),
    };
}

/** How a document is written to a file: two-space JSON and a final newline. */
export function policyFileText(document: aws.iam.PolicyDocument): string {
    return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * A scope file for `npm run policies -- --scope FILE`: the stack's own config keys (projectName,
 * environment, regions, drKeyRegions, ssmHomeRegion, centralRoleArn, externalId, ...) plus the
 * values only AWS knows: `accountId` and the key ARNs per region (`archiveKeyArns`, `drKeyArns`:
 * `{ region: key ARN }`).
 */
export interface PolicyScopeFile extends RawBackupStackConfig {
    readonly accountId?: unknown;
    readonly archiveKeyArns?: unknown;
    readonly drKeyArns?: unknown;
}

function keyArns(key: string, value: unknown, regions: readonly string[], partition: string, accountId: string): string[] {
    const map = (typeof value === "object" && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
    return regions.map((region) => {
        const arn = map[region];
        const pattern = new RegExp(`^arn:${partition}:kms:${region}:${accountId}:key/[\\w-]+$`);
        if (typeof arn !== "string" || !pattern.test(arn)) {
            fail(`${key}.${region} must be the key ARN arn:${partition}:kms:${region}:${accountId}:key/<key id> (got ${JSON.stringify(arn)}).`);
        }
        return arn;
    });
}

/** Concrete documents for the regions, buckets and keys of a scope file (validated like the stack config). */
export function renderPolicies(file: PolicyScopeFile): Record<string, aws.iam.PolicyDocument> {
    const { accountId, archiveKeyArns, drKeyArns, ...raw } = file;
    const config = validateConfig(raw);
    if (typeof accountId !== "string" || !/^\d{12}$/.test(accountId)) {
        fail(`accountId must be a 12-digit account id written as a string (got ${JSON.stringify(accountId)}).`);
    }
    if (config.backupAccount) {
        const scope = config.backupAccount;
        return Object.fromEntries(
            config.regions.map((region) => [
                `backup-account-bucket-policy-${region}.json`,
                backupAccountBucketPolicyDocument(
                    `arn:${config.partition}:s3:::${bucketName(config.projectName, config.environment, accountId, region)}`,
                    scope,
                ),
            ]),
        );
    }
    const bucketOwner = config.member?.backupAccountId ?? accountId;
    const scope = roleScope(config, {
        accountId,
        bucketArns: config.regions.map((region) => `arn:${config.partition}:s3:::${bucketName(config.projectName, config.environment, bucketOwner, region)}`),
        backupKeyArns: keyArns("archiveKeyArns", archiveKeyArns, config.regions, config.partition, accountId),
        drKeyArns: keyArns("drKeyArns", drKeyArns, config.drKeyRegions, config.partition, accountId),
    });
    const documents: Record<string, aws.iam.PolicyDocument> = {
        "backup-role-policy.json": backupRolePolicyDocument(scope),
        "restore-role-policy.json": restoreRolePolicyDocument(scope),
    };
    if (config.member) {
        documents["backup-role-trust-policy.json"] = memberRoleTrustPolicyDocument(config.member.centralRoleArn, config.member.externalId);
        documents["restore-role-trust-policy.json"] = memberRoleTrustPolicyDocument(config.member.centralRestoreRoleArn, config.member.externalId);
    }
    if (config.accounts.length > 0) {
        documents["central-role-policy.json"] = assumeMemberRolesPolicyDocument(config.accounts.map((account) => account.roleArn));
        documents["central-restore-role-policy.json"] = assumeMemberRestoreRolesPolicyDocument(
            config.partition,
            config.environment,
            config.accounts.map((account) => account.accountId),
        );
    }
    return documents;
}
