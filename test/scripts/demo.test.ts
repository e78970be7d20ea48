/**
 * `npm run demo` (scripts/demo.ts), run from a directory outside the repository as a child process with a time bound:
 * its key lines (format 2, drift, guard refusal, restore applied, Slack text, status view, try-it-yourself) and its shape (no
 * warning, every step fits a screen).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;

describe('npm run demo (scripts/demo.ts)', function () {
  this.timeout(90_000);
  let out: string[];
  let status: number | null;
  let kept: string;

  before(() => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'ssm-backup-demo-cwd-'));
    try {
      const env = { ...process.env, SSM_BACKUP_DRY_RUN: 'true', AWS_PROFILE: 'does-not-exist' }; // the demo must not inherit these
      const args = ['--import', TSX, path.join(REPO, 'scripts/demo.ts'), '--chart', 'kept.svg'];
      const r = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 80_000 });
      status = r.status;
      kept = existsSync(path.join(cwd, 'kept.svg')) ? readFileSync(path.join(cwd, 'kept.svg'), 'utf8') : '';
      out = `${r.stdout}${r.stderr}`.split('\n');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  const has = (pattern: RegExp): void => {
    expect(
      out.some((l) => pattern.test(l)),
      `no line matches ${pattern}:\n${out.join('\n')}`,
    ).to.equal(true);
  };

  it('runs to the end from another directory, exit 0, the local AWS stopped', () => {
    expect(status, out.join('\n')).to.equal(0);
    expect(out.filter(Boolean).at(-1)).to.equal('local AWS stopped; demo work directory removed');
  });

  it('opens with the local AWS and its seed file, and shows no warning anywhere (KMS keys are seeded)', () => {
    expect(out.find((l) => l.trim() !== '')).to.match(/^== Local AWS on http:\/\/127\.0\.0\.1:\d+ .*seeded from local-aws\/seed\/demo\.json ==$/);
    expect(out.filter((l) => /\bWARN/.test(l))).to.deep.equal([]);
  });

  it('backs up both regions as format 2 archives', () => {
    has(/^ {2}ap-northeast-1: archive format 2, client-side encrypted with arn:aws:kms:ap-northeast-1:/);
    has(/^ {2}us-west-2: archive format 2, client-side encrypted with arn:aws:kms:us-west-2:/);
  });

  it('shows the drift of the second backup by name', () => {
    has(/Drift against s3:\/\/\S+: added 1, removed 1, changed 1; previous count 33$/);
    has(/changed \(1\): \/app\/web\/timeout-ms$/);
  });

  it('shows the shrink guard refusing and latest.txt left on the last good archive', () => {
    has(/^ {2}ERROR \[ap-northeast-1\] FAILED \(guard\)/);
    has(/^ {2}latest\.txt still names the last good archive: /);
  });

  it('verifies, then restores into the other region: plan first, then applied', () => {
    has(/^ {2}OK {2}s3:\/\/\S+ap-northeast-1\S+\.tar\.gz$/);
    has(/^ {2}create {3}\/app\/payments\/db\/password$/);
    has(/Restored: created=4 updated=0 skipped=0 failed=0/);
    has(/^ {2}restore applied into us-west-2$/);
  });

  it('shows the Slack and email text of the refused run, and how to try it yourself', () => {
    // The preview a phone shows names the region, the cause's first sentence with its fix, and the last success.
    has(/^ {4}:x: SSM backup dev: FAILED ap-northeast-1: Parameter count fell 33 → 13 .*run again with --allow-shrink\.; last success /);
    has(/^ {4}Subject: \[FAIL\] SSM backup dev$/);
    has(/node --import tsx local-aws\/cli\.ts --seed local-aws\/seed\/demo\.json/);
  });

  it('shows the status view of the build page: the refused region FAILING, the other OK, the chart and the page written', () => {
    has(/^ {2}ap-northeast-1 {2}FAILING .* 1$/);
    has(/^ {2}us-west-2 {7}OK {6}.* 0$/);
    has(/^ {2}dev: 1\/2 regions OK$/);
    has(/^ {2}chart: parameters\.svg \(\d+ bytes\), page: status\.html \(\d+ bytes\), no JavaScript$/);
    // --chart FILE keeps the chart (README's docs/images/demo-status-chart.svg is made so): both regions, no script
    expect(kept)
      .to.match(/^<svg xmlns/)
      .and.contain('ap-northeast-1 (13)')
      .and.contain('us-west-2 (25)');
    expect(kept).not.to.match(/<script/i);
  });

  it('keeps every step to a screen: at most 14 lines under each heading', () => {
    const sections: string[][] = [];
    for (const l of out)
      if (l.startsWith('== ')) sections.push([]);
      else if (l.trim() && sections.length) sections.at(-1)!.push(l);
    expect(sections.length).to.be.at.least(8);
    for (const s of sections) expect(s.length, s.join('\n')).to.be.at.most(14);
  });
});
