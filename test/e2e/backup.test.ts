import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { readTarGz } from '../../ts/lib/archive/read.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { seedBackupConfig, seedRealistic, bucketFor, SECRET_MARKER, HOME } from '../helpers/fixtures.js';

const REGIONS = ['ap-northeast-1', 'us-west-2', 'eu-central-1'];

describe('ssm-backup backup (through the local AWS)', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let work: string;
  let tmp: string;
  const outputs: string[] = [];

  const backup = async (...extra: string[]): Promise<CliRun & { summary: Record<string, Record<string, unknown>> }> => {
    const summaryFile = path.join(work, 'region_summaries.json');
    rmSync(summaryFile, { force: true });
    const run = await runCli(aws, ['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--work-dir', work, ...extra], { TMPDIR: tmp });
    outputs.push(run.stdout, run.stderr);
    const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : {};
    return { ...run, summary };
  };

  beforeEach(async () => {
    aws = await startLocalAws();
    work = mkdtempSync(path.join(tmpdir(), 'ssm-backup-test-work-'));
    tmp = mkdtempSync(path.join(tmpdir(), 'ssm-backup-test-tmp-'));
    seedBackupConfig(aws, REGIONS);
    for (const r of REGIONS) seedRealistic(aws, r);
  });

  afterEach(async () => {
    await aws.stop();
    // Nothing with values may stay behind in the private temp area or the work dir.
    expect(readdirSync(tmp), 'temp dirs left behind').to.deep.equal([]);
    for (const f of readdirSync(work, { recursive: true }) as string[]) {
      const full = path.join(work, f);
      if (f.endsWith('.json')) expect(readFileSync(full, 'utf8')).not.to.contain(SECRET_MARKER);
    }
    rmSync(work, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  after(() => {
    for (const text of outputs) expect(text).not.to.contain(SECRET_MARKER);
  });

  it('backs up three regions into their own buckets with every field, SSE and latest.txt', async () => {
    const run = await backup('--include-tags');
    expect(run.code, run.stderr).to.equal(0);
    for (const region of REGIONS) {
      const s = run.summary[region];
      expect(s.status).to.equal('SUCCESS');
      const seeded = aws.ssm.list(region).filter((p) => p.Name.startsWith('/app/') || p.Name.startsWith('/jenkins/'));
      expect(s.parameterCount).to.equal(seeded.length);
      const objects = aws.s3.listObjects(bucketFor(region));
      const archive = objects.find((o) => o.key.endsWith('.tar.gz'));
      expect(archive, 'archive object').to.exist;
      expect(archive!.key).to.match(new RegExp(`^\\d{4}-\\d{2}-\\d{2}/ssm-backup-dev-${region}-\\d{8}_\\d{6}\\.tar\\.gz$`));
      expect(archive!.sse).to.equal('AES256');
      expect(s.artifactPath).to.equal(`s3://${bucketFor(region)}/${archive!.key}`);
      expect(aws.s3.getObject(bucketFor(region), 'latest.txt')!.toString().trim()).to.equal(archive!.key);

      const files = await readTarGz(aws.s3.getObject(bucketFor(region), archive!.key)!);
      expect([...files.keys()]).to.deep.equal(['backup.json', 'manifest.json']);
      const doc = JSON.parse(files.get('backup.json')!.toString());
      const manifest = JSON.parse(files.get('manifest.json')!.toString());
      expect(doc).to.include({ environment: 'dev', region, parameter_count: seeded.length });
      expect(doc.backup_timestamp).to.match(/^\d{8}_\d{6}$/);
      expect(manifest).to.deep.include({ formatVersion: 1, environment: 'dev', region, accountId: '123456789012', parameterCount: seeded.length });
      expect(manifest.tool.name).to.equal('ssm-multi-region-backup');
      expect(manifest.backupJson.sha256).to.equal(createHash('sha256').update(files.get('backup.json')!).digest('hex'));

      for (const stored of seeded) {
        const got = doc.parameters.find((p: { Name: string }) => p.Name === stored.Name);
        expect(got, stored.Name).to.exist;
        expect(got).to.deep.include({
          Name: stored.Name,
          Type: stored.Type,
          Value: stored.Value,
          Version: stored.Version,
          Tier: stored.Tier,
          DataType: stored.DataType,
        });
        for (const field of ['Description', 'AllowedPattern', 'KeyId'] as const) expect(got[field], `${stored.Name} ${field}`).to.equal(stored[field]);
        expect(got.Tags ?? []).to.deep.equal(stored.Tags ?? []);
        expect(new Date(got.LastModifiedDate).getTime()).to.be.closeTo(new Date(stored.LastModifiedDate).getTime(), 1000);
        expect(got.Policies ?? []).to.deep.equal(stored.Policies);
      }
      const perRegion = JSON.parse(readFileSync(path.join(work, region, 'summary.json'), 'utf8'));
      expect(perRegion).to.include({ parameterCount: seeded.length, status: 'SUCCESS' });
      expect(perRegion.executionTimeSec).to.be.a('number');
    }
    expect(run.stdout).to.match(/REGION\s+STATUS\s+PARAMETERS/);
  });

  it('reports a legacy bucket key that differs from the default region bucket as a warning, in the log and the summary', async () => {
    aws.ssm.put(HOME, { Name: '/jenkins/dev/backup/s3-bucket-name', Value: 'old-single-region-bucket', Type: 'String' });
    const run = await backup('--dry-run');
    expect(run.code).to.equal(0);
    expect(run.stderr).to.match(/WARN .*s3-bucket-name is "old-single-region-bucket" but the default region ap-northeast-1 uses/);
    // The dry run's check rows (these test buckets have no versioning or policy) are warnings of their own (test/e2e/dry-run.test.ts).
    const notChecks = (region: string) => ((run.summary[region].warnings as string[] | undefined) ?? []).filter((w) => !w.startsWith('check '));
    expect(notChecks('ap-northeast-1')).to.have.length(1);
    expect(notChecks('us-west-2')).to.deep.equal([]);
  });

  it('uploads an archive larger than one part as a multipart upload with SSE, complete and verifiable', async () => {
    for (let i = 0; i < 6000; i += 1)
      aws.ssm.put('us-west-2', { Name: `/big/p${i}`, Value: randomBytes(3072).toString('base64'), Type: i % 2 ? 'SecureString' : 'String' });
    aws.resetStats();
    const run = await backup('--regions', 'us-west-2', '--get-rate', '5000', '--concurrency', '16');
    expect(run.code, run.stderr).to.equal(0);
    expect(aws.stats().operations['s3:CreateMultipartUpload']).to.equal(1);
    expect(aws.stats().operations['s3:UploadPart']).to.be.at.least(2);
    const key = aws.s3.getObject(bucketFor('us-west-2'), 'latest.txt')!.toString().trim();
    expect(aws.s3.objectMeta(bucketFor('us-west-2'), key)!.sse).to.equal('AES256');
    const files = await readTarGz(aws.s3.getObject(bucketFor('us-west-2'), key)!);
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    expect(manifest.backupJson.sha256).to.equal(createHash('sha256').update(files.get('backup.json')!).digest('hex'));
    expect(JSON.parse(files.get('backup.json')!.toString()).parameters).to.have.length(run.summary['us-west-2'].parameterCount as number);
  });

  it('dry run collects and counts but uploads nothing', async () => {
    const run = await backup('--dry-run');
    expect(run.code).to.equal(0);
    for (const region of REGIONS) {
      expect(aws.s3.listObjects(bucketFor(region))).to.deep.equal([]);
      expect(run.summary[region]).to.include({ status: 'SUCCESS', artifactPath: null, dryRun: true });
      expect(run.summary[region].parameterCount).to.be.greaterThan(5);
      expect(run.stderr).to.contain(`[${region}] [DRY RUN] Skipped upload for ${region}`);
    }
  });

  it('fails the second region on a missing bucket definition and skips the third (fail-fast)', async () => {
    aws.ssm.delete('us-west-2', '/jenkins/dev/backup/us-west-2/s3-bucket-name');
    const run = await backup();
    expect(run.code).to.equal(1);
    expect(run.summary['ap-northeast-1'].status).to.equal('SUCCESS');
    expect(run.summary['us-west-2']).to.deep.include({ status: 'FAILED', failureMessage: 'Bucket definition missing for us-west-2', artifactPath: null });
    expect(run.summary['eu-central-1']).to.deep.include({ status: 'SKIPPED', parameterCount: 0 });
    expect(aws.s3.listObjects(bucketFor('eu-central-1'))).to.deep.equal([]);
  });

  it('fails only the region whose configuration cannot be read (opt-in region not enabled), not the plan', async () => {
    aws.faults.add({
      service: 'ssm',
      region: 'us-west-2',
      error: { code: 'UnrecognizedClientException', status: 400, message: 'The security token included in the request is invalid.' },
    });
    const run = await backup('--no-fail-fast');
    expect(run.code).to.equal(1);
    expect(run.summary['ap-northeast-1'].status).to.equal('SUCCESS');
    expect(run.summary['us-west-2']).to.deep.include({
      status: 'FAILED',
      failureMessage:
        'Could not read /jenkins/dev/backup/us-west-2/s3-bucket-name in us-west-2: UnrecognizedClientException: The security token included in the request is invalid.',
    });
    expect(run.summary['eu-central-1'].status).to.equal('SUCCESS');
  });

  it('goes on after a failure with --no-fail-fast and still exits 1', async () => {
    aws.ssm.delete('us-west-2', '/jenkins/dev/backup/us-west-2/s3-bucket-name');
    const run = await backup('--no-fail-fast');
    expect(run.code).to.equal(1);
    expect(run.summary['us-west-2'].status).to.equal('FAILED');
    expect(run.summary['eu-central-1'].status).to.equal('SUCCESS');
  });

  it('backs up regions side by side with --parallel-regions, summaries still in list order', async () => {
    for (const r of REGIONS) for (let i = 0; i < 200; i += 1) aws.ssm.put(r, { Name: `/bulk/p${i}`, Value: `v${i}`, Type: 'String' });
    aws.setOptions({ latencyMs: 10 });
    const run = await backup('--parallel-regions', '3');
    expect(run.code, run.stderr).to.equal(0);
    expect(Object.keys(run.summary)).to.deep.equal(REGIONS);
    for (const r of REGIONS) expect(run.summary[r].status).to.equal('SUCCESS');
    const lines = run.stderr.split('\n');
    const started = lines.findIndex((l) => l.includes('[eu-central-1] Target Region'));
    const firstDone = lines.findIndex((l) => l.includes('[ap-northeast-1] Uploaded'));
    expect(started, 'the third region starts before the first one finishes').to.be.within(0, firstDone);
  });

  it('rides out a storm of throttles, 429s and 5xx in the second region and loses nothing', async () => {
    for (let i = 0; i < 300; i += 1) aws.ssm.put('us-west-2', { Name: `/bulk/p${i}`, Value: `v${i}`, Type: 'String' });
    aws.faults.add({
      service: 'ssm',
      operation: 'GetParameters',
      region: 'us-west-2',
      error: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
      times: 6,
    });
    aws.faults.add({ service: 'ssm', operation: 'GetParameters', region: 'us-west-2', error: { code: 'TooManyRequestsException', status: 429 }, times: 2 });
    aws.faults.add({ service: 'ssm', operation: 'DescribeParameters', region: 'us-west-2', error: { code: 'InternalServerError', status: 500 }, times: 2 });
    aws.faults.add({ service: 's3', operation: 'PutObject', error: { code: 'ServiceUnavailable', status: 503 }, times: 1 });
    const run = await backup('--regions', 'us-west-2', '--concurrency', '8');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.summary['us-west-2'].parameterCount).to.equal(aws.ssm.list('us-west-2').length);
    expect(run.stderr).to.match(/throttled attempts: \d+/);
  });

  it('fails the region naming the parameter when KMS decrypt is denied, never its value', async () => {
    aws.faults.add({
      service: 'ssm',
      operation: 'GetParameters',
      region: 'us-west-2',
      match: '/app/us-west-2/api/key',
      whenDecrypting: true,
      error: { code: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform kms:Decrypt on alias/app-secrets' },
    });
    aws.faults.add({
      service: 'ssm',
      operation: 'GetParameter',
      region: 'us-west-2',
      match: '/app/us-west-2/api/key',
      whenDecrypting: true,
      error: { code: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform kms:Decrypt on alias/app-secrets' },
    });
    const run = await backup();
    expect(run.code).to.equal(1);
    expect(run.summary['us-west-2'].status).to.equal('FAILED');
    expect(run.summary['us-west-2'].failureMessage).to.match(/^Cannot read parameter \/app\/us-west-2\/api\/key: AccessDeniedException/);
    expect(aws.s3.getObject(bucketFor('us-west-2'), 'latest.txt')).to.equal(undefined);
  });

  it('never moves latest.txt when the archive upload fails', async () => {
    const first = await backup('--regions', 'us-west-2');
    expect(first.code).to.equal(0);
    const before = aws.s3.getObject(bucketFor('us-west-2'), 'latest.txt')!.toString();
    aws.faults.add({ service: 's3', operation: 'PutObject', match: '.tar.gz', error: { code: 'AccessDenied', status: 403, message: 'Access Denied' } });
    await new Promise((r) => setTimeout(r, 1100)); // a new timestamp, so a new key
    const second = await backup('--regions', 'us-west-2');
    expect(second.code).to.equal(1);
    expect(second.summary['us-west-2'].failureMessage).to.match(/^Upload to s3:\/\/.*\.tar\.gz failed: AccessDenied/);
    expect(aws.s3.getObject(bucketFor('us-west-2'), 'latest.txt')!.toString()).to.equal(before);
  });

  describe('bad configuration: one line, exit 2, nothing uploaded', () => {
    const cases: [string, (a: LocalAws) => void, RegExp][] = [
      [
        'region-list not JSON',
        (a) => a.ssm.put(HOME, { Name: '/jenkins/dev/backup/region-list', Value: 'ap-northeast-1, us-west-2', Type: 'String', Overwrite: true } as never),
        /region-list is not valid JSON/,
      ],
      ['empty region list', (a) => a.ssm.put(HOME, { Name: '/jenkins/dev/backup/region-list', Value: '[]', Type: 'String' }), /No regions configured/],
      [
        'malformed region',
        (a) => a.ssm.put(HOME, { Name: '/jenkins/dev/backup/region-list', Value: '["ap-northeast-1","Tokyo"]', Type: 'String' }),
        /invalid region name "Tokyo"/,
      ],
      [
        'duplicate region',
        (a) => a.ssm.put(HOME, { Name: '/jenkins/dev/backup/region-list', Value: '["us-west-2","us-west-2"]', Type: 'String' }),
        /lists "us-west-2" twice/,
      ],
      [
        'default not in list',
        (a) => a.ssm.put(HOME, { Name: '/jenkins/dev/backup/default-region', Value: 'eu-west-1', Type: 'String' }),
        /default-region "eu-west-1" is not in/,
      ],
      ['region list missing', (a) => a.ssm.delete(HOME, '/jenkins/dev/backup/region-list'), /region-list not found in ap-northeast-1/],
    ];
    for (const [name, mutate, message] of cases) {
      it(name, async () => {
        mutate(aws);
        const errorFile = path.join(work, 'error.json');
        const run = await backup('--error-file', errorFile);
        expect(run.code).to.equal(2);
        const errorLines = run.stderr.split('\n').filter((l) => l.includes('ERROR'));
        expect(errorLines).to.have.length(1);
        expect(errorLines[0]).to.match(message);
        expect(JSON.parse(readFileSync(errorFile, 'utf8'))).to.include({ exitCode: 2, category: 'config' });
        for (const r of REGIONS) expect(aws.s3.listObjects(bucketFor(r))).to.deep.equal([]);
      });
    }

    it('bad usage: unknown option, bad environment, bad concurrency', async () => {
      expect((await backup('--bogus')).code).to.equal(2);
      const env = await runCli(aws, ['backup', '--environment', 'Prod!']);
      expect(env.code).to.equal(2);
      expect(env.stderr).to.contain('--environment "Prod!" is invalid');
      expect((await backup('--concurrency', '0')).stderr).to.contain('--concurrency "0" is invalid: use a whole number from 1 to 64');
      const stray = await runCli(aws, ['plan', '--environment', 'dev'], { SSM_BACKUP_ENGINE: '/tmp/x.cjs' });
      expect(stray.code).to.equal(2);
      expect(stray.stderr).to.match(
        /the environment variable SSM_BACKUP_ENGINE is not an option of any ssm-backup command( \(did you mean [A-Z_]+\?\))?: SSM_BACKUP_\* variables are read as options, so unset or rename it/,
      );
    });
  });

  it('honours the per-service endpoint variables (AWS_ENDPOINT_URL_SSM / _S3 / _STS / _CLOUDWATCH) without AWS_ENDPOINT_URL', async () => {
    const perService = {
      AWS_ENDPOINT_URL: '',
      AWS_ENDPOINT_URL_SSM: aws.endpoint,
      AWS_ENDPOINT_URL_S3: aws.endpoint,
      AWS_ENDPOINT_URL_STS: aws.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
    };
    const run = await runCli(aws, ['backup', '--environment', 'dev', '--work-dir', work, '--regions', 'us-west-2'], { TMPDIR: tmp, ...perService });
    outputs.push(run.stdout, run.stderr);
    expect(run.code, run.stderr).to.equal(0);
    expect(aws.s3.getObject(bucketFor('us-west-2'), 'latest.txt')).to.exist;
    expect(aws.metrics.list('us-west-2').map((d) => d.metricName)).to.include('BackupSuccess');
  });

  it('plan prints regions, buckets and the legacy check without collecting', async () => {
    aws.resetStats();
    const out = path.join(work, 'not-yet', 'plan.json'); // the parent directory is created
    const run = await runCli(aws, ['plan', '--environment', 'dev', '--ssm-home-region', HOME, '--output-file', out]);
    expect(run.code).to.equal(0);
    const plan = JSON.parse(readFileSync(out, 'utf8'));
    expect(plan).to.deep.include({ environment: 'dev', homeRegion: HOME, defaultRegion: 'ap-northeast-1', regions: REGIONS, legacyBucketMatches: true });
    expect(plan.buckets).to.deep.equal(Object.fromEntries(REGIONS.map((r) => [r, bucketFor(r)])));
    expect(JSON.parse(run.stdout)).to.deep.equal(plan);
    expect(aws.stats().operations['ssm:DescribeParameters'] ?? 0).to.equal(0);
    expect(aws.stats().operations['ssm:GetParameters']).to.be.greaterThan(0);
  });
});
