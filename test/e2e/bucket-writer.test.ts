import { expect } from 'chai';
import { readTarGz } from '../../ts/lib/archive/read.js';
import { restoreWorld, makeTarGz, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor } from '../helpers/fixtures.js';
import { seedBackupKeys } from '../helpers/encryption.js';

/**
 * Issue 18's threat model, tried as an attacker would: someone who can write to the backup bucket but holds no KMS
 * key. Each case is one thing such a person can do; none may make restore write, or prune delete, anything the
 * genuine backup did not hold. (The runbook's "Threat model" section lists them.)
 */
describe('a bucket writer without a key (issue 18)', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const bucket = bucketFor(SOURCE);
  const latestKey = () => w.aws.s3.getObject(bucket, 'latest.txt')!.toString().trim();
  const genuine = async (key = latestKey()) => readTarGz(w.aws.s3.getObject(bucket, key)!);
  const puts = () => w.aws.stats().operations['ssm:PutParameter'] ?? 0;
  const evil = JSON.stringify({
    environment: 'dev',
    region: SOURCE,
    parameters: [{ Name: '/evil', Value: 'planted', Type: 'String' }],
  });

  beforeEach(async () => {
    w = await restoreWorld();
    seedBackupKeys(w.aws, [SOURCE]);
    const run = await w.backup();
    expect(run.code, run.stderr).to.equal(0);
  });
  afterEach(() => w.close());

  /** verify exit 1 (integrity) and restore --apply --overwrite exit 1 with no write, for the archive at `key`. */
  async function refused(key: string, why: RegExp | string): Promise<void> {
    const verify = await w.run('verify', '--archive', key);
    expect(verify.code, verify.stderr).to.equal(1);
    expect(verify.stderr).to.match(typeof why === 'string' ? new RegExp(why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : why);
    w.aws.resetStats();
    const restore = await w.run('restore', '--archive', key, '--overwrite', '--apply');
    expect(restore.code, restore.stderr).to.equal(1);
    expect(puts()).to.equal(0);
    expect(w.aws.ssm.get(SOURCE, '/evil')).to.equal(undefined);
  }

  describe('1. a plaintext member added to a genuine format 2 archive', () => {
    const cases: [string, (f: Map<string, Buffer>) => Record<string, Buffer | string>][] = [
      [
        'after the slices',
        (f) => ({ 'backup.json.gz.enc.000000': f.get('backup.json.gz.enc.000000')!, 'manifest.json': f.get('manifest.json')!, 'backup.json': evil }),
      ],
      [
        'before the slices',
        (f) => ({ 'backup.json': evil, 'backup.json.gz.enc.000000': f.get('backup.json.gz.enc.000000')!, 'manifest.json': f.get('manifest.json')! }),
      ],
      [
        'between the slices and the manifest',
        (f) => ({ 'backup.json.gz.enc.000000': f.get('backup.json.gz.enc.000000')!, 'backup.json': evil, 'manifest.json': f.get('manifest.json')! }),
      ],
      [
        'in a folder beside the manifest',
        (f) => ({ 'backup.json.gz.enc.000000': f.get('backup.json.gz.enc.000000')!, 'manifest.json': f.get('manifest.json')!, 'x/backup.json': evil }),
      ],
      [
        'as another file',
        (f) => ({ 'backup.json.gz.enc.000000': f.get('backup.json.gz.enc.000000')!, 'manifest.json': f.get('manifest.json')!, README: 'hello' }),
      ],
    ];
    for (const [where, layout] of cases) {
      it(`refuses the archive when the member is ${where} (exit 1, nothing written)`, async () => {
        await w.putObject(`2026-01-01/forged.tar.gz`, await makeTarGz(layout(await genuine())));
        await refused(
          '2026-01-01/forged.tar.gz',
          /format 2 \(encrypted\) archive but its members are not exactly its encrypted slices then manifest\.json.*altered/,
        );
      });
    }
  });

  describe('manifest claims that disagree with the authenticated payload', () => {
    it('refuses a manifest copied from another archive of the same region', async () => {
      const first = latestKey();
      w.aws.ssm.put(SOURCE, { Name: '/app/new', Value: 'n', Type: 'String' });
      await new Promise((r) => setTimeout(r, 1100));
      expect((await w.backup()).code).to.equal(0);
      const second = await genuine();
      const other = await genuine(first);
      await w.putObject(
        'mixed.tar.gz',
        await makeTarGz({ 'backup.json.gz.enc.000000': second.get('backup.json.gz.enc.000000')!, 'manifest.json': other.get('manifest.json')! }),
      );
      await refused('mixed.tar.gz', 'encrypted payload has sha256');
    });

    it('refuses a manifest that claims another account or other wrapping keys', async () => {
      const f = await genuine();
      const m = JSON.parse(f.get('manifest.json')!.toString());
      const slice = f.get('backup.json.gz.enc.000000')!;
      await w.putObject(
        'account.tar.gz',
        await makeTarGz({ 'backup.json.gz.enc.000000': slice, 'manifest.json': JSON.stringify({ ...m, accountId: '999999999999' }) }),
      );
      await refused('account.tar.gz', 'disagrees with the encrypted backup.json or the signed message header on accountId');
      const keys = { ...m.encryption, wrappingKeys: ['arn:aws:kms:us-west-2:999999999999:key/x'] };
      await w.putObject('keys.tar.gz', await makeTarGz({ 'backup.json.gz.enc.000000': slice, 'manifest.json': JSON.stringify({ ...m, encryption: keys }) }));
      await refused('keys.tar.gz', 'on encryption.wrappingKeys');
    });
  });
});
