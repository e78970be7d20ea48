import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec } from '../../ts/cli/cli.js';

async function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await exec(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

/** Habits of the AWS CLI: `help <command>`, a hint naming the credential sources tried when none gives credentials. */
describe('CLI habits of the AWS CLI', () => {
  it('help and help <command> print what --help prints; help of an unknown command suggests the nearest', async () => {
    expect((await run(['help'])).stdout).to.equal((await run(['--help'])).stdout);
    for (const c of ['backup', 'check', 'list']) {
      const help = await run(['help', c]);
      expect(help.code).to.equal(0);
      expect(help.stdout).to.equal((await run([c, '--help'])).stdout);
    }
    const bad = await run(['help', 'bakup']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/no help for "bakup": did you mean backup\?/);
  });

  it('no credentials anywhere: one line naming every source the SDK tried and what to do, exit 1', async function () {
    this.timeout(20000);
    const home = mkdtempSync(path.join(tmpdir(), 'ssm-nocreds-'));
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (/^AWS_/.test(k)) delete process.env[k];
    Object.assign(process.env, { HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    try {
      const r = await run(['plan', '--environment', 'dev'], process.env);
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stderr).to.match(
        /No AWS credentials found\. Tried, in order: the environment \(AWS_ACCESS_KEY_ID \+ AWS_SECRET_ACCESS_KEY\), SSO and the shared files/,
      );
      expect(r.stderr).to.contain('EC2 instance metadata').and.to.contain('pass --profile');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      rmSync(home, { recursive: true, force: true });
    }
  });
});
