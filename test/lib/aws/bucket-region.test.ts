import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { startLocalAws, type LocalAws } from '../../../local-aws/index.js';
import { AwsClientFactory } from '../../../ts/lib/aws/index.js';
import { describeAwsError, wrongBucketRegion } from '../../../ts/lib/support/index.js';
import { runCli } from '../../helpers/cli.js';
import { seedBackupConfig, seedRealistic, bucketFor, HOME } from '../../helpers/fixtures.js';

const R = 'us-west-2';
const ELSEWHERE = 'ap-northeast-1';

/**
 * A bucket parameter naming a bucket of another region: S3 answers 400 (or 301) with `x-amz-bucket-region`, with no
 * body for HEAD. Every message says which bucket, where it is, and which parameter to fix, never "HTTP 400 without an
 * error code".
 */
describe('a bucket in another region than its parameter says', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let work: string;
  const fix = `bucket ${bucketFor(ELSEWHERE)} is in region ${ELSEWHERE}, not ${R}: fix /jenkins/dev/backup/${R}/s3-bucket-name or create the bucket in ${R}`;
  before(async () => {
    aws = await startLocalAws();
    seedBackupConfig(aws, [ELSEWHERE, R]);
    seedRealistic(aws, R);
    aws.ssm.put(R, { Name: `/jenkins/dev/backup/${R}/s3-bucket-name`, Value: bucketFor(ELSEWHERE), Type: 'String' });
    work = mkdtempSync(path.join(tmpdir(), 'ssm-bucket-region-'));
  });
  after(async () => {
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs `call` with a client of R whose process env points at the local AWS. */
  const withClient = async (environment: string | undefined, call: (f: AwsClientFactory) => Promise<unknown>) => {
    const saved = { ...process.env };
    Object.assign(process.env, aws.env);
    const factory = new AwsClientFactory({ environment, maxAttempts: 1 });
    try {
      return await call(factory).then(
        () => undefined,
        (err: unknown) => err,
      );
    } finally {
      factory.destroy();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };

  it('HeadObject (no body) and GetObject (a body): the error carries the bucket, both regions and the parameter', async () => {
    for (const command of [
      new HeadObjectCommand({ Bucket: bucketFor(ELSEWHERE), Key: 'latest.txt' }),
      new GetObjectCommand({ Bucket: bucketFor(ELSEWHERE), Key: 'x' }),
    ]) {
      const err = await withClient('dev', (f) => f.s3(R).send(command as never));
      expect(wrongBucketRegion(err), command.constructor.name).to.deep.include({ bucket: bucketFor(ELSEWHERE), bucketRegion: ELSEWHERE, region: R });
      expect(describeAwsError(err)).to.equal(fix);
    }
    // Without an environment the parameter is named with a placeholder; a bucket of the client's own region is left alone.
    const bare = await withClient(undefined, (f) => f.s3(R).send(new HeadObjectCommand({ Bucket: bucketFor(ELSEWHERE), Key: 'latest.txt' })));
    expect(describeAwsError(bare)).to.contain(`fix /jenkins/<environment>/backup/${R}/s3-bucket-name`);
    const missing = await withClient('dev', (f) => f.s3(ELSEWHERE).send(new HeadObjectCommand({ Bucket: bucketFor(ELSEWHERE), Key: 'none' })));
    expect(wrongBucketRegion(missing)).to.equal(undefined);
    expect(describeAwsError(missing)).to.match(/^NotFound/);
  });

  it('backup --regions R, list and check name the bucket, its region and the fix', async () => {
    const backup = await runCli(aws, ['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--regions', R, '--work-dir', work]);
    expect(backup.code).to.equal(1);
    expect(backup.stderr).to.contain(fix);
    expect(backup.stderr).not.to.match(/without an error code/);
    const list = await runCli(aws, ['list', '--environment', 'dev', '--ssm-home-region', HOME, '--region', R]);
    expect(list.stderr).to.contain(fix);
    const check = await runCli(aws, ['check', '--environment', 'dev', '--ssm-home-region', HOME, '--regions', R]);
    expect(check.stdout).to.match(
      new RegExp(
        `FAIL +s3://${bucketFor(ELSEWHERE)} is in ${ELSEWHERE}, not ${R}\\n +fix: correct /jenkins/dev/backup/${R}/s3-bucket-name or create the bucket in ${R}`,
      ),
    );
  });
});
