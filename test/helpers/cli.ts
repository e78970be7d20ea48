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
