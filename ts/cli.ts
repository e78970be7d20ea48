import yargs from 'yargs';
import { planCommand } from './commands/plan.js';
import { backupCommand } from './commands/backup.js';
import { restoreCommand } from './commands/restore.js';
import { verifyCommand } from './commands/verify.js';
import { listCommand } from './commands/list.js';
import { diffCommand } from './commands/diff.js';
import { notifyCommand } from './commands/notify.js';
import type { CliIo } from './commands/common.js';
import { AwsClientFactory } from './lib/aws/clients.js';
import { TOOL_VERSION } from './version.js';

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
};

/** Parses argv, runs one command and resolves to its exit code. Never exits the process. */
export async function exec(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let code = 0;
  const setCode = (n: number) => { code = n; };
  let usageFailure: string | undefined;
  const parser = yargs(argv)
    .scriptName('ssm-backup')
    .env('SSM_BACKUP')
    .command(planCommand(io, () => new AwsClientFactory(), setCode))
    .command(backupCommand(io, (o) => new AwsClientFactory(o), setCode))
    .command(restoreCommand(io, (o) => new AwsClientFactory(o), setCode))
    .command(verifyCommand(io, () => new AwsClientFactory(), setCode))
    .command(listCommand(io, () => new AwsClientFactory(), setCode))
    .command(diffCommand(io, () => new AwsClientFactory(), setCode))
    .command(notifyCommand(io, setCode))
    .demandCommand(1, 'Name a command: plan, backup, list, verify, diff, restore, notify (see --help)')
    .strict()
    .version(TOOL_VERSION)
    .help()
    .wrap(Math.min(120, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      usageFailure = msg;
    });
  let output = '';
  try {
    await parser.parseAsync(argv, {}, (_err, _argv, out) => { output = out; });
  } catch (err) {
    usageFailure ??= (err as Error).message;
  }
  if (usageFailure) {
    io.stderr(`ssm-backup: ${explainUnknown(usageFailure.split('\n')[0], io.env)} (see ssm-backup --help)\n`);
    return 2;
  }
  if (output) io.stdout(output + '\n');
  return code;
}

/** `.env('SSM_BACKUP')` turns every SSM_BACKUP_* variable into an option: say so when one is unknown. */
export function explainUnknown(message: string, env: NodeJS.ProcessEnv): string {
  const m = /^Unknown arguments?: (.+)$/.exec(message);
  if (!m) return message;
  const fromEnv = m[1].split(', ').map((key) => `SSM_BACKUP_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toUpperCase()}`).filter((name) => env[name] !== undefined);
  if (fromEnv.length === 0) return message;
  return `${message}: it comes from the environment variable ${fromEnv.join(', ')}; SSM_BACKUP_* variables are read as options, so unset or rename it`;
}
