import { exec } from '../../ts/cli/cli.js';
import type { LocalAws } from '../../local-aws/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process against an emulator (local AWS or moto: the SDK reads AWS_* from process.env). */
export async function runCli(aws: Pick<LocalAws, 'env'>, args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const saved = { ...process.env };
  Object.assign(process.env, aws.env, { AWS_REGION: 'ap-northeast-1' }, extraEnv);
  let stdout = '';
  let stderr = '';
  try {
    const code = await exec(args, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env: process.env,
    });
    return { code, stdout, stderr };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/**
 * Runs the CLI (ts/ through tsx) in a child process without capabilities (setpriv: empty bounding and inheritable
 * sets, no new privileges) when the tests run as root, so that a directory root may write to anyway (mode 0500) is
 * unwritable for the engine, as it is for a Jenkins agent's user; otherwise in-process (the test user is already
 * unprivileged). Nothing is skipped as root. The uid stays 0, so the checkout is readable wherever it lies (a clone
 * under a 0700 `mktemp -d` directory is unreadable to another uid).
 */
export async function runCliUnprivileged(aws: Pick<LocalAws, 'env'>, args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  if (process.getuid?.() !== 0) return runCli(aws, args, extraEnv);
  const { spawn } = await import('node:child_process');
  const main = new URL('../../ts/main.ts', import.meta.url).pathname;
  const child = spawn('setpriv', ['--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', process.execPath, '--import', 'tsx', main, ...args], {
    env: { ...process.env, ...aws.env, AWS_REGION: 'ap-northeast-1', HOME: '/nonexistent', ...extraEnv },
    cwd: new URL('../..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  return { code, stdout, stderr };
}
