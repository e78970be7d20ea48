import { expect } from 'chai';
import { chownSync, mkdtempSync, readFileSync, writeFileSync, rmSync, statSync, mkdirSync, symlinkSync, readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import sinon from 'sinon';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EncryptedSpool, RECORD_BYTES } from '../../../ts/lib/archive/spool.js';
import { EngineError } from '../../../ts/lib/support/errors.js';
import { createLogger, type LogEvent } from '../../../ts/lib/support/log.js';
import { makePrivateDir, removePrivateDir, removeStaleSpoolDirs } from '../../../ts/lib/support/secure-temp.js';

const RECORD_ON_DISK = 5 + RECORD_BYTES + 16;

async function readAll(spool: EncryptedSpool): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of spool.read()) parts.push(b);
  return Buffer.concat(parts);
}

async function expectIntegrityError(spool: EncryptedSpool, pattern: RegExp): Promise<void> {
  try {
    await readAll(spool);
  } catch (err) {
    expect(err).to.be.instanceOf(EngineError);
    expect((err as EngineError).category).to.equal('integrity');
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail('reading the tampered spool succeeded');
}

describe('EncryptedSpool (AES-256-GCM records, key only in memory)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spool-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `plain` in uneven pieces and closes the spool. */
  async function spoolOf(plain: Buffer): Promise<EncryptedSpool> {
    const spool = new EncryptedSpool(path.join(dir, 'p.spool'));
    for (let i = 0, step = 1; i < plain.length; i += step, step = ((step * 7 + 13) % 90001) + 1) await spool.write(plain.subarray(i, i + step));
    expect(await spool.close()).to.equal(plain.length);
    return spool;
  }

  for (const size of [0, 1, RECORD_BYTES - 1, RECORD_BYTES, 3 * RECORD_BYTES, 5 * RECORD_BYTES + 12345]) {
    it(`round-trips ${size} bytes written in uneven pieces`, async () => {
      const plain = randomBytes(size);
      const spool = await spoolOf(plain);
      expect((await readAll(spool)).equals(plain)).to.equal(true);
    });
  }

  it('never writes the plaintext to disk (a value and each line of a multi-line value are absent), file mode 0600', async () => {
    const lines = ['-----BEGIN PRIVATE KEY-----', randomBytes(40).toString('base64'), randomBytes(40).toString('base64'), '-----END PRIVATE KEY-----'];
    const text = `{"Name":"/a","Value":"S3cr3t-VALUE-one"}\n${lines.join('\n')}\n`.repeat(5000);
    const spool = await spoolOf(Buffer.from(text));
    const disk = readFileSync(spool.file);
    expect(disk.length).to.be.greaterThan(text.length);
    expect(disk.includes('S3cr3t-VALUE-one')).to.equal(false);
    for (const line of lines) expect(disk.includes(line), line).to.equal(false);
    expect(statSync(spool.file).mode & 0o777).to.equal(0o600);
    expect((await readAll(spool)).toString()).to.equal(text);
  });

  it('a full disk (ENOSPC from write) is a region error naming the directory and ENOSPC, thrown by the next write or close', async () => {
    const enospc = (...args: unknown[]) => {
      const cb = args[args.length - 1] as (err: Error) => void;
      process.nextTick(cb, Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' }));
    };
    const stubs = [sinon.stub(fs, 'write').callsFake(enospc), sinon.stub(fs, 'writev').callsFake(enospc)];
    try {
      const spool = new EncryptedSpool(path.join(dir, 'full.spool'));
      let err: unknown;
      try {
        for (let i = 0; i < 8; i += 1) await spool.write(randomBytes(RECORD_BYTES));
        await spool.close();
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(EngineError);
      expect((err as EngineError).category).to.equal('region');
      expect((err as Error).message).to.equal(
        `Cannot write the private spool in ${dir}: ENOSPC (no space left on device, write); free space there or point TMPDIR at a disk with room for the region's parameters`,
      );
    } finally {
      for (const s of stubs) s.restore();
    }
  });

  it('another spool (another key) cannot read the file', async () => {
    const a = await spoolOf(randomBytes(1000));
    const b = new EncryptedSpool(path.join(dir, 'b.spool'));
    await b.close();
    writeFileSync(b.file, readFileSync(a.file));
    await expectIntegrityError(b, /fails authentication at record 0/);
  });

  describe('detects tampering', () => {
    let spool: EncryptedSpool;
    let disk: Buffer;
    beforeEach(async () => {
      spool = await spoolOf(randomBytes(3 * RECORD_BYTES + 100)); // records 0..2 full, record 3 final (100 bytes)
      disk = readFileSync(spool.file);
      expect(disk.length).to.equal(3 * RECORD_ON_DISK + 5 + 100 + 16);
    });
    const rewrite = (buf: Buffer) => writeFileSync(spool.file, buf);

    it('a flipped ciphertext bit', async () => {
      disk[RECORD_ON_DISK + 100] ^= 1;
      rewrite(disk);
      await expectIntegrityError(spool, /fails authentication at record 1/);
    });
    it('a flipped tag bit', async () => {
      disk[RECORD_ON_DISK - 1] ^= 0x80;
      rewrite(disk);
      await expectIntegrityError(spool, /fails authentication at record 0/);
    });
    it('two records swapped', async () => {
      rewrite(Buffer.concat([disk.subarray(RECORD_ON_DISK, 2 * RECORD_ON_DISK), disk.subarray(0, RECORD_ON_DISK), disk.subarray(2 * RECORD_ON_DISK)]));
      await expectIntegrityError(spool, /fails authentication at record 0/);
    });
    it('a record dropped', async () => {
      rewrite(Buffer.concat([disk.subarray(0, RECORD_ON_DISK), disk.subarray(2 * RECORD_ON_DISK)]));
      await expectIntegrityError(spool, /fails authentication at record 1/);
    });
    it('the final record cut off at a record boundary', async () => {
      rewrite(disk.subarray(0, 3 * RECORD_ON_DISK));
      await expectIntegrityError(spool, /ends before its final record/);
    });
    it('a record cut in the middle', async () => {
      rewrite(disk.subarray(0, disk.length - 7));
      await expectIntegrityError(spool, /ends inside a record/);
    });
    it('a non-final record marked final', async () => {
      disk[0] = 1;
      rewrite(disk);
      await expectIntegrityError(spool, /fails authentication at record 0/);
    });
    it('bytes appended after the final record', async () => {
      rewrite(Buffer.concat([disk, Buffer.from([0])]));
      await expectIntegrityError(spool, /data after its final record/);
    });
    it('a record length beyond the record size', async () => {
      disk.writeUInt32BE(RECORD_BYTES + 1, 1);
      rewrite(disk);
      await expectIntegrityError(spool, /malformed record header at byte 0/);
    });
  });
});

describe('removeStaleSpoolDirs', () => {
  let root: string;
  let savedTmp: string | undefined;
  let events: LogEvent[];
  const logger = () => createLogger((e) => events.push(e));

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'spool-stale-'));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = root;
    events = [];
  });
  afterEach(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    rmSync(root, { recursive: true, force: true });
  });

  /** The id of a process that has exited. */
  const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

  it('removes the directories of dead runs only, and logs one INFO line for each', () => {
    const dead = deadPid();
    const stale = path.join(root, `ssm-backup-${dead}-aB3xYz`);
    mkdirSync(path.join(stale), { mode: 0o700 });
    writeFileSync(path.join(stale, 'parameters.spool'), 'ciphertext');
    const running = path.join(root, `ssm-backup-${process.ppid}-Qw3rty`); // the parent process is alive
    mkdirSync(running);
    const mine = makePrivateDir();
    expect(path.basename(mine)).to.match(new RegExp(`^ssm-backup-${process.pid}-[A-Za-z0-9]{6}$`));
    const reusedPid = path.join(root, `ssm-backup-${process.pid}-Zz9Zz9`); // our pid, not ours: left by a dead run whose pid we got
    mkdirSync(reusedPid);
    const others = ['ssm-backup-test-work-abc123', `ssm-backup-${dead}`, `ssm-backup-${dead}-abc`, `other-${dead}-abcdef`, 'ssm-backup-demo-x1y2z3'];
    for (const o of others) mkdirSync(path.join(root, o));
    const outside = mkdtempSync(path.join(root, 'not-ours-'));
    symlinkSync(outside, path.join(root, `ssm-backup-${dead}-L1nk00`));
    writeFileSync(path.join(root, `ssm-backup-${dead}-F1le00`), 'a file, not a directory');
    // Another user's directory (only root can give one away; elsewhere this case is not exercised).
    if (process.getuid?.() === 0) {
      const foreign = `ssm-backup-${dead}-0ther0`;
      mkdirSync(path.join(root, foreign));
      chownSync(path.join(root, foreign), 4242, 4242);
      others.push(foreign);
    }

    removeStaleSpoolDirs(logger());

    expect(existsSync(stale)).to.equal(false);
    expect(existsSync(reusedPid)).to.equal(false);
    expect(existsSync(running)).to.equal(true);
    expect(existsSync(mine)).to.equal(true);
    expect(existsSync(outside)).to.equal(true);
    const kept = [...others, path.basename(outside), path.basename(running), path.basename(mine), `ssm-backup-${dead}-L1nk00`, `ssm-backup-${dead}-F1le00`];
    expect(readdirSync(root).sort()).to.deep.equal(kept.sort());
    expect(events.map((e) => `${e.level} ${e.message}`).sort()).to.deep.equal(
      [
        `info Removed ${reusedPid}, the encrypted spool of an earlier run (pid ${process.pid}) that no longer runs`,
        `info Removed ${stale}, the encrypted spool of an earlier run (pid ${dead}) that no longer runs`,
      ].sort(),
    );
    removePrivateDir(mine);
  });

  it('names, but keeps, a directory of the older naming that may hold values in clear', () => {
    const legacy = path.join(root, 'ssm-backup-k2J9xQ');
    mkdirSync(legacy);
    removeStaleSpoolDirs(logger());
    expect(existsSync(legacy)).to.equal(true);
    expect(events).to.have.length(1);
    expect(events[0].level).to.equal('warn');
    expect(events[0].message).to.contain(legacy).and.contain('in clear');
  });
});
