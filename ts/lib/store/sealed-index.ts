/**
 * The name index of a format 2 archive, encrypted: one AWS Encryption SDK message (envelope.ts) under the archive's own
 * keys, whose plaintext is the same gzip of {@link NameIndex} a format 1 archive's index holds in clear. Its encryption
 * context is the archive's plus `content: name-index` and `archive-key: <archive key>`, so a bucket reader learns no
 * name, and a bucket writer can neither edit an index nor move one next to another archive (the context, checked
 * before any KMS call, names the archive; the message is signed). Reading costs one KMS Decrypt per index.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gzipIndex, parseIndex, factsToMetadata, type NameIndex } from './facts.js';
import { awsErrorCode } from '../support/index.js';
import { NAME_INDEX_CONTEXT } from '../../contract/index.js';
import { indexKey } from './layout.js';
import { sealStream, unsealStream, unsealError, TOOL_NAME, type SealOptions, type ArchiveOpener } from '../archive/index.js';

/** What sealing an index needs: the archive's KMS keys (region key and DR keys). */
export type IndexSealer = Omit<SealOptions, 'identity' | 'extraContext'>;

/** What opening an encrypted index needs: the same as an archive (our account's keys, the identity asked for). */
export type IndexOpener = ArchiveOpener;

const indexContext = (archiveKey: string): Record<string, string> => ({ [NAME_INDEX_CONTEXT.key]: NAME_INDEX_CONTEXT.value, 'archive-key': archiveKey });

/** A message starts with its version byte (1 or 2); a plaintext index is gzip (0x1f 0x8b). */
export const isSealedIndex = (body: Buffer): boolean => body.length > 0 && body[0] !== 0x1f;

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

/** gzip(index JSON) encrypted under `keys` (1 GenerateDataKey + 1 Encrypt per DR key). */
export async function sealIndex(index: NameIndex, keys: IndexSealer): Promise<Buffer> {
  const identity = { tool: TOOL_NAME, environment: index.environment, region: index.region, createdAt: index.createdAt, parameterCount: index.parameterCount };
  const { stream } = sealStream({ ...keys, identity, extraContext: indexContext(index.archive) });
  let out: Buffer = Buffer.alloc(0);
  await pipeline(Readable.from([await gzipIndex(index)]), stream, async (c: AsyncIterable<Buffer>) => {
    out = await collect(c);
  });
  return out;
}

/**
 * Decrypts and checks an encrypted index: context (environment, region, archive key) before any KMS call, signature,
 * then the index's own facts against the authenticated context. Throws an EngineError (KMS, foreign key, mismatch)
 * or an Error naming the defect.
 */
export async function openIndex(body: Buffer, archiveKey: string, opener: IndexOpener): Promise<NameIndex> {
  const { accountId, ...rest } = opener;
  const opts = { ...rest, accountId: await accountId(), tool: TOOL_NAME, key: indexKey(archiveKey), extraContext: indexContext(archiveKey) };
  const { stream, info } = unsealStream(opts);
  let plain: Buffer = Buffer.alloc(0);
  try {
    await pipeline(Readable.from([body]), stream, async (c: AsyncIterable<Buffer>) => {
      plain = await collect(c);
    });
  } catch (err) {
    throw unsealError(err, info, opts);
  }
  const index = parseIndex(plain, archiveKey);
  const ctx = info.encryptionContext ?? {};
  if (
    String(index.parameterCount) !== ctx['parameter-count'] ||
    index.createdAt !== ctx['created-at'] ||
    index.environment !== ctx.environment ||
    index.region !== ctx.region
  )
    throw new Error(`index ${indexKey(archiveKey)} disagrees with its authenticated encryption context`);
  return { ...index, sealed: true };
}

/**
 * Writes the index next to the archive (SSE AES256, same metadata as the archive), never over an existing object
 * (If-None-Match: *). With `sealer` (a format 2 archive) the index is encrypted under the archive's keys.
 */
export async function putIndex(s3: S3Client, bucket: string, index: NameIndex, sealer?: IndexSealer): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: indexKey(index.archive),
      Body: sealer ? await sealIndex(index, sealer) : await gzipIndex(index),
      ServerSideEncryption: 'AES256',
      ContentType: sealer ? 'application/octet-stream' : 'application/gzip',
      Metadata: factsToMetadata(index),
      IfNoneMatch: '*',
    }),
  );
}

/**
 * Reads and checks an archive's index. Resolves undefined when there is none (NoSuchKey: archive made by an older
 * version); throws on other S3 errors, and an Error saying what is wrong when the index is damaged or names another
 * archive. An encrypted index (format 2) is opened with `opener`; without one it is an Error.
 */
export async function getIndex(s3: S3Client, bucket: string, archiveKey: string, opener?: IndexOpener): Promise<NameIndex | undefined> {
  let body: Uint8Array;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: indexKey(archiveKey) }));
    body = await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  } catch (err) {
    if (awsErrorCode(err) === 'NoSuchKey') return undefined;
    throw err;
  }
  const bytes = Buffer.from(body);
  if (!isSealedIndex(bytes)) return parseIndex(bytes, archiveKey);
  if (!opener) throw new Error(`index ${indexKey(archiveKey)} is encrypted and this command has no key access`);
  return openIndex(bytes, archiveKey, opener);
}
