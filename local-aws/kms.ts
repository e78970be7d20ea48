/**
 * KMS operations (AWS JSON 1.1, `TrentService.<Op>`): DescribeKey, ListAliases, DisableKey, EnableKey, and real
 * symmetric cryptography for GenerateDataKey, Encrypt and Decrypt (API reference pages of those operations).
 *
 * Each key holds a random 256-bit secret; a ciphertext blob is AES-256-GCM under that secret with the encryption
 * context as additional authenticated data: `0x01 | len(keyArn) | keyArn | iv(12) | tag(16) | ciphertext`. The
 * blob names its key, so Decrypt needs no KeyId; a blob made in another region cannot be decrypted here
 * (InvalidCiphertextException), like a KMS ciphertext of a single-region key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AwsError } from './types.js';
import type { KmsKey, KmsStore } from './kms-sts.js';

type Input = Record<string, unknown>;

const validation = (m: string): AwsError => new AwsError('ValidationException', m);
const invalidCiphertext = (): AwsError =>
  new AwsError('InvalidCiphertextException', 'The ciphertext is invalid or was not made for this key and encryption context.');

/** The encryption context as AAD: its pairs sorted by key, as JSON. Values must be strings. */
function contextAad(v: unknown): Buffer {
  if (v === undefined || v === null) return Buffer.alloc(0);
  if (typeof v !== 'object' || Array.isArray(v)) throw validation('EncryptionContext must be a map of strings');
  const pairs = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (pairs.some(([, x]) => typeof x !== 'string')) throw validation('EncryptionContext values must be strings');
  return pairs.length === 0 ? Buffer.alloc(0) : Buffer.from(JSON.stringify(pairs));
}

function blob(input: Input, field: string, min: number, max: number): Buffer {
  const v = input[field];
  if (typeof v !== 'string')
    throw validation(
      `1 validation error detected: Value null at '${field[0].toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  const b = Buffer.from(v, 'base64');
  if (b.length < min || b.length > max)
    throw validation(
      `1 validation error detected: Value at '${field[0].toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must have length between ${min} and ${max}`,
    );
  return b;
}

function algorithm(input: Input): void {
  if (input.EncryptionAlgorithm !== undefined && input.EncryptionAlgorithm !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError('InvalidKeyUsageException', `local-aws keys support only SYMMETRIC_DEFAULT, not ${String(input.EncryptionAlgorithm)}`);
  }
}

/** The enabled key a request names (KeyId required); NotFoundException / DisabledException otherwise. */
function usableKey(store: KmsStore, region: string, ref: unknown): KmsKey {
  if (typeof ref !== 'string' || ref === '')
    throw validation("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  return enabled(store, region, store.mustResolve(region, ref));
}

function enabled(store: KmsStore, region: string, k: KmsKey): KmsKey {
  if (!k.enabled) throw new AwsError('DisabledException', `${store.keyArn(region, k.keyId)} is disabled.`);
  return k;
}

function seal(store: KmsStore, region: string, k: KmsKey, plaintext: Buffer, aad: Buffer): Buffer {
  const arn = Buffer.from(store.keyArn(region, k.keyId));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k.secret, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([1, arn.length]), arn, iv, cipher.getAuthTag(), body]);
}

function open(store: KmsStore, region: string, input: Input): { key: KmsKey; plaintext: Buffer } {
  const b = blob(input, 'CiphertextBlob', 1, 6144);
  if (b[0] !== 1 || b.length < 2 + b[1] + 28) throw invalidCiphertext();
  const arn = b.subarray(2, 2 + b[1]).toString();
  if (!arn.startsWith(`arn:aws:kms:${region}:`)) throw invalidCiphertext();
  const key = store.mustResolve(region, arn);
  if (typeof input.KeyId === 'string' && store.mustResolve(region, input.KeyId) !== key) {
    throw new AwsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
  }
  enabled(store, region, key);
  const at = 2 + b[1];
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.secret, b.subarray(at, at + 12));
    decipher.setAuthTag(b.subarray(at + 12, at + 28));
    decipher.setAAD(contextAad(input.EncryptionContext));
    return { key, plaintext: Buffer.concat([decipher.update(b.subarray(at + 28)), decipher.final()]) };
  } catch (e) {
    if (e instanceof AwsError) throw e;
    throw invalidCiphertext();
  }
}

/** Data key length from KeySpec (AES_128 / AES_256) or NumberOfBytes (1-1024): exactly one of them. */
function dataKeyBytes(input: Input): number {
  const spec = input.KeySpec;
  const n = input.NumberOfBytes;
  if ((spec === undefined) === (n === undefined)) throw validation('Please specify either number of bytes or key spec.');
  if (spec !== undefined) {
    if (spec !== 'AES_256' && spec !== 'AES_128')
      throw validation(
        `1 validation error detected: Value '${String(spec)}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]`,
      );
    return spec === 'AES_256' ? 32 : 16;
  }
  if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 1024)
    throw validation(
      `1 validation error detected: Value '${String(n)}' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024`,
    );
  return n as number;
}

type KmsOp = (store: KmsStore, region: string, input: Input) => unknown;

const KMS_OPERATIONS: Record<string, KmsOp> = {
  DescribeKey: (s, r, i) => s.describeKey(r, i),
  ListAliases: (s, r, i) => s.listAliases(r, i),
  DisableKey: (s, r, i) => (s.setEnabled(r, String(i.KeyId ?? ''), false), {}),
  EnableKey: (s, r, i) => (s.setEnabled(r, String(i.KeyId ?? ''), true), {}),
  GenerateDataKey(s, r, i) {
    const k = usableKey(s, r, i.KeyId);
    const bytes = dataKeyBytes(i);
    const plaintext = randomBytes(bytes);
    const CiphertextBlob = seal(s, r, k, plaintext, contextAad(i.EncryptionContext)).toString('base64');
    return { CiphertextBlob, Plaintext: plaintext.toString('base64'), KeyId: s.keyArn(r, k.keyId) };
  },
  Encrypt(s, r, i) {
    algorithm(i);
    const k = usableKey(s, r, i.KeyId);
    const plaintext = blob(i, 'Plaintext', 1, 4096);
    return {
      CiphertextBlob: seal(s, r, k, plaintext, contextAad(i.EncryptionContext)).toString('base64'),
      KeyId: s.keyArn(r, k.keyId),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  },
  Decrypt(s, r, i) {
    algorithm(i);
    const { key, plaintext } = open(s, r, i);
    return { KeyId: s.keyArn(r, key.keyId), Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  },
};

/** Handles a KMS JSON 1.1 operation. */
export function handleKms(store: KmsStore, op: string, region: string, input: Input): unknown {
  const handle = KMS_OPERATIONS[op];
  if (!handle) throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by local-aws`);
  return handle(store, region, input);
}
