import type { CommandModule } from 'yargs';
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildSlackMessage, postSlack } from '../lib/notify.js';
import { renderBackupReport, RUN_RESULTS, type RegionReport, type RunContext, type RunResult } from '../lib/report.js';
import { renderRestoreReport, type RestoreReportSummary } from '../lib/restore-report.js';
import { junitXml } from '../lib/junit.js';
import { EngineError, usageError } from '../lib/errors.js';
import { writeJsonAtomic } from '../lib/files.js';
import { AwsClientFactory } from '../lib/aws/clients.js';
import { globalOptions, withOptions, runCommand, type GlobalArgs, type CliIo } from './common.js';

interface NotifyArgs extends GlobalArgs {
  summaryFile?: string;
  kind: 'backup' | 'restore';
  result?: RunResult;
  environment?: string;
  dryRun: boolean;
  title?: string;
  channel?: string;
  buildUrl?: string;
  jobName?: string;
  buildNumber?: string;
  durationSec?: number;
  failureMessage?: string;
  runbookUrl?: string;
  summaryUrl?: string;
  outDir?: string;
}

export const notifyOptions = {
  'summary-file': { type: 'string' as const, describe: 'region_summaries.json (--kind backup) or restore_summary.json (--kind restore); required unless --failure-message' },
  kind: { choices: ['backup', 'restore'] as const, default: 'backup' as const, describe: 'What the summary file reports' },
  result: { choices: RUN_RESULTS, describe: 'A result the caller knows better (ABORTED); the worse of it and the summary\'s is reported' },
  environment: { type: 'string' as const, describe: 'Environment name shown in the messages' },
  'dry-run': { type: 'boolean' as const, default: false, describe: 'Say that the run was a dry run ([DRY RUN] in Slack and the email subject)' },
  title: { type: 'string' as const, describe: 'What ran (default "SSM backup" or "SSM restore")' },
  channel: { type: 'string' as const, describe: 'Channel override (honoured by legacy webhooks only)' },
  'build-url': { type: 'string' as const, describe: 'Link to the Jenkins build' },
  'job-name': { type: 'string' as const, describe: 'Jenkins job name' },
  'build-number': { type: 'string' as const, describe: 'Jenkins build number' },
  'duration-sec': { type: 'number' as const, describe: 'Run duration in seconds' },
  'failure-message': { type: 'string' as const, describe: 'Why the run failed when the summary cannot say (e.g. the plan failed); shown once' },
  'runbook-url': { type: 'string' as const, describe: 'Link to the runbook' },
  'summary-url': { type: 'string' as const, describe: 'Link to the archived summary file' },
  'out-dir': { type: 'string' as const, describe: 'Write report.json (result, description, table, email, slack) and, for a backup, junit.xml here' },
};

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
function asSummaries(data: unknown, file: string, kind: NotifyArgs['kind']): Record<string, RegionReport> | RestoreReportSummary {
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

function writeTextAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}

/**
 * `ssm-backup notify`: renders the report of a run from its summary file (with --out-dir: report.json and junit.xml
 * for Jenkins) and posts it to the Slack incoming webhook in SLACK_WEBHOOK_URL when that is set (bind it with
 * withCredentials; never argv). Without --out-dir the webhook is required.
 */
export function notifyCommand(io: CliIo, setCode: (n: number) => void, fetchImpl?: typeof fetch): CommandModule<object, NotifyArgs> {
  return {
    command: 'notify',
    describe: 'Render a run\'s report (--out-dir) and post it to Slack (webhook URL from the SLACK_WEBHOOK_URL environment variable only)',
    builder: (y) => withOptions(y, globalOptions, notifyOptions) as never,
    handler: async (argv) => {
      setCode(await runCommand(io, argv, () => new AwsClientFactory(), async ({ logger }) => {
        const url = io.env.SLACK_WEBHOOK_URL;
        if (!argv.summaryFile && !argv.failureMessage) throw usageError('--summary-file is required unless --failure-message says why the run has none');
        if (!argv.outDir && !url) {
          throw new EngineError('config', 'SLACK_WEBHOOK_URL is not set: bind the webhook credential to it (withCredentials string), or pass --out-dir to render only');
        }
        const data = argv.summaryFile ? asSummaries(readSummaryFile(argv.summaryFile), argv.summaryFile, argv.kind) : undefined;
        const ctx: RunContext = {
          title: argv.title, environment: argv.environment, dryRun: argv.dryRun, result: argv.result, failureMessage: argv.failureMessage,
          buildUrl: argv.buildUrl, jobName: argv.jobName, buildNumber: argv.buildNumber, durationSec: argv.durationSec,
          runbookUrl: argv.runbookUrl, summaryUrl: argv.summaryUrl,
        };
        const report = argv.kind === 'restore'
          ? renderRestoreReport(data as RestoreReportSummary | undefined, ctx)
          : renderBackupReport((data ?? {}) as Record<string, RegionReport>, ctx);
        const message = buildSlackMessage(report, argv.channel);
        if (argv.outDir) {
          writeJsonAtomic(path.join(argv.outDir, 'report.json'), { ...report, slack: message });
          if (argv.kind === 'backup') {
            writeTextAtomic(path.join(argv.outDir, 'junit.xml'), junitXml((data ?? {}) as Record<string, RegionReport>, { environment: argv.environment, dryRun: report.dryRun }));
          }
          logger.info(`Report written to ${argv.outDir}: ${report.description}`);
        }
        if (url) {
          await postSlack(url, message, { fetchImpl });
          logger.info(`Slack notified: ${message.text}`);
        }
        return 0;
      }));
    },
  };
}
