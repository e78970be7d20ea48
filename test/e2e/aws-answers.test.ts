import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { restoreWorld, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { SECRET_MARKER, bucketFor, HOME } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

/**
 * Answers AWS documents and our emulator used not to give, replayed through the CLI against a strict local-aws:
 * each case failed before its engine fix.
 */
describe('the engine under AWS answers local-aws used to spare it', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const host = `/app/${SOURCE}/db/host`;
  const summary = () => JSON.parse(readFileSync(path.join(w.work, 'restore_summary.json'), 'utf8'));

  beforeEach(async () => {
    w = await restoreWorld();
  });
  afterEach(async () => {
    for (const text of w.outputs) expect(text).not.to.contain(SECRET_MARKER);
    await w.close();
  });

  describe('filtered DescribeParameters answered with an empty first page and a NextToken (aws-sdk-ruby #2012, boto3 #1632)', () => {
    it('diff and restore --path P, where P is a parameter, read its metadata from the next page: nothing differs', async () => {
      expect((await w.backup()).code).to.equal(0);
      w.aws.setOptions({ emptyFirstPage: true });
      const diff = await w.run('diff', '--path', host, '--json');
      expect(diff.code, diff.stderr).to.equal(0);
      const json = JSON.parse(diff.stdout);
      expect(json.changed).to.deep.equal([]);
      expect(json.unchanged).to.deep.equal([host]);
      const restore = await w.run('restore', '--path', host, '--overwrite', '--work-dir', w.work, '--apply');
      expect(restore.code, restore.stderr).to.equal(0);
      expect(summary().updated).to.deep.equal([]);
      expect(w.aws.ssm.get(SOURCE, host)!.Version).to.equal(1);
    });
  });

  describe('a 0-byte latest.txt or previous archive: S3 answers a ranged GET with 416 InvalidRange', () => {
    const summaries = () => JSON.parse(readFileSync(path.join(w.work, 'region_summaries.json'), 'utf8'));
    const latest = () => w.aws.s3.getObject(bucketFor(SOURCE), 'latest.txt')!.toString().trim();
    const archives = () =>
      w.aws.s3
        .listObjects(bucketFor(SOURCE))
        .map((o) => o.key)
        .filter((k) => k.endsWith('.tar.gz'));

    it('backup warns that latest.txt was empty, does not guard, and repairs the pointer', async () => {
      await w.putObject('latest.txt', '');
      const run = await w.backup();
      expect(run.code, run.stderr).to.equal(0);
      const s = summaries()[SOURCE];
      expect(s.status).to.equal('SUCCESS');
      expect(s.warnings.join('\n')).to.contain('latest.txt is empty').and.to.contain('shrink guard did not apply');
      expect(latest()).to.equal(archives()[0]);
    });

    it('backup warns when latest.txt names a 0-byte archive and moves latest.txt onto the new one', async () => {
      const empty = '2026-01-01/ssm-backup-dev-us-west-2-20260101_000000.tar.gz';
      await w.putObject(empty, '');
      await w.putObject('latest.txt', `${empty}\n`);
      const run = await w.backup();
      expect(run.code, run.stderr).to.equal(0);
      expect(summaries()[SOURCE].warnings.join('\n')).to.contain(`${empty}, which is empty (0 bytes)`);
      expect(latest()).to.equal(archives().find((k) => k !== empty));
    });

    it('backup warns when latest.txt holds no archive key (here one S3 refuses as too long) and repairs the pointer', async () => {
      await w.putObject('latest.txt', `${'x'.repeat(1100)}.tar.gz\n`);
      const run = await w.backup();
      expect(run.code, run.stderr).to.equal(0);
      expect(summaries()[SOURCE].warnings.join('\n')).to.contain('latest.txt does not name an archive').and.to.contain('longer than 1024 bytes');
      expect(latest()).to.equal(archives()[0]);
    });

    it('list shows the archives without a latest mark; verify names the empty latest.txt and how to go on (exit 2)', async () => {
      expect((await w.backup()).code).to.equal(0);
      const key = latest();
      await w.putObject('latest.txt', '');
      const list = await w.run('list');
      expect(list.code, list.stderr).to.equal(0);
      expect(list.stdout).to.contain(key);
      expect(list.stdout).not.to.match(/^\*/m);
      const verify = await w.run('verify');
      expect(verify.code).to.equal(2);
      expect(verify.stderr).to.contain('latest.txt is empty').and.to.contain('--archive');
      expect((await w.run('verify', '--archive', key)).code).to.equal(0);
    });
  });

  it('restore retries PutParameter TooManyUpdates with backoff (a retryable answer) and creates the parameter', async () => {
    expect((await w.backup()).code).to.equal(0);
    w.aws.ssm.delete(SOURCE, host);
    w.aws.faults.add({ service: 'ssm', operation: 'PutParameter', match: host, error: { code: 'TooManyUpdates', status: 400 }, times: 2 });
    const run = await w.run('restore', '--path', `/app/${SOURCE}/db`, '--work-dir', w.work, '--apply');
    expect(run.code, run.stderr).to.equal(0);
    expect(summary().created).to.deep.equal([host]);
    expect(w.aws.ssm.get(SOURCE, host)!.Value).to.equal(`db.${SOURCE}.internal`);
    expect(w.aws.stats().operations['ssm:PutParameter']).to.equal(3);
  });

  it("an S3-compatible store that refuses the SDK's checksums works with AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED (README)", async () => {
    w.aws.setOptions({ refuseChecksums: true });
    const refused = await w.backup();
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('InvalidArgument');
    const env = { AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED', AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED' };
    const run = await runCli(w.aws, ['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--regions', SOURCE, '--work-dir', w.work], env);
    expect(run.code, run.stderr).to.equal(0);
    const verify = await runCli(w.aws, ['verify', '--environment', 'dev', '--ssm-home-region', HOME, '--region', SOURCE], env);
    expect(verify.code, verify.stderr).to.equal(0);
  });
});
