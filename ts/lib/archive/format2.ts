/**
 * Archive format 2: the format 1 document (backup.json), gzipped, then encrypted client-side (envelope.ts).
 *
 * The object is still a `.tar.gz` (gzip level 0: the payload is ciphertext and does not compress), holding in order
 *   backup.json.gz.enc.000000 ... .NNNNNN   consecutive slices (<= 4 MiB + one read chunk) of ONE AWS Encryption SDK
 *                                          message whose plaintext is gzip(backup.json); concatenate them to decrypt
 *   manifest.json                          plaintext: identity, counts, and the ciphertext's sha256 and size
 * Slices because a tar entry needs its size up front and the message size is known only at its end; the writer
 * holds one slice in memory. Parameter names, values and every other field exist only inside the message.
 */
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { documentParts, TOOL_NAME, type BackupHeader, type Manifest } from './format1.js';
import {
  ALGORITHM_SUITE,
  FRAME_LENGTH,
  SEALED_FORMAT_VERSION,
  encryptionContext,
  sealStream,
  sealError,
  type SealOptions,
  type UnsealOptions,
} from './envelope.js';

export const PART_PREFIX = 'backup.json.gz.enc.';
const PART_BYTES = 4 * 1024 * 1024;

/** manifest.json of a format 2 archive. Everything here is readable without the key. */
export interface SealedManifest extends Omit<Manifest, 'formatVersion' | 'backupJson'> {
  formatVersion: typeof SEALED_FORMAT_VERSION;
  /** The encrypted payload: its slices, total size and sha256 (of the ciphertext). */
  payload: { content: 'backup.json'; compression: 'gzip'; parts: number; bytes: number; sha256: string };
  encryption: {
    format: 'aws-encryption-sdk';
    algorithmSuite: string;
    frameLength: number;
    /** Key ARNs the data key is wrapped under, in message order: the region key first, then the DR keys. */
    wrappingKeys: string[];
    encryptionContext: Record<string, string>;
  };
}

export const partName = (i: number): string => `${PART_PREFIX}${String(i).padStart(6, '0')}`;

/**
 * Builds the format 2 tar.gz stream from the spooled parameters. `keys` are the region key and DR keys; KMS
 * failures reject the stream (nothing is uploaded: the caller's upload fails and latest.txt stays).
 */
export function sealedArchiveStream(
  spool: { read(): AsyncIterable<Buffer>; count: number; bytes: number },
  header: BackupHeader,
  manifestBase: Omit<Manifest, 'parameterCount' | 'backupJson' | 'formatVersion'>,
  keys: Omit<SealOptions, 'identity'>,
): Readable {
  const pack = tar.pack();
  const gzip = createGzip({ level: 0, chunkSize: 1024 * 1024 });
  const output = new PassThrough();
  pack.pipe(gzip).pipe(output);
  const fail = (err: unknown) => output.destroy(err as Error);
  pack.on('error', fail);
  gzip.on('error', fail);
  const identity = {
    tool: TOOL_NAME,
    environment: manifestBase.environment,
    region: manifestBase.region,
    createdAt: manifestBase.createdAt,
    parameterCount: spool.count,
  };
  const { stream: seal, info } = sealStream({ ...keys, identity });
  const mtime = new Date(manifestBase.createdAt);

  async function* document(): AsyncGenerator<Buffer> {
    const { head, tail } = documentParts(header, spool.count);
    yield head;
    for await (const buf of spool.read()) yield buf;
    yield tail;
  }

  (async () => {
    const hash = createHash('sha256');
    let bytes = 0;
    let parts = 0;
    let held: Buffer[] = [];
    let heldBytes = 0;
    const flush = async () => {
      // One write per slice: the SDK emits small pieces (frame header, body, tag) and each write costs a zlib call.
      const entry = pack.entry({ name: partName(parts), size: heldBytes, mode: 0o600, mtime });
      if (!entry.write(Buffer.concat(held, heldBytes))) await once(entry, 'drain');
      entry.end(Buffer.alloc(0));
      parts += 1;
      held = [];
      heldBytes = 0;
    };
    await pipeline(Readable.from(document()), createGzip({ level: 6 }), seal, async (ciphertext: AsyncIterable<Buffer>) => {
      for await (const c of ciphertext) {
        hash.update(c);
        bytes += c.length;
        held.push(c);
        heldBytes += c.length;
        if (heldBytes >= PART_BYTES) await flush();
      }
    });
    if (heldBytes > 0 || parts === 0) await flush();
    const manifest: SealedManifest = {
      ...manifestBase,
      formatVersion: SEALED_FORMAT_VERSION,
      parameterCount: spool.count,
      payload: { content: 'backup.json', compression: 'gzip', parts, bytes, sha256: hash.digest('hex') },
      encryption: {
        format: 'aws-encryption-sdk',
        algorithmSuite: ALGORITHM_SUITE,
        frameLength: FRAME_LENGTH,
        wrappingKeys: info.wrappingKeys,
        encryptionContext: encryptionContext(identity),
      },
    };
    pack.entry({ name: 'manifest.json', mode: 0o644, mtime }, JSON.stringify(manifest, null, 2) + '\n');
    pack.finalize();
  })().catch((err) => fail(sealError(info, manifestBase.region, err) ?? err));
  return output;
}

/** What the reader needs to decrypt: KMS clients, our account, the requested identity. */
export type ArchiveOpener = Omit<UnsealOptions, 'key' | 'tool' | 'accountId'> & { accountId: () => Promise<string> };

/**
 * Checks a format 2 manifest against what reading found: the slices, the ciphertext's size and sha256, and the
 * authenticated encryption context (which the manifest must agree with). Returns the problem, or undefined.
 */
export function checkSealedManifest(
  manifest: SealedManifest,
  found: { parts: number; bytes: number; sha256: string; context: Record<string, string> },
): string | undefined {
  if (manifest.formatVersion !== SEALED_FORMAT_VERSION || !manifest.payload || !manifest.encryption)
    return `manifest.json does not describe a format ${SEALED_FORMAT_VERSION} payload`;
  if (found.parts !== manifest.payload.parts) return `has ${found.parts} encrypted slices but manifest.json says ${manifest.payload.parts}`;
  if (found.sha256 !== manifest.payload.sha256 || found.bytes !== manifest.payload.bytes) {
    return `encrypted payload has sha256 ${found.sha256} (${found.bytes} bytes) but manifest.json says ${manifest.payload.sha256} (${manifest.payload.bytes} bytes)`;
  }
  const claimed = encryptionContext({
    tool: manifest.tool?.name,
    environment: manifest.environment,
    region: manifest.region,
    createdAt: manifest.createdAt,
    parameterCount: manifest.parameterCount,
  });
  const differs = Object.keys(claimed).filter((k) => claimed[k] !== found.context[k]);
  return differs.length ? `manifest.json disagrees with the authenticated encryption context on ${differs.join(', ')}` : undefined;
}

/**
 * Checks the manifest's remaining claims against what only the key holder could have written: the header of the
 * encrypted backup.json (environment, region, creation time, and `account_id` in archives made since it is recorded
 * there) and the wrapping key ARNs of the message header (authenticated by the message's signature). Returns the
 * problem, or undefined.
 */
export function checkSealedClaims(manifest: SealedManifest, header: Record<string, unknown>, wrappingKeys: string[]): string | undefined {
  const claims: [string, unknown, unknown][] = [
    ['environment', manifest.environment, header.environment],
    ['region', manifest.region, header.region],
    ['createdAt', manifest.createdAt, header.backup_date],
    ['encryption.wrappingKeys', JSON.stringify(manifest.encryption.wrappingKeys), JSON.stringify(wrappingKeys)],
  ];
  if (header.account_id !== undefined) claims.push(['accountId', manifest.accountId, header.account_id]);
  const differs = claims.filter(([, claimed, sealed]) => claimed !== sealed).map(([name]) => name);
  return differs.length ? `manifest.json disagrees with the encrypted backup.json or the signed message header on ${differs.join(', ')}` : undefined;
}

/**
 * A format 2 archive holds its encrypted slices, in order, then manifest.json, and nothing else: any other member
 * (a plaintext backup.json before, between or after the slices, one in a folder beside the manifest, a directory, a
 * second manifest) is unauthenticated and refuses the whole archive as altered, whatever the order. `found`: member
 * names in tar order. Returns the problem, or undefined.
 */
export function sealedMembersProblem(found: string[], parts: number): string | undefined {
  const expected = [...Array(parts).keys()].map(partName).concat('manifest.json');
  if (found.length === expected.length && found.every((n, i) => n === expected[i])) return undefined;
  const extra = found.filter((n) => !expected.includes(n));
  const shown = (extra.length ? extra : found).slice(0, 5).map((n) => JSON.stringify(n.slice(0, 100)));
  return `is a format 2 (encrypted) archive but its members are not exactly its encrypted slices then manifest.json (${extra.length ? 'unauthenticated' : 'out of order'}: ${shown.join(', ')}): it was altered`;
}
