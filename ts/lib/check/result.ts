import { awsErrorCode, describeAwsError } from '../support/index.js';

export type CheckStatus = 'OK' | 'WARN' | 'FAIL';

/**
 * One line of `check`'s table. `blocksBackup`: a FAIL the real backup would also hit (it would fail the region);
 * other FAILs (versioning, public access block, bucket policy) leave the backup working but the setup unsafe.
 */
export interface CheckResult {
  region: string;
  check: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a WARN or FAIL. */
  fix?: string;
  blocksBackup?: boolean;
}

export const ok = (region: string, check: string, detail: string): CheckResult => ({ region, check, status: 'OK', detail });
export const warn = (region: string, check: string, detail: string, fix: string): CheckResult => ({ region, check, status: 'WARN', detail, fix });
export const fail = (region: string, check: string, detail: string, fix: string, blocksBackup = false): CheckResult => ({
  region,
  check,
  status: 'FAIL',
  detail,
  fix,
  blocksBackup,
});

/** An AWS error as "Code: message" (no values: these calls carry none). */
export const why = (err: unknown): string => describeAwsError(err);

export const isDenied = (err: unknown): boolean => ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(awsErrorCode(err) ?? '');

export const codeOf = (err: unknown): string | undefined => awsErrorCode(err);
