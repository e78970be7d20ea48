import type { CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { buildSlackMessage, postSlack, RUN_RESULTS, type NotifyInput, type NotifyRegionSummary } from '../lib/notify.js';
import { EngineError } from '../lib/errors.js';
import { AwsClientFactory } from '../lib/aws/clients.js';
import { globalOptions, withOptions, runCommand, type GlobalArgs, type CliIo } from './common.js';

/** The command's options are the library's input minus the summaries (read from --summary-file). */
interface NotifyArgs extends GlobalArgs, Omit<NotifyInput, 'summaries' | 'dryRun' | 'title'> {
  summaryFile: string;
  dryRun: boolean;
  title: string;
}

export const notifyOptions = {
  'summary-file': { type: 'string' as const, demandOption: true, describe: 'region_summaries.json of the run ({region: {status, parameterCount, ...}})' },
  result: { choices: RUN_RESULTS, demandOption: true, describe: 'Build result to report' },
  environment: { type: 'string' as const, describe: 'Environment name shown in the message' },
  'dry-run': { type: 'boolean' as const, default: false, describe: 'Say that the run was a dry run' },
  title: { type: 'string' as const, default: 'SSM backup', describe: 'What ran (e.g. "SSM restore")' },
  channel: { type: 'string' as const, describe: 'Channel override (honoured by legacy webhooks only)' },
  'build-url': { type: 'string' as const, describe: 'Link to the Jenkins build' },
  'job-name': { type: 'string' as const, describe: 'Jenkins job name' },
  'build-number': { type: 'string' as const, describe: 'Jenkins build number' },
  'duration-sec': { type: 'number' as const, describe: 'Run duration in seconds' },
  'failed-region': { type: 'string' as const, describe: 'First region that failed' },
  'failure-message': { type: 'string' as const, describe: 'Why the run failed (one line)' },
};

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
export function notifyCommand(io: CliIo, setCode: (n: number) => void, fetchImpl?: typeof fetch): CommandModule<object, NotifyArgs> {
  return {
    command: 'notify',
    describe: 'Post the run summary to Slack (webhook URL from the SLACK_WEBHOOK_URL environment variable only)',
    builder: (y) => withOptions(y, globalOptions, notifyOptions) as never,
    handler: async (argv) => {
      setCode(await runCommand(io, argv, () => new AwsClientFactory(), async ({ logger }) => {
        const url = io.env.SLACK_WEBHOOK_URL;
        if (!url) throw new EngineError('config', 'SLACK_WEBHOOK_URL is not set: bind the webhook credential to it (withCredentials string)');
        const message = buildSlackMessage({
          result: argv.result, summaries: readSummaries(argv.summaryFile), title: argv.title, environment: argv.environment,
          dryRun: argv.dryRun, channel: argv.channel, buildUrl: argv.buildUrl, jobName: argv.jobName, buildNumber: argv.buildNumber,
          durationSec: argv.durationSec, failedRegion: argv.failedRegion, failureMessage: argv.failureMessage,
        });
        await postSlack(url, message, { fetchImpl });
        logger.info(`Slack notified: ${message.text}`);
        return 0;
      }));
    },
  };
}
