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

/**
 * How `buildDescription` is written (`notify --description-format`): `text` for Jenkins' default markup formatter
 * (plain text: it escapes HTML, so links are shown as `chart: <url>`), `html` for the OWASP Markup Formatter ("Safe
 * HTML"), which keeps `<a href>` clickable (the description itself is escaped).
 */
export const DESCRIPTION_FORMATS = ['text', 'html'] as const;
export type DescriptionFormat = (typeof DESCRIPTION_FORMATS)[number];

/** A CSV file for Jenkins' Plot plugin (one `plot` step each): its name in the notify output directory, the plot's title and y-axis label. */
export interface PlotFile {
  file: string;
  title: string;
  yaxis: string;
}

export const PLOT_FILE_FIELDS: readonly (keyof PlotFile)[] = ['file', 'title', 'yaxis'];

/** The Plot plugin's CSV files `notify --out-dir` writes for a backup (lib/report/plot.ts): first line the series (units), second this build's values. */
export const PLOT_FILES: readonly PlotFile[] = [
  { file: 'plot-parameters.csv', title: 'SSM parameters backed up', yaxis: 'parameters' },
  { file: 'plot-duration-seconds.csv', title: 'SSM backup duration', yaxis: 'seconds' },
  { file: 'plot-archive-bytes.csv', title: 'SSM backup archive size', yaxis: 'bytes' },
];

/**
 * The files `status --chart F.svg --output html --output-file F.html` writes that Jenkins archives next to report.json
 * (the backup step runs it before notify; notify links them when given their URLs).
 */
export const STATUS_CHART_FILE = 'parameters.svg';
export const STATUS_PAGE_FILE = 'status.html';

/** `ssm-backup status` exit codes: 0 every region OK, 1 some region STALE or FAILING (the view is still written), 2 refused (nothing written). */
export const STATUS_EXIT_CODES = { ok: 0, notOk: 1, refused: 2 } as const;

/** report.json as `notify --out-dir` writes it: the report plus the Slack message built from it (lib/report/slack.ts). */
export interface ReportFile extends Report {
  slack: { text: string; attachments: unknown[] };
  /**
   * currentBuild.description: `description` followed by links to the status chart and page when notify was given their
   * URLs (`--chart-url`, `--status-url`), in `--description-format`: text `<description> | chart: <url> | status: <url>`,
   * html `<escaped description> | <a href="<url>">chart</a> | <a href="<url>">status</a>`.
   */
  buildDescription: string;
  /** The Plot plugin CSV files written next to report.json (PLOT_FILES for a backup; none for a restore). */
  plots: PlotFile[];
}

export const REPORT_FILE_FIELDS: readonly (keyof ReportFile)[] = [...REPORT_FIELDS, 'slack', 'buildDescription', 'plots'];

/**
 * Jenkins' region outcomes (`notify --region-outcomes FILE`): `{ [region]: { status, failureMessage } }` for regions whose
 * summary entry does not say what happened (no entry, engine exit != 0, abort, agent-side timeout); each replaces that
 * region's entry in the report. Written by src/org/ssmbackup/RegionOutcome.reportEntries, read by cli/commands/notify.ts.
 */
export const REGION_OUTCOME_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export const REGION_OUTCOME_FIELDS = ['status', 'failureMessage'] as const;
