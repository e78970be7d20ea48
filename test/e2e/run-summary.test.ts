import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { runCli } from '../helpers/cli.js';
import { seedBackupConfig, seedRealistic, bucketFor, HOME, SECRET_MARKER } from '../helpers/fixtures.js';

const REGIONS = ['ap-northeast-1', 'us-west-2', 'eu-central-1'];

/** The Jenkins step's way of running: plan once, then one backup run per region into the one summary file. */
describe('backup: one summary file per build, plan file, region deadline', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let work: string;
  let tmp: string;
  const planFile = () => path.join(work, 'plan.json');
  const summaryFile = () => path.join(work, 'region_summaries.json');
  const summary = () => JSON.parse(readFileSync(summaryFile(), 'utf8'));
  const regionRun = (region: string, ...extra: string[]) =>
    runCli(aws, ['backup', '--plan-file', planFile(), '--regions', region, '--summary-file', summaryFile(), '--work-dir', work, ...extra], { TMPDIR: tmp });

  beforeEach(async () => {
    aws = await startLocalAws();
    work = mkdtempSync(path.join(tmpdir(), 'ssm-backup-runs-'));
    tmp = mkdtempSync(path.join(tmpdir(), 'ssm-backup-runs-tmp-'));
    seedBackupConfig(aws, REGIONS);
    for (const r of REGIONS) seedRealistic(aws, r);
    const plan = await runCli(aws, ['plan', '--environment', 'dev', '--ssm-home-region', HOME, '--output-file', planFile()]);
    expect(plan.code, plan.stderr).to.equal(0);
  });
  afterEach(async () => {
    await aws.stop();
    expect(readdirSync(tmp), 'temp files left behind').to.deep.equal([]);
    rmSync(work, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('merges each region run into the one summary file, in plan order, reading no configuration again', async () => {
    aws.resetStats();
    for (const r of ['us-west-2', 'ap-northeast-1']) expect((await regionRun(r)).code).to.equal(0);
    const s = summary();
    expect(Object.keys(s)).to.deep.equal(REGIONS);
    expect(s['ap-northeast-1'].status).to.equal('SUCCESS');
    expect(s['us-west-2'].status).to.equal('SUCCESS');
    expect(s['eu-central-1']).to.deep.include({ status: 'SKIPPED', failureMessage: 'not started' });
    // The plan came from the file: no GetParameters for the configuration (only the values of the backup).
    expect(aws.stats().operations['ssm:GetParameter'] ?? 0).to.equal(0);
    expect(readFileSync(summaryFile(), 'utf8')).not.to.contain(SECRET_MARKER);
  });

  it('asks STS for the account once per run (archive manifest and the bucket-owner check share it); list reads no key configuration', async () => {
    aws.resetStats();
    const run = await runCli(aws, ['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--work-dir', work], { TMPDIR: tmp });
    expect(run.code, run.stderr).to.equal(0);
    expect(aws.stats().operations['sts:GetCallerIdentity']).to.equal(1);
    aws.resetStats();
    const list = await runCli(aws, ['list', '--environment', 'dev', '--ssm-home-region', HOME, '--region', 'us-west-2']);
    expect(list.code, list.stderr).to.equal(0);
    expect(aws.stats().operations['ssm:GetParameter'], 'the bucket parameter only, no kms-key-arn').to.equal(1);
  });

  it('fail-fast across runs: after a failed region the next run marks its region SKIPPED and exits 0; --no-fail-fast runs it', async () => {
    aws.faults.add({ service: 's3', operation: 'PutObject', region: 'ap-northeast-1', error: { code: 'AccessDenied', status: 403, message: 'Access Denied' } });
    expect((await regionRun('ap-northeast-1')).code).to.equal(1);
    const skipped = await regionRun('us-west-2');
    expect(skipped.code).to.equal(0);
    expect(summary()['us-west-2']).to.deep.include({
      status: 'SKIPPED',
      failureMessage: 'not started: ap-northeast-1 failed (fail-fast; --no-fail-fast backs up every region)',
    });
    expect(aws.s3.getObject(bucketFor('us-west-2'), 'latest.txt')).to.equal(undefined);
    expect((await regionRun('eu-central-1', '--no-fail-fast')).code).to.equal(0);
    expect(summary()['eu-central-1'].status).to.equal('SUCCESS');
    expect(summary()['ap-northeast-1'].status).to.equal('FAILED');
  });

  it('refuses a region that is not in the plan file, and a plan file for another environment (exit 2, no request)', async () => {
    aws.resetStats();
    const outside = await regionRun('us-east-1');
    expect(outside.code).to.equal(2);
    expect(outside.stderr).to.contain('--regions us-east-1 is not in --plan-file');
    const other = await regionRun('us-west-2', '--environment', 'prod');
    expect(other.code).to.equal(2);
    expect(other.stderr).to.contain('does not match --plan-file');
    expect(aws.stats().totalRequests).to.equal(0);
    expect(existsSync(summaryFile())).to.equal(false);
  });

  it('--region-timeout under persistent throttling: TIMED_OUT within the deadline plus a few seconds, nothing moved, nothing left behind', async () => {
    for (let i = 0; i < 300; i += 1) aws.ssm.put('us-west-2', { Name: `/bulk/p${i}`, Value: `${SECRET_MARKER}${i}`, Type: 'SecureString' });
    aws.faults.add({
      service: 'ssm',
      operation: 'GetParameters',
      region: 'us-west-2',
      error: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
    });
    const started = Date.now();
    const run = await regionRun('us-west-2', '--region-timeout', '3');
    const took = (Date.now() - started) / 1000;
    expect(run.code, run.stderr).to.equal(1);
    expect(took, 'seconds until the region stopped').to.be.lessThan(3 + 5);
    const s = summary()['us-west-2'];
    expect(s.status).to.equal('TIMED_OUT');
    expect(s.failureMessage).to.match(/^Stopped at the region deadline \(--region-timeout 3s\) after \ds, \d+ parameters collected; latest\.txt not moved/);
    expect(aws.s3.getObject(bucketFor('us-west-2'), 'latest.txt')).to.equal(undefined);
    expect(aws.s3.listObjects(bucketFor('us-west-2'))).to.deep.equal([]);
    expect(run.stderr).not.to.contain(SECRET_MARKER);
  });

  it('progress lines at INFO on a slow collect (emulated quota)', async () => {
    for (let i = 0; i < 400; i += 1) aws.ssm.put('us-west-2', { Name: `/slow/p${i}`, Value: `v${i}`, Type: 'String' });
    const run = await runCli(
      aws,
      [
        'backup',
        '--plan-file',
        planFile(),
        '--regions',
        'us-west-2',
        '--summary-file',
        summaryFile(),
        '--work-dir',
        work,
        '--get-rate',
        '2',
        '--concurrency',
        '1',
        '--region-timeout',
        '14',
      ],
      { TMPDIR: tmp },
    );
    expect(run.stderr).to.match(/INFO +\[us-west-2\] Collect: \d+\/\d+ parameters \(\d+%\), [\d.]+\/s, \d+ throttled, ETA .*elapsed 12s/);
  });
});

describe('the summary file under concurrent writers', () => {
  it('region runs in parallel processes sharing one file keep every entry (lock), each changing only its own', async function () {
    this.timeout(60000);
    const dir = mkdtempSync(path.join(tmpdir(), 'ssm-backup-lock-'));
    try {
      const file = path.join(dir, 'region_summaries.json');
      const regions = Array.from({ length: 6 }, (_, i) => `us-west-${i + 1}`);
      // Each writer holds the file for 150 ms between its read and its write: without the lock, updates get lost.
      const script = `import { updateSummaryFile } from ${JSON.stringify(path.resolve('ts/lib/backup/summary-file.ts'))};
        const [file, region, regions] = [process.argv[1], process.argv[2], process.argv[3].split(',')];
        await updateSummaryFile(file, regions, (s) => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150); s[region] = { status: 'SUCCESS', parameterCount: 1, artifactPath: null, executionTimeSec: 0 }; });`;
      const runs = regions.map(
        (r) =>
          new Promise<number | null>((resolve) => {
            spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file, r, regions.join(',')], { stdio: 'inherit' }).on(
              'exit',
              resolve,
            );
          }),
      );
      expect(await Promise.all(runs)).to.deep.equal(regions.map(() => 0));
      const s = JSON.parse(readFileSync(file, 'utf8'));
      expect(Object.keys(s)).to.deep.equal(regions);
      for (const r of regions) expect(s[r], r).to.include({ status: 'SUCCESS' });
      expect(existsSync(`${file}.lock`)).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fail-fast reads the summary file: running vs killed regions', () => {
  it('a region still running (its process alive) is not a failure; one whose process is gone is', async () => {
    const { firstFailure, runningEntry } = await import('../../ts/lib/backup/summary-file.js');
    const running = runningEntry('us-west-2');
    expect(running).to.include({ status: 'FAILED', failureCategory: 'interrupted', runningPid: process.pid });
    expect(firstFailure({ 'us-west-2': running, 'eu-west-1': { status: 'SKIPPED' } }, ['eu-west-1'])).to.equal(undefined);
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    expect(firstFailure({ 'us-west-2': { ...running, runningPid: dead }, 'eu-west-1': { status: 'SKIPPED' } }, ['eu-west-1'])).to.equal('us-west-2');
    expect(firstFailure({ 'us-west-2': { status: 'TIMED_OUT' } }, [])).to.equal('us-west-2');
  });
});

describe('--region-timeout through the shipped bundle', function () {
  this.timeout(60000);
  it('sends no request after the deadline and the process exits within a few seconds of it', async () => {
    const aws = await startLocalAws({ getTps: 1, latencyMs: 50 });
    const work = mkdtempSync(path.join(tmpdir(), 'ssm-backup-deadline-'));
    try {
      seedBackupConfig(aws, ['us-west-2']);
      for (let i = 0; i < 300; i += 1) aws.ssm.put('us-west-2', { Name: `/slow/p${i}`, Value: `v${i}`, Type: 'String' });
      let started = 0;
      const child = spawn(
        process.execPath,
        [
          'resources/ssm-multi-region-backup/ssm-backup.cjs',
          'backup',
          '--environment',
          'dev',
          '--ssm-home-region',
          HOME,
          '--regions',
          'us-west-2',
          '--work-dir',
          work,
          '--region-timeout',
          '3',
        ],
        {
          env: { PATH: process.env.PATH, ...aws.env, TMPDIR: work },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
        if (!started && stderr.includes('Target Region')) started = Date.now(); // the deadline counts from the region's start
      });
      let exited = 0;
      const exit = new Promise<number | null>((resolve) =>
        child.on('exit', (c) => {
          exited = Date.now();
          resolve(c);
        }),
      );
      for (let i = 0; i < 1500 && !started && !exited; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(started, stderr).to.be.greaterThan(0);
      await new Promise((r) => setTimeout(r, 4000)); // the deadline plus 1 s for requests already on the wire
      const atDeadline = aws.stats().totalRequests;
      const code = await exit;
      const took = (exited - started) / 1000;
      expect(code, stderr).to.equal(1);
      expect(took, 'seconds from the region start until the process exited').to.be.lessThan(3 + 3);
      expect(stderr).not.to.contain('Warning'); // no MaxListenersExceededWarning or other noise
      expect(stderr.match(/ERROR/g), 'the deadline is reported once').to.have.length(1);
      expect(aws.stats().totalRequests - atDeadline, 'requests after the deadline').to.equal(0);
      expect(JSON.parse(readFileSync(path.join(work, 'region_summaries.json'), 'utf8'))['us-west-2'].status).to.equal('TIMED_OUT');
    } finally {
      await aws.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
