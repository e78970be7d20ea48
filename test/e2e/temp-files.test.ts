import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, constants } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { seedBackupConfig, bucketFor, SECRET_MARKER } from '../helpers/fixtures.js';

const BUNDLE = path.resolve('resources/ssm-multi-region-backup/ssm-backup.cjs');
const REGION = 'ap-northeast-1';
const SPOOL_DIR = /^ssm-backup-(\d+)-[A-Za-z0-9]{6}$/;

/** Every regular file under `dir`, with its bytes. */
function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => path.join(dir, f))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    })
    .map((file) => ({ file, bytes: readFileSync(file) }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('temporary files of the shipped bundle (values never on disk in clear)', function () {
  this.timeout(90000);
  let aws: LocalAws;
  let tmp: string;
  let work: string;
  /**
   * Every line of the multi-line SecureString values. Each single-line value starts with SECRET_MARKER, so the
   * marker's absence proves theirs (searching 2,000 values one by one in megabytes would be slow).
   */
  let lines: string[];
  let child: ChildProcess | undefined;
  let stderr: string;

  beforeEach(async () => {
    aws = await startLocalAws();
    tmp = mkdtempSync(path.join(tmpdir(), 'spool-e2e-tmp-'));
    work = mkdtempSync(path.join(tmpdir(), 'spool-e2e-work-'));
    seedBackupConfig(aws, [REGION]);
    for (let i = 0; i < 2000; i += 1) {
      const value = `${SECRET_MARKER}${i}-${randomBytes(600).toString('base64')}`;
      aws.ssm.put(REGION, { Name: `/bulk/s${String(i).padStart(5, '0')}`, Value: value, Type: 'SecureString' });
    }
    lines = [];
    for (let i = 0; i < 20; i += 1) {
      const pem = ['-----BEGIN RSA PRIVATE KEY-----', ...Array.from({ length: 6 }, () => randomBytes(48).toString('base64')), '-----END RSA PRIVATE KEY-----'];
      aws.ssm.put(REGION, { Name: `/pem/k${i}`, Value: pem.join('\n'), Type: 'SecureString' });
      lines.push(...pem.slice(i === 0 ? 0 : 1, i === 0 ? undefined : -1)); // the armour lines are the same in every key
    }
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    await aws.stop();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /** Asserts that no file under TMPDIR or the work dir holds a seeded value or a line of one; returns the bytes scanned under TMPDIR. */
  function expectNoSecretOnDisk(when: string): number {
    let tmpBytes = 0;
    for (const { file, bytes } of [...filesUnder(tmp), ...filesUnder(work)]) {
      if (file.startsWith(tmp)) tmpBytes += bytes.length;
      expect(bytes.includes(SECRET_MARKER), `${when}: ${file} holds a seeded value`).to.equal(false);
      for (const line of lines) expect(bytes.includes(line), `${when}: ${file} holds a line of a multi-line value`).to.equal(false);
    }
    return tmpBytes;
  }

  function start(extraArgs: string[] = []): ChildProcess {
    stderr = '';
    const env = { PATH: process.env.PATH, ...aws.env, AWS_REGION: REGION, TMPDIR: tmp };
    child = spawn(process.execPath, [BUNDLE, 'backup', '--environment', 'dev', '--work-dir', work, ...extraArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.resume();
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    return child;
  }

  const exited = (c: ChildProcess) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve({ code: c.exitCode, signal: c.signalCode });
      else c.on('exit', (code, signal) => resolve({ code, signal }));
    });

  /** Starts a backup slowed to ~20 GetParameters/s (about 10 s for the 2,000 parameters, margin on a loaded machine) and waits until it has spooled at least two 64 KiB records. */
  async function startMidCollect(): Promise<ChildProcess> {
    aws.setOptions({ latencyMs: 10, getTps: 20 });
    const c = start(['--get-rate', '20', '--concurrency', '2']);
    await until('the spool to fill', () => filesUnder(tmp).some((f) => f.bytes.length > 2 * 65557));
    expect(stderr, 'still collecting').not.to.contain('Collected');
    return c;
  }

  function spoolDirs(): string[] {
    return readdirSync(tmp).filter((d) => SPOOL_DIR.test(d));
  }

  it('SIGKILL mid-collect leaves only ciphertext, and the next run removes it', async () => {
    const c = await startMidCollect();
    expect(expectNoSecretOnDisk('during the run')).to.be.greaterThan(2 * 65557);
    c.kill('SIGKILL');
    expect(await exited(c)).to.deep.equal({ code: null, signal: 'SIGKILL' });
    const left = spoolDirs();
    expect(left, 'the killed run cannot clean up').to.deep.equal([`ssm-backup-${c.pid}-${left[0]?.slice(-6)}`]);
    expect(expectNoSecretOnDisk('after SIGKILL')).to.be.greaterThan(2 * 65557);

    aws.setOptions({ latencyMs: undefined, getTps: undefined });
    const next = start(['--get-rate', '1000']);
    const { code } = await exited(next);
    expect(code, stderr).to.equal(0);
    expect(stderr).to.match(
      new RegExp(
        `INFO +Removed ${path.join(tmp, left[0]).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, the encrypted spool of an earlier run \\(pid ${c.pid}\\) that no longer runs`,
      ),
    );
    expect(readdirSync(tmp)).to.deep.equal([]);
    expect(aws.s3.getObject(bucketFor(REGION), 'latest.txt')).to.exist;
    expect(stderr).not.to.contain(SECRET_MARKER);
  });

  it('SIGKILL mid-upload leaves only ciphertext', async () => {
    // The archive upload answers SlowDown (503), which the SDK retries with backoff: the run stays in its upload.
    for (const operation of ['PutObject', 'CreateMultipartUpload'])
      aws.faults.add({ service: 's3', operation, match: '.tar.gz', error: { code: 'SlowDown', status: 503 } });
    const c = start(['--get-rate', '1000']);
    await until(
      'the upload to start',
      () => stderr.includes('Collected') && Object.keys(aws.stats().operations).some((op) => /s3:(PutObject|CreateMultipartUpload)/.test(op)),
    );
    expect(stderr, 'not uploaded yet').not.to.contain('Uploaded');
    expect(spoolDirs(), 'the spool is still there during the upload').to.have.length(1);
    expect(expectNoSecretOnDisk('during the upload')).to.be.greaterThan(1024 * 1024);
    c.kill('SIGKILL');
    expect((await exited(c)).signal).to.equal('SIGKILL');
    expect(spoolDirs()).to.have.length(1);
    expect(expectNoSecretOnDisk('after SIGKILL')).to.be.greaterThan(1024 * 1024);
    expect(aws.s3.getObject(bucketFor(REGION), 'latest.txt')).to.equal(undefined);
  });

  for (const signal of ['SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGTERM', 'SIGINT'] as const) {
    it(`${signal} mid-collect removes the spool directory and exits ${128 + constants.signals[signal]}`, async () => {
      const c = await startMidCollect();
      expectNoSecretOnDisk('during the run');
      c.kill(signal);
      expect(await exited(c)).to.deep.equal({ code: 128 + constants.signals[signal], signal: null });
      expect(readdirSync(tmp)).to.deep.equal([]);
      expect(aws.s3.getObject(bucketFor(REGION), 'latest.txt')).to.equal(undefined);
      expect(stderr).to.contain(`interrupted by ${signal}`);
      expect(stderr).not.to.contain(SECRET_MARKER);
      expectNoSecretOnDisk('after the signal');
    });
  }
});
