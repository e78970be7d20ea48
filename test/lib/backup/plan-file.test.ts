import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPlanFile } from '../../../ts/lib/backup/index.js';
import { EngineError } from '../../../ts/lib/support/index.js';

const KEY_W2 = 'arn:aws:kms:us-west-2:111111111111:key/1111';
const KEY_EU = 'arn:aws:kms:eu-central-1:111111111111:alias/ssm-backup';

/** A plan file as `plan --output-file` writes it for one account of two regions, each with its bucket and key. */
function plan(): Record<string, unknown> {
  return {
    environment: 'dev',
    homeRegion: 'us-west-2',
    defaultRegion: 'us-west-2',
    regions: ['us-west-2', 'eu-central-1'],
    buckets: { 'us-west-2': 'backup-w2', 'eu-central-1': 'backup-eu' },
    bucketErrors: {},
    legacyBucket: null,
    legacyBucketMatches: null,
    warnings: [],
    regionWarnings: {},
    kmsKeys: { 'us-west-2': KEY_W2, 'eu-central-1': KEY_EU },
    kmsKeyErrors: {},
    drKmsKeys: [KEY_EU],
  };
}

const multi = (inner: Record<string, unknown>) => ({
  environment: 'dev',
  homeRegion: 'us-west-2',
  accounts: [{ accountId: '111111111111', roleArn: 'arn:aws:iam::111111111111:role/jenkins-ssm-backup-dev', plan: inner }],
  units: ['111111111111/us-west-2', '111111111111/eu-central-1'],
});

/**
 * A plan file sits in a Jenkins workspace between Initialize and the branches: whatever it hands a run is checked as
 * the same values are when read from SSM (one bucket per region, each region's key an ARN of that region, the DR list
 * a list of distinct ARNs), before any AWS call: exit 2 naming the file (found by a break test).
 */
describe('readPlanFile: a tampered plan file is refused like the configuration it stands for', () => {
  let dir: string;
  const write = (value: unknown) => {
    const file = path.join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const refused = (value: unknown, message: RegExp) => {
    const file = write(value);
    let error: unknown;
    try {
      readPlanFile(file, undefined);
    } catch (err) {
      error = err;
    }
    expect(error, JSON.stringify(value)).to.be.instanceOf(EngineError);
    expect((error as EngineError).exitCode).to.equal(2);
    expect((error as Error).message)
      .to.contain(`--plan-file ${file}`)
      .and.to.match(message);
  };
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'plan-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the plan as written, a region without a key (null) and a plan made without keys', () => {
    expect(readPlanFile(write(plan()), 'dev')).to.deep.include({ kmsKeys: { 'us-west-2': KEY_W2, 'eu-central-1': KEY_EU }, drKmsKeys: [KEY_EU] });
    expect(readPlanFile(write({ ...plan(), kmsKeys: { 'us-west-2': KEY_W2, 'eu-central-1': null } }), 'dev')).to.have.property('regions');
    const { kmsKeys: _k, kmsKeyErrors: _e, drKmsKeys: _d, ...keyless } = plan();
    expect(readPlanFile(write(keyless), 'dev')).to.have.property('regions');
    expect(readPlanFile(write(multi(plan())), 'dev')).to.have.property('units');
  });

  it('a plan of no region, of no account, or whose units leave out a planned unit or a failed account (it would pass having backed up nothing of it)', () => {
    refused({ ...plan(), regions: [], buckets: {} }, /plans no region/);
    refused(multi({ ...plan(), regions: [], buckets: {} }), /accounts\[0\]\.plan plans no region/);
    refused({ ...multi(plan()), accounts: [], units: [] }, /plans no account/);
    refused({ ...multi(plan()), units: ['111111111111/us-west-2'] }, /units leave out 111111111111\/eu-central-1/);
    refused({ ...multi(plan()), units: [] }, /units leave out 111111111111\/us-west-2/);
    const failedAccount = { accountId: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/jenkins-ssm-backup-dev', failure: 'AccessDenied' };
    const withFailed = multi(plan());
    refused({ ...withFailed, accounts: [...withFailed.accounts, failedAccount] }, /units leave out 222222222222/);
    expect(
      readPlanFile(write({ ...withFailed, accounts: [...withFailed.accounts, failedAccount], units: [...withFailed.units, '222222222222/us-west-2'] }), 'dev'),
    )
      .to.have.property('units')
      .with.length(3);
  });

  it('two accounts of one alias (two stages of one name), as the accounts parameter refuses it', () => {
    const second = {
      accountId: '222222222222',
      roleArn: 'arn:aws:iam::222222222222:role/jenkins-ssm-backup-dev',
      alias: 'payments',
      plan: { ...plan(), buckets: { 'us-west-2': 'b2-w2', 'eu-central-1': 'b2-eu' } },
    };
    const two = multi(plan());
    const accounts = [{ ...two.accounts[0], alias: 'payments' }, second];
    const units = [...two.units, '222222222222/us-west-2', '222222222222/eu-central-1'];
    refused({ ...two, accounts, units }, /accounts gives alias payments to two accounts/);
    expect(readPlanFile(write({ ...two, accounts: [accounts[0], { ...second, alias: 'billing' }], units }), 'dev')).to.have.property('units');
  });

  for (const [shape, wrap] of [
    ['one account', (p: Record<string, unknown>) => p],
    ['multi-account', multi],
  ] as const) {
    describe(shape, () => {
      it('two regions given one bucket (each would compare with and restore the other)', () => {
        refused(wrap({ ...plan(), buckets: { 'us-west-2': 'backup-w2', 'eu-central-1': 'backup-w2' } }), /both resolve to bucket backup-w2/);
      });
      it("a region's key that is not a KMS ARN, not a string, or of another region", () => {
        refused(wrap({ ...plan(), kmsKeys: { 'us-west-2': 'alias/mine', 'eu-central-1': KEY_EU } }), /kmsKeys\.us-west-2 is "alias\/mine", not a KMS key/);
        refused(wrap({ ...plan(), kmsKeys: { 'us-west-2': 7, 'eu-central-1': KEY_EU } }), /kmsKeys\.us-west-2 is not a KMS key ARN/);
        refused(wrap({ ...plan(), kmsKeys: { 'us-west-2': KEY_EU, 'eu-central-1': KEY_EU } }), /kmsKeys\.us-west-2 names a key in eu-central-1, not us-west-2/);
        refused(wrap({ ...plan(), kmsKeys: [KEY_W2] }), /kmsKeys is not an object/);
      });
      it('a key read error that is not a reason', () => {
        refused(wrap({ ...plan(), kmsKeyErrors: { 'us-west-2': true } }), /kmsKeyErrors\.us-west-2 is not a reason/);
      });
      it('DR keys that are not a list of distinct KMS ARNs', () => {
        refused(wrap({ ...plan(), drKmsKeys: KEY_EU }), /drKmsKeys must be a JSON array of KMS key ARN strings/);
        refused(wrap({ ...plan(), drKmsKeys: ['not-an-arn'] }), /drKmsKeys\[0\] is "not-an-arn", not a KMS key/);
        refused(wrap({ ...plan(), drKmsKeys: [KEY_EU, KEY_EU] }), /drKmsKeys lists a key twice/);
      });
    });
  }
});
