/**
 * report.json: everything Jenkins shows of a run (build result, description, table, email, Slack lines), written by
 * `ssm-backup notify --out-dir` from a summary file. Rendered by lib/report/ (pure functions); Jenkins only reads it.
 */

/** File name of the rendered report in the notify output directory. */
export const REPORT_FILE = 'report.json';

/** Jenkins build results the report can state (hudson.model.Result names), least to most severe. */
export type RunResult = 'SUCCESS' | 'UNSTABLE' | 'FAILURE' | 'ABORTED';
export const RUN_RESULTS: readonly RunResult[] = ['SUCCESS', 'UNSTABLE', 'FAILURE', 'ABORTED'];

export interface Link {
  label: string;
  url: string;
}

/** Everything Jenkins shows of a run: written by `ssm-backup notify --out-dir` as report.json. */
export interface Report {
  kind: 'backup' | 'restore';
  result: RunResult;
  dryRun: boolean;
  /** e.g. `SSM backup dev` */
  title: string;
  /** One line: result and totals, never the cause (the rows or `cause` carry it, once). */
  headline: string;
  /**
   * The notification preview (what a phone shows): a failed region, its cause in a few words and when it last backed up
   * successfully; for UNSTABLE the first warning; else the headline.
   */
  preview?: string;
  /** currentBuild.description, e.g. `OK 3/3 regions, 12,345 parameters` or `FAILED us-west-2: <cause>`. */
  description: string;
  /** Plain-text table (console and email), lines joined with \n. */
  table: string;
  /** Set only when no row shows why the run failed. */
  cause?: string;
  /** Warnings and vanished parameters, one line each. */
  notes: string[];
  links: Link[];
  /** Slack mrkdwn lines, one per region (or per restore fact). */
  slackLines: string[];
  email: { subject: string; body: string };
}

export const REPORT_FIELDS: readonly (keyof Report)[] = [
  'kind',
  'result',
  'dryRun',
  'title',
  'headline',
  'preview',
  'description',
  'table',
  'cause',
  'notes',
  'links',
  'slackLines',
  'email',
];

/** report.json as `notify --out-dir` writes it: the report plus the Slack message built from it (lib/report/slack.ts). */
export interface ReportFile extends Report {
  slack: { text: string; attachments: unknown[] };
}

export const REPORT_FILE_FIELDS: readonly (keyof ReportFile)[] = [...REPORT_FIELDS, 'slack'];

/**
 * Jenkins' region outcomes (`notify --region-outcomes FILE`): `{ [region]: { status, failureMessage } }` for regions whose
 * summary entry does not say what happened (no entry, engine exit != 0, abort, agent-side timeout); each replaces that
 * region's entry in the report. Written by src/org/ssmbackup/RegionOutcome.reportEntries, read by cli/commands/notify.ts.
 */
export const REGION_OUTCOME_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export const REGION_OUTCOME_FIELDS = ['status', 'failureMessage'] as const;
