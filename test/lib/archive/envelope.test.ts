import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KMSClient } from '@aws-sdk/client-kms';
import { discoveryFilter, sealStream, unsealStream } from '../../../ts/lib/archive/envelope.js';
import { EngineError } from '../../../ts/lib/support/errors.js';

const ACCOUNT = '111122223333';

/**
 * An in-process KMS that answers GenerateDataKey / Encrypt / Decrypt for key ARNs of any partition (the local AWS
 * speaks `arn:aws:` only). The "ciphertext" is the key ARN and the data key: enough for the keyring's checks.
 */
function fakeKms(): KMSClient {
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const input = command.input;
    const name = command.constructor.name;
    if (name === 'GenerateDataKeyCommand') {
      const plaintext = randomBytes(32);
      return { KeyId: input.KeyId, Plaintext: plaintext, CiphertextBlob: Buffer.from(JSON.stringify({ k: input.KeyId, p: plaintext.toString('base64') })) };
    }
    if (name === 'EncryptCommand') {
      const plaintext = Buffer.from(input.Plaintext as Uint8Array);
      return { KeyId: input.KeyId, CiphertextBlob: Buffer.from(JSON.stringify({ k: input.KeyId, p: plaintext.toString('base64') })) };
    }
    if (name === 'DecryptCommand') {
      const blob = JSON.parse(Buffer.from(input.CiphertextBlob as Uint8Array).toString()) as { k: string; p: string };
      if (input.KeyId !== undefined && input.KeyId !== blob.k) throw Object.assign(new Error('IncorrectKeyException'), { name: 'IncorrectKeyException' });
      return { KeyId: blob.k, Plaintext: Buffer.from(blob.p, 'base64') };
    }
    throw new Error(`unexpected ${name}`);
  };
  return { send } as unknown as KMSClient;
}

async function collect(source: Readable, through: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(source, through, async (chunks: AsyncIterable<string | Buffer>) => {
    for await (const c of chunks) out.push(Buffer.from(c));
  });
  return Buffer.concat(out);
}

async function roundTrip(region: string, partition: string): Promise<string> {
  const kms = fakeKms();
  const keyArn = `arn:${partition}:kms:${region}:${ACCOUNT}:key/backup`;
  const identity = { tool: 'ssm-multi-region-backup', environment: 'dev', region, createdAt: '2026-12-04T00:00:00.000Z', parameterCount: 1 };
  const seal = sealStream({ kms: () => kms, keyArn, drKeyArns: [], identity });
  const sealed = await collect(Readable.from([Buffer.from('{"parameters":[]}')]), seal.stream);
  const unseal = unsealStream({ kms: () => kms, accountId: ACCOUNT, environment: 'dev', region, tool: 'ssm-multi-region-backup', key: 'k' });
  const plain = await collect(Readable.from([sealed]), unseal.stream);
  expect(unseal.info.decryptedWith, region).to.equal(keyArn);
  return plain.toString();
}

describe('envelope: decryption in every partition the naming contract accepts', () => {
  it('derives the discovery filter partition from the one partitionOf (aws-iso*, aws-eusc included)', () => {
    expect(discoveryFilter(ACCOUNT, 'us-west-2')).to.deep.equal({ accountIDs: [ACCOUNT], partition: 'aws' });
    expect(discoveryFilter(ACCOUNT, 'cn-north-1').partition).to.equal('aws-cn');
    expect(discoveryFilter(ACCOUNT, 'us-gov-west-1').partition).to.equal('aws-us-gov');
    expect(discoveryFilter(ACCOUNT, 'us-iso-east-1').partition).to.equal('aws-iso');
    expect(discoveryFilter(ACCOUNT, 'us-isob-east-1').partition).to.equal('aws-iso-b');
    expect(discoveryFilter(ACCOUNT, 'eu-isoe-west-1').partition).to.equal('aws-iso-e');
    expect(discoveryFilter(ACCOUNT, 'us-isof-south-1').partition).to.equal('aws-iso-f');
    expect(discoveryFilter(ACCOUNT, 'eusc-de-east-1').partition).to.equal('aws-eusc');
    expect(() => discoveryFilter(ACCOUNT, 'xx-nowhere-1'))
      .to.throw(EngineError)
      .with.property('category', 'config');
  });

  for (const [region, partition] of [
    ['us-west-2', 'aws'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ]) {
    it(`seals and unseals with a ${partition} key ARN in ${region}`, async () => {
      expect(await roundTrip(region, partition)).to.equal('{"parameters":[]}');
    });
  }
});
