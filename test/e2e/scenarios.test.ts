import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sinon from 'sinon';
import { localAwsEmulator, motoEmulator, type Emulator } from '../helpers/emulators.js';
import { GetParameterCommand, GetParameterHistoryCommand, LabelParameterVersionCommand, type PutParameterCommandInput } from '@aws-sdk/client-ssm';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { World, SOURCE, DR, SECRET_MARKER, bucketFor } from './world.js';
import { backupDoc, format1Archive } from '../helpers/restore.js';

/**
 * The engine's end-to-end scenarios against two emulators: local-aws (ours) and moto (independent). Both are
 * driven through the CLI and the AWS API only. A scenario that passes on one and fails on the other is a bug in
 * the engine or in one emulator; the AWS API reference decides (see README, "Emulators").
 */
for (const emulator of [localAwsEmulator(), motoEmulator()] as Emulator[]) {
  describe(`end-to-end scenarios on ${emulator.name}`, function () {
    this.timeout(60000);
    let w: World;
    let clock: sinon.SinonFakeTimers;
    let app: PutParameterCommandInput[];
    const outputs: string[] = [];
    /** Archive keys carry the second they were made in: each backup runs at its own (faked) time. */
    const at = (iso: string) => clock.setSystemTime(new Date(iso));

    before(() => emulator.start());
    after(async () => {
      await emulator.stop();
      for (const text of outputs) expect(text).not.to.contain(SECRET_MARKER);
    });
    beforeEach(async () => {
      clock = sinon.useFakeTimers({ now: new Date('2026-11-01T10:00:00Z'), toFake: ['Date'] });
      await emulator.reset();
      w = new World(emulator);
      await w.seed([SOURCE, DR]);
      app = await w.seedApp(SOURCE);
      await w.seedApp(DR);
      await w.seedBulk(SOURCE, 25);
    });
    afterEach(() => {
      clock.restore();
      outputs.push(...w.outputs);
      w.close();
    });

    it('backs up two regions with tags into format 2 archives that verify; latest.txt names them', async () => {
      const run = await w.backup('--regions', `${SOURCE},${DR}`);
      expect(run.code, run.stderr).to.equal(0);
      for (const region of [SOURCE, DR]) {
        expect(run.summary[region].status).to.equal('SUCCESS');
        // + the bucket and key names of the region, + /bulk in SOURCE
        expect(run.summary[region].parameterCount).to.equal(app.length + 2 + (region === SOURCE ? 25 : 0));
        const archive = (await w.keys(region)).find((k) => k.endsWith('.tar.gz'))!;
        expect(archive).to.match(new RegExp(`^2026-11-01/ssm-backup-dev-${region}-20261101_100000\\.tar\\.gz$`));
        expect(await w.latest(region)).to.equal(archive);
        const verify = await w.cli('verify', '--region', region);
        expect(verify.code, verify.stderr).to.equal(0);
        expect(verify.stdout).to.contain('format: v2').and.to.contain(`ok: encryption context dev/${region}`);
      }
    });

    it('diff shows live changes; restore into another region brings values, types, keys, tags and labels', async () => {
      const host = `/app/${SOURCE}/db/host`;
      await w.ssm(SOURCE).send(new LabelParameterVersionCommand({ Name: host, Labels: ['prod'] }));
      expect((await w.backup('--regions', SOURCE, '--include-labels', '--history-rate', '500')).code).to.equal(0);
      await w.put(SOURCE, { Name: host, Value: 'moved.internal', Type: 'String', Overwrite: true });
      await w.remove(SOURCE, `/app/${SOURCE}/hosts`);
      const diff = await w.cli('diff', '--region', SOURCE, '--path', '/app', '--json');
      expect(diff.code, diff.stderr).to.equal(0);
      const json = JSON.parse(diff.stdout);
      // The overwrite made a new version, which carries no label.
      expect(json.changed).to.deep.equal([{ name: host, fields: ['Value', 'Labels'] }]);
      expect(json.created).to.deep.equal([`/app/${SOURCE}/hosts`]);

      const restore = await w.cli(
        'restore',
        '--region',
        SOURCE,
        '--target-region',
        DR,
        '--path',
        `/app/${SOURCE}`,
        '--work-dir',
        w.work,
        '--put-rate',
        '50',
        '--apply',
      );
      expect(restore.code, restore.stderr).to.equal(0);
      const copied = await w.live(DR, `/app/${SOURCE}`);
      expect([...copied.keys()].sort()).to.deep.equal(app.map((p) => p.Name).sort());
      for (const p of app) expect(copied.get(p.Name!), p.Name).to.include({ Value: p.Value, Type: p.Type, DataType: p.DataType ?? 'text' });
      expect(copied.get(host)).to.include({ Value: `db.${SOURCE}.internal`, Type: 'String' });
      expect(copied.get(`/app/${SOURCE}/api/key`)).to.include({ Value: `${SECRET_MARKER}api-${SOURCE}`, Type: 'SecureString' });
      expect(copied.get(`/app/${SOURCE}/hosts`)).to.include({ Type: 'StringList' });
      expect(await w.tags(DR, host)).to.deep.equal({ team: 'platform' });
      const history = await w.ssm(DR).send(new GetParameterHistoryCommand({ Name: host }));
      expect(history.Parameters!.map((h) => h.Labels ?? [])).to.deep.equal([['prod']]);
      expect(await w.tags(DR, `/app/${SOURCE}/api/key`)).to.deep.equal({ rotation: '90d' });
      const again = JSON.parse((await w.cli('diff', '--region', SOURCE, '--target-region', DR, '--path', `/app/${SOURCE}`, '--json')).stdout);
      expect(again.changed).to.deep.equal([]);
      expect(again.created).to.deep.equal([]);
    });

    it('drift is reported by name and the shrink guard keeps latest.txt until --allow-shrink', async () => {
      expect((await w.backup('--regions', SOURCE, '--path', '/app')).code).to.equal(0);
      const first = await w.latest(SOURCE);
      await w.remove(SOURCE, `/app/${SOURCE}/hosts`);
      await w.remove(SOURCE, `/app/${SOURCE}/single`);
      await w.put(SOURCE, { Name: `/app/${SOURCE}/db/host`, Value: 'moved.internal', Type: 'String', Overwrite: true });
      await w.put(SOURCE, { Name: '/app/new', Value: 'n', Type: 'String' });
      at('2026-11-02T10:00:00Z');
      const refused = await w.backup('--regions', SOURCE, '--path', '/app');
      expect(refused.code).to.equal(1);
      expect(refused.summary[SOURCE]).to.include({ status: 'FAILED', failureCategory: 'guard' });
      expect(refused.summary[SOURCE].drift).to.deep.include({
        added: 1,
        removed: 2,
        changed: 1,
        addedNames: ['/app/new'],
        removedNames: [`/app/${SOURCE}/hosts`, `/app/${SOURCE}/single`],
        changedNames: [`/app/${SOURCE}/db/host`],
      });
      expect(await w.latest(SOURCE)).to.equal(first);
      at('2026-11-02T11:00:00Z');
      const accepted = await w.backup('--regions', SOURCE, '--path', '/app', '--allow-shrink');
      expect(accepted.code, accepted.stderr).to.equal(0);
      expect(await w.latest(SOURCE)).to.equal('2026-11-02/ssm-backup-dev-us-west-2-20261102_110000.tar.gz');
    });

    it('history lists a name across archives; restore --as-of picks the archive of that time', async () => {
      const name = `/app/${SOURCE}/db/host`;
      expect((await w.backup('--regions', SOURCE)).code).to.equal(0);
      await w.put(SOURCE, { Name: name, Value: 'second.internal', Type: 'String', Overwrite: true });
      at('2026-11-02T10:00:00Z');
      expect((await w.backup('--regions', SOURCE)).code).to.equal(0);
      const history = await w.cli('history', '--region', SOURCE, '--name', name, '--json');
      expect(history.code, history.stderr).to.equal(0);
      const { archives } = JSON.parse(history.stdout);
      expect(archives.map((a: Record<string, unknown>) => [a.archive, a.Version, a.latest])).to.deep.equal([
        ['2026-11-02/ssm-backup-dev-us-west-2-20261102_100000.tar.gz', 2, true],
        ['2026-11-01/ssm-backup-dev-us-west-2-20261101_100000.tar.gz', 1, false],
      ]);
      const plan = await w.cli(
        'restore',
        '--region',
        SOURCE,
        '--names',
        name,
        '--as-of',
        '2026-11-01T12:00:00Z',
        '--overwrite',
        '--work-dir',
        w.work,
        '--apply',
      );
      expect(plan.code, plan.stderr).to.equal(0);
      expect(plan.stderr).to.contain('archive 2026-11-01/ssm-backup-dev-us-west-2-20261101_100000.tar.gz');
      expect((await w.live(SOURCE, `/app/${SOURCE}/db`)).get(name)?.Value).to.equal(`db.${SOURCE}.internal`);
    });

    it('restore --prune deletes under --path only what the archive does not hold', async () => {
      expect((await w.backup('--regions', SOURCE)).code).to.equal(0);
      await w.put(SOURCE, { Name: `/app/${SOURCE}/extra`, Value: 'x', Type: 'String' });
      await w.put(SOURCE, { Name: '/other/keep', Value: 'x', Type: 'String' });
      const run = await w.cli('restore', '--region', SOURCE, '--path', `/app/${SOURCE}`, '--prune', '--work-dir', w.work, '--apply');
      expect(run.code, run.stderr).to.equal(0);
      expect([...(await w.live(SOURCE, `/app/${SOURCE}`)).keys()]).not.to.include(`/app/${SOURCE}/extra`);
      expect((await w.live(SOURCE, `/app/${SOURCE}`)).size).to.equal(app.length);
      expect((await w.live(SOURCE, '/other')).has('/other/keep')).to.equal(true);
    });

    it("a whole-archive restore keeps the tool's own configuration aside; --include-config writes it back", async () => {
      const setting = `/jenkins/dev/backup/${SOURCE}/extra-setting`;
      await w.put(SOURCE, { Name: setting, Value: 'archived', Type: 'String' });
      expect((await w.backup('--regions', SOURCE)).code).to.equal(0);
      await w.put(SOURCE, { Name: setting, Value: 'newer', Type: 'String', Overwrite: true });
      const summary = () => JSON.parse(readFileSync(path.join(w.work, 'restore_summary.json'), 'utf8'));
      const run = await w.cli('restore', '--region', SOURCE, '--overwrite', '--work-dir', w.work, '--apply');
      expect(run.code, run.stderr).to.equal(0);
      expect(summary().keptAside).to.include(setting).and.to.include(`/jenkins/dev/backup/${SOURCE}/s3-bucket-name`);
      expect(summary().updated).not.to.include(setting);
      expect((await w.live(SOURCE, '/jenkins/dev/backup')).get(setting)?.Value).to.equal('newer');
      const include = await w.cli('restore', '--region', SOURCE, '--overwrite', '--include-config', '--path', setting, '--work-dir', w.work, '--apply');
      expect(include.code, include.stderr).to.equal(0);
      expect(summary().updated).to.deep.equal([setting]);
      expect((await w.live(SOURCE, '/jenkins/dev/backup')).get(setting)?.Value).to.equal('archived');
    });

    it('AWS judges DataType: a parameter the service refuses fails alone by code and field; reserved aws: tags are never sent', async () => {
      const params = [
        { Name: '/judge/ok', Type: 'String', Value: 'v' },
        { Name: '/judge/json', Type: 'String', Value: '{"a":1}', DataType: 'json' },
        { Name: '/judge/future', Type: 'String', Value: 'v', DataType: 'aws:future-type' },
        {
          Name: '/judge/cfn',
          Type: 'String',
          Value: 'v',
          Tags: [
            { Key: 'team', Value: 'a' },
            { Key: 'aws:cloudformation:stack-name', Value: 's' },
          ],
        },
      ];
      const key = '2026-11-01/ssm-backup-dev-us-west-2-20261101_090000.tar.gz';
      await w.s3(SOURCE).send(
        new PutObjectCommand({
          Bucket: bucketFor(SOURCE),
          Key: key,
          Body: await format1Archive(backupDoc(params), params.length),
          ServerSideEncryption: 'AES256',
        }),
      );
      // A format 1 archive where the source region has a backup key: named as the one exception (issue 18, no downgrade).
      const run = await w.cli(
        'restore',
        '--region',
        SOURCE,
        '--archive',
        key,
        '--allow-unencrypted-archive',
        key,
        '--target-region',
        DR,
        '--work-dir',
        w.work,
        '--apply',
      );
      expect(run.code, run.stderr).to.equal(1);
      const summary = JSON.parse(readFileSync(path.join(w.work, 'restore_summary.json'), 'utf8'));
      // PutParameterRequest.DataType of the pinned SDK lists json: local-aws takes it, moto 5.2.1 knows only text and
      // aws:ec2:image (moto/ssm/models.py _valid_parameter_data_type). The API reference sides with local-aws; either
      // way the engine sends it and AWS's answer decides that one parameter.
      const refused = emulator.name === 'moto' ? ['/judge/future', '/judge/json'] : ['/judge/future'];
      expect(summary.failed).to.deep.equal(refused.map((name) => ({ name, error: 'ValidationException (field: DataType) [HTTP 400]' })));
      expect(summary.created).to.include('/judge/ok').and.to.include('/judge/cfn');
      expect(await w.tags(DR, '/judge/cfn')).to.deep.equal({ team: 'a' });
      expect(summary.notes).to.deep.equal([
        '/judge/future: DataType "aws:future-type" is not one the SDK documents: AWS will judge',
        '/judge/cfn: reserved tag aws:cloudformation:stack-name (aws: prefix) not sent',
      ]);
    });

    it('a single-level flat and /flat are one parameter: backed up once, selected by --path /flat, restored with its tags', async () => {
      // One name, one ARN (...:parameter/flat) whichever spelling; both emulators keep the spelling of the creation
      // (the API reference does not say which spelling AWS answers with: the engine compares both as one).
      await w.put(SOURCE, { Name: 'flat', Value: 'f', Type: 'String', Tags: [{ Key: 'k', Value: 'v' }] });
      const again = await w.put(SOURCE, { Name: '/flat', Value: 'g', Type: 'String' }).catch((e: Error) => e.name);
      expect(again).to.equal('ParameterAlreadyExists');
      const run = await w.backup('--regions', SOURCE);
      expect(run.code, run.stderr).to.equal(0);
      const restore = await w.cli('restore', '--region', SOURCE, '--target-region', DR, '--path', '/flat', '--work-dir', w.work, '--apply');
      expect(restore.code, restore.stderr).to.equal(0);
      const copied = await w.ssm(DR).send(new GetParameterCommand({ Name: '/flat' }));
      expect(copied.Parameter).to.include({ Name: 'flat', Value: 'f' });
      expect(await w.tags(DR, 'flat')).to.deep.equal({ k: 'v' });
    });

    it('S3 answers alike: conditional writes (412; If-Match on no object 404), a range of a 0-byte object (416)', async () => {
      // The engine writes archives and indexes with If-None-Match and latest.txt with If-Match: these are the answers it meets (API reference of PutObject,
      // IfNoneMatch / IfMatch). moto has no 409 ConditionalRequestConflict for a raced multipart upload (local-aws does).
      const s3 = w.s3(SOURCE);
      const Bucket = bucketFor(SOURCE);
      const put = (Key: string, Body: string | Uint8Array, extra: Record<string, unknown> = {}) =>
        s3.send(new PutObjectCommand({ Bucket, Key, Body, ...extra })).then(
          (out) => out.ETag!,
          (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
        );
      const etag = await put('k', 'one', { IfNoneMatch: '*' });
      expect(etag).to.match(/^"[0-9a-f]{32}"$/);
      expect(await put('k', 'two', { IfNoneMatch: '*' })).to.equal('PreconditionFailed 412');
      expect(await put('k', 'two', { IfMatch: '"00000000000000000000000000000000"' })).to.equal('PreconditionFailed 412');
      expect(await put('k', 'two', { IfMatch: etag })).to.match(/^"/);
      expect(await put('none', 'x', { IfMatch: etag })).to.equal('NoSuchKey 404');
      // AWS answers a wrong CRC32 with 400 BadDigest ("The CRC32 you specified did not match the calculated checksum");
      // moto 5.2.1 stores the object without checking it (moto/s3/responses.py reads the header, never compares).
      if (emulator.name !== 'moto') expect(await put('c', 'hello', { ChecksumCRC32: 'AAAAAA==' })).to.equal('BadDigest 400');
      expect(await put('empty', new Uint8Array(0))).to.match(/^"/);
      const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: 'empty', Range: 'bytes=0-4095' })).catch((e: Error) => e.name);
      expect(ranged).to.equal('InvalidRange');
    });

    it('an empty latest.txt is a warning: the backup rewrites it, list and verify of the archive still work', async () => {
      await w.s3(SOURCE).send(new PutObjectCommand({ Bucket: bucketFor(SOURCE), Key: 'latest.txt', Body: new Uint8Array(0), ServerSideEncryption: 'AES256' }));
      const run = await w.backup('--regions', SOURCE);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.summary[SOURCE].warnings?.join('\n')).to.contain('latest.txt is empty');
      const archive = (await w.keys(SOURCE)).find((k) => k.endsWith('.tar.gz'));
      expect(await w.latest(SOURCE)).to.equal(archive);
      expect((await w.cli('list', '--region', SOURCE)).code).to.equal(0);
      expect((await w.cli('verify', '--region', SOURCE)).code).to.equal(0);
    });
  });
}
