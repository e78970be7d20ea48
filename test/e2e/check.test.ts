import { expect } from 'chai';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { KMSClient, DisableKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { PutBucketLifecycleConfigurationCommand, DeleteBucketPolicyCommand } from '@aws-sdk/client-s3';
import { localAwsEmulator, motoEmulator, clientConfig, type Emulator } from '../helpers/emulators.js';
import { hardenBucket } from '../helpers/buckets.js';
import { World, SOURCE, DR, ENV, bucketFor } from './world.js';

interface Row {
  region: string;
  check: string;
  status: string;
  detail: string;
  fix?: string;
  blocksBackup?: boolean;
}

/** `check` against both emulators: a setup as the Pulumi stack makes it, then broken in the ways issue 22 lists. */
for (const emulator of [localAwsEmulator(), motoEmulator()] as Emulator[]) {
  describe(`check on ${emulator.name}`, function () {
    this.timeout(60000);
    let w: World;
    // moto denies object requests over its plain-HTTP endpoint when the policy denies non-TLS (as AWS would): there
    // the stack's policy is set without that statement, and its row is the one FAIL expected (in each region whose bucket exists).
    const moto = emulator.name === 'moto';
    before(() => emulator.start());
    after(() => emulator.stop());
    beforeEach(async () => {
      await emulator.reset();
      w = new World(emulator);
      await w.seed([SOURCE, DR]);
      for (const r of [SOURCE, DR]) await hardenBucket(w.s3(r), bucketFor(r), 90, { tls: !moto });
    });
    afterEach(() => w.close());

    const check = async (...args: string[]) => {
      const run = await w.cli('check', '--output', 'json', ...args);
      return { ...run, rows: JSON.parse(run.stdout).results as Row[] };
    };
    const row = (rows: Row[], region: string, name: string) => rows.find((r) => r.region === region && r.check === name);

    it('a setup as the stack makes it: every check OK, exit 0; the table says ready', async () => {
      const { code, rows, stderr } = await check();
      const notOk = rows.filter((r) => r.status !== 'OK').map((r) => `${r.region} ${r.check} ${r.status}`);
      expect(notOk).to.deep.equal(moto ? [`${SOURCE} policy denies non-TLS FAIL`, `${DR} policy denies non-TLS FAIL`] : []);
      expect(code, stderr).to.equal(moto ? 1 : 0);
      for (const region of [SOURCE, DR])
        for (const name of [
          'bucket exists, region, owner',
          'versioning',
          'public access block',
          'policy denies unencrypted writes',
          'KMS GenerateDataKey',
          'KMS Decrypt',
          's3:GetObject latest.txt',
        ])
          expect(row(rows, region, name)?.status, `${region} ${name}`).to.equal('OK');
      const table = await w.cli('check');
      expect(table.code).to.equal(moto ? 1 : 0);
      expect(table.stdout).to.match(/^REGION +CHECK +STATUS +DETAIL$/m);
      expect(table.stdout).to.match(moto ? /\d+ OK, 0 WARN, 2 FAIL: not ready/ : /\d+ OK, 0 WARN, 0 FAIL: ready\n$/);
    });

    it('a bucket parameter naming no bucket and a disabled backup key: FAIL rows with their fix, exit 1', async () => {
      await w.ssm(SOURCE).send(
        new PutParameterCommand({
          Name: `/jenkins/${ENV}/backup/${SOURCE}/s3-bucket-name`,
          Value: `${bucketFor(SOURCE)}-typo`,
          Type: 'String',
          Overwrite: true,
        }),
      );
      const kms = new KMSClient(clientConfig(emulator.endpoint, DR));
      const keyId = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/ssm-backup' }))).KeyMetadata?.KeyId;
      await kms.send(new DisableKeyCommand({ KeyId: keyId }));
      kms.destroy();
      const { code, rows } = await check();
      expect(code).to.equal(1);
      expect(row(rows, SOURCE, 'bucket exists, region, owner')).to.deep.include({ status: 'FAIL', blocksBackup: true });
      expect(row(rows, SOURCE, 'bucket exists, region, owner')?.detail).to.contain(`${bucketFor(SOURCE)}-typo does not exist`);
      expect(row(rows, DR, 'backup KMS key')).to.deep.include({ status: 'FAIL', blocksBackup: true });
      expect(row(rows, DR, 'backup KMS key')?.detail).to.match(/is Disabled/);
      expect(row(rows, DR, 'backup KMS key')?.fix).to.match(/enable the key/);
      const table = await w.cli('check');
      expect(table.code).to.equal(1);
      expect(table.stdout).to.match(/FAIL +s3:\/\/\S+-typo does not exist\n +fix: create it/);
      expect(table.stdout).to.match(moto ? /3 FAIL: not ready \(exit 1\)\n$/ : /2 FAIL: not ready \(exit 1\)\n$/);
    });

    it('no bucket policy: both policy rows FAIL (not blocking); archives expiring in 7 days: WARN', async () => {
      await w.s3(SOURCE).send(new DeleteBucketPolicyCommand({ Bucket: bucketFor(SOURCE) }));
      await w.s3(DR).send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucketFor(DR),
          LifecycleConfiguration: { Rules: [{ ID: 'short', Status: 'Enabled', Filter: {}, Expiration: { Days: 7 } }] },
        }),
      );
      const { code, rows } = await check();
      expect(code).to.equal(1);
      expect(row(rows, SOURCE, 'policy denies non-TLS')).to.deep.include({ status: 'FAIL', blocksBackup: false });
      expect(row(rows, SOURCE, 'policy denies unencrypted writes')?.status).to.equal('FAIL');
      expect(row(rows, DR, 'lifecycle keeps archives')?.status).to.equal('WARN');
      expect(row(rows, DR, 'lifecycle keeps archives')?.detail).to.match(/expire after 7 days \(rule short\)/);
    });
  });
}
