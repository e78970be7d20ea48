// Pulumi program: read + validate config -> member roles (member stacks) -> one RegionalBackupStore
// per region -> one DR key per DR region -> role policies -> home-region metadata -> stack outputs.
// Logic lives in the imported modules.
import { loadConfig } from "./config";
import { drKey } from "./drKey";
import { homeRegionMetadata } from "./homeRegionMetadata";
import { attachMemberRolePolicies, memberRoles } from "./memberRoles";
import { defaultStore, rolePolicies, stackOutputs } from "./outputs";
import { regionalBackupStore } from "./regionalBackupStore";

const config = loadConfig();

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

const outputs = stackOutputs(config, stores, drKeys, home, policies, roles);
export const bucketMap = outputs.bucketMap;
// Outputs of the old single-region stack, kept for existing consumers.
export const bucketNameOutput = outputs.bucketNameOutput;
export const bucketArn = outputs.bucketArn;
export const ssmBackupBucketParameter = outputs.ssmBackupBucketParameter;
// Archive encryption keys, DR keys, access log buckets, IAM policy documents (JSON text).
export const kmsKeyMap = outputs.kmsKeyMap;
export const drKmsKeyArns = outputs.drKmsKeyArns;
export const accessLogBucketMap = outputs.accessLogBucketMap;
export const backupRolePolicy = outputs.backupRolePolicy;
export const restoreRolePolicy = outputs.restoreRolePolicy;
// Alarms (issue 23) and multi-account pieces (issue 21).
export const alarmMap = outputs.alarmMap;
export const alarmTopicMap = outputs.alarmTopicMap;
export const memberRoleArns = outputs.memberRoleArns;
export const accountsParameter = outputs.accountsParameter;
export const centralRolePolicy = outputs.centralRolePolicy;
export const centralRestoreRolePolicy = outputs.centralRestoreRolePolicy;
