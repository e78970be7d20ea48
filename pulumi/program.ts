// The two programs a stack can be: the backup stack (single account, member or central; buckets, keys, roles,
// metadata) and the backup account stack (`memberAccounts`: buckets only). index.ts exports the outputs of one.
import * as pulumi from "@pulumi/pulumi";
import { BackupAccountStore } from "./backupAccount";
import { BackupStackConfig } from "./config";
import { drKey } from "./drKey";
import { homeRegionMetadata } from "./homeRegionMetadata";
import { attachMemberRolePolicies, memberRoles } from "./memberRoles";
import { BackupStackOutputs, byRegion, defaultStore, rolePolicies, stackOutputs } from "./outputs";
import { regionalBackupStore } from "./regionalBackupStore";

/** Member roles (member stacks) -> one RegionalBackupStore per region -> DR keys -> role policies -> home-region metadata. */
export function backupStack(config: BackupStackConfig): BackupStackOutputs {
    const roles = memberRoles(config);
    const stores = config.regions.map((region) => regionalBackupStore(region, config, roles?.keyUsers));
    const drKeys = config.drKeyRegions.map((region) => drKey(region, config, roles?.keyUsers));
    const policies = rolePolicies(config, stores, drKeys);
    if (roles) {
        attachMemberRolePolicies(roles, policies);
    }
    const home = homeRegionMetadata(
        config,
        defaultStore(config, stores).bucketName,
        drKeys.map((dr) => dr.keyArn),
    );
    return stackOutputs(config, stores, drKeys, home, policies, roles);
}

/** One BackupAccountStore per region; the outputs a backup account has (buckets), the others empty. */
export function backupAccountStack(config: BackupStackConfig): BackupStackOutputs {
    const scope = config.backupAccount;
    if (!scope) {
        throw new pulumi.RunError("backupAccountStack needs memberAccounts.");
    }
    const stores = config.regions.map((region) => new BackupAccountStore(region, config, scope));
    const fallback = stores.find((store) => store.region === config.defaultRegion) ?? stores[0];
    const logBuckets = stores.flatMap((store) => (store.store.accessLogBucket ? [{ region: store.region, value: store.store.accessLogBucket.bucket }] : []));
    const none = pulumi.output<string | undefined>(undefined);
    return {
        bucketMap: byRegion(stores.map((store) => ({ region: store.region, value: store.store.bucket.bucket }))),
        bucketNameOutput: fallback.store.bucket.bucket,
        bucketArn: fallback.store.bucket.arn,
        ssmBackupBucketParameter: none,
        kmsKeyMap: pulumi.output<Record<string, string>>({}),
        drKmsKeyArns: pulumi.output<string[]>([]),
        accessLogBucketMap: byRegion(logBuckets),
        backupRolePolicy: none,
        restoreRolePolicy: none,
        alarmMap: pulumi.output<Record<string, string>>({}),
        alarmTopicMap: pulumi.output<Record<string, string>>({}),
        memberRoleArns: pulumi.output<Record<string, string>>({}),
        accountsParameter: none,
        centralRolePolicy: none,
        centralRestoreRolePolicy: none,
    };
}
