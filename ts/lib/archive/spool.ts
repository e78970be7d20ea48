import { createCipheriv, createDecipheriv, generateKeySync, type KeyObject } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { EngineError, localErrorText } from '../support/index.js';
import path from 'node:path';

/** Plaintext bytes per record (the last record may be shorter, or empty). */
export const RECORD_BYTES = 64 * 1024;
const HEADER_BYTES = 5; // 1 byte flags + 4 bytes ciphertext length (big-endian)
const TAG_BYTES = 16;
const FINAL = 1;

/**
 * An append-only spool file that never holds plaintext: every record is sealed with AES-256-GCM under a
 * random key that exists only in this process's memory (a node:crypto KeyObject, outside the JS heap), so
 * whatever ends the process (SIGKILL, OOM killer, power loss) leaves only ciphertext nobody can read.
 *
 * File layout, one record after another (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár,
 * "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", CRYPTO 2015, as used by age and Tink):
 *   [flags: 1 byte, 1 = final record][n: uint32 BE][ciphertext: n bytes][GCM tag: 16 bytes]
 * The 12-byte nonce is 4 zero bytes + the record's index as uint64 BE (unique: one key per spool); the 5 header
 * bytes are the additional authenticated data. The reader therefore detects a changed byte, a reordered or
 * dropped record (wrong nonce), a missing end (no final record) and anything appended after it.
 * Memory: one record of plaintext in each direction.
 */
export class EncryptedSpool {
  private readonly key: KeyObject = generateKeySync('aes', { length: 256 });
  private readonly out: WriteStream;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0n;
  private closed = false;
  private failure?: Error;
  /** Plaintext bytes written so far. */
  bytes = 0;

  /** Creates `file` (0600, must not exist). */
  constructor(readonly file: string) {
    this.out = createWriteStream(file, { mode: 0o600, flags: 'wx' });
    this.out.on('error', (err) => {
      this.failure = this.localFailure(err);
    }); // ENOSPC, EACCES: thrown by the next write or close
  }

  /**
   * A file system error of the spool as what it is (a full TMPDIR is ENOSPC, not the AWS call that was running):
   * EngineError('region') naming the directory and the fix.
   */
  private localFailure(err: Error): Error {
    const text = localErrorText(err);
    if (!text) return err;
    return new EngineError(
      'region',
      `Cannot write the private spool in ${path.dirname(this.file)}: ${text}; free space there or point TMPDIR at a disk with room for the region's parameters`,
      { cause: err },
    );
  }

  /** Appends plaintext; resolves once the stream accepts more (backpressure). */
  async write(data: Buffer | string): Promise<void> {
    if (this.closed) throw new Error('spool already closed');
    if (this.failure) throw this.failure;
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.bytes += buf.length;
    if (this.pendingBytes < RECORD_BYTES) return;
    let all = Buffer.concat(this.pending);
    while (all.length >= RECORD_BYTES) {
      this.seal(all.subarray(0, RECORD_BYTES), false);
      all = all.subarray(RECORD_BYTES);
    }
    this.pending = all.length ? [Buffer.from(all)] : [];
    this.pendingBytes = all.length;
    if (this.out.writableNeedDrain) await once(this.out, 'drain').catch((err: Error) => Promise.reject(this.failure ?? this.localFailure(err)));
  }

  /** Seals the rest as the final record and closes the file. Returns the plaintext byte count. */
  async close(): Promise<number> {
    if (this.closed) return this.bytes;
    if (this.failure) throw this.failure;
    this.seal(Buffer.concat(this.pending), true);
    this.pending = [];
    this.closed = true;
    this.out.end();
    if (!this.out.writableFinished) await once(this.out, 'finish').catch((err: Error) => Promise.reject(this.failure ?? this.localFailure(err)));
    if (this.failure) throw this.failure;
    return this.bytes;
  }

  /**
   * Decrypts the closed spool in order, one record at a time.
   * @throws EngineError('integrity') when the file was changed, truncated, reordered or extended.
   */
  async *read(): AsyncGenerator<Buffer> {
    if (!this.closed) throw new Error('spool not closed');
    const fh = await open(this.file, 'r');
    try {
      yield* readRecords(fh, this.key, this.file);
    } finally {
      await fh.close();
    }
  }

  private seal(plain: Buffer, final: boolean): void {
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt8(final ? FINAL : 0, 0);
    header.writeUInt32BE(plain.length, 1);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(this.index), { authTagLength: TAG_BYTES });
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    this.out.write(Buffer.concat([header, body, cipher.getAuthTag()]));
    this.index += 1n;
  }
}

type FileHandle = Awaited<ReturnType<typeof open>>;

async function* readRecords(fh: FileHandle, key: KeyObject, file: string): AsyncGenerator<Buffer> {
  const corrupt = (what: string, cause?: unknown) => new EngineError('integrity', `Spool file ${file} ${what}; the backup is not uploaded`, { cause });
  const header = Buffer.alloc(HEADER_BYTES);
  let position = 0;
  for (let index = 0n; ; index += 1n) {
    const h = await fh.read(header, 0, HEADER_BYTES, position);
    if (h.bytesRead < HEADER_BYTES) throw corrupt('ends before its final record (truncated)');
    const flags = header.readUInt8(0);
    const n = header.readUInt32BE(1);
    if ((flags & ~FINAL) !== 0 || n > RECORD_BYTES) throw corrupt(`has a malformed record header at byte ${position}`);
    const record = Buffer.alloc(n + TAG_BYTES);
    const r = await fh.read(record, 0, record.length, position + HEADER_BYTES);
    if (r.bytesRead < record.length) throw corrupt('ends inside a record (truncated)');
    position += HEADER_BYTES + record.length;
    const decipher = createDecipheriv('aes-256-gcm', key, nonce(index), { authTagLength: TAG_BYTES });
    decipher.setAAD(header);
    decipher.setAuthTag(record.subarray(n));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(record.subarray(0, n)), decipher.final()]);
    } catch (err) {
      throw corrupt(`fails authentication at record ${index} (changed or reordered)`, err);
    }
    if (plain.length > 0) yield plain;
    if (flags === FINAL) {
      const rest = await fh.read(Buffer.alloc(1), 0, 1, position);
      if (rest.bytesRead > 0) throw corrupt('has data after its final record');
      return;
    }
  }
}

function nonce(index: bigint): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(index, 4);
  return iv;
}
