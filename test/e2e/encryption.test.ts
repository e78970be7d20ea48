import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { readTarGz } from '../../ts/lib/archive/read.js';
import { restoreWorld, restorable, makeTarGz, sha256, SOURCE, DR, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor, HOME, SECRET_MARKER } from '../helpers/fixtures.js';
import { seedBackupKeys, secretNeedles, reachableBytes, ACCOUNT } from '../helpers/encryption.js';

const PEM = `-----BEGIN PRIVATE KEY-----\n${SECRET_MARKER}pem-line-one-${randomBytes(9).toString('hex')}\n${SECRET_MARKER}pem-line-two-${randomBytes(9).toString('hex')}\n-----END PRIVATE KEY-----`;

const MAP = 'alias/app-secrets=alias/app-secrets-dr';

describe('client-side encryption: archive format 2', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  let keys: ReturnType<typeof seedBackupKeys>;
  const latestKey = () => w.aws.s3.getObject(bucketFor(SOURCE), 'latest.txt')!.toString().trim();
  const latest = async () => readTarGz(w.aws.s3.getObject(bucketFor(SOURCE), latestKey())!);
  const puts = () => w.aws.stats().operations['ssm:PutParameter'] ?? 0;
  const putObjectIn = async (region: string, key: string, body: Buffer | string) => {
    const s3 = new S3Client({ region, endpoint: w.aws.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await s3.send(new PutObjectCommand({ Bucket: bucketFor(region), Key: key, Body: body, ServerSideEncryption: 'AES256' }));
    s3.destroy();
  };

  beforeEach(async () => {
    w = await restoreWorld();
    w.aws.ssm.put(SOURCE, { Name: `/app/${SOURCE}/tls/key`, Value: PEM, Type: 'SecureString', Description: 'multi-line secret' });
    keys = seedBackupKeys(w.aws, [SOURCE, DR]);
    w.aws.kms.createKey(DR, 'app-secrets-dr', ['alias/app-secrets-dr']);
  });
  afterEach(async () => {
    for (const text of w.outputs) expect(text).not.to.contain(SECRET_MARKER);
    await w.close();
  });

  it('leaves no SecureString value and no line of one readable in any uploaded object, raw or decompressed', async () => {
    const run = await w.backup();
    expect(run.code, run.stderr).to.equal(0);
    const secure = w.appParams().filter((p) => p.Type === 'SecureString');
    expect(secure.map((p) => p.Name)).to.include(`/app/${SOURCE}/tls/key`);
    // Values here; names are checked in bucket-writer.test.ts (format 2 indexes are encrypted too).
    const needles = secretNeedles(secure.map((p) => p.Value));
    expect(needles.length).to.be.greaterThan(secure.length);
    const objects = w.aws.s3.listObjects(bucketFor(SOURCE));
    expect(objects.map((o) => o.key).filter((k) => k.endsWith('.tar.gz'))).to.have.length(1);
    for (const o of objects) {
      for (const bytes of await reachableBytes(w.aws.s3.getObject(bucketFor(SOURCE), o.key)!)) {
        for (const n of needles) expect(bytes.includes(Buffer.from(n)), `${n.slice(0, 20)}... in ${o.key}`).to.equal(false);
      }
    }
  });

  it('writes format 2: encrypted slices then a plaintext manifest with identity, counts, checksum and wrapping keys', async () => {
    const run = await w.backup();
    expect(run.code, run.stderr).to.equal(0);
    const files = await latest();
    expect([...files.keys()]).to.deep.equal(['backup.json.gz.enc.000000', 'manifest.json']);
    const m = JSON.parse(files.get('manifest.json')!.toString());
    expect(m).to.deep.include({ formatVersion: 2, environment: 'dev', region: SOURCE, accountId: ACCOUNT, parameterCount: w.aws.ssm.list(SOURCE).length });
    expect(m.backupJson).to.equal(undefined);
    expect(m.payload).to.deep.include({ content: 'backup.json', compression: 'gzip', parts: 1, sha256: sha256(files.get('backup.json.gz.enc.000000')!) });
    expect(m.encryption.wrappingKeys).to.deep.equal([keys.keyArns[SOURCE], ...keys.drArns]);
    expect(m.encryption.encryptionContext).to.deep.equal({
      tool: 'ssm-multi-region-backup',
      'format-version': '2',
      environment: 'dev',
      region: SOURCE,
      'created-at': m.createdAt,
      'parameter-count': String(m.parameterCount),
    });
    const summary = JSON.parse((await import('node:fs')).readFileSync(`${w.work}/region_summaries.json`, 'utf8'));
    expect(summary[SOURCE].encryption).to.deep.equal({ clientSide: true, keyArn: `arn:aws:kms:${SOURCE}:${ACCOUNT}:alias/ssm-backup`, drKeyArns: keys.drArns });
    expect(run.stderr).to.contain('client-side encrypted with');
  });

  it('round-trips every field through format 2 (verify proves it decrypts; restore in place; diff finds nothing)', async () => {
    expect((await w.backup()).code).to.equal(0);
    const verify = await w.run('verify', '--json');
    expect(verify.code, verify.stderr).to.equal(0);
    const v = JSON.parse(verify.stdout);
    expect(v).to.deep.include({ format: 'v2', verified: true, parameterCount: w.aws.ssm.list(SOURCE).length });
    expect(v.checks).to.include(`decrypted with ${keys.keyArns[SOURCE]}`);
    const before = w.appParams().map(restorable);
    expect(before.length).to.be.greaterThan(7);
    for (const p of w.appParams()) w.aws.ssm.delete(SOURCE, p.Name);
    const r = await w.run('restore', '--path', '/app', '--apply');
    expect(r.code, r.stderr).to.equal(0);
    expect(w.appParams().map(restorable)).to.deep.equal(before);
    const diff = await w.run('diff', '--path', '/app', '--json');
    expect(diff.code, diff.stderr).to.equal(0);
    expect(JSON.parse(diff.stdout).unchanged).to.have.length(before.length);
  });

  it('restores across regions while the source key is disabled, through the disaster-recovery key', async () => {
    expect((await w.backup()).code).to.equal(0);
    w.aws.kms.setEnabled(SOURCE, keys.keyArns[SOURCE], false);
    const r = await w.run('restore', '--target-region', DR, '--path', '/app', '--kms-key-map', MAP, '--apply');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.contain(`decrypted with ${keys.drArns[0]} (disaster-recovery key)`);
    expect(w.appParams(DR).map((p) => [p.Name, p.Value])).to.deep.equal(w.appParams().map((p) => [p.Name, p.Value]));
    expect(w.aws.ssm.get(DR, `/app/${SOURCE}/api/key`)?.KeyId).to.equal('alias/app-secrets-dr');
  });

  it('fails with the keys and codes, writing nothing, when no key can unwrap the data key', async () => {
    expect((await w.backup()).code).to.equal(0);
    w.aws.kms.setEnabled(SOURCE, keys.keyArns[SOURCE], false);
    w.aws.kms.setEnabled(DR, keys.drArns[0], false);
    const r = await w.run('restore', '--target-region', DR, '--apply');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain(`${keys.keyArns[SOURCE]}: DisabledException; ${keys.drArns[0]}: DisabledException`);
    expect(puts()).to.equal(0);
  });

  it('refuses an archive of another region (wrong encryption context) with exit 2, before any KMS call or write', async () => {
    expect((await w.backup()).code).to.equal(0);
    // The us-west-2 archive, copied into eu-central-1's bucket and named there (a latest.txt naming it is refused before
    // this point: its key is not an archive of dev in eu-central-1, see archive-choice.test.ts).
    const body = w.aws.s3.getObject(bucketFor(SOURCE), latestKey())!;
    await putObjectIn(DR, 'copied.tar.gz', body);
    w.aws.resetStats();
    const r = await w.cli(['restore', '--environment', 'dev', '--ssm-home-region', HOME, '--region', DR, '--archive', 'copied.tar.gz', '--apply']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain(`belongs to environment dev region ${SOURCE}, not dev ${DR}`);
    expect(w.aws.stats().operations['kms:Decrypt'] ?? 0).to.equal(0);
    expect(puts()).to.equal(0);
  });

  it('refuses a manifest that disagrees with the authenticated encryption context, and a damaged payload', async () => {
    expect((await w.backup()).code).to.equal(0);
    const files = await latest();
    const m = JSON.parse(files.get('manifest.json')!.toString());
    const slice = files.get('backup.json.gz.enc.000000')!;
    await w.putObject('forged.tar.gz', await makeTarGz({ 'backup.json.gz.enc.000000': slice, 'manifest.json': JSON.stringify({ ...m, parameterCount: 3 }) }));
    const forged = await w.run('restore', '--archive', 'forged.tar.gz', '--apply');
    expect(forged.code).to.equal(1);
    expect(forged.stderr).to.contain('disagrees with the authenticated encryption context on parameter-count');
    const flipped = Buffer.from(slice);
    flipped[flipped.length - 200] ^= 1;
    await w.putObject(
      'damaged.tar.gz',
      await makeTarGz({ 'backup.json.gz.enc.000000': flipped, 'manifest.json': JSON.stringify({ ...m, payload: { ...m.payload, sha256: sha256(flipped) } }) }),
    );
    const damaged = await w.run('verify', '--archive', 'damaged.tar.gz');
    expect(damaged.code).to.equal(1);
    expect(damaged.stderr).to.match(/cannot be decrypted .*damaged or was altered/);
    expect(puts()).to.equal(0);
  });

  it('still restores format 1 archives made before the keys existed, and legacy backup.json', async () => {
    w.aws.ssm.delete(SOURCE, `/jenkins/dev/backup/${SOURCE}/kms-key-arn`);
    const run = await w.backup();
    expect(run.code, run.stderr).to.equal(0);
    expect([...(await latest()).keys()]).to.deep.equal(['backup.json', 'manifest.json']);
    seedBackupKeys(w.aws, [SOURCE], { dr: [] });
    // Now that the region has a key, a format 1 archive is accepted only when named as the exception.
    const refused = await w.run('restore', '--target-region', DR, '--path', '/app', '--kms-key-map', MAP, '--apply');
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain('refused as a possible downgrade');
    expect(puts()).to.equal(0);
    const v1 = await w.run('restore', '--target-region', DR, '--path', '/app', '--kms-key-map', MAP, '--apply', '--allow-unencrypted-archive', latestKey());
    expect(v1.code, v1.stderr).to.equal(0);
    expect(w.appParams(DR).map((p) => [p.Name, p.Value])).to.deep.equal(w.appParams().map((p) => [p.Name, p.Value]));
    await w.putObject(
      'old/backup.json',
      JSON.stringify({ environment: 'dev', region: SOURCE, parameters: [{ Name: '/legacy/one', Value: 'v', Type: 'String' }] }),
    );
    const legacy = await w.run('restore', '--archive', 'old/backup.json', '--target-region', DR, '--apply', '--allow-unencrypted-archive', 'old/backup.json');
    expect(legacy.code, legacy.stderr).to.equal(0);
    expect(w.aws.ssm.get(DR, '/legacy/one')?.Value).to.equal('v');
  });
});
