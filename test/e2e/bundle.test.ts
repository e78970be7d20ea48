import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { seedBackupConfig, seedRealistic, bucketFor, SECRET_MARKER } from '../helpers/fixtures.js';
import { seedBackupKeys } from '../helpers/encryption.js';

const BUNDLE = path.resolve('resources/ssm-multi-region-backup/ssm-backup.cjs');

/** Async child process: the local AWS runs in this process, so spawnSync would deadlock it. */
function runNode(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('the shipped bundle', function () {
  this.timeout(60000);

  it('equals a fresh build of ts/ (run `npm run build` and commit when this fails)', () => {
    const r = spawnSync(process.execPath, ['scripts/build.mjs', '--check'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
  });

  it('runs --help under plain node without node_modules', () => {
    const r = spawnSync(process.execPath, [BUNDLE, '--help'], { encoding: 'utf8', cwd: tmpdir(), env: { PATH: process.env.PATH } });
    expect(r.status).to.equal(0);
    expect(r.stdout).to.match(/^ {2}backup +Back up every configured region/m);
    expect(r.stdout).to.match(/^ {2}plan +Print the resolved plan/m);
  });

  describe('against the local AWS', () => {
    let aws: LocalAws;
    let tmp: string;
    let work: string;
    beforeEach(async () => {
      aws = await startLocalAws();
      tmp = mkdtempSync(path.join(tmpdir(), 'bundle-tmp-'));
      work = mkdtempSync(path.join(tmpdir(), 'bundle-work-'));
      seedBackupConfig(aws, ['ap-northeast-1', 'us-west-2']);
    });
    afterEach(async () => {
      await aws.stop();
      rmSync(tmp, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    });
    const env = () => ({ PATH: process.env.PATH, ...aws.env, AWS_REGION: 'ap-northeast-1', TMPDIR: tmp });

    it('backs up two regions as a child process, secrets absent from its output', async () => {
      for (const r of ['ap-northeast-1', 'us-west-2']) seedRealistic(aws, r);
      const r = await runNode([BUNDLE, 'backup', '--environment', 'dev', '--work-dir', work], { env: env(), cwd: work });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout + r.stderr).not.to.contain(SECRET_MARKER);
      expect(aws.s3.getObject(bucketFor('us-west-2'), 'latest.txt')).to.exist;
      expect(readdirSync(tmp)).to.deep.equal([]);
    });
    // Signals and kills mid-run: temp-files.test.ts.

    it('encrypts client-side (format 2) and verifies by decrypting, as a child process without node_modules', async () => {
      seedRealistic(aws, 'us-west-2');
      const { keyArns } = seedBackupKeys(aws, ['us-west-2']);
      const args = ['--environment', 'dev', '--regions', 'us-west-2', '--work-dir', work, '--require-client-encryption'];
      const b = await runNode([BUNDLE, 'backup', ...args], { env: env(), cwd: tmpdir() });
      expect(b.status, b.stderr).to.equal(0);
      const v = await runNode([BUNDLE, 'verify', '--environment', 'dev', '--region', 'us-west-2', '--json'], { env: env(), cwd: tmpdir() });
      expect(v.status, v.stderr).to.equal(0);
      expect(JSON.parse(v.stdout)).to.deep.include({ format: 'v2', verified: true });
      expect(JSON.parse(v.stdout).checks).to.include(`decrypted with ${keyArns['us-west-2']}`);
      expect(b.stdout + b.stderr + v.stdout + v.stderr).not.to.contain(SECRET_MARKER);
    });
  });
});
