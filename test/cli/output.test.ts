import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { runCli } from '../helpers/cli.js';
import { seedBackupConfig, seedRealistic, HOME } from '../helpers/fixtures.js';

const R = 'us-west-2';

/** --output json|table|text on every command that prints data; --json stays as --output json. */
describe('--output table|json|text', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let work: string;
  const cli = (...args: string[]) => runCli(aws, [...args, '--environment', 'dev', '--ssm-home-region', HOME]);
  const at = ['--region', R];

  before(async () => {
    aws = await startLocalAws();
    seedBackupConfig(aws, ['ap-northeast-1', R]);
    seedRealistic(aws, R);
    work = mkdtempSync(path.join(tmpdir(), 'ssm-output-'));
    const b = await cli('backup', '--regions', R, '--work-dir', work);
    expect(b.code, b.stderr).to.equal(0);
    aws.ssm.delete(R, `/app/${R}/hosts`); // so that a restore plan has a record to print
  });
  after(async () => {
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const commands: Record<string, string[]> = {
    list: ['list', ...at],
    history: ['history', ...at, '--name', `/app/${R}/db/host`],
    verify: ['verify', ...at],
    diff: ['diff', ...at],
    restore: ['restore', ...at, '--work-dir', '@work'],
    check: ['check', '--regions', R],
    plan: ['plan'],
    backup: ['backup', '--regions', R, '--dry-run', '--allow-shrink', '--work-dir', '@work'],
  };
  const argv = (name: string, ...extra: string[]) => [...commands[name].map((a) => (a === '@work' ? work : a)), ...extra];

  for (const name of Object.keys(commands)) {
    it(`${name}: json parses, text is tab-separated records without a header, table is for people`, async () => {
      const json = await cli(...argv(name, '--output', 'json'));
      expect(json.code, json.stderr).to.be.oneOf(name === 'check' ? [0, 1] : [0]);
      expect(() => JSON.parse(json.stdout)).not.to.throw();
      const text = await cli(...argv(name, '--output', 'text'));
      const lines = text.stdout.split('\n').filter(Boolean);
      expect(lines.length, `${name} text`).to.be.greaterThan(0);
      for (const l of lines) expect(l, l).to.contain('\t');
      expect(text.stdout).not.to.match(/^(REGION|CREATED|KEY|ARCHIVE)\b/m);
      const table = await cli(...argv(name, '--output', 'table'));
      expect(table.stdout).not.to.contain('\t');
      expect(table.stdout).not.to.equal(json.stdout);
    });
  }

  it('--json is --output json where 2.0 had it (list, history, verify, diff)', async () => {
    for (const name of ['list', 'history', 'verify', 'diff']) {
      const a = await cli(...argv(name, '--json'));
      const b = await cli(...argv(name, '--output', 'json'));
      expect(a.stdout, name).to.equal(b.stdout);
    }
  });

  it('plan prints JSON unless told otherwise (Jenkins reads --output-file either way)', async () => {
    expect(JSON.parse((await cli('plan')).stdout).regions).to.deep.equal(['ap-northeast-1', R]);
    expect((await cli('plan', '--output', 'table')).stdout).to.match(/^REGION\s+BUCKET\s+BACKUP KEY/);
  });
});
