import { expect } from 'chai';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { restoreWorld, makeTarGz, restorable, SOURCE, DR, type RestoreWorld } from '../../helpers/restore.js';
import { bucketFor, SECRET_MARKER } from '../../helpers/fixtures.js';
import { planRestore, desiredParameter, mapKeyId, digestParameter } from '../../../ts/lib/restore/plan.js';
import { compareLive, selectParameters, differingFields } from '../../helpers/plan.js';
import { putRequest } from '../../../ts/lib/restore/apply.js';
import { parseKeyMap } from '../../../ts/cli/options.js';
import type { BackupParameter } from '../../../ts/lib/archive/parameter.js';

const p = (over: Partial<BackupParameter> = {}): BackupParameter => ({ Name: '/app/x', Type: 'String', Value: 'v', ...over });
const d = (over: Partial<BackupParameter> = {}) => digestParameter(p(over));

describe('restore plan (pure)', () => {
  it('creates missing, skips identical, updates differing only with overwrite, never deletes', () => {
    const archive = [d({ Name: '/a' }), d({ Name: '/b', Value: 'new' }), d({ Name: '/c' })];
    const live = compareLive(archive, [d({ Name: '/b', Value: 'old' }), d({ Name: '/c' }), d({ Name: '/live-only' })]);
    const keep = planRestore(archive, live, { overwrite: false });
    expect(keep.items.map((i) => [i.name, i.action, i.fields])).to.deep.equal([
      ['/a', 'create', []],
      ['/b', 'differs', ['Value']],
      ['/c', 'unchanged', []],
    ]);
    expect(planRestore(archive, live, { overwrite: true }).counts).to.deep.equal({ create: 1, update: 1, unchanged: 1, differs: 0, delete: 0 });
  });

  it('compares only fields the archive holds; Standard in the archive vs Advanced live is no difference', () => {
    const live = d({
      Description: 'live',
      Tier: 'Advanced',
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    });
    expect(differingFields(d({ Tier: 'Standard', Tags: [{ Key: 'a', Value: '1' }] }), live)).to.deep.equal([]);
    expect(differingFields(d({ Description: 'other', Tags: [{ Key: 'a', Value: '9' }] }), live)).to.deep.equal(['Description', 'Tags']);
    expect(differingFields(d({ Type: 'SecureString', KeyId: 'alias/k' }), d({ Type: 'SecureString' }))).to.deep.equal(['KeyId']);
  });

  it('keeps of a live parameter only what the plan needs once compared (no digest, no type, no value hash)', () => {
    const archive = [d({ Name: '/a', Tags: [{ Key: 't', Value: '1' }] }), d({ Name: '/b', Type: 'SecureString', KeyId: 'alias/old' })];
    const live = compareLive(
      archive,
      [d({ Name: '/a', Version: 7, Tags: [] }), d({ Name: '/b', Type: 'SecureString', KeyId: 'alias/new', Version: 2 }), d({ Name: '/c' })],
      new Map([['alias/old', 'alias/new']]),
    );
    expect(live.get('/a')).to.deep.equal({ fields: [], Version: 7, Tags: [] });
    expect(live.get('/b')).to.deep.equal({ fields: [], Version: 2 });
    expect(live.get('/c')).to.deep.equal({ fields: undefined });
    // The caller maps each entry's key once (desiredParameter), then plans.
    const mapped = archive.map((e) => desiredParameter(e, new Map([['alias/old', 'alias/new']])));
    const plan = planRestore(mapped, live, { overwrite: true, pruneUnder: '/' });
    expect(plan.items.map((i) => [i.name, i.action, i.fields])).to.deep.equal([
      ['/a', 'update', ['Tags']],
      ['/b', 'unchanged', []],
      ['/c', 'delete', []],
    ]);
    // Without the map the key differs; with --exact-tags an extra live tag is a difference too.
    expect(
      planRestore(archive, compareLive(archive, [d({ Name: '/b', Type: 'SecureString', KeyId: 'alias/new' })]), { overwrite: false }).items[1].fields,
    ).to.deep.equal(['KeyId']);
    const extra = compareLive(archive, [
      d({
        Name: '/a',
        Tags: [
          { Key: 't', Value: '1' },
          { Key: 'x', Value: '2' },
        ],
      }),
    ]);
    expect(planRestore(archive, extra, { overwrite: true }).items[0].action).to.equal('unchanged');
    expect(planRestore(archive, extra, { overwrite: true, exactTags: true }).items[0].fields).to.deep.equal(['Tags']);
  });

  it('gives back the archive entry itself when a restore writes it unchanged (one copy of 100,000 entries)', () => {
    const plain = d({ Name: '/a' });
    const secret = d({ Name: '/s', Type: 'SecureString', KeyId: 'alias/k' });
    expect(desiredParameter(plain, new Map([['alias/k', 'alias/dr']]))).to.equal(plain);
    expect(desiredParameter(secret, new Map())).to.equal(secret);
    const mapped = desiredParameter(secret, new Map([['alias/k', 'alias/dr']]));
    expect(mapped).to.not.equal(secret);
    expect(mapped.KeyId).to.equal('alias/dr');
    expect(secret.KeyId).to.equal('alias/k');
    expect(desiredParameter(d({ Name: '/x', KeyId: 'alias/k' }), new Map())).to.not.have.property('KeyId');
  });

  it('maps KMS keys by exact id or the alias/key part of an ARN; rejects malformed maps', () => {
    const map = parseKeyMap('alias/app=alias/dr, 1234=alias/dr2', '--kms-key-map');
    expect(mapKeyId('alias/app', map)).to.equal('alias/dr');
    expect(mapKeyId('arn:aws:kms:us-west-2:1:key/1234', map)).to.equal('alias/dr2');
    expect(mapKeyId(undefined, map)).to.equal('alias/aws/ssm');
    expect(() => parseKeyMap('alias/app', '--kms-key-map')).to.throw(/--kms-key-map entry "alias\/app" is invalid: use FROM=TO/);
    expect(() => parseKeyMap('a=b,,c=d', '--kms-key-map')).to.throw(/blank item/);
  });

  it('selects by path and names, naming names missing from the archive', () => {
    const all = [p({ Name: '/app/a' }), p({ Name: '/app/b' }), p({ Name: '/apps/c' })];
    expect(selectParameters(all, { path: '/app' }).map((x) => x.Name)).to.deep.equal(['/app/a', '/app/b']);
    expect(() => selectParameters(all, { names: ['/app/a', '/nope'] })).to.throw('Not in the archive: /nope');
  });

  it('puts every field: policies as a JSON array, Advanced tier, tags only on create, key only for SecureString', () => {
    const policy = {
      PolicyText: '{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-12-31T00:00:00.000Z"}}',
      PolicyType: 'Expiration',
      PolicyStatus: 'Pending',
    };
    const param = p({ Policies: [policy], Tags: [{ Key: 't', Value: '1' }], KeyId: 'alias/x', Description: 'd', AllowedPattern: '.*', DataType: 'text' });
    const create = putRequest(param, false);
    expect(create).to.deep.include({
      Tier: 'Advanced',
      Policies: `[${policy.PolicyText}]`,
      Tags: param.Tags,
      KeyId: undefined,
      Description: 'd',
      AllowedPattern: '.*',
    });
    const update = putRequest(p({ Type: 'SecureString', KeyId: 'alias/x', Tier: 'Standard', Tags: param.Tags }), true);
    expect(update).to.deep.include({ Overwrite: true, Tags: undefined, KeyId: 'alias/x', Tier: undefined });
  });
});

describe('ssm-backup restore (through the local AWS)', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const outputs: string[] = [];
  const restore = (...extra: string[]) => w.run('restore', '--work-dir', w.work, '--put-rate', '500', '--concurrency', '8', ...extra);
  const summary = () => JSON.parse(readFileSync(path.join(w.work, 'restore_summary.json'), 'utf8'));
  const puts = () => w.aws.stats().operations['ssm:PutParameter'] ?? 0;

  beforeEach(async () => {
    w = await restoreWorld();
    const b = await w.backup();
    expect(b.code, b.stderr).to.equal(0);
  });

  afterEach(async () => {
    const file = path.join(w.work, 'restore_summary.json');
    outputs.push(...w.outputs, existsSync(file) ? readFileSync(file, 'utf8') : '');
    await w.close();
  });

  after(() => {
    for (const text of outputs) expect(text).not.to.contain(SECRET_MARKER);
  });

  it('backup, delete everything, restore: every field of every kind comes back; the plan alone wrote nothing', async () => {
    const before = w.appParams().map(restorable);
    expect(before.length).to.equal(7);
    for (const q of w.appParams()) w.aws.ssm.delete(SOURCE, q.Name);
    w.aws.resetStats();

    const plan = await restore();
    expect(plan.code, plan.stderr).to.equal(0);
    expect(puts()).to.equal(0);
    expect(w.appParams()).to.deep.equal([]);
    expect(summary()).to.deep.include({ mode: 'plan', created: [], failed: [] });
    expect(summary().planned.create).to.have.length(7);
    expect(plan.stdout).to.match(/^create\s+\/app\/us-west-2\/ami$/m);
    expect(plan.stderr).to.contain('PLAN ONLY: nothing written');

    const run = await restore('--apply');
    expect(run.code, run.stderr).to.equal(0);
    expect(w.appParams().map(restorable)).to.deep.equal(before);
    expect(summary()).to.deep.include({ mode: 'apply', failed: [], updated: [] });
    expect(summary().created).to.have.length(7);
    expect(summary().archive).to.include({ format: 'v1', verified: true });
  });

  it('skips identical parameters, leaves differing ones without --overwrite, updates them with it, deletes nothing', async () => {
    const name = `/app/${SOURCE}/db/password`;
    w.aws.ssm.put(SOURCE, { Name: name, Value: `${SECRET_MARKER}changed`, Type: 'SecureString', Description: 'edited' });
    w.aws.ssm.put(SOURCE, { Name: '/app/only-live', Value: 'x' });
    w.aws.ssm.delete(SOURCE, `/app/${SOURCE}/hosts`);
    const versions = Object.fromEntries(w.appParams().map((q) => [q.Name, q.Version]));

    const keep = await restore('--apply');
    expect(keep.code, keep.stderr).to.equal(0);
    expect(summary().created).to.deep.equal([`/app/${SOURCE}/hosts`]);
    expect(summary().skipped).to.include(name);
    expect(summary().planned.differs[name]).to.equal('value differs, Description');
    expect(keep.stdout).to.contain(`skipped  ${name}  value differs, Description (differs; --overwrite updates it)`);
    expect(w.aws.ssm.get(SOURCE, name)!.Value).to.equal(`${SECRET_MARKER}changed`);

    const force = await restore('--apply', '--overwrite');
    expect(force.code, force.stderr).to.equal(0);
    expect(summary().updated).to.deep.equal([name]);
    expect(w.aws.ssm.get(SOURCE, name)).to.deep.include({ Value: `${SECRET_MARKER}db-${SOURCE}`, Description: 'Database password' });
    expect(w.aws.ssm.get(SOURCE, '/app/only-live')).to.exist;
    for (const q of w.appParams())
      if (q.Name !== name && q.Name !== `/app/${SOURCE}/hosts` && versions[q.Name]) expect(q.Version, q.Name).to.equal(versions[q.Name]);
  });

  it('restores one parameter by name, or a path', async () => {
    for (const q of w.appParams()) w.aws.ssm.delete(SOURCE, q.Name);
    expect((await restore('--apply', '--names', `/app/${SOURCE}/ami`)).code).to.equal(0);
    expect(w.appParams().map((q) => q.Name)).to.deep.equal([`/app/${SOURCE}/ami`]);
    expect((await restore('--apply', '--path', `/app/${SOURCE}/db`)).code).to.equal(0);
    expect(w.appParams()).to.have.length(3);
    const missing = await restore('--names', '/app/nope');
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/Not in the archive \S+\.tar\.gz: \/app\/nope \(in no indexed archive of s3:\/\/\S+\)/);
  });

  it('cross-region: refuses a KMS key missing in the target before any write, then restores with --kms-key-map', async () => {
    w.aws.resetStats();
    const refused = await restore('--apply', '--target-region', DR);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/KMS key alias\/app-secrets does not exist in eu-central-1 .*--kms-key-map/);
    expect(puts()).to.equal(0);
    expect(w.appParams(DR)).to.deep.equal([]);

    w.aws.kms.createKey(DR, '5678abcd-0000-0000-0000-000000000000', ['alias/dr-secrets']);
    const run = await restore('--apply', '--target-region', DR, '--kms-key-map', 'alias/app-secrets=alias/dr-secrets');
    expect(run.code, run.stderr).to.equal(0);
    const expected = w
      .appParams()
      .map(restorable)
      .map((q) => (q.KeyId === 'alias/app-secrets' ? { ...q, KeyId: 'alias/dr-secrets' } : q));
    expect(w.appParams(DR).map(restorable)).to.deep.equal(expected);
    expect(summary()).to.include({ sourceRegion: SOURCE, targetRegion: DR });
  });

  it('rides out a throttling storm under a small PutParameter quota and loses nothing', async function () {
    for (let i = 0; i < 8; i += 1) w.aws.ssm.put(SOURCE, { Name: `/app/bulk/p${i}`, Value: `v${i}` });
    expect((await w.backup()).code).to.equal(0);
    for (const q of w.appParams()) w.aws.ssm.delete(SOURCE, q.Name);
    w.aws.setOptions({ putTps: 5 });
    w.aws.faults.add({
      service: 'ssm',
      operation: 'PutParameter',
      region: SOURCE,
      error: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
      times: 4,
    });
    w.aws.resetStats();
    const run = await w.run('restore', '--work-dir', w.work, '--put-rate', '5', '--apply');
    expect(run.code, run.stderr).to.equal(0);
    expect(w.appParams()).to.have.length(15);
    expect(summary().created).to.have.length(15);
    expect(w.aws.stats().faultsInjected).to.equal(4);
  });

  it('records failed writes by name and a re-run finishes the rest', async () => {
    for (const q of w.appParams()) w.aws.ssm.delete(SOURCE, q.Name);
    w.aws.faults.add({
      service: 'ssm',
      operation: 'PutParameter',
      region: SOURCE,
      match: '/db/',
      error: { code: 'AccessDeniedException', status: 400, message: 'not authorized' },
      times: 2,
    });
    const first = await restore('--apply');
    expect(first.code).to.equal(1);
    expect(summary().failed.map((f: { name: string }) => f.name)).to.deep.equal([`/app/${SOURCE}/db/host`, `/app/${SOURCE}/db/password`]);
    expect(summary().created).to.have.length(5);
    expect(first.stdout).to.match(/^FAILED\s+\/app\/us-west-2\/db\/host\s+AccessDeniedException \[HTTP 400\]$/m);

    const again = await restore('--apply');
    expect(again.code, again.stderr).to.equal(0);
    expect(summary().created).to.deep.equal([`/app/${SOURCE}/db/host`, `/app/${SOURCE}/db/password`]);
    expect(summary().skipped).to.have.length(5); // restored before
    expect(summary().keptAside).to.deep.equal([`/jenkins/dev/backup/${SOURCE}/s3-bucket-name`]); // the tool's configuration
    expect(w.appParams()).to.have.length(7);
  });

  describe('refuses a damaged archive before any write', () => {
    const cases: [string, (good: Map<string, Buffer>, raw: Buffer) => Promise<Buffer>, RegExp][] = [
      [
        'bad sha256',
        async (f) =>
          makeTarGz({ 'backup.json': f.get('backup.json')!.toString().replace('"String"', '"StringList"'), 'manifest.json': f.get('manifest.json')! }),
        /sha256 of backup.json is [0-9a-f]{64} but manifest.json says/,
      ],
      ['truncated gzip', async (_f, raw) => raw.subarray(0, Math.floor(raw.length / 2)), /is damaged \(.*\); nothing was restored/],
      [
        'wrong format version',
        async (f) =>
          makeTarGz({
            'backup.json': f.get('backup.json')!,
            'manifest.json': f.get('manifest.json')!.toString().replace('"formatVersion": 1', '"formatVersion": 3'),
          }),
        /format version 3; this tool reads versions 1 and 2/,
      ],
    ];
    for (const [name, damage, message] of cases) {
      it(name, async () => {
        const { readTarGz } = await import('../../../ts/lib/archive/read.js');
        const key = w.aws.s3.getObject(bucketFor(SOURCE), 'latest.txt')!.toString().trim();
        const raw = w.aws.s3.getObject(bucketFor(SOURCE), key)!;
        await w.putObject('bad/archive.tar.gz', await damage(await readTarGz(raw), raw));
        for (const q of w.appParams()) w.aws.ssm.delete(SOURCE, q.Name);
        w.aws.resetStats();
        const run = await restore('--apply', '--archive', 'bad/archive.tar.gz');
        expect(run.code).to.equal(1);
        expect(run.stderr).to.match(message);
        expect(puts()).to.equal(0);
        expect(w.appParams()).to.deep.equal([]);
      });
    }
  });

  it("restores the old job's plain backup.json and its tar.gz, saying they are unverified", async () => {
    const legacy = {
      backup_date: '2024-05-01T13:00:00Z',
      environment: 'dev',
      region: SOURCE,
      parameters: [
        {
          Name: '/app/legacy/a',
          Type: 'String',
          Value: 'a',
          Version: 3,
          LastModifiedDate: '2024-04-01T00:00:00Z',
          ARN: 'arn:aws:ssm:us-west-2:1:parameter/app/legacy/a',
          DataType: 'text',
        },
        { Name: '/app/legacy/s', Type: 'SecureString', Value: `${SECRET_MARKER}legacy`, Version: 1 },
      ],
    };
    await w.putObject('2024-05-01/backup.json', JSON.stringify(legacy));
    await w.putObject(
      '2024-05-02/ssm-backup-dev.tar.gz',
      await makeTarGz({ 'backup.json': JSON.stringify({ ...legacy, parameters: [{ Name: '/app/legacy/t', Type: 'StringList', Value: 'x,y' }] }) }),
    );
    const plain = await restore('--apply', '--archive', '2024-05-01/backup.json', '--path', '/app/legacy');
    expect(plain.code, plain.stderr).to.equal(0);
    expect(plain.stderr).to.contain('legacy backup.json without manifest: its integrity cannot be verified');
    expect(summary().archive).to.include({ format: 'legacy', verified: false });
    expect(w.aws.ssm.get(SOURCE, '/app/legacy/s')).to.include({ Type: 'SecureString', Value: `${SECRET_MARKER}legacy`, KeyId: 'alias/aws/ssm' });
    const packed = await restore('--apply', '--archive', '2024-05-02/ssm-backup-dev.tar.gz');
    expect(packed.code, packed.stderr).to.equal(0);
    expect(w.aws.ssm.get(SOURCE, '/app/legacy/t')).to.include({ Type: 'StringList', Value: 'x,y' });
  });

  it('bad usage: missing region, bad put rate, malformed key map (exit 2)', async () => {
    const noRegion = await w.cli(['restore', '--environment', 'dev', '--ssm-home-region', 'ap-northeast-1', '--work-dir', w.work]);
    expect(noRegion.code).to.equal(2);
    expect(noRegion.stderr).to.contain('--region is required');
    expect((await w.run('restore', '--work-dir', w.work, '--put-rate', '0')).stderr).to.contain('--put-rate "0" is invalid');
    expect((await restore('--kms-key-map', 'nonsense')).code).to.equal(2);
  });
});
