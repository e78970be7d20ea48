import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { runCli } from '../helpers/cli.js';
import { seedBackupConfig, seedRealistic, bucketFor, HOME } from '../helpers/fixtures.js';
import { seedBackupKeys } from '../helpers/encryption.js';
import { hardenBucket } from '../helpers/buckets.js';
import { s3Client } from '../local-aws/helpers.js';

const REGIONS = ['ap-northeast-1', 'us-west-2'];
type Summary = Record<
  string,
  { status: string; failureMessage?: string; failureCategory?: string; warnings?: string[]; dryRun?: boolean; drift?: { previousCount: number | null } }
>;

/** backup --dry-run tells the truth: the checks of `check`, and the guard's decision; a dry run that would fail is not SUCCESS. */
describe('backup --dry-run: checks and the guard decide, nothing is written', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let work: string;
  const summaryFile = () => path.join(work, 'region_summaries.json');
  const run = async (args: string[], env: Record<string, string> = {}) => {
    rmSync(summaryFile(), { force: true });
    const r = await runCli(aws, ['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--work-dir', work, '--no-fail-fast', ...args], env);
    return { ...r, summary: (existsSync(summaryFile()) ? JSON.parse(readFileSync(summaryFile(), 'utf8')) : {}) as Summary };
  };

  beforeEach(async () => {
    aws = await startLocalAws();
    work = mkdtempSync(path.join(tmpdir(), 'ssm-dry-run-'));
    seedBackupConfig(aws, REGIONS);
    seedBackupKeys(aws, REGIONS, { dr: [] });
    for (const r of REGIONS) {
      seedRealistic(aws, r);
      const s3 = s3Client(aws, r);
      await hardenBucket(s3, bucketFor(r));
      s3.destroy();
    }
  });
  afterEach(async () => {
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('a sound setup: SUCCESS without warnings, the guard would accept, nothing written', async () => {
    const r = await run(['--dry-run']);
    expect(r.code, r.stderr).to.equal(0);
    for (const region of REGIONS) {
      expect(r.summary[region]).to.deep.include({ status: 'SUCCESS', dryRun: true });
      expect(r.summary[region].warnings, region).to.equal(undefined);
      expect(aws.s3.listObjects(bucketFor(region))).to.deep.equal([]);
    }
    expect(r.stderr).to.contain('[DRY RUN] The guard would accept this backup (first backup: nothing to compare with)');
  });

  it('a missing bucket and a disabled backup key: both regions FAILED with the cause and its fix, exit 1 (was SUCCESS)', async () => {
    aws.ssm.put('ap-northeast-1', { Name: '/jenkins/dev/backup/ap-northeast-1/s3-bucket-name', Value: 'no-such-bucket-xyz', Type: 'String' });
    aws.kms.setEnabled('us-west-2', 'alias/ssm-backup', false);
    const r = await run(['--dry-run']);
    expect(r.code).to.equal(1);
    expect(r.summary['ap-northeast-1']).to.include({ status: 'FAILED', failureCategory: 'region' });
    expect(r.summary['ap-northeast-1'].failureMessage).to.match(
      /^Dry run: the backup would fail: bucket exists, region, owner: s3:\/\/no-such-bucket-xyz does not exist \(fix: create it/,
    );
    expect(r.summary['us-west-2']).to.include({ status: 'FAILED' });
    expect(r.summary['us-west-2'].failureMessage).to.match(/^Dry run: the backup would fail: backup KMS key: .* is Disabled.*\(fix: enable the key/);
    expect(r.stdout).to.match(/FAILED/);
  });

  it('a bucket without versioning, public access block or policy: SUCCESS with a warning per check (UNSTABLE in Jenkins)', async () => {
    aws.s3.createBucket('us-west-2', 'plain-bucket', { requireSse: true });
    aws.ssm.put('us-west-2', { Name: '/jenkins/dev/backup/us-west-2/s3-bucket-name', Value: 'plain-bucket', Type: 'String' });
    const r = await run(['--dry-run', '--regions', 'us-west-2']);
    expect(r.code, r.stderr).to.equal(0);
    const warnings = r.summary['us-west-2'].warnings ?? [];
    expect(warnings.map((w) => w.split(':')[0])).to.deep.equal(['check FAIL', 'check FAIL', 'check FAIL', 'check FAIL']);
    expect(warnings.join('\n'))
      .to.match(/versioning: never enabled/)
      .and.to.match(/public access block/)
      .and.to.match(/policy denies non-TLS/);
  });

  it('reports what the guard would decide: a shrink it would refuse is FAILED (guard) with the fix first, in CLI or Jenkins words', async () => {
    expect((await run(['--regions', 'us-west-2'])).code).to.equal(0);
    for (const p of aws.ssm
      .list('us-west-2')
      .filter((x) => x.Name.startsWith('/app/'))
      .slice(0, 5))
      aws.ssm.delete('us-west-2', p.Name);
    const cli = await run(['--dry-run', '--regions', 'us-west-2']);
    expect(cli.code).to.equal(1);
    const s = cli.summary['us-west-2'];
    expect(s).to.include({ status: 'FAILED', failureCategory: 'guard', dryRun: true });
    expect(s.failureMessage).to.match(/^Parameter count fell \d+ → \d+ \(-[\d.]+%, limit 10%\): if intended, run again with --allow-shrink\. /);
    expect(s.failureMessage).to.contain('Dry run: nothing was written; latest.txt would not move');
    expect(s.drift?.previousCount).to.be.a('number');
    const jenkins = await run(['--dry-run', '--regions', 'us-west-2'], { SSM_BACKUP_GUARD_ADVICE: 'jenkins' });
    expect(jenkins.summary['us-west-2'].failureMessage).to.match(/if intended, run one build with allowShrink: true \(job parameter ALLOW_SHRINK\)\./);
    // The build description (200 characters) keeps the fix.
    const out = path.join(work, 'report');
    const notify = await runCli(aws, ['notify', '--summary-file', summaryFile(), '--environment', 'dev', '--out-dir', out]);
    expect(notify.code, notify.stderr).to.equal(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.description.length).to.be.at.most(200);
    expect(report.description).to.contain('allowShrink: true (job parameter ALLOW_SHRINK)');
    // Slack's region line (300 characters of the cause) keeps it too.
    expect(JSON.stringify(report.slack)).to.contain('allowShrink: true (job parameter ALLOW_SHRINK)');
    const accepted = await run(['--dry-run', '--regions', 'us-west-2', '--allow-shrink']);
    expect(accepted.code, accepted.stderr).to.equal(0);
  });
});
