import { expect } from 'chai';
import { restoreWorld, DR, type RestoreWorld } from '../../helpers/restore.js';
import { SECRET_MARKER } from '../../helpers/fixtures.js';

/**
 * Check everything, then write: a SecureString's key in the target region must be usable, not only exist. KMS refuses
 * Encrypt with a key that is disabled or pending deletion, so PutParameter would fail on it after other names had been
 * written (found by a break test: DescribeKey answered, the restore went on).
 */
describe('restore: the target key must be enabled (through the local AWS)', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const map = 'alias/app-secrets=alias/dr-secrets,alias/aws/ssm=alias/dr-secrets';
  const restore = (...extra: string[]) => w.run('restore', '--work-dir', w.work, '--target-region', DR, '--kms-key-map', map, ...extra);

  beforeEach(async () => {
    w = await restoreWorld();
    w.aws.kms.createKey(DR, '5678abcd-0000-0000-0000-000000000000', ['alias/dr-secrets'], { enabled: false });
    const b = await w.backup();
    expect(b.code, b.stderr).to.equal(0);
  });
  afterEach(async () => {
    for (const text of w.outputs) expect(text).not.to.contain(SECRET_MARKER);
    await w.close();
  });

  it('a disabled target key: --apply exits 2 naming the key and its state, nothing written; enabled, the same restore writes', async () => {
    w.aws.resetStats();
    const refused = await restore('--apply');
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.match(/KMS key alias\/dr-secrets is Disabled in eu-central-1, so SSM cannot encrypt with it \(used by \d+: /);
    expect(refused.stderr).to.contain('nothing was written');
    expect(w.aws.stats().operations['ssm:PutParameter'] ?? 0).to.equal(0);
    expect(w.appParams(DR)).to.deep.equal([]);

    w.aws.kms.setEnabled(DR, 'alias/dr-secrets', true);
    const applied = await restore('--apply');
    expect(applied.code, applied.stderr).to.equal(0);
    expect(w.appParams(DR).filter((p) => p.Type === 'SecureString').length).to.be.greaterThan(0);
  });
});
