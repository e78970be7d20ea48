/**
 * The naming contract (ts/contract/naming.ts) on the engine side: the shared table of good and bad
 * names (test/fixtures/naming-contract.json) through the engine's own validators. The Pulumi
 * suite feeds the same table to validateConfig (pulumi/test/namingContract.test.ts), so both
 * sides accept and refuse the same names.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { configKeys, parseRegionList, validateEnvironment, validateRegionName } from '../../ts/lib/config/plan.js';
import { EngineError } from '../../ts/lib/support/errors.js';
import {
  ENVIRONMENT_PATTERN,
  PARTITIONS,
  REGION_PATTERN,
  accessLogBucketName,
  bucketName,
  bucketNameProblem,
  drKmsAliasName,
  kmsAliasName,
  partitionOf,
  ssmParameterNames,
} from '../../ts/contract/naming.js';

interface Table {
  environments: { accept: string[]; refuse: string[] };
  regions: { accept: string[]; refuse: string[] };
}
const table = JSON.parse(readFileSync(new URL('../fixtures/naming-contract.json', import.meta.url), 'utf8')) as Table;

function exitCodeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(EngineError);
    return (err as EngineError).exitCode;
  }
  return 0;
}

describe('naming contract (engine side)', () => {
  it('the table is not empty on any side', () => {
    for (const list of [table.environments.accept, table.environments.refuse, table.regions.accept, table.regions.refuse]) {
      expect(list.length).to.be.greaterThan(5);
    }
  });

  it('validateEnvironment accepts exactly the good environments', () => {
    for (const env of table.environments.accept)
      expect(
        exitCodeOf(() => validateEnvironment(env)),
        env,
      ).to.equal(0);
    for (const env of table.environments.refuse)
      expect(
        exitCodeOf(() => validateEnvironment(env)),
        JSON.stringify(env),
      ).to.equal(2);
  });

  it('validateRegionName and parseRegionList accept exactly the good regions', () => {
    for (const region of table.regions.accept) {
      expect(
        exitCodeOf(() => validateRegionName(region, '--regions')),
        region,
      ).to.equal(0);
      expect(parseRegionList(JSON.stringify([region]), 'dev', 'us-east-1')).to.deep.equal([region]);
    }
    for (const region of table.regions.refuse) {
      expect(
        exitCodeOf(() => validateRegionName(region, '--regions')),
        JSON.stringify(region),
      ).to.equal(2);
      expect(
        exitCodeOf(() => parseRegionList(JSON.stringify([region]), 'dev', 'us-east-1')),
        JSON.stringify(region),
      ).to.equal(2);
    }
  });

  it('names the rule in the error (one line, exit 2)', () => {
    expect(() => validateEnvironment('dev-')).to.throw(
      `--environment "dev-" is invalid: use 1-32 lowercase letters, digits and single '-', starting and ending with a letter or digit (for example dev)`,
    );
    expect(() => validateRegionName('xx-west-1', 'src')).to.throw('src contains an invalid region name "xx-west-1": use AWS region names such as us-west-2');
  });

  it('REGION_PATTERN accepts exactly what the partition table accepts, and knows each partition', () => {
    for (const region of [...table.regions.accept, ...table.regions.refuse]) {
      expect(REGION_PATTERN.test(region), region).to.equal(partitionOf(region) !== undefined);
    }
    expect(partitionOf('us-west-2')?.id).to.equal('aws');
    expect(partitionOf('us-gov-west-1')?.id).to.equal('aws-us-gov');
    expect(partitionOf('cn-north-1')).to.include({ id: 'aws-cn', dnsSuffix: 'amazonaws.com.cn' });
    expect(partitionOf('us-isob-east-1')?.id).to.equal('aws-iso-b');
    expect(partitionOf('eusc-de-east-1')?.id).to.equal('aws-eusc');
    expect(PARTITIONS.map((p) => p.id)).to.have.length(8);
    expect(ENVIRONMENT_PATTERN.test('a'.repeat(32))).to.equal(true);
  });

  it('spells every SSM key once, and the engine reads those', () => {
    const names = ssmParameterNames('dev');
    expect(configKeys).to.equal(ssmParameterNames);
    expect({ ...names, regionBucket: names.regionBucket('us-west-2'), kmsKeyArn: names.kmsKeyArn('us-west-2') }).to.deep.equal({
      regionList: '/jenkins/dev/backup/region-list',
      defaultRegion: '/jenkins/dev/backup/default-region',
      legacyBucket: '/jenkins/dev/backup/s3-bucket-name',
      drKmsKeyArns: '/jenkins/dev/backup/dr-kms-key-arns',
      accounts: '/jenkins/dev/backup/accounts',
      regionBucket: '/jenkins/dev/backup/us-west-2/s3-bucket-name',
      kmsKeyArn: '/jenkins/dev/backup/us-west-2/kms-key-arn',
    });
  });

  it('names buckets and KMS aliases', () => {
    expect(bucketName('jenkins-infra', 'dev', '123456789012', 'us-west-2')).to.equal('jenkins-infra-ssm-backup-dev-123456789012-us-west-2');
    expect(accessLogBucketName('jenkins-infra', 'dev', '123456789012', 'us-west-2')).to.equal('jenkins-infra-ssm-backup-logs-dev-123456789012-us-west-2');
    expect(kmsAliasName('dev')).to.equal('alias/jenkins/dev/backup');
    expect(drKmsAliasName('dev')).to.equal('alias/jenkins/dev/backup-dr');
  });

  it('checks bucket names against the S3 rules (length with a 12-digit account, reserved prefixes)', () => {
    expect(bucketNameProblem('jenkins-infra', 'dev', 'ap-northeast-1')).to.equal(undefined);
    expect(bucketNameProblem('jenkins-infra-ci', 'dev', 'ap-southeast-1')).to.equal(undefined); // 59 characters
    expect(bucketNameProblem('jenkins-infra-ci', 'dev', 'ap-southeast-1', true)).to.equal(
      'Bucket name for ap-southeast-1 would be 64 characters (S3 allows 63): shorten projectName or environment',
    );
    expect(bucketNameProblem('xn--jenkins', 'dev', 'us-west-2')).to.equal(
      'projectName "xn--jenkins" is invalid: S3 reserves bucket names starting with "xn--"',
    );
    expect(bucketNameProblem('Jenkins', 'dev', 'us-west-2')).to.match(/^projectName "Jenkins" is invalid: use lowercase letters/);
  });
});
