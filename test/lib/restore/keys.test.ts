import { expect } from 'chai';
import { restoreWorld, DR, type RestoreWorld } from '../../helpers/restore.js';
import { SECRET_MARKER } from '../../helpers/fixtures.js';
import type { KMSClient } from '@aws-sdk/client-kms';
import { checkKeys } from '../../../ts/lib/restore/live.js';
import type { PlannedItem } from '../../../ts/lib/restore/plan.js';

/** A KMS client answering DescribeKey from `keys` (key id -> owner account, enabled). */
function fakeKms(keys: Record<string, { account: string; enabled?: boolean }>): KMSClient {
  return {
    send: async (command: { input: { KeyId: string } }) => {
      const k = keys[command.input.KeyId];
      if (!k) throw Object.assign(new Error('not found'), { name: 'NotFoundException' });
      return {
        KeyMetadata: {
          KeyId: command.input.KeyId,
          AWSAccountId: k.account,
          Enabled: k.enabled ?? true,
          KeyState: k.enabled === false ? 'Disabled' : 'Enabled',
        },
      };
    },
  } as unknown as KMSClient;
}

const secretItem = (name: string, KeyId: string) =>
  ({ action: 'create', name, fields: [], desired: { Name: name, Type: 'SecureString', KeyId } }) as unknown as PlannedItem;

describe('restore into another account: every SecureString key must belong to the target account', () => {
  const B = '222222222222';
  const C = '333333333333';
  const kms = fakeKms({
    [`arn:aws:kms:us-west-2:${B}:key/b-key`]: { account: B },
    'alias/c-key': { account: C },
    [`arn:aws:kms:us-west-2:${C}:alias/c2`]: { account: C },
  });

  it("refuses a key of the archive's account (its policy lets the target use it), naming the key and the fix; nothing else is asked", async () => {
    const items = [secretItem('/a', `arn:aws:kms:us-west-2:${B}:key/b-key`), secretItem('/b', 'alias/c-key')];
    let error: Error | undefined;
    await checkKeys(kms, 'us-west-2', items, C).catch((e: Error) => (error = e));
    expect(error?.message).to.match(
      new RegExp(
        `^KMS key arn:aws:kms:us-west-2:${B}:key/b-key belongs to account ${B}, not the target account ${C} \\(used by 1: /a\\): map it with --kms-key-map`,
      ),
    );
    expect(error?.message).to.contain('nothing was written');
  });

  it("accepts the target account's own keys; without a target account (same account) a key of another account is the archive's own choice", async () => {
    expect(await checkKeys(kms, 'us-west-2', [secretItem('/b', 'alias/c-key'), secretItem('/c', `arn:aws:kms:us-west-2:${C}:alias/c2`)], C)).to.deep.equal([
      'alias/c-key',
      `arn:aws:kms:us-west-2:${C}:alias/c2`,
    ]);
    expect(await checkKeys(kms, 'us-west-2', [secretItem('/a', `arn:aws:kms:us-west-2:${B}:key/b-key`)])).to.have.length(1);
  });
});

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
