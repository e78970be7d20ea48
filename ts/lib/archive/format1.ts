import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-stream';
import type { BackupParameter } from './parameter.js';
import { EncryptedSpool } from './spool.js';

export const FORMAT_VERSION = 1;
export const TOOL_NAME = 'ssm-multi-region-backup';

export interface BackupHeader {
  backup_date: string;
  backup_timestamp: string;
  environment: string;
  region: string;
  /** The account backed up (STS), null when unknown. Inside the encrypted payload of format 2, so authenticated there. */
  account_id?: string | null;
  /** The selection the archive was made with (--path, --name-contains): prune's scope and the guard read it from here. */
  selection_path?: string;
  selection_name_contains?: string | null;
}

export interface Manifest {
  formatVersion: number;
  tool: { name: string; version: string };
  environment: string;
  region: string;
  accountId: string | null;
  createdAt: string;
  parameterCount: number;
  backupJson: { sha256: string; bytes: number };
}

/** `20261128_130000` and `2026-11-28` in UTC, as the old job named its files and folders. */
export function timestamps(now: Date): { stamp: string; day: string } {
  const iso = now.toISOString();
  return { stamp: `${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}`, day: iso.slice(0, 10) };
}

/**
 * Streams parameters (in order) into the `parameters` array body, one per line, in an encrypted spool
 * file (see EncryptedSpool: never plaintext on disk) inside a private directory. Holds one batch and one
 * 64 KiB record in memory at a time.
 */
export class ParameterSpool {
  private readonly spool: EncryptedSpool;
  count = 0;

  constructor(readonly file: string) {
    this.spool = new EncryptedSpool(file);
  }

  async write(params: BackupParameter[]): Promise<void> {
    let chunk = '';
    for (const p of params) {
      chunk += (this.count === 0 ? '\n' : ',\n') + JSON.stringify(p);
      this.count += 1;
    }
    await this.spool.write(chunk);
  }

  /** Closes the spool; returns the plaintext byte count (the size of the array body). */
  async close(): Promise<number> {
    if (this.count > 0) await this.spool.write('\n');
    return this.spool.close();
  }

  /** The array body, decrypted record by record (EngineError 'integrity' if the file was tampered with). */
  read(): AsyncIterable<Buffer> {
    return this.spool.read();
  }
}

/** The document's bytes around the spooled parameters: `{...header, parameter_count, "parameters":[` and `]}`. */
export function documentParts(header: BackupHeader, count: number): { head: Buffer; tail: Buffer } {
  const h = JSON.stringify({ ...header, parameter_count: count });
  return { head: Buffer.from(`${h.slice(0, -1)},"parameters":[`), tail: Buffer.from(']}\n') };
}

/**
 * sha256 and size of the `backup.json` that {@link archiveStream} will write, computed from the spool before the
 * upload starts (the archive's object metadata is sent with the first request, so it must be known first).
 */
export async function backupJsonDigest(
  spool: { read(): AsyncIterable<Buffer>; count: number },
  header: BackupHeader,
): Promise<{ sha256: string; bytes: number }> {
  const { head, tail } = documentParts(header, spool.count);
  const hash = createHash('sha256').update(head);
  let bytes = head.length + tail.length;
  for await (const buf of spool.read()) {
    hash.update(buf as Buffer);
    bytes += (buf as Buffer).length;
  }
  return { sha256: hash.update(tail).digest('hex'), bytes };
}

/**
 * Builds the tar.gz stream: `backup.json` (header + spooled parameters, hashed on the way) then
 * `manifest.json` with that hash.
 */
export function archiveStream(
  spool: { read(): AsyncIterable<Buffer>; count: number; bytes: number },
  header: BackupHeader,
  manifestBase: Omit<Manifest, 'parameterCount' | 'backupJson'>,
): Readable {
  const pack = tar.pack();
  const gzip = createGzip({ level: 6 });
  const output = new PassThrough();
  pack.pipe(gzip).pipe(output);
  const fail = (err: unknown) => output.destroy(err as Error);
  pack.on('error', fail);
  gzip.on('error', fail);

  (async () => {
    const { head, tail } = documentParts(header, spool.count);
    const size = head.length + spool.bytes + tail.length;
    const hash = createHash('sha256');
    const mtime = new Date(manifestBase.createdAt);
    const entry = pack.entry({ name: 'backup.json', size, mode: 0o600, mtime });
    const put = async (buf: Buffer) => {
      hash.update(buf);
      if (!entry.write(buf)) await once(entry, 'drain');
    };
    await put(head);
    for await (const buf of spool.read()) await put(buf);
    await put(tail);
    entry.end(Buffer.alloc(0));
    const manifest: Manifest = { ...manifestBase, parameterCount: spool.count, backupJson: { sha256: hash.digest('hex'), bytes: size } };
    pack.entry({ name: 'manifest.json', mode: 0o644, mtime }, JSON.stringify(manifest, null, 2) + '\n');
    pack.finalize();
  })().catch(fail);
  return output;
}
