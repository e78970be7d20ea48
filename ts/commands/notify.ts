import { readFileSync } from 'node:fs';
import { buildSlackMessage, postSlack, RUN_RESULTS, type NotifyRegionSummary } from '../lib/notify.js';
import { EngineError } from '../lib/errors.js';
import { defineCommand } from './common.js';
import { globalOptions } from './options.js';


export const notifyOptions = {
  ...globalOptions,
  'summary-file': { kind: 'file-in', required: true, describe: 'region_summaries.json of the run ({region: {status, parameterCount, ...}})' },
  result: { kind: 'choice', choices: RUN_RESULTS, required: true, describe: 'Build result to report' },
  environment: { kind: 'string', describe: 'Environment name shown in the message' },
  'dry-run': { kind: 'boolean', default: false, describe: 'Say that the run was a dry run' },
  title: { kind: 'string', default: 'SSM backup', describe: 'What ran (e.g. "SSM restore")' },
  channel: { kind: 'string', describe: 'Channel override (honoured by legacy webhooks only)' },
  'build-url': { kind: 'string', describe: 'Link to the Jenkins build' },
  'job-name': { kind: 'string', describe: 'Jenkins job name' },
  'build-number': { kind: 'string', describe: 'Jenkins build number' },
  'duration-sec': { kind: 'number', min: 0, describe: 'Run duration in seconds' },
  'failed-region': { kind: 'string', describe: 'First region that failed' },
  'failure-message': { kind: 'string', describe: 'Why the run failed (one line)' },
} as const;

function readSummaries(file: string): Record<string, NotifyRegionSummary> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EngineError('usage', `Cannot read --summary-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const data: unknown = JSON.parse(text.trim() === '' ? '{}' : text);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('not a JSON object');
    return data as Record<string, NotifyRegionSummary>;
  } catch (err) {
    throw new EngineError('usage', `--summary-file ${file} is not a region summary object: ${(err as Error).message}`);
  }
}

/**
 * `ssm-backup notify`: posts the run's summary to a Slack incoming webhook. The URL comes only from the
 * environment variable SLACK_WEBHOOK_URL (bind it with withCredentials), never from argv.
 */
export function makeNotifyCommand(fetchImpl?: typeof fetch) {
  return defineCommand({
    name: 'notify',
    describe: 'Post the run summary to Slack (webhook URL from the SLACK_WEBHOOK_URL environment variable only)',
    options: notifyOptions,
    examples: [['SLACK_WEBHOOK_URL=... ssm-backup notify --summary-file ssm-backup-work/region_summaries.json --result SUCCESS --environment prod', 'Post a finished run']],
    run: async ({ logger, io }, o) => {
      const url = io.env.SLACK_WEBHOOK_URL;
      if (!url) throw new EngineError('config', 'SLACK_WEBHOOK_URL is not set: bind the webhook credential to it (withCredentials string)');
      const message = buildSlackMessage({
        result: o.result, summaries: readSummaries(o.summaryFile), title: o.title, environment: o.environment,
        dryRun: o.dryRun, channel: o.channel, buildUrl: o.buildUrl, jobName: o.jobName, buildNumber: o.buildNumber,
        durationSec: o.durationSec, failedRegion: o.failedRegion, failureMessage: o.failureMessage,
      });
      await postSlack(url, message, { fetchImpl });
      logger.info(`Slack notified: ${message.text}`);
      return 0;
    },
  });
}

export const notifyCommand = makeNotifyCommand();
