/**
 * The restore summary file, `restore_summary.json`: what a restore planned and (with --apply) what SSM confirmed.
 * Names and field names only, never values. The engine writes it (lib/restore/summary.ts) and keeps it true while
 * writes land; Jenkins reads it to decide whether to ask for approval and apply.
 */

/** File name of the restore summary in the work directory. */
export const RESTORE_SUMMARY_FILE = 'restore_summary.json';

export const RESTORE_MODES = ['plan', 'apply'] as const;
export type RestoreMode = (typeof RESTORE_MODES)[number];

/** The plan: names per action. `delete` is filled (plan and apply) when --prune is given, else empty. */
export interface RestorePlanNames {
  create: string[];
  update: string[];
  unchanged: string[];
  /** name -> the fields that differ (updated with --overwrite, else left alone). */
  differs: Record<string, string>;
  delete: string[];
}

export interface RestoreSummary {
  mode: RestoreMode;
  environment: string;
  sourceRegion: string;
  targetRegion: string;
  /** Multi-account restores (--account / --target-account): the account whose archive was read. */
  sourceAccountId?: string;
  /** Multi-account restores: the account whose parameters were planned and written (another one with --target-account). */
  targetAccountId?: string;
  archive: { bucket: string; key: string; format: string; verified: boolean; parameterCount: number };
  overwrite: boolean;
  exactTags: boolean;
  prune: boolean;
  counts: Record<string, number>;
  /**
   * How many writes `--apply` makes (mode `apply`) or would make (mode `plan`): planned create + update + delete.
   * The one answer to "is there anything to apply": Jenkins applies only when it is > 0.
   */
  writeCount: number;
  /** Confirmed by SSM, in the order the answers came. */
  created: string[];
  updated: string[];
  deleted: string[];
  skipped: string[];
  failed: { name: string; error: string }[];
  /** Sent and not answered yet: after an interruption these may or may not have been written. */
  inFlight: string[];
  /**
   * aws:ec2:image parameters PutParameter accepted but GetParameter did not show within the confirmation bound: AWS
   * validates the AMI asynchronously and drops the write when it is not available in the target region. Never
   * counted as created or updated; the restore exits 1.
   */
  pending: string[];
  /** The tool's own configuration (/jenkins/{env}/backup/...) found in the selection and not written (--include-config writes it). */
  keptAside: string[];
  /** What AWS judges and the engine only noted, one line per parameter (names and field names, never values; bounded). */
  notes: string[];
  planned: RestorePlanNames;
  /** false while writes are going on (or when the run was interrupted). */
  complete: boolean;
  executionTimeSec: number;
  parametersPerSec?: number;
}

/** writeCount of a plan: create + update + delete. */
export const writeCountOf = (planned: Pick<RestorePlanNames, 'create' | 'update' | 'delete'>): number =>
  planned.create.length + planned.update.length + planned.delete.length;

export const RESTORE_SUMMARY_FIELDS: readonly (keyof RestoreSummary)[] = [
  'mode',
  'environment',
  'sourceRegion',
  'targetRegion',
  'sourceAccountId',
  'targetAccountId',
  'archive',
  'overwrite',
  'exactTags',
  'prune',
  'counts',
  'writeCount',
  'created',
  'updated',
  'deleted',
  'skipped',
  'failed',
  'inFlight',
  'pending',
  'keptAside',
  'notes',
  'planned',
  'complete',
  'executionTimeSec',
  'parametersPerSec',
];

export const RESTORE_PLAN_FIELDS: readonly (keyof RestorePlanNames)[] = ['create', 'update', 'unchanged', 'differs', 'delete'];
