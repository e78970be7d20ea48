import { expect } from 'chai';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import sinon from 'sinon';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { restoreWorld, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor, HOME } from '../helpers/fixtures.js';
import { seedBackupKeys } from '../helpers/encryption.js';
import { uploadArchive, readPointerState, writeLatestPointer, lostConditionalWrite } from '../../ts/lib/store/index.js';
import { EngineError } from '../../ts/lib/support/index.js';

/**
 * S3 conditional writes (API reference of PutObject and CompleteMultipartUpload, IfNoneMatch / IfMatch): an archive
 * or index is never written over an existing object, and latest.txt moves only if it is still as the backup found it.
 */
describe('conditional writes: archives never overwritten, latest.txt never moved backwards', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  let s3: S3Client;
  const bucket = bucketFor(SOURCE);
  const latest = () => w.aws.s3.getObject(bucket, 'latest.txt')?.toString().trim();

  beforeEach(async () => {
    w = await restoreWorld();
    seedBackupKeys(w.aws, [SOURCE]);
    s3 = new S3Client({ region: SOURCE, endpoint: w.aws.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterEach(async () => {
    s3.destroy();
    await w.close();
  });

  it('two backups of one region in the same second: the loser fails, latest.txt names the winner’s complete archive', async () => {
    const clock = sinon.useFakeTimers({ now: new Date('2026-11-01T10:00:00Z'), toFake: ['Date'] });
    const saved = { ...process.env };
    Object.assign(process.env, w.aws.env, { AWS_REGION: HOME }); // both runs see the emulator until both end
    try {
      const backup = (n: number) => {
        const dir = path.join(w.work, `run${n}`);
        mkdirSync(dir, { recursive: true });
        return w.cli(['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--regions', SOURCE, '--work-dir', dir]);
      };
      const runs = await Promise.all([backup(1), backup(2)]);
      expect(runs.map((r) => r.code).sort(), runs.map((r) => r.stderr).join('\n')).to.deep.equal([0, 1]);
      const loser = runs.find((r) => r.code === 1)!;
      expect(loser.stderr).to.match(/was written by another backup of us-west-2 during this one \(PreconditionFailed\)|already exists: another backup/);
      expect(latest()).to.equal('2026-11-01/ssm-backup-dev-us-west-2-20261101_100000.tar.gz');
      const verify = await w.run('verify');
      expect(verify.code, verify.stderr).to.equal(0);
    } finally {
      clock.restore();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('a slow backup overtaken by a later one fails instead of moving latest.txt back to its older archive', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, w.aws.env, { AWS_REGION: HOME });
    try {
      const backup = (n: number, ...extra: string[]) => {
        const dir = path.join(w.work, `run${n}`);
        mkdirSync(dir, { recursive: true });
        return w.cli(['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--regions', SOURCE, '--work-dir', dir, ...extra]);
      };
      // The slow run reads latest.txt's ETag at its start, then spends seconds reading labels (2 GetParameterHistory/s).
      const slow = backup(1, '--include-labels', '--history-rate', '2');
      await new Promise((r) => setTimeout(r, 1500));
      const fast = await backup(2);
      expect(fast.code, fast.stderr).to.equal(0);
      const winner = latest();
      const lost = await slow;
      expect(lost.code).to.equal(1);
      expect(lost.stderr).to.contain('latest.txt was created by another backup of this region after this one started');
      expect(latest()).to.equal(winner);
      const kept = /this archive is kept as s3:\/\/[^/]+\/(\S+\.tar\.gz)/.exec(lost.stderr)?.[1];
      expect(kept).to.be.a('string').and.not.equal(winner);
      expect(w.aws.s3.getObject(bucket, kept!)).to.not.equal(undefined);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('latest.txt moved by another run after this one started: refused with the archive named, the pointer kept', async () => {
    const put = (Body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'latest.txt', Body, ServerSideEncryption: 'AES256' }));
    for (const before of [undefined, 'a/older.tar.gz\n']) {
      if (before) await put(before);
      const found = await readPointerState(s3, bucket, SOURCE);
      expect(Boolean(found.etag)).to.equal(Boolean(before));
      await put('b/winner.tar.gz\n'); // the other run promoted its archive meanwhile
      const err = await writeLatestPointer(s3, bucket, 'c/mine.tar.gz', found, SOURCE).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(EngineError);
      expect((err as Error).message).to.contain(`latest.txt was ${before ? 'changed' : 'created'} by another backup of this region after this one started`);
      expect((err as Error).message).to.contain(`this archive is kept as s3://${bucket}/c/mine.tar.gz`);
      expect(latest()).to.equal('b/winner.tar.gz');
      await writeLatestPointer(s3, bucket, 'd/next.tar.gz', await readPointerState(s3, bucket, SOURCE), SOURCE);
      expect(latest()).to.equal('d/next.tar.gz');
    }
  });

  it('uploadArchive never replaces an object, by PutObject or by a multipart upload (If-None-Match on CompleteMultipartUpload)', async () => {
    for (const size of [1024, 9 * 1024 * 1024]) {
      const key = `2026-11-01/taken-${size}.tar.gz`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'first', ServerSideEncryption: 'AES256' }));
      const err = await uploadArchive(s3, bucket, key, Readable.from([randomBytes(size)])).catch((e: unknown) => e);
      expect(lostConditionalWrite(err), String(err)).to.equal(true);
      expect(w.aws.s3.getObject(bucket, key)!.toString()).to.equal('first');
    }
  });
});
