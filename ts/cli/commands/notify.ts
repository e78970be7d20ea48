import { DESCRIPTION_FORMATS, PLOT_FILES, REGION_OUTCOME_STATUSES, REPORT_FILE, type Link, type ReportFile } from '../../contract/index.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSlackMessage,
  postSlack,
  renderBackupReport,
  RUN_RESULTS,
  type RegionReport,
  type RunContext,
  type RunResult,
  renderRestoreReport,
  type RestoreReportSummary,
  junitXml,
  plotCsvs,
  buildPageDescription,
} from '../../lib/report/index.js';
import { EngineError, usageError, writeJsonAtomic, writeTextAtomic } from '../../lib/support/index.js';
import { defineCommand } from '../run-command.js';
import { globalOptions } from '../options.js';

export const notifyOptions = {
  ...globalOptions,
  'summary-file': {
    kind: 'file-in',
    describe: 'region_summaries.json (--kind backup) or restore_summary.json (--kind restore); required unless --failure-message',
  },
  kind: { kind: 'choice', choices: ['backup', 'restore'] as const, default: 'backup', describe: 'What the summary file reports' },
  result: { kind: 'choice', choices: RUN_RESULTS, describe: "A result the caller knows better (ABORTED); the worse of it and the summary's is reported" },
  environment: { kind: 'string', describe: 'Environment name shown in the messages' },
  'dry-run': { kind: 'boolean', default: false, describe: 'Say that the run was a dry run ([DRY RUN] in Slack and the email subject)' },
  title: { kind: 'string', defaultDescription: 'SSM backup / SSM restore', describe: 'What ran' },
  channel: { kind: 'string', describe: 'Channel override (honoured by legacy webhooks only)' },
  'build-url': { kind: 'string', describe: 'Link to the Jenkins build' },
  'job-name': { kind: 'string', describe: 'Jenkins job name' },
  'build-number': { kind: 'string', describe: 'Jenkins build number' },
  'duration-sec': { kind: 'number', min: 0, describe: 'Run duration in seconds' },
  'region-outcomes': {
    kind: 'file-in',
    describe:
      'Jenkins: {region: {status, failureMessage}} for regions whose summary entry does not say what happened (no entry, engine exit != 0, timeout, abort); they replace those entries in the report',
  },
  'failure-message': { kind: 'string', describe: 'Why the run failed when the summary cannot say (e.g. the plan failed); shown once' },
  'runbook-url': { kind: 'string', describe: 'Link to the runbook' },
  'summary-url': { kind: 'string', describe: 'Link to the archived summary file' },
  'chart-url': {
    kind: 'string',
    describe: 'Link (http or https) to the archived status chart (`status --chart`); the build description (report.json buildDescription) ends with it',
  },
  'status-url': {
    kind: 'string',
    describe: 'Link (http or https) to the archived status page (`status --output html`); the build description ends with it',
  },
  'description-format': {
    kind: 'choice',
    choices: DESCRIPTION_FORMATS,
    default: 'text',
    describe:
      "How buildDescription links: text (`chart: <url>`, for Jenkins' default plain-text markup formatter) or html (`<a href>`, for the OWASP Markup Formatter; the description is escaped)",
  },
  'out-dir': {
    kind: 'dir-out',
    describe:
      "Write report.json (result, description, buildDescription, table, email, slack, plots) and, for a backup, junit.xml and the Plot plugin's plot-parameters.csv, plot-duration-seconds.csv, plot-archive-bytes.csv here",
  },
  'started-by': { kind: 'string', describe: 'Who started the run (shown in a restore notification), e.g. the Jenkins user from the build causes' },
  'option-names': {
    kind: 'choice',
    choices: ['cli', 'step'] as const,
    defaultDescription: 'step when JENKINS_URL is set, else cli',
    describe: "How messages name options: as CLI flags (--no-fail-fast) or as the Jenkins step's options (failFast: false)",
  },
} as const;

function readSummaryFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`Cannot read --summary-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text.trim() === '' ? '{}' : text);
  } catch (err) {
    throw usageError(`--summary-file ${file} is not JSON: ${(err as Error).message}`);
  }
}

/** Checks the shape the renderers rely on; one line naming the file and what is wrong. */
function asSummaries(data: unknown, file: string, kind: 'backup' | 'restore'): Record<string, RegionReport> | RestoreReportSummary {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(data)) throw usageError(`--summary-file ${file} is not a JSON object`);
  if (kind === 'restore') {
    if (data.mode !== 'plan' && data.mode !== 'apply') throw usageError(`--summary-file ${file} is not a restore summary: "mode" must be plan or apply`);
    return data as unknown as RestoreReportSummary;
  }
  const bad = Object.entries(data).find(([, s]) => !isObject(s) || typeof s.status !== 'string');
  if (bad) throw usageError(`--summary-file ${file} is not a region summary object: region "${bad[0]}" has no status`);
  return data as Record<string, RegionReport>;
}

const OUTCOME_STATUSES: readonly string[] = REGION_OUTCOME_STATUSES;

/** The summaries with Jenkins' region outcomes in place of the entries they correct (new regions after the file's). */
function withOutcomes(summaries: Record<string, RegionReport>, file: string): Record<string, RegionReport> {
  const data = readSummaryFile(file);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw usageError(`--region-outcomes ${file} is not a JSON object`);
  const out = { ...summaries };
  for (const [region, o] of Object.entries(data as Record<string, { status?: unknown; failureMessage?: unknown }>)) {
    if (!OUTCOME_STATUSES.includes(String(o?.status)) || typeof o.failureMessage !== 'string') {
      throw usageError(`--region-outcomes ${file}: region "${region}" needs a status (${OUTCOME_STATUSES.join(', ')}) and a failureMessage`);
    }
    // a multi-account unit (`{accountId}/{region}`) keeps its account and region, so it is labelled and grouped as such
    const unit = /^(\d{12})\/(.+)$/.exec(region);
    const where = unit ? { accountId: unit[1], region: unit[2] } : {};
    out[region] = { status: String(o.status), ...where, parameterCount: 0, artifactPath: null, failureMessage: o.failureMessage, failureCategory: 'jenkins' };
  }
  return out;
}

/**
 * `ssm-backup notify`: renders the report of a run from its summary file (with --out-dir: report.json and junit.xml
 * for Jenkins) and posts it to the Slack incoming webhook in SLACK_WEBHOOK_URL when that is set (bind it with
 * withCredentials; never argv). Without --out-dir the webhook is required.
 */
export function makeNotifyCommand(fetchImpl?: typeof fetch) {
  return defineCommand({
    name: 'notify',
    describe: "Render a run's report (--out-dir) and post it to Slack (webhook URL from the SLACK_WEBHOOK_URL environment variable only)",
    options: notifyOptions,
    examples: [
      [
        'ssm-backup notify --summary-file ssm-backup-work/region_summaries.json --environment prod --out-dir report',
        'Render report.json and junit.xml for Jenkins',
      ],
      [
        'SLACK_WEBHOOK_URL=... ssm-backup notify --summary-file ssm-backup-work/region_summaries.json --environment prod',
        'Post the run to a Slack incoming webhook',
      ],
    ],
    check: (o) => {
      if (!o.summaryFile && !o.failureMessage) throw usageError('--summary-file is required unless --failure-message says why the run has none');
      for (const [flag, url] of [
        ['--chart-url', o.chartUrl],
        ['--status-url', o.statusUrl],
      ] as const) {
        if (url !== undefined && !/^https?:\/\/[^\s"'<>]+$/.test(url)) throw usageError(`${flag} "${url}" is not an http or https URL`);
      }
    },
    run: async ({ logger, io }, o) => {
      const url = io.env.SLACK_WEBHOOK_URL;
      if (!o.outDir && !url) {
        throw new EngineError(
          'config',
          'SLACK_WEBHOOK_URL is not set: bind the webhook credential to it (withCredentials string), or pass --out-dir to render only',
        );
      }
      let data = o.summaryFile ? asSummaries(readSummaryFile(o.summaryFile), o.summaryFile, o.kind) : undefined;
      if (o.regionOutcomes && o.kind === 'backup') data = withOutcomes((data ?? {}) as Record<string, RegionReport>, o.regionOutcomes);
      const ctx: RunContext = {
        title: o.title,
        environment: o.environment,
        dryRun: o.dryRun,
        result: o.result as RunResult | undefined,
        failureMessage: o.failureMessage,
        buildUrl: o.buildUrl,
        jobName: o.jobName,
        buildNumber: o.buildNumber,
        durationSec: o.durationSec,
        runbookUrl: o.runbookUrl,
        summaryUrl: o.summaryUrl,
        chartUrl: o.chartUrl,
        statusUrl: o.statusUrl,
        startedBy: o.startedBy,
        stepOptionNames: (o.optionNames ?? (io.env.JENKINS_URL ? 'step' : 'cli')) === 'step',
      };
      const report =
        o.kind === 'restore'
          ? renderRestoreReport(data as RestoreReportSummary | undefined, ctx)
          : renderBackupReport((data ?? {}) as Record<string, RegionReport>, ctx);
      const message = buildSlackMessage(report, o.channel);
      if (o.outDir) {
        const pageLinks: Link[] = [
          ...(o.chartUrl ? [{ label: 'chart', url: o.chartUrl }] : []),
          ...(o.statusUrl ? [{ label: 'status', url: o.statusUrl }] : []),
        ];
        const file: ReportFile = {
          ...report,
          slack: message,
          buildDescription: buildPageDescription(report.description, pageLinks, o.descriptionFormat),
          plots: o.kind === 'backup' ? [...PLOT_FILES] : [],
        };
        writeJsonAtomic(path.join(o.outDir, REPORT_FILE), file);
        if (o.kind === 'backup') {
          writeTextAtomic(
            path.join(o.outDir, 'junit.xml'),
            junitXml((data ?? {}) as Record<string, RegionReport>, { environment: o.environment, dryRun: report.dryRun }),
          );
          for (const [file, text] of Object.entries(plotCsvs((data ?? {}) as Record<string, RegionReport>))) writeTextAtomic(path.join(o.outDir, file), text);
        }
        logger.info(`Report written to ${o.outDir}: ${report.description}`);
      }
      if (url) {
        await postSlack(url, message, { fetchImpl });
        logger.info(`Slack notified: ${message.text}`);
      }
      return 0;
    },
  });
}

export const notifyCommand = makeNotifyCommand();
