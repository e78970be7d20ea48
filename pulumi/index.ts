// Pulumi program: read + validate config -> one RegionalBackupStore per region -> one DR key
// per DR region -> home-region metadata -> stack outputs. Logic lives in the imported modules.
import { loadConfig } from "./config";
import { drKey } from "./drKey";
import { homeRegionMetadata } from "./homeRegionMetadata";
import { defaultStore, stackOutputs } from "./outputs";
import { regionalBackupStore } from "./regionalBackupStore";

const config = loadConfig();

const stores = config.regions.map((region) => regionalBackupStore(region, config));
const drKeys = config.drKeyRegions.map((region) => drKey(region, config));
const home = homeRegionMetadata(
    config,
    defaultStore(config, stores).bucketName,
    drKeys.map((dr) => dr.keyArn),
);

const outputs = stackOutputs(config, stores, drKeys, home);
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
