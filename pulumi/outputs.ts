import * as pulumi from "@pulumi/pulumi";
import { BackupStackConfig } from "./config";
import { DrKey } from "./drKey";
import { HomeRegionMetadata } from "./homeRegionMetadata";
import {
    roleScope,
    assumeMemberRestoreRolesPolicyDocument,
    assumeMemberRolesPolicyDocument,
    backupRolePolicyDocument,
    restoreRolePolicyDocument,
} from "./iamPolicies";
import { MemberRoles } from "./memberRoles";
import { RegionalBackupStore } from "./regionalBackupStore";

/** Stack outputs; bucketNameOutput, bucketArn and ssmBackupBucketParameter keep the single-region stack's names. */
export interface BackupStackOutputs {
    /** `{ region: bucketName }` for every configured region. */
    readonly bucketMap: pulumi.Output<Record<string, string>>;
    /** Default region's bucket name. */
    readonly bucketNameOutput: pulumi.Output<string>;
    /** Default region's bucket ARN. */
    readonly bucketArn: pulumi.Output<string>;
    /** Name of the legacy SSM parameter holding the default region's bucket name; undefined in a backup account. */
    readonly ssmBackupBucketParameter: pulumi.Output<string | undefined>;
    /** `{ region: archive key ARN }` for every configured region. */
    readonly kmsKeyMap: pulumi.Output<Record<string, string>>;
    /** DR key ARNs in `drKeyRegions` order (`[]` without DR keys). */
    readonly drKmsKeyArns: pulumi.Output<string[]>;
    /** `{ region: access log bucket name }`; `{}` unless `accessLogs` is on. */
    readonly accessLogBucketMap: pulumi.Output<Record<string, string>>;
    /** IAM policy document (JSON text) for the role the backup runs as; undefined in a backup account. */
    readonly backupRolePolicy: pulumi.Output<string | undefined>;
    /** IAM policy document (JSON text) for the role restores run as; undefined in a backup account. */
    readonly restoreRolePolicy: pulumi.Output<string | undefined>;
    /** `{ region: alarm ARN }`; `{}` with `backupAlarm: false`. */
    readonly alarmMap: pulumi.Output<Record<string, string>>;
    /** `{ region: SNS topic ARN }`; `{}` unless `alarmTopic` or `alarmEmail`. */
    readonly alarmTopicMap: pulumi.Output<Record<string, string>>;
    /** Member stacks: `{ backup: role ARN, restore: role ARN }`; `{}` otherwise. */
    readonly memberRoleArns: pulumi.Output<Record<string, string>>;
    /** Central stacks: name of the accounts parameter; undefined without `accounts`. */
    readonly accountsParameter: pulumi.Output<string | undefined>;
    /**
     * Central stacks: policy (JSON text) letting the central restore identity assume each listed account's
     * `jenkins-ssm-restore-<env>` (restore, verify, diff with --account / --target-account); undefined without `accounts`.
     */
    readonly centralRestoreRolePolicy: pulumi.Output<string | undefined>;
    /** Central stacks: policy (JSON text) letting the central Jenkins role assume the listed roles; undefined without `accounts`. */
    readonly centralRolePolicy: pulumi.Output<string | undefined>;
}

export function defaultStore(config: BackupStackConfig, stores: readonly RegionalBackupStore[]): RegionalBackupStore {
    const store = stores.find((candidate) => candidate.region === config.defaultRegion);
    if (!store) {
        // validateConfig guarantees it; this keeps the type checker (and a misuse) honest.
        throw new pulumi.RunError("defaultRegion must be included in regions.");
    }
    return store;
}

/** `{ region: value }` from one Output per region, in region order. */
export function byRegion(entries: { region: string; value: pulumi.Output<string> }[]): pulumi.Output<Record<string, string>> {
    return pulumi.all(entries.map(({ region, value }) => value.apply((v): [string, string] => [region, v]))).apply((pairs) => Object.fromEntries(pairs));
}

/** The backup and restore policy documents (JSON text) of this stack's buckets and keys. */
export function rolePolicies(
    config: BackupStackConfig,
    stores: readonly RegionalBackupStore[],
    drKeys: readonly DrKey[],
): pulumi.Output<{ backup: string; restore: string }> {
    return pulumi
        .all([
            defaultStore(config, stores).accountId,
            pulumi.all(stores.map((store) => store.bucketArn)),
            pulumi.all(stores.map((store) => store.kmsKey.arn)),
            pulumi.all(drKeys.map((dr) => dr.keyArn)),
        ])
        .apply(([accountId, bucketArns, backupKeyArns, drKeyArns]) => {
            const scope = roleScope(config, { accountId, bucketArns, backupKeyArns, drKeyArns });
            return {
                backup: JSON.stringify(backupRolePolicyDocument(scope), null, 2),
                restore: JSON.stringify(restoreRolePolicyDocument(scope), null, 2),
            };
        });
}

export function stackOutputs(
    config: BackupStackConfig,
    stores: readonly RegionalBackupStore[],
    drKeys: readonly DrKey[],
    home: HomeRegionMetadata,
    policies: pulumi.Output<{ backup: string; restore: string }>,
    roles: MemberRoles | undefined,
): BackupStackOutputs {
    const fallback = defaultStore(config, stores);
    const alarms = stores.flatMap((store) => (store.alarm ? [{ region: store.region, alarm: store.alarm }] : []));
    const topics = alarms.flatMap(({ region, alarm }) => (alarm.topic ? [{ region, value: alarm.topic.arn }] : []));
    const accounts = config.accounts.map((account) => account.roleArn);
    const logBuckets = stores.flatMap((store) => (store.accessLogBucket ? [{ region: store.region, value: store.accessLogBucket.bucket }] : []));
    return {
        bucketMap: byRegion(stores.map((store) => ({ region: store.region, value: store.bucketName }))),
        bucketNameOutput: fallback.bucketName,
        bucketArn: fallback.bucketArn,
        ssmBackupBucketParameter: home.legacyBucketName.name,
        kmsKeyMap: byRegion(stores.map((store) => ({ region: store.region, value: store.kmsKey.arn }))),
        drKmsKeyArns: pulumi.all(drKeys.map((dr) => dr.keyArn)),
        accessLogBucketMap: byRegion(logBuckets),
        backupRolePolicy: policies.backup,
        restoreRolePolicy: policies.restore,
        alarmMap: byRegion(alarms.map(({ region, alarm }) => ({ region, value: alarm.alarm.arn }))),
        alarmTopicMap: byRegion(topics),
        memberRoleArns: roles
            ? pulumi.all({ backup: roles.backupRole.arn, restore: roles.restoreRole.arn }).apply((arns): Record<string, string> => arns)
            : pulumi.output<Record<string, string>>({}),
        accountsParameter: home.accounts ? home.accounts.name.apply((name): string | undefined => name) : pulumi.output(undefined),
        centralRolePolicy: pulumi.output(accounts.length > 0 ? JSON.stringify(assumeMemberRolesPolicyDocument(accounts), null, 2) : undefined),
        centralRestoreRolePolicy: pulumi.output(
            accounts.length > 0
                ? JSON.stringify(
                      assumeMemberRestoreRolesPolicyDocument(
                          config.partition,
                          config.environment,
                          config.accounts.map((account) => account.accountId),
                      ),
                      null,
                      2,
                  )
                : undefined,
        ),
    };
}
