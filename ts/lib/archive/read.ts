import { createGunzip } from 'node:zlib';
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { once } from 'node:events';
import { FORMAT_VERSION, type Manifest, TOOL_NAME } from './format1.js';
import { streamDocument, DocumentError, type DocumentHeader } from './document.js';
import { EngineError } from '../support/index.js';
import { archiveKeyStamp } from '../../contract/index.js';
import { PART_PREFIX, partName, checkSealedManifest, checkSealedClaims, sealedMembersProblem, type ArchiveOpener, type SealedManifest } from './format2.js';
import { unsealStream, unsealError, type UnsealInfo, type UnsealOptions } from './envelope.js';

/** Largest manifest.json read (ours is under 1 KB). */
export const MANIFEST_MAX_BYTES = 1024 * 1024;
/** Default limit on the decompressed archive (--max-archive-mb): 100,000 parameters of 4 KB make about 450 MB. */
export const DEFAULT_MAX_ARCHIVE_MB = 1024;

/**
 * Why an archive is not read. `damaged`: broken gzip/tar/JSON, checksum or count mismatch (exit 1);
 * `refused`: readable but ambiguous, over a limit, or not what was asked (exit 2). Messages never hold values.
 */
export class ArchiveError extends Error {
  constructor(
    readonly kind: 'damaged' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveError';
  }
}

export interface ReadOptions {
  /** Limit on decompressed bytes (tar stream, or a plain backup.json). */
  maxBytes: number;
  /** Each element of backup.json's `parameters`, in order; awaited. Nothing may be written before the read ends. */
  onParameter: (value: unknown, index: number) => void | Promise<void>;
  /** Decrypts a format 2 (client-side encrypted) payload: KMS clients, our account, the identity asked for, the key. */
  opener?: ArchiveOpener & { key: string };
}

/** What a complete read proved. `verified`: manifest.json present and backup.json matched it. */
export interface ArchiveRead {
  format: 'v1' | 'v2' | 'legacy';
  verified: boolean;
  manifest?: Manifest | SealedManifest;
  header: DocumentHeader;
  parameterCount: number;
  /** Path of backup.json inside the tar ('' for a plain backup.json). */
  documentPath: string;
  sha256: string;
  bytes: number;
  checks: string[];
}

const mb = (n: number) => `${Math.round(n / 1048576)} MB`;

/** Counts bytes through it and fails once more than `max` went by. */
function byteLimit(max: number, what: string): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) {
      t.bytes += chunk.length;
      if (t.bytes > max)
        cb(
          new ArchiveError(
            'refused',
            `${what} more than ${mb(max)}: refused as a possible decompression bomb (raise --max-archive-mb if the archive is genuine)`,
          ),
        );
      else cb(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/** Splits off the first chunk to tell gzip from plain JSON, and gives back a stream of everything. */
async function peek(body: Readable): Promise<{ gzip: boolean; stream: Readable }> {
  const it = body[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : (first.value as Buffer);
  async function* all() {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
  }
  return { gzip: head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b, stream: Readable.from(all(), { objectMode: false }) };
}

/**
 * Reads an archive stream once, with bounded memory: a tar.gz holding exactly one backup.json (at the top, or in one
 * folder as `tar -C dir .` makes it) and at most one manifest.json, or a plain backup.json (the old job's). Regular
 * files and directories only. backup.json is hashed and parsed as it streams; each parameter goes to `onParameter`.
 * manifest.json (format version, sha256, bytes, parameterCount) is checked at the end. Throws ArchiveError.
 */
export async function readArchive(body: Readable, opts: ReadOptions): Promise<ArchiveRead> {
  const { gzip, stream } = await peek(body);
  if (!gzip) {
    const doc = await readDocument(stream.pipe(byteLimit(opts.maxBytes, 'backup.json is')), opts);
    return legacy(doc, '');
  }
  const extract = tar.extract();
  const unpacking = pipeline(stream, createGunzip(), byteLimit(opts.maxBytes, 'The archive decompresses to'), extract);
  unpacking.catch(() => undefined);
  let doc: Awaited<ReturnType<typeof readDocument>> | undefined;
  let documentPath = '';
  let manifestPath = '';
  let manifestText: string | undefined;
  let sealed: Sealed | undefined;
  const found: string[] = [];
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
      const kind = classify(name, entry.header.type);
      found.push(name || '.');
      if (kind === 'backup') {
        if (doc) throw new ArchiveError('refused', `holds backup.json twice (${documentPath}, ${name}): ambiguous`);
        if ((entry.header.size ?? 0) > opts.maxBytes)
          throw new ArchiveError('refused', `${name} is ${mb(entry.header.size ?? 0)}, over the limit of ${mb(opts.maxBytes)} (--max-archive-mb)`);
        documentPath = name;
        doc = await readDocument(entry as unknown as Readable, opts);
      } else if (kind === 'manifest') {
        if (manifestText !== undefined) throw new ArchiveError('refused', `holds manifest.json twice (${manifestPath}, ${name}): ambiguous`);
        if ((entry.header.size ?? 0) > MANIFEST_MAX_BYTES)
          throw new ArchiveError('refused', `${name} is ${entry.header.size} bytes, over ${MANIFEST_MAX_BYTES}`);
        manifestPath = name;
        manifestText = (await collect(entry as unknown as Readable)).toString('utf8');
      } else if (kind === 'sealed') {
        if (doc) checkSealedMembers(found, 1); // a plaintext backup.json came first: refused as altered
        sealed ??= await startSealed(opts);
        if (name !== partName(sealed.parts)) throw new ArchiveError('damaged', `has encrypted slice ${name} where ${partName(sealed.parts)} belongs`);
        sealed.parts += 1;
        await feedSealed(sealed, entry as unknown as Readable);
      } else entry.resume();
    }
    await unpacking;
    if (sealed) {
      sealed.input.end();
      doc = await sealed.done;
    }
  } catch (err) {
    stream.destroy();
    sealed?.input.destroy();
    if (err instanceof ArchiveError || err instanceof EngineError) throw err;
    throw new ArchiveError('damaged', `is damaged (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  if (!doc) throw new ArchiveError('damaged', `holds no backup.json (found: ${found.join(', ') || 'nothing'})`);
  if (sealed) {
    checkSealedMembers(found, sealed.parts);
    return checkSealed(doc, sealed, manifestText, opts.opener?.key);
  }
  if (manifestText === undefined) return legacy(doc, documentPath);
  return checkManifest(doc, documentPath, parseManifest(manifestText));
}

/** Throws the problem sealedMembersProblem (format2.ts) finds: anything but the slices then manifest.json. */
function checkSealedMembers(found: string[], parts: number): void {
  const problem = sealedMembersProblem(found, parts);
  if (problem) throw new ArchiveError('damaged', problem);
}

function classify(name: string, type: string | null | undefined): 'backup' | 'manifest' | 'sealed' | 'other' {
  if (name.split('/').includes('..') || name.startsWith('/'))
    throw new ArchiveError('refused', `holds an entry outside the archive (${JSON.stringify(name.slice(0, 200))})`);
  if (type === 'directory') return 'other';
  if (type !== 'file' && type !== 'contiguous-file')
    throw new ArchiveError('refused', `holds a ${type} entry (${JSON.stringify(name.slice(0, 200))}): only regular files are read`);
  if (name.startsWith(PART_PREFIX)) return 'sealed';
  const parts = name.split('/');
  if (parts.length > 2) return 'other';
  if (parts[parts.length - 1] === 'backup.json') return 'backup';
  return parts[parts.length - 1] === 'manifest.json' ? 'manifest' : 'other';
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function readDocument(source: Readable, opts: ReadOptions) {
  const hash = createHash('sha256');
  let bytes = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  source.on('error', (err) => hashing.destroy(err));
  try {
    const result = await streamDocument(source.pipe(hashing), opts.onParameter);
    return { ...result, sha256: hash.digest('hex'), bytes };
  } catch (err) {
    if (err instanceof DocumentError) throw new ArchiveError(/valid JSON/.test(err.message) ? 'damaged' : 'refused', `backup.json ${err.message}`);
    throw err;
  }
}

type Doc = Awaited<ReturnType<typeof readDocument>>;

function documentChecks(doc: Doc): void {
  if (!doc.hasParameters) throw new ArchiveError('damaged', 'backup.json has no "parameters" array');
  const declared = doc.header.parameter_count;
  if (declared !== undefined && declared !== doc.count)
    throw new ArchiveError('damaged', `backup.json says parameter_count ${String(declared)} but holds ${doc.count}`);
}

function legacy(doc: Doc, documentPath: string): ArchiveRead {
  documentChecks(doc);
  return {
    format: 'legacy',
    verified: false,
    header: doc.header,
    parameterCount: doc.count,
    documentPath,
    sha256: doc.sha256,
    bytes: doc.bytes,
    checks: [`legacy backup.json${documentPath && documentPath !== 'backup.json' ? ` (${documentPath})` : ''} without manifest: unverified (no checksum)`],
  };
}

function parseManifest(textValue: string): Manifest {
  try {
    const m = JSON.parse(textValue) as Manifest;
    if (m && typeof m === 'object') return m;
  } catch {
    // reported below, by name only
  }
  throw new ArchiveError('damaged', 'manifest.json is not a valid JSON object');
}

function checkManifest(doc: Doc, documentPath: string, manifest: Manifest): ArchiveRead {
  if (manifest.formatVersion !== FORMAT_VERSION)
    throw new ArchiveError('damaged', `has format version ${String(manifest.formatVersion)}; this tool reads versions ${FORMAT_VERSION} and 2`);
  documentChecks(doc);
  if (doc.sha256 !== manifest.backupJson?.sha256)
    throw new ArchiveError('damaged', `sha256 of backup.json is ${doc.sha256} but manifest.json says ${String(manifest.backupJson?.sha256)}`);
  if (doc.bytes !== manifest.backupJson.bytes)
    throw new ArchiveError('damaged', `backup.json has ${doc.bytes} bytes but manifest.json says ${manifest.backupJson.bytes}`);
  if (doc.count !== manifest.parameterCount)
    throw new ArchiveError('damaged', `backup.json holds ${doc.count} parameters but manifest.json says ${manifest.parameterCount}`);
  return {
    format: 'v1',
    verified: true,
    manifest,
    header: doc.header,
    parameterCount: doc.count,
    documentPath,
    sha256: doc.sha256,
    bytes: doc.bytes,
    checks: [`format version ${FORMAT_VERSION}`, `sha256 ${doc.sha256}`, `${doc.bytes} bytes`, `${doc.count} parameters`],
  };
}

/** A format 2 payload being decrypted while its slices stream in: ciphertext hashed, plaintext parsed. */
interface Sealed {
  input: PassThrough;
  parts: number;
  bytes: number;
  hash: ReturnType<typeof createHash>;
  info: UnsealInfo;
  done: Promise<Doc>;
}

/**
 * Starts decrypting: slices -> AWS Encryption SDK message (context checked against the identity before any KMS call;
 * envelope.ts) -> gunzip -> size limit -> the same streaming JSON reader as format 1. The plaintext is used only
 * for digests and a spool until the message's signature is checked at its end: nothing is written before.
 */
async function startSealed(opts: ReadOptions): Promise<Sealed> {
  if (!opts.opener) throw new ArchiveError('refused', 'is encrypted (format 2) and this command has no key access');
  const { accountId, key, ...rest } = opts.opener;
  const unsealOpts: UnsealOptions = { ...rest, key, accountId: await accountId(), tool: TOOL_NAME };
  const input = new PassThrough();
  const { stream, info } = unsealStream(unsealOpts);
  const plain = new PassThrough();
  const decrypting = pipeline(input, stream, createGunzip(), byteLimit(opts.maxBytes, 'The encrypted backup.json decompresses to'), plain);
  const done = Promise.all([decrypting, readDocument(plain, opts)])
    .then(([, d]) => d)
    .catch((err) => {
      plain.destroy();
      throw err instanceof ArchiveError ? err : unsealError(err, info, unsealOpts);
    });
  done.catch(() => undefined);
  return { input, parts: 0, bytes: 0, hash: createHash('sha256'), info, done };
}

/** Feeds one slice into the decryption, with backpressure; a failed decryption ends the wait. */
async function feedSealed(sealed: Sealed, entry: Readable): Promise<void> {
  for await (const chunk of entry) {
    sealed.hash.update(chunk as Buffer);
    sealed.bytes += (chunk as Buffer).length;
    if (!sealed.input.write(chunk)) await Promise.race([once(sealed.input, 'drain'), sealed.done]);
  }
}

/**
 * The object key's time (`..._{YYYYMMDD_HHMMSS}.tar.gz`, store/layout.ts) must be the one sealed in backup.json
 * (`backup_timestamp`, written from the same clock reading as the key): `--as-of` and `list` choose by the key's time,
 * so a renamed copy of an older archive would otherwise pass for a newer one. Returns the problem, or undefined.
 */
function keyTimeProblem(key: string | undefined, header: Record<string, unknown>): string | undefined {
  const named = key === undefined ? undefined : archiveKeyStamp(key);
  const sealed = header.backup_timestamp;
  if (named === undefined || typeof sealed !== 'string' || named === sealed) return undefined;
  return `is named for ${named} but its encrypted backup.json was made at ${sealed}: a renamed copy of another archive (it was altered)`;
}

function checkSealed(doc: Doc, sealed: Sealed, manifestText: string | undefined, key?: string): ArchiveRead {
  if (manifestText === undefined) throw new ArchiveError('damaged', 'holds an encrypted payload but no manifest.json');
  const renamed = keyTimeProblem(key, doc.header);
  if (renamed) throw new ArchiveError('damaged', renamed);
  const manifest = parseManifest(manifestText) as unknown as SealedManifest;
  const sha = sealed.hash.digest('hex');
  const problem =
    checkSealedManifest(manifest, { parts: sealed.parts, bytes: sealed.bytes, sha256: sha, context: sealed.info.encryptionContext ?? {} }) ??
    checkSealedClaims(manifest, doc.header, sealed.info.wrappingKeys);
  if (problem) throw new ArchiveError('damaged', problem);
  documentChecks(doc);
  if (doc.count !== manifest.parameterCount)
    throw new ArchiveError('damaged', `the encrypted backup.json holds ${doc.count} parameters but manifest.json says ${manifest.parameterCount}`);
  const dr = sealed.info.decryptedWith && sealed.info.decryptedWith !== sealed.info.wrappingKeys[0];
  return {
    format: 'v2',
    verified: true,
    manifest,
    header: doc.header,
    parameterCount: doc.count,
    documentPath: 'backup.json (encrypted)',
    sha256: sha,
    bytes: sealed.bytes,
    checks: [
      `format version ${manifest.formatVersion}`,
      `sha256 ${sha} (ciphertext)`,
      `${sealed.bytes} bytes`,
      `encryption context ${manifest.environment}/${manifest.region}`,
      `decrypted with ${sealed.info.decryptedWith}${dr ? ' (disaster-recovery key)' : ''}`,
      `${doc.count} parameters`,
    ],
  };
}

/** Reads every regular file of a small tar.gz into memory (tests and the demo look inside archives with it). */
export async function readTarGz(input: Readable | Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const source = Buffer.isBuffer(input) ? Readable.from([input]) : input;
  const unpacking = pipeline(source, createGunzip(), extract);
  for await (const entry of extract) {
    const body = await collect(entry as unknown as Readable);
    if (entry.header.type === 'file') files.set(entry.header.name, body);
  }
  await unpacking;
  return files;
}
