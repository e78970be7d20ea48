/**
 * Checking a setup before the first night, read-only: for every region, the configuration keys, the bucket (exists
 * in that region, owner, versioning, public access block, policy, lifecycle, object lock), the KMS keys (state, a real
 * GenerateDataKey + Decrypt round trip, DR keys encrypt) and every permission the backup needs, each exercised by
 * one read-only call. A result is a row OK / WARN / FAIL with the fix; `blocksBackup` marks a FAIL the real backup
 * would hit too (backup --dry-run fails such a region).
 */
export * from './result.js';
export { checkBucket, MIN_ARCHIVE_RETENTION_DAYS } from './bucket.js';
export { checkKeys } from './keys.js';
export { checkAccess } from './access.js';
export { checkConfiguration, checkRegion, runChecks, checkExitCode } from './run.js';
