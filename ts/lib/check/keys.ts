/**
 * The region's backup key and the disaster-recovery keys, exercised for real: DescribeKey (KeyState), then a
 * GenerateDataKey of 32 bytes and a Decrypt of its ciphertext under the same encryption context (the Encryption SDK
 * makes the same calls for an archive); each DR key must Encrypt (how the SDK wraps the data key under it). API
 * reference pages of DescribeKey, GenerateDataKey, Decrypt and Encrypt. The data key is thrown away.
 */
import { DescribeKeyCommand, GenerateDataKeyCommand, DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { ok, warn, fail, why, isDenied, type CheckResult } from './result.js';

const CONTEXT = { tool: 'ssm-backup', purpose: 'check' };

/** The region of a KMS key or alias ARN (arn:aws:kms:REGION:...). */
export const keyRegion = (arn: string): string => arn.split(':')[3];

async function keyState(kms: KMSClient, region: string, name: string, arn: string): Promise<CheckResult> {
  try {
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata;
    if (meta?.KeyState === 'Enabled' || (meta?.KeyState === undefined && meta?.Enabled)) return ok(region, name, `${arn} Enabled`);
    const state = meta?.KeyState ?? (meta?.Enabled === false ? 'Disabled' : 'unknown');
    const fix = state === 'PendingDeletion' ? 'cancel the key deletion (kms cancel-key-deletion), then enable it' : 'enable the key (kms enable-key)';
    return fail(region, name, `${arn} is ${state}: backups of ${region} fail`, fix, true);
  } catch (err) {
    if (isDenied(err)) return warn(region, name, `${arn}: DescribeKey denied to this identity (state not known)`, 'the round trip below decides');
    return fail(region, name, `${arn}: ${why(err)}`, 'create the key (pulumi up) or correct the kms-key-arn parameter', true);
  }
}

async function roundTrip(kms: KMSClient, region: string, arn: string): Promise<CheckResult[]> {
  const gen = 'KMS GenerateDataKey';
  const dec = 'KMS Decrypt';
  let blob: Uint8Array | undefined;
  let plain: Uint8Array | undefined;
  try {
    const out = await kms.send(new GenerateDataKeyCommand({ KeyId: arn, NumberOfBytes: 32, EncryptionContext: CONTEXT }));
    blob = out.CiphertextBlob;
    plain = out.Plaintext;
  } catch (err) {
    const fix = isDenied(err)
      ? 'grant kms:GenerateDataKey on the key to the backup role (key policy, iam/)'
      : 'enable the key, or correct the kms-key-arn parameter';
    return [fail(region, gen, `${arn}: ${why(err)}`, fix, true)];
  }
  const first = ok(region, gen, `32-byte data key under ${arn}`);
  try {
    const out = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT }));
    if (!plain || !out.Plaintext || Buffer.compare(Buffer.from(plain), Buffer.from(out.Plaintext)) !== 0)
      return [first, fail(region, dec, 'the data key decrypted to other bytes', 'check the KMS endpoint', true)];
    return [first, ok(region, dec, 'the data key decrypts (restores will work with this identity)')];
  } catch (err) {
    if (isDenied(err))
      return [
        first,
        warn(
          region,
          dec,
          'denied to this identity (expected for the backup role: only the restore role decrypts)',
          'run check as the restore role to prove restores',
        ),
      ];
    return [first, fail(region, dec, why(err), 'check the key and the KMS endpoint')];
  } finally {
    plain?.fill(0);
  }
}

/** Backup key of `region` (or the plan's reason it has none) and every DR key; `kms(region)` gives the client of a key's region. */
export async function checkKeys(
  kms: (region: string) => KMSClient,
  region: string,
  key: { arn: string | null; readError?: string },
  drKeyArns: string[],
): Promise<CheckResult[]> {
  const name = 'backup KMS key';
  if (key.readError) return [fail(region, name, key.readError, 'let the backup role read the kms-key-arn parameter (ssm:GetParameter)', true)];
  if (!key.arn)
    return [warn(region, name, 'no kms-key-arn parameter: archives are NOT client-side encrypted (SSE-S3 only)', 'create the key with the Pulumi stack')];
  const state = await keyState(kms(region), region, name, key.arn);
  if (state.status === 'FAIL') return [state];
  const out = [state, ...(await roundTrip(kms(region), region, key.arn))];
  for (const dr of drKeyArns) {
    const drName = `DR key ${keyRegion(dr)}`;
    try {
      await kms(keyRegion(dr)).send(new EncryptCommand({ KeyId: dr, Plaintext: randomBytes(32), EncryptionContext: CONTEXT }));
      out.push(ok(region, drName, `${dr} encrypts`));
    } catch (err) {
      out.push(
        fail(region, drName, `${dr}: ${why(err)}`, 'enable the DR key and grant kms:Encrypt on it to the backup role, or remove it from dr-kms-key-arns', true),
      );
    }
  }
  return out;
}
