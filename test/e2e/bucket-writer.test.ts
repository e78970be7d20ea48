import { expect } from 'chai';
import { KMSClient } from '@aws-sdk/client-kms';
import { buffer } from 'node:stream/consumers';
import { sealedArchiveStream, TOOL_NAME } from '../../ts/lib/archive/index.js';
import { readTarGz } from '../../ts/lib/archive/read.js';
import { restoreWorld, makeTarGz, sha256, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor } from '../helpers/fixtures.js';
import { seedBackupKeys, reachableBytes } from '../helpers/encryption.js';
import { gzipIndex, type NameIndex } from '../../ts/lib/store/index.js';

/**
 * Issue 18's threat model, tried as an attacker would: someone who can write to the backup bucket but holds no KMS
 * key. Each case is one thing such a person can do; none may make restore write, or prune delete, anything the
 * genuine backup did not hold. The shrink guard's cases are in bucket-writer-guard.test.ts; the runbook's "Threat
 * model" section lists them all.
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

  describe('2. a planted format 1 or plain JSON archive in a region that encrypts', () => {
    /** A format 1 archive holding /evil, with a self-declared (and correct) sha256. */
    async function format1(accountId: string | null): Promise<Buffer> {
      const doc = JSON.stringify({ backup_date: '2099-01-01T00:00:00.000Z', environment: 'dev', region: SOURCE, parameter_count: 1, ...JSON.parse(evil) });
      const manifest = { formatVersion: 1, tool: { name: 'ssm-multi-region-backup', version: '2.0.0' }, environment: 'dev', region: SOURCE, accountId };
      const full = {
        ...manifest,
        createdAt: '2099-01-01T00:00:00.000Z',
        parameterCount: 1,
        backupJson: { sha256: sha256(doc), bytes: Buffer.byteLength(doc) },
      };
      return makeTarGz({ 'backup.json': doc, 'manifest.json': JSON.stringify(full) });
    }
    const planted = '2099-01-01/ssm-backup-dev-us-west-2-20990101_000000.tar.gz';

    for (const [what, body] of [
      ['format 1', () => format1('123456789012')],
      ['plain backup.json', async () => Buffer.from(evil)],
    ] as const) {
      it(`refuses a ${what} archive named by latest.txt (exit 2, nothing written) unless --allow-unencrypted-archive names it`, async () => {
        await w.putObject(planted, await body());
        await w.putObject('latest.txt', `${planted}\n`);
        for (const command of ['verify', 'restore']) {
          const r = await w.run(command, ...(command === 'restore' ? ['--overwrite', '--apply'] : []));
          expect(r.code, r.stderr).to.equal(2);
          expect(r.stderr).to.contain('refused as a possible downgrade');
        }
        expect(w.aws.ssm.get(SOURCE, '/evil')).to.equal(undefined);
        const named = await w.run('verify', '--allow-unencrypted-archive', planted);
        expect(named.code, named.stderr).to.equal(0);
      });
    }

    it('refuses unencrypted archives with --require-client-encryption where the region has no key', async () => {
      w.aws.ssm.delete(SOURCE, `/jenkins/dev/backup/${SOURCE}/kms-key-arn`);
      await w.putObject(planted, await format1(null));
      expect((await w.run('verify', '--archive', planted)).code).to.equal(0);
      const r = await w.run('verify', '--archive', planted, '--require-client-encryption');
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('--require-client-encryption is given: refused as a possible downgrade');
    });

    it('refuses a format 1 archive whose manifest claims another account', async () => {
      w.aws.ssm.delete(SOURCE, `/jenkins/dev/backup/${SOURCE}/kms-key-arn`);
      await w.putObject(planted, await format1('999999999999'));
      const r = await w.run('restore', '--archive', planted, '--apply');
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('was made in account 999999999999, not 123456789012');
      expect(w.aws.ssm.get(SOURCE, '/evil')).to.equal(undefined);
    });

    it('--as-of and history consider only keys with the engine naming, never an arbitrary newer object', async () => {
      const genuineKey = latestKey();
      await new Promise((r) => setTimeout(r, 1100));
      for (const key of [
        '2099-01-01/backup.json',
        'evil.tar.gz',
        'x/ssm-backup-dev-us-west-2-20990101_000000.tgz',
        '2099-01-01/ssm-backup-prod-us-west-2-20990101_000000.tar.gz',
      ])
        await w.putObject(key, Buffer.from(evil));
      const r = await w.run('restore', '--as-of', '2099-12-31', '--names', '/evil');
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain(`Not in the archive ${genuineKey}`);
      expect(r.stderr).to.contain('/evil (in no indexed archive');
    });
  });

  describe('3. an edited name index', () => {
    it('cannot widen the scope of --prune: it comes from the selection inside the encrypted archive', async () => {
      await new Promise((r) => setTimeout(r, 1100));
      const made = await w.backup('--path', `/app/${SOURCE}/db`, '--allow-shrink');
      expect(made.code, made.stderr).to.equal(0);
      const key = latestKey();
      const entries = [`/app/${SOURCE}/db/host`, `/app/${SOURCE}/db/password`].map((Name) => ({ Name, Type: 'String' }));
      const facts = { formatVersion: 2, environment: 'dev', region: SOURCE, parameterCount: 2, backupJsonSha256: 'encrypted', createdAt: '', toolVersion: '' };
      const widened: NameIndex = { indexVersion: 1, archive: key, ...facts, selection: { path: '/', nameContains: null }, parameters: entries };
      await w.putObject(`${key}.index.json.gz`, await gzipIndex(widened));
      const live = w.aws.ssm.list(SOURCE).length;
      w.aws.resetStats();
      const r = await w.run('restore', '--path', '/', '--prune', '--apply');
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.contain(`--prune refused: the archive ${key} was made with --path /app/${SOURCE}/db, which does not cover --path /`);
      expect(w.aws.stats().operations['ssm:DeleteParameter'] ?? 0).to.equal(0);
      expect(w.aws.ssm.list(SOURCE).length).to.equal(live);
      const inScope = await w.run('restore', '--path', `/app/${SOURCE}/db`, '--prune');
      expect(inScope.code, inScope.stderr).to.equal(0);
    });
  });

  describe('a format 2 archive written before the selection was recorded inside it', () => {
    it('verifies and restores, but --prune refuses its unauthenticated scope', async () => {
      const kms = new KMSClient({ region: SOURCE, endpoint: w.aws.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const body = Buffer.from('\n' + JSON.stringify({ Name: '/old/one', Type: 'String', Value: 'v' }) + '\n');
      const spool = {
        read: async function* () {
          yield body;
        },
        count: 1,
        bytes: body.length,
      };
      const createdAt = '2026-01-01T00:00:00.000Z';
      // The header as versions before issue 18 wrote it: no account_id, no selection_path.
      const header = { backup_date: createdAt, backup_timestamp: '20260101_000000', environment: 'dev', region: SOURCE };
      const base = { tool: { name: TOOL_NAME, version: '2.0.0' }, environment: 'dev', region: SOURCE, accountId: '123456789012', createdAt };
      const keyArn = `arn:aws:kms:${SOURCE}:123456789012:alias/ssm-backup`;
      const archive = await buffer(sealedArchiveStream(spool, header, base, { kms: () => kms, keyArn, drKeyArns: [] }));
      kms.destroy();
      const key = '2026-01-01/ssm-backup-dev-us-west-2-20260101_000000.tar.gz';
      await w.putObject(key, archive);
      const verify = await w.run('verify', '--archive', key);
      expect(verify.code, verify.stderr).to.equal(0);
      const plain = await w.run('restore', '--archive', key, '--path', '/old', '--apply');
      expect(plain.code, plain.stderr).to.equal(0);
      expect(w.aws.ssm.get(SOURCE, '/old/one')?.Value).to.equal('v');
      w.aws.ssm.put(SOURCE, { Name: '/old/two', Value: 'live' });
      const prune = await w.run('restore', '--archive', key, '--path', '/old', '--prune', '--apply');
      expect(prune.code).to.equal(2);
      expect(prune.stderr).to.contain('was made before its selection was recorded inside the encrypted payload, so its scope is not authenticated');
      expect(w.aws.ssm.get(SOURCE, '/old/two')).to.exist;
    });
  });

  describe('4. reading names', () => {
    it('finds no parameter name in any object a bucket reader can fetch (the index is encrypted too)', async () => {
      const names = w.aws.ssm
        .list(SOURCE)
        .map((p) => p.Name)
        .filter((n) => n.startsWith('/app/'));
      expect(names.length).to.be.greaterThan(3);
      const objects = w.aws.s3.listObjects(bucket);
      expect(objects.map((o) => o.key).some((k) => k.endsWith('.index.json.gz'))).to.equal(true);
      for (const o of objects)
        for (const bytes of await reachableBytes(w.aws.s3.getObject(bucket, o.key)!))
          for (const n of names) expect(bytes.includes(Buffer.from(n)), `${n} readable in ${o.key}`).to.equal(false);
    });
  });
});
