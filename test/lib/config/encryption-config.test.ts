import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { startLocalAws } from '../../../local-aws/index.js';
import { ParameterSpool, TOOL_NAME } from '../../../ts/lib/archive/format1.js';
import { sealedArchiveStream } from '../../../ts/lib/archive/format2.js';
import { checkEncryptionContext, encryptionContext } from '../../../ts/lib/archive/envelope.js';
import { parseKmsKeyArn, parseDrKeyArns } from '../../../ts/lib/config/key-config.js';
import { AwsClientFactory } from '../../../ts/lib/aws/clients.js';
import { EngineError } from '../../../ts/lib/support/errors.js';
import { restoreWorld, SOURCE, DR, type RestoreWorld } from '../../helpers/restore.js';
import { bucketFor, HOME } from '../../helpers/fixtures.js';
import { seedBackupKeys, ACCOUNT } from '../../helpers/encryption.js';

const KEY_PARAM = `/jenkins/dev/backup/${SOURCE}/kms-key-arn`;

describe('client-side encryption: configuration, refusals and the expected bucket owner', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const objects = () => w.aws.s3.listObjects(bucketFor(SOURCE)).map((o) => o.key);
  const summary = () => JSON.parse(readFileSync(path.join(w.work, 'region_summaries.json'), 'utf8'))[SOURCE];

  beforeEach(async () => {
    w = await restoreWorld();
  });
  afterEach(async () => w.close());

  it('without a key parameter backs up with SSE only, says so in a WARNING line and in the summary', async () => {
    const run = await w.backup();
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.match(new RegExp(`WARN .*NOT client-side encrypted \\(SSE-S3 only.*${KEY_PARAM} not found`));
    expect(summary().encryption).to.deep.equal({ clientSide: false });
    expect(run.stderr).to.contain('SSE AES256 only, NOT client-side encrypted');
  });

  it('--require-client-encryption without a key is exit 2 before any upload or summary file', async () => {
    const run = await w.cli([
      'backup',
      '--environment',
      'dev',
      '--ssm-home-region',
      HOME,
      '--regions',
      SOURCE,
      '--work-dir',
      w.work,
      '--require-client-encryption',
    ]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(`--require-client-encryption: no backup key for ${SOURCE} (${KEY_PARAM} not found)`);
    expect(objects()).to.deep.equal([]);
    expect(existsSync(path.join(w.work, 'region_summaries.json'))).to.equal(false);
    seedBackupKeys(w.aws, [SOURCE]);
    const ok = await w.cli([
      'backup',
      '--environment',
      'dev',
      '--ssm-home-region',
      HOME,
      '--regions',
      SOURCE,
      '--work-dir',
      w.work,
      '--require-client-encryption',
    ]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(summary().encryption.clientSide).to.equal(true);
  });

  for (const [what, param, value, message] of [
    ['a value that is not a KMS ARN', KEY_PARAM, 'alias/ssm-backup', /is "alias\/ssm-backup", not a KMS key or alias ARN/],
    ['a key of another region', KEY_PARAM, `arn:aws:kms:${DR}:${ACCOUNT}:alias/ssm-backup`, new RegExp(`names a key in ${DR}, not ${SOURCE}`)],
    ['a DR list that is not JSON', '/jenkins/dev/backup/dr-kms-key-arns', 'arn:aws:kms:eu-central-1:123456789012:key/x', /dr-kms-key-arns is not valid JSON/],
  ] as const) {
    it(`refuses ${what} with exit 2 and writes nothing`, async () => {
      w.aws.ssm.put(param.includes('dr-') ? HOME : SOURCE, { Name: param, Value: value, Type: 'String' });
      const run = await w.backup();
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(objects()).to.deep.equal([]);
    });
  }

  it('fails the region, never falling back to SSE only, when the key parameter cannot be read', async () => {
    w.aws.faults.add({
      service: 'ssm',
      operation: 'GetParameter',
      region: SOURCE,
      match: 'kms-key-arn',
      error: { code: 'AccessDeniedException', status: 400 },
    });
    const run = await w.backup();
    expect(run.code).to.equal(1);
    expect(summary()).to.deep.include({ status: 'FAILED' });
    expect(summary().failureMessage).to.contain(`Could not read ${KEY_PARAM} in ${SOURCE}: AccessDeniedException`);
    expect(objects()).to.deep.equal([]);
  });

  it('fails the region and uploads nothing when KMS refuses the data key (key disabled)', async () => {
    const { keyArns } = seedBackupKeys(w.aws, [SOURCE], { dr: [] });
    w.aws.kms.setEnabled(SOURCE, keyArns[SOURCE], false);
    const run = await w.backup();
    expect(run.code).to.equal(1);
    // The cause is the key, not the upload that carried the stream.
    expect(summary().failureMessage).to.match(/^KMS GenerateDataKey with arn:aws:kms:us-west-2:\d{12}:alias\/ssm-backup failed: DisabledException/);
    expect(summary().failureCategory).to.equal('aws');
    expect(objects()).to.deep.equal([]);
  });

  it('slices and uploads a large archive in parts (multipart) and restores it', async () => {
    seedBackupKeys(w.aws, [SOURCE]);
    for (let i = 0; i < 3000; i += 1)
      w.aws.ssm.put(SOURCE, { Name: `/bulk/p${i}`, Value: randomBytes(3072).toString('base64'), Type: i % 2 ? 'SecureString' : 'String' });
    expect((await w.backup()).code).to.equal(0);
    expect(w.aws.stats().operations['s3:UploadPart']).to.be.at.least(2);
    const verify = await w.run('verify', '--json');
    expect(verify.code, verify.stderr).to.equal(0);
    expect(JSON.parse(verify.stdout).parameterCount).to.equal(w.aws.ssm.list(SOURCE).length);
    const m = JSON.parse(readFileSync(path.join(w.work, 'region_summaries.json'), 'utf8'));
    expect(m[SOURCE].archiveBytes).to.be.greaterThan(8 * 1024 * 1024);
  });

  it("refuses an archive whose data key is wrapped only under another account's key (exit 2, no write)", async () => {
    const other = await startLocalAws({ accountId: '999999999999' });
    const dir = mkdtempSync(path.join(tmpdir(), 'foreign-'));
    try {
      const arn = other.kms.createKey(SOURCE, 'attacker-key');
      const kms = new KMSClient({ region: SOURCE, endpoint: other.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      const spool = new ParameterSpool(path.join(dir, 'p.json'));
      await spool.write([{ Name: '/app/planted', Value: 'attacker value', Type: 'String' } as never]);
      const bytes = await spool.close();
      const createdAt = new Date().toISOString();
      const stream = sealedArchiveStream(
        { read: () => spool.read(), count: 1, bytes },
        { backup_date: createdAt, backup_timestamp: 'x', environment: 'dev', region: SOURCE },
        { tool: { name: TOOL_NAME, version: '1.0.0' }, environment: 'dev', region: SOURCE, accountId: '999999999999', createdAt },
        { kms: () => kms, keyArn: arn, drKeyArns: [] },
      );
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      kms.destroy();
      await w.putObject('planted.tar.gz', Buffer.concat(chunks));
      const run = await w.run('restore', '--archive', 'planted.tar.gz', '--apply');
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain(`wrapped only under keys outside account ${ACCOUNT} (${arn}); refused as foreign`);
      expect(w.aws.ssm.get(SOURCE, '/app/planted')).to.equal(undefined);
      expect(w.aws.stats().operations['kms:Decrypt'] ?? 0).to.equal(0);
    } finally {
      await other.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the expected bucket owner on every S3 call: a bucket now owned by another account is refused', async () => {
    seedBackupKeys(w.aws, [SOURCE]);
    expect((await w.backup()).code).to.equal(0);
    const before = objects();
    w.aws.s3.setBucketOwner(bucketFor(SOURCE), '999999999999');
    const backup = await w.backup();
    expect(backup.code).to.equal(1);
    expect(summary().failureMessage).to.contain('AccessDenied');
    for (const command of ['list', 'verify', 'restore']) {
      const run = await w.run(command, ...(command === 'list' ? [] : ['--apply'].filter(() => command === 'restore')));
      expect(run.code, `${command}: ${run.stderr}`).to.equal(1);
      expect(run.stderr, `${command}: ${run.stderr}`).to.contain('AccessDenied');
    }
    w.aws.s3.setBucketOwner(bucketFor(SOURCE), undefined);
    expect(objects()).to.deep.equal(before);
  });

  it('sends ExpectedBucketOwner on the multipart calls too (UploadPart after the owner changed is refused)', async () => {
    const aws = new AwsClientFactory();
    const saved = { ...process.env };
    Object.assign(process.env, w.aws.env);
    try {
      const s3 = aws.s3(SOURCE);
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucketFor(SOURCE), Key: 'mp', ServerSideEncryption: 'AES256' }));
      w.aws.s3.setBucketOwner(bucketFor(SOURCE), '999999999999');
      const err = await s3
        .send(new UploadPartCommand({ Bucket: bucketFor(SOURCE), Key: 'mp', UploadId: up.UploadId, PartNumber: 1, Body: 'x' }))
        .catch((e: Error) => e);
      expect((err as Error).name).to.equal('AccessDenied');
    } finally {
      aws.destroy();
      // Restore in place: replacing process.env with a plain object cuts it off from the real environment (os.tmpdir()).
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});

describe('client-side encryption: pure checks', () => {
  const ctx = encryptionContext({ tool: TOOL_NAME, environment: 'dev', region: SOURCE, createdAt: '2026-01-01T00:00:00.000Z', parameterCount: 3 });
  const opts = { tool: TOOL_NAME, environment: 'dev', region: SOURCE, key: 'k' };
  const refusal = (c: Record<string, string>, o = opts) => {
    try {
      checkEncryptionContext(c, o);
      return undefined;
    } catch (e) {
      return e as EngineError;
    }
  };

  it("accepts exactly our context (with the SDK's signing key) and refuses anything else with exit 2", () => {
    expect(refusal({ ...ctx, 'aws-crypto-public-key': 'AAAA' })).to.equal(undefined);
    for (const bad of [
      { ...ctx, tool: 'other' },
      { ...ctx, 'format-version': '3' },
      { ...ctx, extra: 'x' },
      { ...ctx, environment: 'prod' },
      { ...ctx, region: DR },
    ]) {
      expect(refusal(bad)?.exitCode, JSON.stringify(bad)).to.equal(2);
    }
    expect(refusal(ctx, { ...opts, environment: 'prod' })?.message).to.contain('belongs to environment dev region us-west-2, not prod us-west-2');
  });

  it('parses key and alias ARNs and DR lists; refuses anything else', () => {
    expect(parseKmsKeyArn(`arn:aws:kms:${SOURCE}:${ACCOUNT}:key/1234abcd-12ab`, 'p', SOURCE)).to.equal(`arn:aws:kms:${SOURCE}:${ACCOUNT}:key/1234abcd-12ab`);
    expect(parseKmsKeyArn(`arn:aws-cn:kms:cn-north-1:${ACCOUNT}:alias/a/b_c`, 'p')).to.match(/alias\/a\/b_c$/);
    for (const bad of ['', 'alias/x', `arn:aws:kms:${SOURCE}:12345:key/x`, `arn:aws:s3:::bucket`, `arn:aws:kms:${SOURCE}:${ACCOUNT}:keys/x`])
      expect(() => parseKmsKeyArn(bad, 'p')).to.throw(EngineError);
    const dr = `arn:aws:kms:${DR}:${ACCOUNT}:key/k`;
    expect(parseDrKeyArns(undefined, 'd')).to.deep.equal([]);
    expect(parseDrKeyArns(JSON.stringify([dr]), 'd')).to.deep.equal([dr]);
    for (const bad of ['{}', '[1]', JSON.stringify([dr, dr]), JSON.stringify(Array.from({ length: 11 }, (_, i) => `${dr}${i}`)), JSON.stringify(['alias/x'])]) {
      expect(() => parseDrKeyArns(bad, 'd'), bad).to.throw(EngineError);
    }
  });
});
