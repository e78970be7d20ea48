/**
 * The error file (`--error-file`, SSM_BACKUP_ERROR_FILE): written when a command fails, read by Jenkins in `finally`
 * instead of parsing the log. Exit codes: 1 a region or write failed, 2 refused before acting (usage, configuration).
 */
export const ERROR_CATEGORIES = ['usage', 'config', 'region', 'aws', 'integrity', 'notify', 'timeout', 'guard'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export interface ErrorFile {
  exitCode: number;
  category: ErrorCategory;
  /** One line, never a secret value. */
  message: string;
  region?: string;
}

export const ERROR_FILE_FIELDS: readonly (keyof ErrorFile)[] = ['exitCode', 'category', 'message', 'region'];
