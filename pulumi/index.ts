// Pulumi program: read + validate config, then build the backup stack (program.ts backupStack: member roles,
// one RegionalBackupStore per region, DR keys, role policies, home-region metadata) or, with `memberAccounts`,
// the backup account stack (backupAccountStack: buckets only). Logic lives in the imported modules.
import { loadConfig } from "./config";
import { backupAccountStack, backupStack } from "./program";

const config = loadConfig();
const outputs = config.backupAccount ? backupAccountStack(config) : backupStack(config);

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
