import { expect } from 'chai';
import sinon from 'sinon';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { seedBackupConfig, bucketFor, HOME, SECRET_MARKER } from '../helpers/fixtures.js';
import { makeTarGz } from '../helpers/restore.js';

const R = 'us-west-2';
const R2 = 'eu-central-1';
type Summary = Record<
  string,
  {
    status: string;
    parameterCount: number;
    artifactPath: string | null;
    failureCategory?: string;
    failureMessage?: string;
    warnings?: string[];
    drift?: Record<string, unknown>;
  }
>;

describe('backup: shrink guard and drift (through the local AWS)', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let work: string;
  let clock: sinon.SinonFakeTimers;
  const outputs: string[] = [];

  /** Backs up at a given (faked) time; archive keys carry the second, so each run gets its own. */
  const backup = async (at: string, ...extra: string[]): Promise<CliRun & { summary: Summary }> => {
    clock.setSystemTime(new Date(at));
    const file = path.join(work, 'region_summaries.json');
    rmSync(file, { force: true });
    const selection = [...(extra.includes('--path') ? [] : ['--path', '/app']), ...(extra.includes('--regions') ? [] : ['--regions', R])];
    const run = await runCli(aws, [
      'backup',
      '--environment',
      'dev',
      '--ssm-home-region',
      HOME,
      '--work-dir',
      work,
      '--get-rate',
      '5000',
      ...selection,
      ...extra,
    ]);
    outputs.push(run.stdout, run.stderr);
    return { ...run, summary: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {} };
  };
  const latest = (region = R) => aws.s3.getObject(bucketFor(region), 'latest.txt')?.toString().trim();
  const keys = (region = R) => aws.s3.listObjects(bucketFor(region)).map((o) => o.key);
  const putMany = (n: number, region = R, from = 0) => {
    for (let i = from; i < from + n; i += 1)
      aws.ssm.put(region, { Name: `/app/p${String(i).padStart(5, '0')}`, Value: `${SECRET_MARKER}${i}`, Type: i % 3 ? 'String' : 'SecureString' });
  };
  const deleteApp = (count: number, region = R) => {
    for (const p of aws.ssm
      .list(region)
      .filter((x) => x.Name.startsWith('/app/'))
      .slice(0, count))
      aws.ssm.delete(region, p.Name);
  };

  beforeEach(async () => {
    clock = sinon.useFakeTimers({ now: new Date('2026-11-01T10:00:00Z'), toFake: ['Date'] });
    aws = await startLocalAws();
    work = mkdtempSync(path.join(tmpdir(), 'ssm-guard-test-'));
    seedBackupConfig(aws, [R, R2]);
  });

  afterEach(async () => {
    clock.restore();
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  });

  after(() => {
    for (const text of outputs) expect(text).not.to.contain(SECRET_MARKER);
  });

  it('refuses 1,201 -> 0 parameters: FAILED/guard, exit 1, latest.txt stays, the empty archive is kept', async () => {
    putMany(1201);
    const first = await backup('2026-11-01T10:00:00Z');
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stderr).to.match(/INFO +\[us-west-2\] First backup .*shrink guard did not apply/);
    expect(first.summary[R].warnings, 'a first backup is not a warning (it would make Jenkins UNSTABLE)').to.equal(undefined);
    expect(first.summary[R].drift).to.include({ previousArchive: null });
    const good = latest();
    deleteApp(1201);
    const run = await backup('2026-11-02T10:00:00Z');
    expect(run.code).to.equal(1);
    const s = run.summary[R];
    expect(s).to.include({ status: 'FAILED', failureCategory: 'guard', parameterCount: 0 });
    expect(s.failureMessage).to.match(
      /^Selected 0 parameters: if that is intended, run again with --allow-empty\. Selection --path \/app; the previous archive holds 1,201: check it for a typo\./,
    );
    expect(s.drift).to.include({ previousCount: 1201, added: 0, removed: 1201, changed: 0, comparedWith: 'index' });
    expect(latest()).to.equal(good);
    expect(keys()).to.include('2026-11-02/ssm-backup-dev-us-west-2-20261102_100000.tar.gz');
    expect(s.artifactPath).to.equal(`s3://${bucketFor(R)}/2026-11-02/ssm-backup-dev-us-west-2-20261102_100000.tar.gz`);
    expect(run.stdout).to.match(/us-west-2\s+FAILED\s+0\s+\+0 -1201 ~0 .*Selected 0/);

    const accepted = await backup('2026-11-02T11:00:00Z', '--allow-empty');
    expect(accepted.code, accepted.stderr).to.equal(0);
    expect(latest()).to.equal('2026-11-02/ssm-backup-dev-us-west-2-20261102_110000.tar.gz');
  });

  it('a second backup in the same second never overwrites the archive latest.txt names (the region fails instead)', async () => {
    putMany(100);
    const first = await backup('2026-11-03T10:00:00Z');
    expect(first.code, first.stderr).to.equal(0);
    const good = latest();
    const bytes = aws.s3.getObject(bucketFor(R), good as string)?.length;
    deleteApp(95);
    const second = await backup('2026-11-03T10:00:00Z', '--allow-shrink');
    expect(second.code).to.equal(1);
    expect(second.summary[R].failureMessage).to.match(/already exists: another backup of us-west-2 ran in the same second; nothing was overwritten/);
    expect(latest()).to.equal(good);
    expect(aws.s3.getObject(bucketFor(R), good as string)?.length).to.equal(bytes);
  });

  it('passes a 5% drop with the drift reported; refuses 11% until --allow-shrink', async () => {
    putMany(200);
    expect((await backup('2026-11-01T10:00:00Z')).code).to.equal(0);
    deleteApp(10);
    const five = await backup('2026-11-02T10:00:00Z');
    expect(five.code, five.stderr).to.equal(0);
    expect(five.summary[R].drift).to.include({ previousCount: 200, removed: 10, added: 0, changed: 0 });
    expect(five.stderr).to.match(/Drift against s3:\/\/\S+20261101_100000\.tar\.gz: added 0, removed 10, changed 0; previous count 200/);
    expect(latest()).to.equal('2026-11-02/ssm-backup-dev-us-west-2-20261102_100000.tar.gz');

    deleteApp(21); // 190 -> 169: -11.1%
    const eleven = await backup('2026-11-03T10:00:00Z');
    expect(eleven.code).to.equal(1);
    expect(eleven.summary[R].failureMessage).to.match(
      /^Parameter count fell 190 → 169 \(-11\.1%, limit 10%\): if intended, run again with --allow-shrink\. 21 removed \(\/app\/p00010, \/app\/p00011, \/app\/p00012, \.\.\.\)\. latest\.txt was not moved /,
    );
    expect(latest()).to.equal('2026-11-02/ssm-backup-dev-us-west-2-20261102_100000.tar.gz');
    expect((await backup('2026-11-03T11:00:00Z', '--max-shrink', '12')).code).to.equal(0);
    deleteApp(100);
    expect((await backup('2026-11-04T10:00:00Z')).code).to.equal(1);
    const ok = await backup('2026-11-04T11:00:00Z', '--allow-shrink');
    expect(ok.code, ok.stderr).to.equal(0);
    expect(latest()).to.equal('2026-11-04/ssm-backup-dev-us-west-2-20261104_110000.tar.gz');
  });

  it('refuses a --path typo in every region, naming the previous selection', async () => {
    putMany(30, R);
    putMany(40, R2);
    const both = ['--regions', `${R},${R2}`, '--no-fail-fast'];
    expect((await backup('2026-11-01T10:00:00Z', ...both, '--path', '/app')).code).to.equal(0);
    const before = [latest(R), latest(R2)];
    const run = await backup('2026-11-02T10:00:00Z', ...both, '--path', '/ap');
    expect(run.code).to.equal(1);
    for (const region of [R, R2]) {
      expect(run.summary[region]).to.include({ status: 'FAILED', failureCategory: 'guard' });
      expect(run.summary[region].failureMessage)
        .to.contain('Selection --path /ap; the previous archive holds')
        .and.to.contain('(the previous archive was made with --path /app): check it for a typo');
    }
    expect([latest(R), latest(R2)]).to.deep.equal(before);
  });

  it('reports exact drift names for adds, deletes and updates; no value in the summary or the index', async () => {
    putMany(60);
    expect((await backup('2026-11-01T10:00:00Z')).code).to.equal(0);
    clock.setSystemTime(new Date('2026-11-01T12:00:00Z'));
    aws.ssm.delete(R, '/app/p00001');
    aws.ssm.delete(R, '/app/p00002');
    aws.ssm.put(R, { Name: '/app/p00003', Value: `${SECRET_MARKER}new`, Type: 'SecureString' }); // overwrite: Version 2
    putMany(3, R, 100);
    aws.ssm.delete(R, '/app/p00004'); // deleted and re-created: Version 1 again, new LastModifiedDate
    aws.ssm.put(R, { Name: '/app/p00004', Value: 'again', Type: 'String' });
    const run = await backup('2026-11-02T10:00:00Z');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.summary[R].drift).to.deep.equal({
      previousArchive: `s3://${bucketFor(R)}/2026-11-01/ssm-backup-dev-us-west-2-20261101_100000.tar.gz`,
      previousCount: 60,
      comparedWith: 'index',
      added: 3,
      removed: 2,
      changed: 2,
      addedNames: ['/app/p00100', '/app/p00101', '/app/p00102'],
      removedNames: ['/app/p00001', '/app/p00002'],
      changedNames: ['/app/p00003', '/app/p00004'],
    });
    const key = latest()!;
    const index = JSON.parse(gunzipSync(aws.s3.getObject(bucketFor(R), `${key}.index.json.gz`)!).toString());
    expect(index).to.deep.include({
      indexVersion: 1,
      archive: key,
      formatVersion: 1,
      environment: 'dev',
      region: R,
      parameterCount: 61,
      selection: { path: '/app', nameContains: null },
    });
    expect(Object.keys(index.parameters[0]).sort()).to.deep.equal(['LastModifiedDate', 'Name', 'Type', 'Version']);
    expect(index.parameters.find((p: { Name: string }) => p.Name === '/app/p00003')).to.include({ Type: 'SecureString', Version: 2 });
    const text = JSON.stringify(index) + readFileSync(path.join(work, 'region_summaries.json'), 'utf8');
    expect(text).not.to.contain(SECRET_MARKER);
    expect(text).not.to.contain('again');
    const meta = aws.s3.objectMeta(bucketFor(R), key)!.metadata;
    expect(meta).to.include({ 'format-version': '1', environment: 'dev', region: R, 'parameter-count': '61', 'created-at': '2026-11-02T10:00:00.000Z' });
    expect(meta['backup-json-sha256']).to.match(/^[0-9a-f]{64}$/);
    expect(aws.s3.objectMeta(bucketFor(R), 'latest.txt')!.metadata).to.deep.equal({ 'archive-key': key });
  });

  it('guards against an archive made by an older version (count from its backup.json), and warns when it cannot', async () => {
    putMany(100);
    const doc = JSON.stringify({
      backup_date: '2026-10-01T00:00:00Z',
      environment: 'dev',
      region: R,
      parameter_count: 1000,
      parameters: [{ Name: '/x', Type: 'String', Value: `${SECRET_MARKER}old` }],
    });
    await putObject(aws, '2026-10-01/ssm-backup-dev-us-west-2-20261001_000000.tar.gz', await makeTarGz({ 'backup.json': doc }), 'latest.txt');
    const run = await backup('2026-11-01T10:00:00Z');
    expect(run.code).to.equal(1);
    expect(run.summary[R]).to.include({ failureCategory: 'guard' });
    expect(run.summary[R].drift).to.include({ comparedWith: 'count', previousCount: 1000, added: null });
    expect(run.stderr).to.match(
      /compared by count only: it has no name index \(made by an older version\); count from the parameter_count of its backup\.json/,
    );

    await putObject(aws, '2026-10-02/backup.json', Buffer.from('{"parameters":[]}'), 'latest.txt');
    const unguarded = await backup('2026-11-01T11:00:00Z');
    expect(unguarded.code, unguarded.stderr).to.equal(0);
    expect(unguarded.stderr).to.match(/WARN .*Previous archive not compared: .*no parameter_count .*shrink guard did not apply/);
  });

  it('list marks an archive the guard refused (from the listing alone), and its marker says why', async () => {
    putMany(20);
    await backup('2026-11-01T10:00:00Z');
    deleteApp(10);
    expect((await backup('2026-11-02T10:00:00Z')).code).to.equal(1);
    const refused = '2026-11-02/ssm-backup-dev-us-west-2-20261102_100000.tar.gz';
    const marker = JSON.parse(aws.s3.getObject(bucketFor(R), `${refused}.refused`)!.toString());
    expect(marker).to.include({ archive: refused });
    expect(marker.reason).to.match(/^Parameter count fell \d+ → \d+ .*--allow-shrink/);
    aws.resetStats();
    const run = await runCli(aws, ['list', '--environment', 'dev', '--ssm-home-region', HOME, '--region', R, '--json']);
    const out = JSON.parse(run.stdout);
    expect(out.archives.map((a: Record<string, unknown>) => [a.key, a.latest, a.refused])).to.deep.equal([
      [refused, false, true],
      ['2026-11-01/ssm-backup-dev-us-west-2-20261101_100000.tar.gz', true, false],
    ]);
    expect(aws.stats().operations['s3:GetObject'] ?? 0).to.equal(0);
    const text = await runCli(aws, ['list', '--environment', 'dev', '--ssm-home-region', HOME, '--region', R]);
    expect(text.stdout.split('\n')[0]).to.contain('! = refused by the shrink guard');
    expect(text.stdout.split('\n')[1]).to.match(/^! 2026-11-02T10:00:00\.000Z\s+\d+\s+\d+ {2}2026-11-02\//);
    expect(text.stdout.split('\n')[2]).to.match(/^\* 2026-11-01/);
  });

  it('list shows counts and the latest mark without any GetObject call', async () => {
    putMany(12);
    await backup('2026-11-01T10:00:00Z');
    deleteApp(1);
    await backup('2026-11-02T10:00:00Z');
    aws.resetStats();
    const run = await runCli(aws, ['list', '--environment', 'dev', '--ssm-home-region', HOME, '--region', R, '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout);
    expect(out.archives.map((a: Record<string, unknown>) => [a.key, a.parameterCount, a.latest, a.indexed, a.createdAt])).to.deep.equal([
      ['2026-11-02/ssm-backup-dev-us-west-2-20261102_100000.tar.gz', 11, true, true, '2026-11-02T10:00:00.000Z'],
      ['2026-11-01/ssm-backup-dev-us-west-2-20261101_100000.tar.gz', 12, false, true, '2026-11-01T10:00:00.000Z'],
    ]);
    expect(aws.stats().operations['s3:GetObject'] ?? 0).to.equal(0);
    expect(aws.stats().operations['s3:HeadObject']).to.equal(3);
    const text = await runCli(aws, ['list', '--environment', 'dev', '--ssm-home-region', HOME, '--region', R]);
    expect(text.stdout.split('\n')[1]).to.match(/^\* 2026-11-02T10:00:00\.000Z\s+11\s+\d+ {2}2026-11-02\//);
  });
});

/** Writes an object as an older version would (no metadata); `pointer` also points latest.txt at it, old style. */
async function putObject(aws: LocalAws, key: string, body: Buffer, pointer?: string): Promise<void> {
  const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client({ region: R, endpoint: aws.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucketFor(R), Key: key, Body: body, ServerSideEncryption: 'AES256' }));
    if (pointer) await s3.send(new PutObjectCommand({ Bucket: bucketFor(R), Key: pointer, Body: `${key}\n`, ServerSideEncryption: 'AES256' }));
  } finally {
    s3.destroy();
  }
}
