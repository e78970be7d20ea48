/**
 * The CLI, the only layer that prints or sets an exit code. `exec(argv)`: parse and validate the whole command line
 * against the option table (options.ts; environment variables SSM_BACKUP_*), then dispatch to one command
 * (commands/<name>.ts: typed options -> one library call -> exit code) through runCommand (run-command.ts: logger,
 * client factory, error file). help.ts renders --help and the README option tables from the same table.
 */
import yargs from 'yargs';
import { planCommand } from './commands/plan.js';
import { checkCommand } from './commands/check.js';
import { backupCommand } from './commands/backup.js';
import { restoreCommand } from './commands/restore.js';
import { verifyCommand } from './commands/verify.js';
import { listCommand } from './commands/list.js';
import { historyCommand } from './commands/history.js';
import { diffCommand } from './commands/diff.js';
import { notifyCommand } from './commands/notify.js';
import { mergeSummariesCommand } from './commands/merge-summaries.js';
import { statusCommand } from './commands/status.js';
import { runCommand, reportFailure, type CliIo, type CommandSpec } from './run-command.js';
import { camelCase, envName, suggest, validateValue, type OptionSpec, type OptionTable } from './options.js';
import { resolveHomeRegion, checkProfile } from './home-region.js';
import { formatCommandHelp, formatMainHelp } from './help.js';
import { AwsClientFactory } from '../lib/aws/index.js';
import { EngineError, usageError, type Logger } from '../lib/support/index.js';
import { TOOL_VERSION } from '../version.js';

/** Every command, in the order --help lists them. */
export const commands: CommandSpec[] = [
  planCommand,
  checkCommand,
  backupCommand,
  listCommand,
  historyCommand,
  statusCommand,
  verifyCommand,
  diffCommand,
  restoreCommand,
  notifyCommand,
  mergeSummariesCommand,
] as never;

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
};

const HINT = ' (see ssm-backup --help)';

/**
 * Parses argv, validates every option of the command (argv and SSM_BACKUP_* variables), then runs it; resolves
 * to the exit code. Nothing runs (no AWS client is made, no file is written) until the whole command line and
 * environment are valid: a usage error is one line on stderr and exit code 2. Never exits the process.
 */
export async function exec(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let parsed: { spec: CommandSpec; values: Record<string, unknown> };
  try {
    const result = await parse(argv, io.env);
    if (typeof result === 'string') {
      io.stdout(result);
      return 0;
    }
    parsed = result;
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    const errorFile = errorFileFrom(argv, io.env);
    return reportFailure(err, io, { errorFile }, undefined, HINT);
  }
  const { spec, values } = parsed;
  const factory = (logger: Logger) =>
    new AwsClientFactory({
      ...spec.clientOptions?.(values as never),
      profile: values.profile as string | undefined,
      environment: values.environment as string | undefined,
      // An endpoint that does not answer is said, not waited for in silence.
      onSlowCall: (c) =>
        logger.forRegion(c.region).info(`Still waiting for ${c.service} ${c.operation} after ${c.waitedSec} s: the endpoint has not answered (retrying)`),
    });
  return runCommand(io, values as never, factory, (ctx) => spec.run(ctx, values as never), spec.failureMessage);
}

/** Help or version text, or the command with its validated values. Throws a usage EngineError. */
export async function parse(argv: string[], env: NodeJS.ProcessEnv): Promise<string | { spec: CommandSpec; values: Record<string, unknown> }> {
  const name = argv.find((a) => !a.startsWith('-'));
  if (argv.includes('--version') && argv.length === 1) return `${TOOL_VERSION}\n`;
  // `help` and `help <command>`, as the AWS CLI has them.
  if (name === 'help') {
    const topic = argv.filter((a) => !a.startsWith('-'))[1];
    if (topic === undefined) return formatMainHelp(commands);
    const about = commands.find((c) => c.name === topic);
    if (!about) {
      const near = suggest(
        topic,
        commands.map((c) => c.name),
      );
      throw usageError(`no help for "${topic}"${near ? `: did you mean ${near}?` : ''}; commands: ${commands.map((c) => c.name).join(', ')}`);
    }
    return formatCommandHelp(about);
  }
  const spec = commands.find((c) => c.name === name);
  if (!spec) {
    if (name === undefined && (argv.includes('--help') || argv.includes('-h') || argv.length === 0))
      return argv.length === 0 ? noCommand() : formatMainHelp(commands);
    const near =
      name &&
      suggest(
        name,
        commands.map((c) => c.name),
      );
    throw usageError(
      name === undefined
        ? `name a command: ${commands.map((c) => c.name).join(', ')}`
        : `unknown command "${name}"${near ? `: did you mean ${near}?` : ''}; commands: ${commands.map((c) => c.name).join(', ')}`,
    );
  }
  if (argv.includes('--help') || argv.includes('-h')) return formatCommandHelp(spec);
  const given = parseArgv(spec, argv);
  const values: Record<string, unknown> = {};
  const fromEnv = environmentValues(spec, env);
  for (const [optName, opt] of Object.entries(spec.options)) {
    const key = camelCase(optName);
    let value: unknown = opt.default;
    if (key in fromEnv) value = validateValue(optName, opt, fromEnv[key], `${envName(optName)}`);
    if (given[key] !== undefined) value = validateValue(optName, opt, given[key], `--${optName}`);
    if (value === undefined && opt.required) throw usageError(`--${optName} is required: pass --${optName} <value> or set ${envName(optName)}`);
    values[key] = value;
  }
  if ('profile' in spec.options) await checkProfile(values.profile as string | undefined);
  if ('ssm-home-region' in spec.options) values.ssmHomeRegion = await resolveHomeRegion(values, env);
  spec.check?.(values as never, { stdout: () => undefined, stderr: () => undefined, env });
  return { spec, values };
}

function noCommand(): never {
  throw usageError(`name a command: ${commands.map((c) => c.name).join(', ')}`);
}

/** argv through yargs' parser in strict mode; an unknown option is an error that suggests the nearest real one. */
function parseArgv(spec: CommandSpec, argv: string[]): Record<string, unknown> {
  checkBooleanAssignments(spec.options, argv);
  let out: Record<string, unknown> = {};
  let failure: string | undefined;
  const y = yargs(argv)
    .help(false)
    .version(false)
    .exitProcess(false)
    .strict()
    .parserConfiguration({ 'duplicate-arguments-array': true, 'greedy-arrays': false })
    .fail((msg, err) => {
      failure = msg ?? err?.message;
    })
    .command(
      spec.name,
      spec.describe,
      (b) => b.options(yargsOptions(spec.options)),
      (a) => {
        out = a as Record<string, unknown>;
      },
    );
  void y.parseSync();
  if (failure) throw usageError(explainYargsFailure(failure, spec, argv));
  const extra = (out._ as unknown[]).slice(1);
  if (extra.length) throw usageError(`unexpected argument "${String(extra[0])}" for ${spec.name}: options take the form --name value`);
  return out;
}

function yargsOptions(table: OptionTable): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [name, o] of Object.entries(table)) out[name] = { type: o.kind === 'boolean' ? 'boolean' : 'string', requiresArg: o.kind !== 'boolean' };
  return out;
}

/** yargs reads `--dry-run=garbage` as false: refuse anything but a boolean word after `=`. */
function checkBooleanAssignments(table: OptionTable, argv: string[]): void {
  const seen = new Set<string>();
  for (const arg of argv) {
    const m = /^--(no-)?([^=]+)(?:=(.*))?$/.exec(arg);
    if (!m || table[m[2]]?.kind !== 'boolean') continue;
    if (m[3] !== undefined) validateValue(m[2], table[m[2]], m[3], `--${m[1] ?? ''}${m[2]}`);
    // yargs lets the last of `--apply --no-apply` win: a contradiction (or a repeat) is a doubt, never acted on.
    if (seen.has(m[2])) throw usageError(`--${m[2]} is given more than once (as --${m[2]} or --no-${m[2]}): give it once`);
    seen.add(m[2]);
  }
}

function explainYargsFailure(message: string, spec: CommandSpec, argv: string[]): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (!unknown) return message.replace(/^Not enough arguments following: (.+)$/, '--$1 needs a value');
  const names = Object.keys(spec.options);
  const listed = unknown[1].split(', ');
  const kebab = (u: string) => u.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  const positional = listed.find((u) => argv.includes(u));
  if (positional !== undefined) return `unexpected argument "${positional}" for ${spec.name}: options take the form --name value`;
  const parts = listed
    .filter((u) => kebab(u) === u || !listed.includes(kebab(u)))
    .map((u) => {
      const near = suggest(u, names);
      return `--${u}${near ? ` (did you mean --${near}?)` : ''}`;
    });
  return `unknown option${parts.length > 1 ? 's' : ''} for ${spec.name}: ${parts.join(', ')}`;
}

/**
 * SSM_BACKUP_* variables: each must name an option of some engine command (raw values, validated like argv). One
 * that names an option of this command sets it; one that names only an option of another command is left to that
 * command (a Jenkins job's environment is shared by plan, backup and notify of the same run: SSM_BACKUP_ALLOW_SHRINK
 * there must not break plan). One that names no option of any command (a typo, a stray variable) is refused: it is
 * a doubt, and the engine never acts on one.
 */
function environmentValues(spec: CommandSpec, env: NodeJS.ProcessEnv): Record<string, string> {
  const byEnv = new Map(Object.keys(spec.options).map((n) => [envName(n), n]));
  const anyCommand = new Set(commands.flatMap((c) => Object.keys(c.options).map(envName)));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('SSM_BACKUP_') || v === undefined) continue;
    const opt = byEnv.get(k);
    if (opt) out[camelCase(opt)] = v;
    else if (!anyCommand.has(k)) {
      const near = suggest(k, [...anyCommand]);
      throw usageError(
        `the environment variable ${k} is not an option of any ssm-backup command${near ? ` (did you mean ${near}?)` : ''}: SSM_BACKUP_* variables are read as options, so unset or rename it`,
      );
    }
  }
  return out;
}

/** The error file of a command line that failed to parse, when it can be known safely (for Jenkins). */
function errorFileFrom(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  const i = argv.indexOf('--error-file');
  const raw = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith('--error-file='))?.slice(13) ?? env.SSM_BACKUP_ERROR_FILE);
  if (!raw) return undefined;
  try {
    return validateValue('error-file', { kind: 'file-out', describe: '' } satisfies OptionSpec, raw, '--error-file') as string;
  } catch {
    return undefined;
  }
}
