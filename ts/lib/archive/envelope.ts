/**
 * Client-side envelope encryption of archives with the AWS Encryption SDK for JavaScript and a KMS keyring.
 *
 * Encryption: a KMS keyring whose generator is the region's backup key and whose other keys are the
 * disaster-recovery keys; the SDK asks KMS GenerateDataKey once and Encrypt once per DR key, so every archive's
 * data key is wrapped under each of them (https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-kms-keyring.html).
 * Decryption: a KMS discovery keyring limited by a discovery filter to our own account (from STS) and partition.
 * Discovery, rather than a keyring naming the configured key ARNs, because (1) the key parameters may hold alias
 * ARNs, which never match the key ARNs the message records, and resolving them needs kms:DescribeKey; (2) a restore
 * in another region must not depend on reading the source region's SSM; (3) the filter still refuses a data key
 * wrapped under a key of any other account (an archive planted by someone who can write to the bucket).
 * The encryption context (tool, format version, environment, region, creation time, parameter count) is checked
 * against the requested environment and region by a materials manager BEFORE any KMS call; a mismatch is exit 2.
 * Algorithm suite: the SDK default with key commitment and an ECDSA P-384 signature, so a principal that can only
 * decrypt cannot forge an archive.
 */
import { REGION_RULE, partitionOf } from '../../contract/index.js';
import type { Duplex } from 'node:stream';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import { buildDecrypt } from '@aws-crypto/decrypt-node';
import { KmsKeyringClass, type AwsEsdkKMSInterface } from '@aws-crypto/kms-keyring';
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  KeyringNode,
  immutableClass,
  KeyringTraceFlag,
  NodeDefaultCryptographicMaterialsManager,
  type EncryptedDataKey,
  type EncryptionContext,
  type NodeAlgorithmSuite,
  type NodeMaterialsManager,
  type NodeDecryptionMaterial,
} from '@aws-crypto/material-management-node';
import { EngineError, awsErrorCode, oneLine } from '../support/index.js';

/** The KMS keyring of @aws-crypto/kms-keyring-node, built from the generic class without that package's hierarchical keyring (which bundles a DynamoDB client). */
class KmsKeyring extends KmsKeyringClass<NodeAlgorithmSuite, AwsEsdkKMSInterface>(KeyringNode as never) {}
immutableClass(KmsKeyring);

export const SEALED_FORMAT_VERSION = 2;
/** 256 KiB frames: 4 KiB (the SDK default) costs about twice the CPU on large archives. */
export const FRAME_LENGTH = 256 * 1024;
export const ALGORITHM_SUITE = 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384';
/** Data keys a message may carry: the region key and at most MAX_DR_KEYS disaster-recovery keys. */
export const MAX_DR_KEYS = 10;
const SIGNING_KEY = 'aws-crypto-public-key';

/** What the encryption context binds an archive to. */
export interface ArchiveIdentity {
  tool: string;
  environment: string;
  region: string;
  createdAt: string;
  parameterCount: number;
}

/**
 * The encryption context of a format 2 archive (stored in the message header and sent to KMS; nothing secret).
 * `extra` binds a message to one object beside the archive: the name index carries `content: name-index` and its
 * archive's key, so an index copied next to another archive, or passed off as an archive, is refused.
 */
export function encryptionContext(id: ArchiveIdentity, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    tool: id.tool,
    'format-version': String(SEALED_FORMAT_VERSION),
    environment: id.environment,
    region: id.region,
    'created-at': id.createdAt,
    'parameter-count': String(id.parameterCount),
  };
}

/** One KMS call that failed while wrapping or unwrapping a data key: operation, key ARN and error code (never the service's text). */
export interface KmsFailure {
  operation: 'GenerateDataKey' | 'Encrypt' | 'Decrypt';
  keyId: string;
  code: string;
}

/** The SDK's KMS client interface over our instrumented KMSClient (pacing, retries, stats, region abort). */
function kmsAdapter(client: KMSClient, failures: KmsFailure[]): AwsEsdkKMSInterface {
  const record = (operation: KmsFailure['operation'], keyId: string | undefined) => (err: unknown) => {
    failures.push({ operation, keyId: keyId ?? 'unknown', code: awsErrorCode(err) ?? 'Error' });
    throw err;
  };
  return {
    generateDataKey: (i) => client.send(new GenerateDataKeyCommand(i)).catch(record('GenerateDataKey', i.KeyId)),
    encrypt: (i) => client.send(new EncryptCommand(i)).catch(record('Encrypt', i.KeyId)),
    decrypt: (i) => client.send(new DecryptCommand(i)).catch(record('Decrypt', i.KeyId)),
  } as AwsEsdkKMSInterface;
}

export interface SealOptions {
  kms: (region: string) => KMSClient;
  /** The region's backup key (key or alias ARN). */
  keyArn: string;
  /** Disaster-recovery keys in other regions (key or alias ARNs). */
  drKeyArns: string[];
  identity: ArchiveIdentity;
  /** More context pairs (see encryptionContext). */
  extraContext?: Record<string, string>;
}

/** What a finished seal recorded: the key ARNs KMS wrapped the data key under, in message order. */
export interface SealInfo {
  wrappingKeys: string[];
  failures: KmsFailure[];
}

/** A transform: plaintext in, one AWS Encryption SDK message out. `info` is filled once the header is written. */
export function sealStream(opts: SealOptions): { stream: Duplex; info: SealInfo } {
  const info: SealInfo = { wrappingKeys: [], failures: [] };
  const keyring = new KmsKeyring({
    generatorKeyId: opts.keyArn,
    keyIds: opts.drKeyArns,
    clientProvider: (region: string) => kmsAdapter(opts.kms(region), info.failures),
  });
  const { encryptStream } = buildEncrypt({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 1 + MAX_DR_KEYS });
  const stream = encryptStream(keyring, {
    suiteId: AlgorithmSuiteIdentifier[ALGORITHM_SUITE],
    frameLength: FRAME_LENGTH,
    encryptionContext: encryptionContext(opts.identity, opts.extraContext),
  });
  stream.once('MessageHeader', (h: { encryptedDataKeys: EncryptedDataKey[] }) => {
    info.wrappingKeys = h.encryptedDataKeys.map((k) => k.providerInfo);
  });
  return { stream, info };
}

/**
 * One line for a failed encryption in which KMS refused a call: the operation, the key and the error code (e.g.
 * "KMS GenerateDataKey with arn:...:key/k failed: AccessDeniedException"), so a denied key is not reported as a
 * failed upload. Undefined when no KMS call failed (the error is then someone else's).
 */
export function sealError(info: SealInfo, region: string, err: unknown): EngineError | undefined {
  const f = info.failures[0];
  if (!f) return undefined;
  const more = info.failures.length > 1 ? ` (and ${info.failures.length - 1} more KMS failure(s))` : '';
  const hint = f.operation === 'GenerateDataKey' ? "the region's backup key" : 'a disaster-recovery key';
  return new EngineError(
    'aws',
    `KMS ${f.operation} with ${f.keyId} failed: ${f.code}${more}; the archive could not be encrypted with ${hint} (check the key policy and the role's kms:${f.operation} permission); nothing was uploaded`,
    { region, cause: err },
  );
}

/** What decryption is checked against: the environment and region the user asked for. */
export interface UnsealOptions {
  kms: (region: string) => KMSClient;
  /** The account whose keys may unwrap the data key (STS GetCallerIdentity). */
  accountId: string;
  environment: string;
  region: string;
  tool: string;
  /** Object key, for messages. */
  key: string;
  /** Context pairs the message must carry besides the archive's (see encryptionContext); none for an archive. */
  extraContext?: Record<string, string>;
}

/** Filled while the message is read: the authenticated context, the key that unwrapped the data key, failed KMS calls. */
export interface UnsealInfo {
  encryptionContext?: EncryptionContext;
  wrappingKeys: string[];
  decryptedWith?: string;
  failures: KmsFailure[];
}

/**
 * The KMS discovery filter for decryption: our own account, in the partition of `region` (contract/naming.ts
 * `partitionOf`, the same table region names are validated with: aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc).
 * A region no partition accepts is refused (exit 2) rather than guessed.
 */
export function discoveryFilter(accountId: string, region: string): { accountIDs: string[]; partition: string } {
  const partition = partitionOf(region);
  if (!partition) throw new EngineError('config', `${region} is not in any AWS partition this tool knows (${REGION_RULE})`, { region });
  return { accountIDs: [accountId], partition: partition.id };
}

/** Refuses a context that is not exactly ours for the requested environment and region (exit 2). Pure. */
export function checkEncryptionContext(ctx: EncryptionContext, opts: Pick<UnsealOptions, 'environment' | 'region' | 'tool' | 'key' | 'extraContext'>): void {
  const { [SIGNING_KEY]: _signature, ...own } = ctx;
  const extra = opts.extraContext ?? {};
  const expectedKeys = Object.keys(encryptionContext({ tool: '', environment: '', region: '', createdAt: '', parameterCount: 0 }, extra)).sort();
  if (
    own.tool !== opts.tool ||
    Object.entries(extra).some(([k, v]) => own[k] !== v) ||
    own['format-version'] !== String(SEALED_FORMAT_VERSION) ||
    JSON.stringify(Object.keys(own).sort()) !== JSON.stringify(expectedKeys)
  ) {
    throw new EngineError(
      'config',
      `${opts.key} is not ${opts.extraContext ? `the ${Object.values(extra).join(' of ')}` : `a format ${SEALED_FORMAT_VERSION} archive`} of ${opts.tool} (encryption context keys: ${Object.keys(own).sort().join(', ')}); refused, nothing was read or written`,
      { region: opts.region },
    );
  }
  if (own.environment !== opts.environment || own.region !== opts.region) {
    throw new EngineError(
      'config',
      `${opts.key} belongs to environment ${own.environment} region ${own.region}, not ${opts.environment} ${opts.region} (encryption context); refused, nothing was written: pass the matching --environment and --region`,
      { region: opts.region },
    );
  }
}

/** Checks the context from the header, before any KMS call; then records which key unwrapped the data key. */
class CheckingMaterialsManager implements NodeMaterialsManager {
  private readonly inner: NodeDefaultCryptographicMaterialsManager;

  constructor(
    keyring: KeyringNode,
    private readonly opts: UnsealOptions,
    private readonly info: UnsealInfo,
  ) {
    this.inner = new NodeDefaultCryptographicMaterialsManager(keyring);
  }

  getEncryptionMaterials(): never {
    throw new Error('decryption only');
  }

  async decryptMaterials(request: Parameters<NodeMaterialsManager['decryptMaterials']>[0]): Promise<NodeDecryptionMaterial> {
    checkEncryptionContext(request.encryptionContext, this.opts);
    this.info.encryptionContext = request.encryptionContext;
    this.info.wrappingKeys = request.encryptedDataKeys.map((k) => k.providerInfo);
    const material = await this.inner.decryptMaterials(request);
    this.info.decryptedWith = material.keyringTrace.find((t) => t.flags & KeyringTraceFlag.WRAPPING_KEY_DECRYPTED_DATA_KEY)?.keyName;
    return material;
  }
}

/**
 * A transform: one AWS Encryption SDK message in, plaintext out. Use the plaintext only after the stream ended
 * without error (the signature is checked at the end). Errors are turned into EngineErrors by `unsealError`.
 */
export function unsealStream(opts: UnsealOptions): { stream: Duplex; info: UnsealInfo } {
  const info: UnsealInfo = { wrappingKeys: [], failures: [] };
  const keyring = new KmsKeyring({
    discovery: true,
    discoveryFilter: discoveryFilter(opts.accountId, opts.region),
    clientProvider: (region: string) => kmsAdapter(opts.kms(region), info.failures),
  });
  const { decryptStream } = buildDecrypt({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 1 + MAX_DR_KEYS });
  return { stream: decryptStream(new CheckingMaterialsManager(keyring as KeyringNode, opts, info)), info };
}

/** One line for a failed decryption: our own refusals as they are, KMS failures by key and code, the rest as damage. */
export function unsealError(err: unknown, info: UnsealInfo, opts: UnsealOptions): EngineError {
  if (err instanceof EngineError) return err;
  const where = { region: opts.region, cause: err };
  if (!info.decryptedWith && info.failures.length > 0) {
    const tried = info.failures.map((f) => `${f.keyId}: ${f.code}`).join('; ');
    return new EngineError(
      'aws',
      `${opts.key}: no KMS key could unwrap the data key (${tried}); nothing was written. See docs/runbooks for disaster-recovery keys`,
      where,
    );
  }
  if (!info.decryptedWith && info.wrappingKeys.length > 0) {
    const own = info.wrappingKeys.filter((k) => k.split(':')[4] === opts.accountId);
    if (own.length === 0) {
      return new EngineError(
        'config',
        `${opts.key}: its data key is wrapped only under keys outside account ${opts.accountId} (${info.wrappingKeys.join(', ')}); refused as foreign, nothing was written`,
        where,
      );
    }
  }
  return new EngineError(
    'integrity',
    `${opts.key} cannot be decrypted (${oneLine(err instanceof Error ? err.message : String(err))}); it is damaged or was altered; nothing was written`,
    where,
  );
}
