import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws, type LocalAws, type SeedDocument } from '../../local-aws/index.js';
import { runCli } from '../helpers/cli.js';

/** Every line of a README code block that starts with `ssm-backup `, in order, split into argv (no quoting in them). */
export function readmeExamples(readme: string): string[][] {
  const blocks = [...readme.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((b) =>
    b
      .split('\n')
      .filter((l) => l.startsWith('ssm-backup '))
      .map((l) => l.trim().split(/\s+/).slice(1)),
  );
}

/**
 * README's CLI examples run literally, in order, in a fresh directory (the default work dir included) against the
 * local AWS seeded from local-aws/seed/demo.json, as the README tells a newcomer to do: each exits 0.
 */
describe("README's CLI examples run as written", function () {
  this.timeout(120000);
  let aws: LocalAws;
  let dir: string;
  const cwd = process.cwd();
  const examples = readmeExamples(readFileSync('README.md', 'utf8'));

  before(async () => {
    aws = await startLocalAws();
    aws.seed(JSON.parse(readFileSync('local-aws/seed/demo.json', 'utf8')) as SeedDocument);
    dir = mkdtempSync(path.join(tmpdir(), 'ssm-readme-'));
    process.chdir(dir);
  });
  after(async () => {
    process.chdir(cwd);
    await aws.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the examples (check, backup, list, history, verify, diff, restore, notify)', () => {
    expect(examples.map((e) => e[0])).to.include.members(['check', 'backup', 'list', 'history', 'verify', 'diff', 'restore', 'notify']);
  });

  it('runs each one in order, exit 0, in a directory where nothing existed', async () => {
    for (const args of examples) {
      const run = await runCli(aws, args, { AWS_REGION: 'ap-northeast-1' });
      expect(run.code, `ssm-backup ${args.join(' ')}\n${run.stderr}`).to.equal(0);
    }
    expect(existsSync(path.join(dir, 'ssm-backup-work', 'region_summaries.json'))).to.equal(true);
    expect(existsSync(path.join(dir, 'report', 'report.json'))).to.equal(true);
  });
});
