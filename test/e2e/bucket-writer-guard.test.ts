import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { S3Client, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { restoreWorld, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor } from '../helpers/fixtures.js';
import { seedBackupKeys } from '../helpers/encryption.js';

/**
 * Issue 18, continued (bucket-writer.test.ts has the archive attacks): a bucket writer without a key blinding the
 * shrink guard, and a bucket shared with another environment. The guard must say it could not compare (a WARNING in
 * the summary), and --require-guard makes that a failure that keeps latest.txt.
 */
describe('a bucket writer without a key, against the shrink guard (issue 18)', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const bucket = bucketFor(SOURCE);
  const latestKey = () => w.aws.s3.getObject(bucket, 'latest.txt')!.toString().trim();

  beforeEach(async () => {
    w = await restoreWorld();
    seedBackupKeys(w.aws, [SOURCE]);
    const run = await w.backup();
    expect(run.code, run.stderr).to.equal(0);
  });
  afterEach(() => w.close());

  describe('5. blinding the shrink guard', () => {
    let s3: S3Client;
    beforeEach(() => {
      s3 = new S3Client({ region: SOURCE, endpoint: w.aws.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      for (const p of w.appParams()) w.aws.ssm.delete(SOURCE, p.Name); // a large removal the guard exists to stop
    });
    afterEach(() => s3.destroy());
    const summary = () => JSON.parse(readFileSync(path.join(w.work, 'region_summaries.json'), 'utf8'))[SOURCE];
    const later = async (...extra: string[]) => {
      await new Promise((r) => setTimeout(r, 1100));
      return w.backup(...extra);
    };

    it('an index deleted: a WARNING saying so in the summary; --require-guard fails the region and keeps latest.txt', async () => {
      const before = latestKey();
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${before}.index.json.gz` }));
      const strict = await later('--require-guard');
      expect(strict.code).to.equal(1);
      expect(summary()).to.include({ status: 'FAILED', failureCategory: 'guard' });
      expect(summary().failureMessage)
        .to.contain('its encrypted name index is missing (deleted?)')
        .and.to.contain('--require-guard refuses to move latest.txt');
      expect(latestKey()).to.equal(before);
      const lax = await later();
      expect(lax.code, lax.stderr).to.equal(0);
      expect(summary().warnings.join('\n')).to.contain('its encrypted name index is missing (deleted?)').and.to.contain('the shrink guard did not apply');
    });

    it('object metadata edited (a count of 1): not believed, since only an authenticated index is compared with', async () => {
      const before = latestKey();
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${before}.index.json.gz` }));
      const body = w.aws.s3.getObject(bucket, before)!;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: before,
          Body: body,
          ServerSideEncryption: 'AES256',
          Metadata: { 'parameter-count': '1', 'format-version': '2' },
        }),
      );
      const r = await later('--require-guard');
      expect(r.code).to.equal(1);
      expect(summary().failureMessage).to.contain('in a region with a backup key only an authenticated index is compared with');
      expect(r.stderr).not.to.contain('compared by count only');
    });

    it('an index copied from another archive of the region: refused by its encryption context, reported by the guard and by history', async () => {
      const first = latestKey();
      const made = await later('--allow-shrink');
      expect(made.code, made.stderr).to.equal(0);
      const second = latestKey();
      await w.putObject(`${second}.index.json.gz`, w.aws.s3.getObject(bucket, `${first}.index.json.gz`)!);
      const r = await later();
      expect(r.code, r.stderr).to.equal(0);
      expect(summary().warnings.join('\n')).to.contain(`is not the name-index of ${second}`).and.to.contain('the shrink guard did not apply');
      const h = await w.run('history', '--name', '/jenkins/dev/backup/us-west-2/kms-key-arn');
      expect(h.code, h.stderr).to.equal(0);
      expect(h.stdout).to.contain(`Not searched: ${second}:`);
    });

    it('latest.txt deleted while archives remain: a WARNING, not a quiet first backup', async () => {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'latest.txt' }));
      const strict = await later('--require-guard');
      expect(strict.code).to.equal(1);
      expect(summary().failureMessage).to.contain('latest.txt is missing although the bucket holds archives');
    });
  });

  describe('7. a bucket shared with another environment', () => {
    it('never compares with the other environment’s archive that latest.txt names: a WARNING, or a failure with --require-guard', async () => {
      const theirs = '2026-01-01/ssm-backup-prod-us-west-2-20260101_000000.tar.gz';
      await w.putObject(theirs, 'their archive');
      await w.putObject('latest.txt', `${theirs}\n`);
      await new Promise((r) => setTimeout(r, 1100));
      const r = await w.backup('--require-guard');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain(`names ${theirs}, an archive of prod/us-west-2, not of dev/us-west-2: is the bucket shared`);
      expect(latestKey()).to.equal(theirs);
    });
  });
});
