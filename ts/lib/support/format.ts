/**
 * The one number format of everything the engine prints (logs, tables, reports, refusals): thousands separated by
 * commas, as the AWS console and the AWS CLI's table output show counts. 12345 -> `12,345`.
 */
export const formatNumber = (n: number | undefined | null): string => (n ?? 0).toLocaleString('en-US');
