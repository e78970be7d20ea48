import type { ErrorFile } from '../contract/index.js';
import { writeJsonAtomic, createLogger, streamSink, type Logger, EngineError, describeAwsError, maskEchoedValues } from '../lib/support/index.js';
import type { AwsClientFactory, ClientFactoryOptions } from '../lib/aws/index.js';
import type { OptionTable, OptionValues, globalOptions } from './options.js';

/** Where a command writes: injectable so tests capture output without touching the console. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface CommandContext {
  io: CliIo;
  logger: Logger;
  /** AWS clients, made on first use (a command that fails validation never makes one). */
  aws: AwsClientFactory;
}

/**
 * One engine command: its option table and its body. The CLI parses and validates every option of the table
 * (argv and SSM_BACKUP_* variables) before `run` is called; `check` adds rules across options and also runs
 * before anything else. `run` resolves to the exit code: 0 success, 1 a failure, 2 bad usage or configuration.
 */
export interface CommandSpec<T extends OptionTable = OptionTable> {
  name: string;
  describe: string;
  options: T;
  /** [command line, what it does], shown by --help. */
  examples: [string, string][];
  /** Client settings derived from the options (pacing); the factory is made lazily. */
  clientOptions?: (o: OptionValues<T>) => ClientFactoryOptions;
  check?: (o: OptionValues<T>, io: CliIo) => void;
  /** The error file's message when `run` resolves to a non-zero code (default: a region failed). */
  failureMessage?: string;
  run: (ctx: CommandContext, o: OptionValues<T>) => Promise<number>;
}

/** Keeps the option table's literal types so `run` gets typed values. */
export function defineCommand<T extends OptionTable>(spec: CommandSpec<T>): CommandSpec<T> {
  return spec;
}

type GlobalValues = OptionValues<typeof globalOptions>;

/**
 * The one wrapper every command runs in: a logger, lazily made AWS clients, and errors turned into one line,
 * an exit code and the error file. Writing the error file never changes the exit code.
 */
export async function runCommand(
  io: CliIo,
  g: GlobalValues,
  factory: (logger: Logger) => AwsClientFactory,
  body: (ctx: CommandContext) => Promise<number>,
  failureMessage = 'One or more regions failed; see the summary file',
): Promise<number> {
  const logger = createLogger(streamSink(io.stderr, g.logFormat, g.verbose));
  let aws: AwsClientFactory | undefined;
  const ctx: CommandContext = {
    io,
    logger,
    get aws() {
      return (aws ??= factory(logger));
    },
  };
  try {
    const code = await body(ctx);
    if (code !== 0) writeErrorFile(g.errorFile, { exitCode: code, category: code === 2 ? 'config' : 'region', message: failureMessage }, logger);
    return code;
  } catch (err) {
    return reportFailure(err, io, g, logger);
  } finally {
    aws?.destroy();
  }
}

/** Logs a failure in one line (stack only with --verbose, masked), writes the error file, returns the exit code. */
export function reportFailure(err: unknown, io: CliIo, g: Partial<GlobalValues>, logger?: Logger, hint = ''): number {
  const e = err instanceof EngineError ? err : new EngineError('aws', describeAwsError(err), { cause: err });
  if (logger) logger.error(e.message);
  else io.stderr(`ssm-backup: ${e.message}${hint}\n`);
  if (g.verbose && err instanceof Error && err.stack && logger) io.stderr(maskEchoedValues(err.stack) + '\n');
  writeErrorFile(g.errorFile, { exitCode: e.exitCode, category: e.category, message: e.message, region: e.region }, logger);
  return e.exitCode;
}

function writeErrorFile(file: string | undefined, data: ErrorFile, logger?: Logger): void {
  if (!file) return;
  try {
    writeJsonAtomic(file, data);
  } catch (err) {
    logger?.warn(`Could not write --error-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
