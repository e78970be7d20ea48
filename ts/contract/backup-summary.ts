/**
 * The backup summary file, `region_summaries.json`: `{ [region]: RegionSummary }` in plan order. The engine is its only
 * author (lib/backup/summary-file.ts); Jenkins (vars/, src/) only reads it. Field names here are the contract: the
 * Groovy tests read test/fixtures/contract.json, generated from this folder (`npm run docs`).
 */

/** File name of the backup summary in the work directory. */
export const BACKUP_SUMMARY_FILE = 'region_summaries.json';

/** Region statuses the engine writes. TIMED_OUT: the region was stopped at its deadline. */
export const REGION_STATUSES = ['SUCCESS', 'FAILED', 'SKIPPED', 'TIMED_OUT'] as const;
export type RegionStatus = (typeof REGION_STATUSES)[number];

/** Statuses that fail the run (and stop a fail-fast run: the regions after them are SKIPPED). */
export const FAILED_STATUSES: readonly RegionStatus[] = ['FAILED', 'TIMED_OUT'];

/**
 * How the new archive was compared with the previous one (the archive latest.txt named before the run):
 * `index`: names compared (added/removed/changed are counts); `count`: the previous archive has no name index, only its
 * parameter count is known; `nothing`: no previous archive, or one that could not be read.
 */
export const DRIFT_COMPARISONS = ['index', 'count', 'nothing'] as const;
export type DriftComparison = (typeof DRIFT_COMPARISONS)[number];

/**
 * `drift` of a region summary. Counts are exact, names sorted and at most 50 per kind. When a previous archive exists
 * but its names could not be compared (`comparedWith` `count` or `nothing` with `previousArchive` set), the counts are
 * null and `notComparedReason` says why: the report then says "not compared", never "no change".
 */
export interface Drift {
  previousArchive: string | null;
  previousCount: number | null;
  comparedWith: DriftComparison;
  added: number | null;
  removed: number | null;
  changed: number | null;
  addedNames: string[];
  removedNames: string[];
  changedNames: string[];
  /** Set exactly when a previous archive exists and its names were not compared: one line, e.g. "it has no name index". */
  notComparedReason?: string;
}

/** What the region summary says about protection: client-side (format 2, with the keys) or SSE-S3 only. */
export interface EncryptionSummary {
  clientSide: boolean;
  keyArn?: string;
  drKeyArns?: string[];
}

/**
 * Key of a unit's entry in a multi-account summary: `{accountId}/{region}` (e.g. `111111111111/us-west-2`). A
 * single-account summary keeps region keys and no `accountId`/`region` fields.
 */
export function unitKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/** One entry of region_summaries.json. */
export interface RegionSummary {
  status: RegionStatus;
  /** Multi-account runs only: the 12-digit account the unit backed up (its key is unitKey(accountId, region)). */
  accountId?: string;
  /** Multi-account runs only: the unit's region. */
  region?: string;
  parameterCount: number;
  /** s3://bucket/key of the archive; null when none was written. */
  artifactPath: string | null;
  executionTimeSec: number;
  failureMessage?: string;
  dryRun?: boolean;
  bucket?: string | null;
  archiveBytes?: number;
  /** Parameters deleted while the backup ran (listed, then gone). */
  vanished?: string[];
  warnings?: string[];
  /** Why the region failed: `guard` (the shrink guard refused to move latest.txt), else the error category. */
  failureCategory?: string;
  /** Comparison with the archive latest.txt named before this run (a dry run compares too; absent when the upload failed). */
  drift?: Drift;
  /** Parameters whose tags changed while the backup ran (at most 50): the archive holds the tags read first. */
  tagsChanged?: string[];
  /** Client-side encryption (format 2) or SSE-S3 only; absent when the region failed before it was known. */
  encryption?: EncryptionSummary;
  /**
   * A failed or timed-out region: when the archive latest.txt names was made (the region's last successful backup,
   * ISO-8601), null when the bucket has no latest.txt; absent when it could not be read.
   */
  lastSuccessAt?: string | null;
}

/** Every field name a RegionSummary may carry (for the Groovy conformance tests). */
export const REGION_SUMMARY_FIELDS: readonly (keyof RegionSummary)[] = [
  'status',
  'accountId',
  'region',
  'parameterCount',
  'artifactPath',
  'executionTimeSec',
  'failureMessage',
  'dryRun',
  'bucket',
  'archiveBytes',
  'vanished',
  'warnings',
  'failureCategory',
  'drift',
  'tagsChanged',
  'encryption',
  'lastSuccessAt',
];

export const DRIFT_FIELDS: readonly (keyof Drift)[] = [
  'previousArchive',
  'previousCount',
  'comparedWith',
  'added',
  'removed',
  'changed',
  'addedNames',
  'removedNames',
  'changedNames',
  'notComparedReason',
];
