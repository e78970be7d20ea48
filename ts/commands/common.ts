import type { Argv } from 'yargs';
import { writeJsonAtomic } from '../lib/files.js';
import { createLogger, streamSink, type Logger } from '../lib/log.js';
import { AwsClientFactory } from '../lib/aws/clients.js';
import { EngineError, describeAwsError, maskEchoedValues } from '../lib/errors.js';

/** Where a command writes: injectable so tests capture output without touching the console. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface GlobalArgs {
  logFormat: 'text' | 'json';
  verbose: boolean;
  errorFile?: string;
}

export const globalOptions = {
  'log-format': { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Log line format (logs go to stderr)' },
  verbose: { type: 'boolean' as const, default: false, describe: 'Debug logs and stack traces' },
  'error-file': { type: 'string' as const, describe: 'On failure, write {exitCode, category, message, region} as JSON here (for Jenkins)' },
};

export const environmentOptions = {
  environment: { type: 'string' as const, describe: 'Environment name, [a-z0-9][a-z0-9-]{0,31} (reads /jenkins/{environment}/backup/...)' },
  'ssm-home-region': { type: 'string' as const, describe: 'Region holding region-list and default-region (default: $SSM_HOME_REGION, then $AWS_REGION)' },
};

export const regionListOption = {
  regions: { type: 'string' as const, describe: 'Comma-separated regions, overriding /jenkins/{environment}/backup/region-list' },
};

export function withOptions<T>(y: Argv<T>, ...groups: Record<string, object>[]): Argv<T> {
  let out = y;
  for (const g of groups) out = out.options(g as never) as Argv<T>;
  return out;
}

export function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

export function homeRegionFrom(argv: { ssmHomeRegion?: string }, env: NodeJS.ProcessEnv): string | undefined {
  return argv.ssmHomeRegion || env.SSM_HOME_REGION || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

export interface CommandContext {
  io: CliIo;
  logger: Logger;
  aws: AwsClientFactory;
}

/** Runs a command body with a logger and AWS clients; turns errors into one line, an exit code and the error file. */
export async function runCommand(io: CliIo, argv: GlobalArgs, factory: () => AwsClientFactory, body: (ctx: CommandContext) => Promise<number>): Promise<number> {
  if ((argv as { help?: boolean }).help) return 0; // yargs printed the help; with exitProcess(false) it still calls the handler
  const logger = createLogger(streamSink(io.stderr, argv.logFormat, argv.verbose));
  let aws: AwsClientFactory | undefined;
  const ctx: CommandContext = { io, logger, get aws() { return (aws ??= factory()); } };
  try {
    const code = await body(ctx);
    if (code !== 0 && argv.errorFile) writeErrorFile(argv.errorFile, { exitCode: code, category: 'region', message: 'One or more regions failed; see the summary file' });
    return code;
  } catch (err) {
    const e = err instanceof EngineError ? err : new EngineError('aws', describeAwsError(err), { cause: err });
    logger.error(e.message);
    if (argv.verbose && err instanceof Error && err.stack) io.stderr(maskEchoedValues(err.stack) + '\n');
    if (argv.errorFile) writeErrorFile(argv.errorFile, { exitCode: e.exitCode, category: e.category, message: e.message, region: e.region });
    return e.exitCode;
  } finally {
    aws?.destroy();
  }
}

function writeErrorFile(file: string, data: { exitCode: number; category: string; message: string; region?: string }): void {
  writeJsonAtomic(file, data);
}
