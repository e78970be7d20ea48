import { expect } from 'chai';
import { restoreWorld, makeTarGz, sha256, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor, SECRET_MARKER } from '../helpers/fixtures.js';
import { readTarGz } from '../../ts/lib/archive/read.js';
import { Readable } from 'node:stream';
import { readArchive } from '../../ts/lib/archive/read.js';

const parseArchive = (body: Buffer) => readArchive(Readable.from([body]), { maxBytes: 1 << 20, onParameter: () => undefined });

describe('ssm-backup verify (through the local AWS)', function () {
  this.timeout(30000);
  let w: RestoreWorld;
  let key: string;
  let files: Map<string, Buffer>;

  beforeEach(async () => {
    w = await restoreWorld();
    expect((await w.backup()).code).to.equal(0);
    key = w.aws.s3.getObject(bucketFor(SOURCE), 'latest.txt')!.toString().trim();
    files = await readTarGz(w.aws.s3.getObject(bucketFor(SOURCE), key)!);
  });

  afterEach(async () => {
    for (const text of w.outputs) expect(text).not.to.contain(SECRET_MARKER);
    await w.close();
  });

  it('checks the latest archive: sha256, parameter count, format version', async () => {
    const run = await w.run('verify');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(new RegExp(`^OK  s3://${bucketFor(SOURCE)}/${key}$`, 'm'));
    expect(run.stdout).to.contain(`ok: sha256 ${sha256(files.get('backup.json')!)}`);
    expect(run.stdout).to.contain('ok: format version 1');
    expect(run.stdout).to.contain('ok: 8 parameters\n');
    expect(run.stdout).to.contain(`ok: environment dev, region ${SOURCE}`);
  });

  it('prints JSON for an explicit key', async () => {
    const run = await w.run('verify', '--archive', key, '--json');
    expect(run.code).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.include({
      archive: `s3://${bucketFor(SOURCE)}/${key}`,
      format: 'v1',
      verified: true,
      parameterCount: 8,
      environment: 'dev',
      region: SOURCE,
    });
  });

  it('exits 1 on a checksum mismatch, a parameter count mismatch and a missing backup.json', async () => {
    const doc = files.get('backup.json')!.toString();
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    const cases: [Buffer, RegExp][] = [
      [await makeTarGz({ 'backup.json': doc.replace('"String"', '"StringList"'), 'manifest.json': files.get('manifest.json')! }), /sha256 of backup.json is/],
      [
        await makeTarGz({ 'backup.json': doc, 'manifest.json': JSON.stringify({ ...manifest, parameterCount: 9 }) }),
        /holds 8 parameters but manifest.json says 9/,
      ],
      [await makeTarGz({ 'manifest.json': JSON.stringify(manifest) }), /holds no backup.json/],
    ];
    for (const [body, message] of cases) {
      await w.putObject('bad.tar.gz', body);
      const run = await w.run('verify', '--archive', 'bad.tar.gz', '--error-file', `${w.work}/error.json`);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(message);
    }
  });

  it('a format 1 archive cut right after backup.json (manifest lost) whose object metadata says format 1 is damaged (exit 1), not legacy', async () => {
    const meta = w.aws.s3.objectMeta(bucketFor(SOURCE), key)!.metadata;
    expect(meta['format-version']).to.equal('1');
    expect(meta['backup-json-sha256']).to.equal(sha256(files.get('backup.json')!));
    const cut = await makeTarGz({ 'backup.json': files.get('backup.json')! });
    for (const [k, body] of [
      ['cut.tar.gz', cut],
      ['cut-plain.json', files.get('backup.json')!],
    ] as const) {
      await w.putObject(k, body, meta);
      for (const args of [['verify'], ['restore', '--work-dir', w.work, '--apply']]) {
        const run = await w.run(args[0], ...args.slice(1), '--archive', k);
        expect(run.code, `${k} ${args[0]}: ${run.stderr}`).to.equal(1);
        expect(run.stderr).to.contain(
          `Archive ${k} is damaged: its object metadata says format 1 with sha256 ${meta['backup-json-sha256']}, but it holds no manifest.json`,
        );
      }
    }
    // The same body without the metadata is an old job's archive: unverified, allowed.
    await w.putObject('old.tar.gz', cut);
    expect((await w.run('verify', '--archive', 'old.tar.gz')).stdout).to.match(/^UNVERIFIED/);
  });

  it("reads the old job's backup.json and says it is unverified (exit 0)", async () => {
    await w.putObject(
      'old/backup.json',
      JSON.stringify({ backup_date: '2024-01-01', environment: 'dev', region: SOURCE, parameters: [{ Name: '/a', Type: 'String', Value: 'x' }] }),
    );
    const run = await w.run('verify', '--archive', 'old/backup.json');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^UNVERIFIED \(legacy backup.json, no checksum; restore is allowed\)/);
  });

  it('names a missing archive and a missing latest.txt', async () => {
    const missing = await w.run('verify', '--archive', 'nope.tar.gz');
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('no such object (see ssm-backup list)');
    const empty = await w.cli(['verify', '--environment', 'dev', '--ssm-home-region', 'ap-northeast-1', '--region', 'eu-central-1']);
    expect(empty.code).to.equal(2);
    expect(empty.stderr).to.contain('latest.txt not found: pass --archive <key>');
  });

  it('parses without AWS: a body that is not gzip is read as legacy JSON, bad JSON is refused', async () => {
    expect((await parseArchive(Buffer.from('{"parameters":[]}'))).format).to.equal('legacy');
    try {
      await parseArchive(Buffer.from('{"x": "secret-start oops'));
      expect.fail('accepted bad JSON');
    } catch (err) {
      expect((err as Error).message).to.match(/^backup.json is not valid JSON \(error near byte \d+\)$/);
      expect((err as Error).message).not.to.contain('secret');
    }
  });
});
