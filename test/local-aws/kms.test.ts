import { expect } from 'chai';
import {
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMS,
  type KMSClient as KMSClientType,
} from '@aws-sdk/client-kms';
import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { admin, credentials, kmsClient, rejects } from './helpers.js';

const KEY = '11111111-2222-3333-4444-555555555555';
const DR_KEY = '66666666-7777-8888-9999-000000000000';

describe('local-aws KMS cryptography', () => {
  let aws: LocalAws;
  let west: KMSClientType;
  let arn: string;

  beforeEach(async () => {
    aws = await startLocalAws();
    arn = aws.kms.createKey('us-west-2', KEY, ['alias/backup']);
    west = kmsClient(aws, 'us-west-2');
  });
  afterEach(async () => {
    west.destroy();
    await aws.stop();
  });

  it('GenerateDataKey gives a data key whose blob Decrypt turns back into it, without a KeyId', async () => {
    const ctx = { purpose: 'backup', region: 'us-west-2' };
    const dk = await west.send(new GenerateDataKeyCommand({ KeyId: 'alias/backup', KeySpec: 'AES_256', EncryptionContext: ctx }));
    expect(dk.KeyId).to.equal(arn);
    expect(dk.Plaintext).to.have.length(32);
    expect(Buffer.from(dk.CiphertextBlob!).includes(Buffer.from(dk.Plaintext!))).to.equal(false);
    const back = await west.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ctx }));
    expect(Buffer.from(back.Plaintext!).equals(Buffer.from(dk.Plaintext!))).to.equal(true);
    expect(back).to.include({ KeyId: arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect((await west.send(new GenerateDataKeyCommand({ KeyId: arn, NumberOfBytes: 7 }))).Plaintext).to.have.length(7);
    expect((await rejects(west.send(new GenerateDataKeyCommand({ KeyId: KEY })))).name).to.equal('ValidationException');
    expect((await rejects(west.send(new GenerateDataKeyCommand({ KeyId: KEY, KeySpec: 'AES_256', NumberOfBytes: 32 })))).name).to.equal('ValidationException');
  });

  it('binds the encryption context: a different or missing context is InvalidCiphertextException', async () => {
    const enc = await west.send(
      new EncryptCommand({ KeyId: 'arn:aws:kms:us-west-2:123456789012:alias/backup', Plaintext: Buffer.from('hello'), EncryptionContext: { a: '1' } }),
    );
    expect(enc.KeyId).to.equal(arn);
    expect((await rejects(west.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: '2' } })))).name).to.equal(
      'InvalidCiphertextException',
    );
    expect((await rejects(west.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).name).to.equal('InvalidCiphertextException');
    const tampered = Buffer.from(enc.CiphertextBlob!);
    tampered[tampered.length - 1] ^= 1;
    expect((await rejects(west.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: { a: '1' } })))).name).to.equal(
      'InvalidCiphertextException',
    );
    const ok = await west.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: '1' }, KeyId: KEY }));
    expect(Buffer.from(ok.Plaintext!).toString()).to.equal('hello');
  });

  it('is regional: another region neither finds the key nor decrypts its blobs; a wrong KeyId is IncorrectKeyException', async () => {
    const east = kmsClient(aws, 'us-east-1');
    const enc = await west.send(new EncryptCommand({ KeyId: KEY, Plaintext: Buffer.from('x') }));
    expect((await rejects(east.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') })))).name).to.equal('NotFoundException');
    expect((await rejects(east.send(new EncryptCommand({ KeyId: 'alias/backup', Plaintext: Buffer.from('x') })))).name).to.equal('NotFoundException');
    expect((await rejects(east.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).name).to.equal('InvalidCiphertextException');
    aws.kms.createKey('us-west-2', 'other-key');
    expect((await rejects(west.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: 'other-key' })))).name).to.equal('IncorrectKeyException');
    east.destroy();
  });

  it('a disabled key refuses every cryptographic call with DisabledException (DisableKey/EnableKey and the admin API)', async () => {
    const enc = await west.send(new EncryptCommand({ KeyId: KEY, Plaintext: Buffer.from('x') }));
    await west.send(new DisableKeyCommand({ KeyId: 'alias/backup' }));
    expect((await west.send(new DescribeKeyCommand({ KeyId: KEY }))).KeyMetadata).to.include({ Enabled: false, KeyState: 'Disabled' });
    for (const call of [
      west.send(new EncryptCommand({ KeyId: KEY, Plaintext: Buffer.from('x') })),
      west.send(new GenerateDataKeyCommand({ KeyId: KEY, KeySpec: 'AES_256' })),
      west.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })),
    ]) {
      const err = await rejects(call);
      expect([err.name, err.message]).to.deep.equal(['DisabledException', `${arn} is disabled.`]);
    }
    await west.send(new EnableKeyCommand({ KeyId: KEY }));
    expect((await west.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).KeyId).to.equal(arn);
    const disabled = await admin(aws, 'kms/keys', { region: 'us-west-2', keyId: 'alias/backup', enabled: false });
    expect(disabled.json).to.deep.equal({ keyId: KEY, arn, aliases: ['alias/backup'], enabled: false });
    expect((await rejects(west.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).name).to.equal('DisabledException');
    aws.kms.setEnabled('us-west-2', arn, true);
    expect((await west.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).KeyId).to.equal(arn);
  });

  it('creates keys through the admin API and the seed document, disabled if asked', async () => {
    const made = await admin(aws, 'kms/keys', { region: 'eu-west-1', keyId: 'k-new', aliases: ['alias/new'] });
    expect(made.json).to.deep.include({ arn: 'arn:aws:kms:eu-west-1:123456789012:key/k-new', enabled: true });
    expect((await admin(aws, 'seed', { kmsKeys: { 'eu-west-1': [{ keyId: 'k-off', enabled: false }] } })).status).to.equal(200);
    const eu = kmsClient(aws, 'eu-west-1');
    expect((await eu.send(new GenerateDataKeyCommand({ KeyId: 'alias/new', KeySpec: 'AES_256' }))).KeyId).to.equal(made.json.arn);
    expect((await rejects(eu.send(new GenerateDataKeyCommand({ KeyId: 'k-off', KeySpec: 'AES_256' })))).name).to.equal('DisabledException');
    expect((await admin(aws, 'kms/keys', { region: 'eu-west-1' })).status).to.equal(400);
    eu.destroy();
  });

  it('serves the AWS Encryption SDK KMS keyring: two regions wrap one data key; the second decrypts while the first is disabled', async () => {
    const drArn = aws.kms.createKey('eu-central-1', DR_KEY, ['alias/backup']);
    const clientProvider = (region: string): KMS => new KMS({ region, endpoint: aws.endpoint, credentials, maxAttempts: 1 });
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const plaintext = Buffer.from('parameter archive bytes '.repeat(100));
    const context = { environment: 'dev' };
    const both = new KmsKeyringNode({ generatorKeyId: arn, keyIds: [drArn], clientProvider });
    const { result } = await encrypt(both, plaintext, { encryptionContext: context });
    expect(result.includes(plaintext)).to.equal(false);

    aws.kms.setEnabled('us-west-2', KEY, false);
    const onlyDr = new KmsKeyringNode({ keyIds: [drArn], clientProvider });
    const out = await decrypt(onlyDr, result);
    expect(out.plaintext.equals(plaintext)).to.equal(true);
    expect(out.messageHeader.encryptionContext).to.include(context);
    expect(out.messageHeader.encryptedDataKeys.map((k) => k.providerInfo)).to.deep.equal([arn, drArn]);

    const onlyFirst = new KmsKeyringNode({ keyIds: [arn], clientProvider });
    const err = await rejects(decrypt(onlyFirst, result));
    expect(err.message).to.include('Unable to decrypt data key');
    expect(aws.stats().operations).to.include({ 'kms:GenerateDataKey': 1, 'kms:Encrypt': 1 });
  });
});
