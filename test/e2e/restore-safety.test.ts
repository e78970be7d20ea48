import { expect } from 'chai';
import { readFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { restoreWorld, makeTarGz, backupDoc, format1Archive, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { HOME, bucketFor } from '../helpers/fixtures.js';

const doc = backupDoc;
const archive = format1Archive;

describe('restore, verify and diff: check the whole archive before the first write', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const summaryFile = () => path.join(w.work, 'restore_summary.json');
  const summary = () => JSON.parse(readFileSync(summaryFile(), 'utf8'));
  const writes = () =>
    Object.entries(w.aws.stats().operations)
      .filter(([k]) => /Put|Delete|AddTags|RemoveTags/.test(k) && k.startsWith('ssm:'))
      .reduce((n, [, v]) => n + v, 0);
  const restore = (...extra: string[]) => w.run('restore', '--work-dir', w.work, '--put-rate', '500', ...extra);
  const state = () => JSON.stringify(w.aws.ssm.list(SOURCE).map((p) => [p.Name, p.Value, p.Version]));

  beforeEach(async () => {
    w = await restoreWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('refuses an archive of another environment or region, named or reached through latest.txt: exit 2, nothing written', async () => {
    w.aws.ssm.put(SOURCE, { Name: '/app/x', Value: 'live' });
    const text = doc([{ Name: '/app/x', Type: 'String', Value: 'prod-value' }], { environment: 'prod', region: 'eu-central-1' });
    await w.putObject(
      '2026-11-28/ssm-backup-prod-eu-central-1-20261128_130000.tar.gz',
      await archive(text, 1, { environment: 'prod', region: 'eu-central-1' }),
    );
    await w.putObject('latest.txt', '2026-11-28/ssm-backup-prod-eu-central-1-20261128_130000.tar.gz\n');
    await w.putObject('old/backup.json', doc([{ Name: '/app/x', Type: 'String', Value: 'prod-value' }], { environment: 'prod' }));
    const before = state();
    w.aws.resetStats();
    const key = '2026-11-28/ssm-backup-prod-eu-central-1-20261128_130000.tar.gz';
    for (const args of [['verify'], ['diff'], ['restore', '--work-dir', w.work, '--apply', '--overwrite']]) {
      // Named: the archive's own identity refuses it.
      const named = await w.run(args[0], ...args.slice(1), '--archive', key);
      expect(named.code, args[0]).to.equal(2);
      expect(named.stderr.trim().split('\n')).to.have.length(1);
      expect(named.stderr).to.contain('belongs to environment "prod", region "eu-central-1" (manifest.json), not dev/us-west-2');
      // Through latest.txt: its key is not an archive of dev in us-west-2, refused before it is read.
      const pointed = await w.run(args[0], ...args.slice(1));
      expect(pointed.code, args[0]).to.equal(2);
      expect(pointed.stderr.trim().split('\n')).to.have.length(1);
      expect(pointed.stderr).to.contain(`latest.txt names ${key}, which is not an archive of dev in us-west-2`);
    }
    const legacy = await restore('--apply', '--overwrite', '--archive', 'old/backup.json');
    expect(legacy.code).to.equal(2);
    expect(legacy.stderr).to.contain('(the legacy backup.json header), not dev/us-west-2');
    expect(writes()).to.equal(0);
    expect(state()).to.equal(before);
  });

  it('validates every key read from S3 before use', async () => {
    for (const [pointer, why] of [
      ['../x.tar.gz', 'not a plain object key'],
      ['latest.txt', 'not an archive'],
      ['a b.tar.gz', 'blanks or control characters'],
    ]) {
      await w.putObject('latest.txt', pointer);
      const run = await w.run('verify');
      expect(run.code, pointer).to.equal(2);
      expect(run.stderr).to.contain(why);
    }
    const other = await w.run('verify', '--archive', 's3://someone-elses-bucket/x.tar.gz');
    expect(other.code).to.equal(2);
    expect(other.stderr).to.contain("not in this region's bucket");
  });

  it('refuses entries that break Parameter Store rules, names given twice, ambiguous archives: exit 2, nothing written, offenders named', async () => {
    const good = (i: number) => ({ Name: `/app/ok${i}`, Type: 'String', Value: `v${i}` });
    const bad: [string, string | Buffer, RegExp][] = [
      [
        'bogus type',
        doc([good(1), good(2), { Name: '/app/b', Type: 'Bogus', Value: 'x' }, good(3)]),
        /\/app\/b \(Type Bogus is not String, StringList, SecureString\)/,
      ],
      ['reserved name', doc([good(1), { Name: '/aws/x', Type: 'String', Value: 'x' }]), /\/aws\/x \(Name starts with the reserved prefix aws or ssm\)/],
      ['empty name', doc([good(1), { Name: '', Type: 'String', Value: 'x' }]), /"" \(empty Name\)/],
      ['name twice', doc([good(1), good(2), good(1)]), /\/app\/ok1 \(given twice \(ambiguous\)\)/],
      ['too big', doc([{ Name: '/app/big', Type: 'String', Value: 'x'.repeat(9000), Tier: 'Advanced' }]), /Value is 9000 bytes, over 8192/],
      ['bad policy', doc([{ Name: '/app/pol', Type: 'String', Value: 'x', Policies: [{ PolicyText: 'not json' }] }]), /Policies holds a policy/],
      [
        'bad label',
        doc([{ Name: '/app/l', Type: 'String', Value: 'x', Labels: ['ok', 'aws-reserved'] }]),
        /\/app\/l \(1 label LabelParameterVersion would refuse/,
      ],
    ];
    for (const [what, text, message] of bad) {
      await w.putObject('bad.tar.gz', await archive(text as string, JSON.parse(text as string).parameters.length));
      w.aws.resetStats();
      const run = await restore('--apply', '--overwrite', '--archive', 'bad.tar.gz');
      expect(run.code, what).to.equal(2);
      expect(run.stderr, what).to.match(message);
      expect(run.stderr, what).to.contain('nothing was written');
      expect(writes(), what).to.equal(0);
    }
    const text = doc([good(1)]);
    const twice = await makeTarGz({ 'backup.json': text, 'x/backup.json': text });
    await w.putObject('twice.tar.gz', twice);
    const run = await w.run('verify', '--archive', 'twice.tar.gz');
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('holds backup.json twice (backup.json, x/backup.json): ambiguous');
  });

  it('refuses a decompression bomb with one clear line', async () => {
    const text = `{"environment":"dev","region":"${SOURCE}","parameters":[]${' '.repeat(3 * 1048576)}}`;
    await w.putObject('bomb.tar.gz', await makeTarGz({ 'backup.json': text }));
    const run = await w.run('verify', '--archive', 'bomb.tar.gz', '--max-archive-mb', '1');
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/over the limit of 1 MB \(--max-archive-mb\)|more than 1 MB: refused as a possible decompression bomb/);
    const long = `{"environment":"dev","region":"${SOURCE}","parameters":[{"Name":"/a","Type":"String","Value":"${'A'.repeat(200000)}"}]}`;
    await w.putObject('long.tar.gz', await makeTarGz({ 'backup.json': long }));
    const run2 = await w.run('verify', '--archive', 'long.tar.gz');
    expect(run2.code).to.equal(2);
    expect(run2.stderr).to.contain('holds a string longer than 65536 characters');
  });

  it('--path P selects P itself and everything below it, in diff and restore', async () => {
    w.aws.ssm.put(SOURCE, { Name: '/app', Value: 'root' });
    w.aws.ssm.put(SOURCE, { Name: '/app/child', Value: 'child' });
    expect((await w.backup()).code).to.equal(0);
    const diff = await w.run('diff', '--path', '/app', '--json');
    expect(diff.code, diff.stderr).to.equal(0);
    const d = JSON.parse(diff.stdout);
    expect(d.created).to.deep.equal([]);
    expect(d.unchanged).to.include.members(['/app', '/app/child']);
    w.aws.ssm.put(SOURCE, { Name: '/app', Value: 'changed' });
    const run = await restore('--path', '/app', '--overwrite', '--apply');
    expect(run.code, run.stderr).to.equal(0);
    expect(summary().updated).to.deep.equal(['/app']);
    expect(w.aws.ssm.get(SOURCE, '/app')!.Value).to.equal('root');
    expect((await restore('--path', '/app', '--overwrite', '--apply')).code).to.equal(0);
  });

  it('reads legacy archives with ./backup.json or backup.json in one folder', async () => {
    const text = doc([{ Name: '/legacy/a', Type: 'String', Value: 'a' }]);
    await w.putObject('dot.tar.gz', await makeTarGz({ './': '', './backup.json': text }));
    await w.putObject('folder.tar.gz', await makeTarGz({ 'backup-2024/backup.json': text }));
    for (const key of ['dot.tar.gz', 'folder.tar.gz']) {
      w.aws.ssm.delete(SOURCE, '/legacy/a');
      const run = await restore('--apply', '--archive', key);
      expect(run.code, `${key}: ${run.stderr}`).to.equal(0);
      expect(w.aws.ssm.get(SOURCE, '/legacy/a')!.Value).to.equal('a');
    }
  });

  it('--prune deletes live parameters under --path the archive lacks (planned first, only with --apply); --exact-tags removes extra tags', async () => {
    w.aws.ssm.put(SOURCE, { Name: '/svc/keep', Value: 'k', Tags: [{ Key: 'team', Value: 'a' }] });
    expect((await w.backup()).code).to.equal(0);
    for (let i = 0; i < 12; i += 1) w.aws.ssm.put(SOURCE, { Name: `/svc/new${i}`, Value: 'n' });
    w.aws.ssm.put(SOURCE, { Name: '/other/new', Value: 'n' });
    w.aws.ssm.put(SOURCE, {
      Name: '/svc/keep',
      Value: 'k',
      Tags: [
        { Key: 'team', Value: 'a' },
        { Key: 'extra', Value: 'x' },
      ],
    });
    const plan = await restore('--path', '/svc', '--prune', '--exact-tags', '--overwrite');
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stdout).to.match(/^delete\s+\/svc\/new0$/m);
    expect(plan.stdout).to.match(/^update\s+\/svc\/keep\s+Tags$/m);
    expect(summary().planned.delete).to.have.length(12);
    expect(w.aws.ssm.get(SOURCE, '/svc/new0')).to.exist;
    const run = await restore('--path', '/svc', '--prune', '--exact-tags', '--overwrite', '--apply');
    expect(run.code, run.stderr).to.equal(0);
    expect(summary().deleted).to.have.length(12);
    expect(w.aws.stats().operations['ssm:DeleteParameters']).to.equal(2);
    expect(
      w.aws.ssm
        .list(SOURCE)
        .filter((p) => p.Name.startsWith('/svc/'))
        .map((p) => p.Name),
    ).to.deep.equal(['/svc/keep']);
    expect(w.aws.ssm.get(SOURCE, '/svc/keep')!.Tags).to.deep.equal([{ Key: 'team', Value: 'a' }]);
    expect(w.aws.ssm.get(SOURCE, '/other/new')).to.exist;
  });

  it('a prune-only plan (nothing to create or update) has writeCount = its deletions and lists them in planned.delete', async () => {
    w.aws.ssm.put(SOURCE, { Name: '/svc/keep', Value: 'k' });
    expect((await w.backup()).code).to.equal(0);
    w.aws.ssm.put(SOURCE, { Name: '/svc/extra1', Value: 'x' });
    w.aws.ssm.put(SOURCE, { Name: '/svc/extra2', Value: 'x' });
    const plan = await restore('--path', '/svc', '--prune');
    expect(plan.code, plan.stderr).to.equal(0);
    expect(summary()).to.include({ mode: 'plan', writeCount: 2 });
    expect(summary().planned).to.deep.include({ create: [], update: [], delete: ['/svc/extra1', '/svc/extra2'] });
    const without = await restore('--path', '/svc');
    expect(without.code, without.stderr).to.equal(0);
    expect(summary()).to.include({ writeCount: 0 });
    expect(summary().planned.delete).to.deep.equal([]);
    const run = await restore('--path', '/svc', '--prune', '--apply');
    expect(run.code, run.stderr).to.equal(0);
    expect(summary()).to.include({ mode: 'apply', writeCount: 2 });
    expect(summary().deleted).to.deep.equal(['/svc/extra1', '/svc/extra2']);
  });

  it("--prune is refused (nothing written) when the archive was not made to hold everything under --path; the tool's own configuration is never pruned", async () => {
    w.aws.ssm.put(SOURCE, { Name: '/svc/keep', Value: 'k' });
    expect((await w.backup('--path', '/svc')).code).to.equal(0);
    w.aws.ssm.put(SOURCE, { Name: '/other/new', Value: 'n' });
    const wide = await restore('--prune', '--overwrite', '--apply');
    expect(wide.code).to.equal(2);
    expect(wide.stderr).to.match(/--prune refused: the archive .* was made with --path \/svc, which does not cover --path \/; nothing was written/);
    expect(w.aws.ssm.get(SOURCE, '/other/new')).to.exist;
    expect(w.aws.stats().operations['ssm:DeleteParameters'] ?? 0).to.equal(0);
    // A full backup, then new configuration keys of the tool itself: a full prune leaves them alone.
    expect((await w.backup()).code).to.equal(0);
    w.aws.ssm.put(SOURCE, { Name: `/jenkins/dev/backup/${SOURCE}/kms-key-arn`, Value: 'arn:aws:kms:us-west-2:123456789012:key/x' });
    // The region now has a backup key parameter: the format 1 archive is read only when named as the exception.
    const v1 = w.aws.s3.getObject(bucketFor(SOURCE), 'latest.txt')!.toString().trim();
    const full = await restore('--prune', '--overwrite', '--allow-unencrypted-archive', v1);
    expect(full.code, full.stderr).to.equal(0);
    expect(full.stdout).not.to.match(/^delete\s+\/jenkins\//m);
  });

  describe('values never enter a message', () => {
    const values = ['line-one-SECRET\nline-two-SECRET\nline-three', 'x', '{"password":"JSON-SECRET","n":1}'];
    const fragments = ['line-one-SECRET', 'line-two-SECRET', 'line-three', 'JSON-SECRET'];
    const texts = (run: { stdout: string; stderr: string }) => [
      run.stdout,
      run.stderr,
      existsSync(summaryFile()) ? readFileSync(summaryFile(), 'utf8') : '',
      existsSync(path.join(w.work, 'e.json')) ? readFileSync(path.join(w.work, 'e.json'), 'utf8') : '',
    ];

    it('a PutParameter error that echoes the value is reported by code and field only', async () => {
      values.forEach((v, i) => w.aws.ssm.put(SOURCE, { Name: `/m/p${i}`, Value: v, Type: 'SecureString' }));
      expect((await w.backup()).code).to.equal(0);
      for (let i = 0; i < values.length; i += 1) {
        w.aws.ssm.delete(SOURCE, `/m/p${i}`);
        w.aws.faults.add({
          service: 'ssm',
          operation: 'PutParameter',
          match: `/m/p${i}`,
          error: {
            code: 'ValidationException',
            status: 400,
            message: `1 validation error detected: Value '${values[i]}' at 'value' failed to satisfy constraint`,
          },
        });
      }
      const run = await restore('--apply', '--path', '/m', '--error-file', path.join(w.work, 'e.json'));
      expect(run.code).to.equal(1);
      // The field comes from AWS's member name (at 'value'), never the text around it.
      expect(summary().failed.map((f: { error: string }) => f.error)).to.deep.equal(Array(3).fill('ValidationException (field: Value) [HTTP 400]'));
      for (const text of texts(run)) for (const f of fragments) expect(text).not.to.contain(f);
      expect(run.stdout).to.contain('ValidationException (field: Value) [HTTP 400]');
      expect(run.stdout + run.stderr).not.to.match(/E\*\*\*|\*\*\*c/);
    });

    it('a malformed legacy backup.json is reported by position only', async () => {
      await w.putObject(
        'broken/backup.json',
        `{"environment":"dev","region":"${SOURCE}","parameters":[{"Name":"/a","Type":"SecureString","Value":"line-one-SECRET\\nline-two-SECRET" oops JSON-SECRET}]}`,
      );
      const run = await restore('--apply', '--archive', 'broken/backup.json', '--error-file', path.join(w.work, 'e.json'));
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/backup.json is not valid JSON \(error near byte \d+\)/);
      for (const text of texts(run)) for (const f of fragments) expect(text).not.to.contain(f);
    });
  });

  it('after SIGTERM during restore --apply, restore_summary.json lists exactly what was written', async function () {
    this.timeout(90000);
    for (let i = 0; i < 40; i += 1) w.aws.ssm.put(SOURCE, { Name: `/sig/p${String(i).padStart(2, '0')}`, Value: `v${i}` });
    expect((await w.backup()).code).to.equal(0);
    for (let i = 0; i < 40; i += 1) w.aws.ssm.delete(SOURCE, `/sig/p${String(i).padStart(2, '0')}`);
    w.aws.setOptions({ putTps: 10 });
    const bundle = path.resolve('resources/ssm-multi-region-backup/ssm-backup.cjs');
    const child = spawn(
      process.execPath,
      [
        bundle,
        'restore',
        '--environment',
        'dev',
        '--ssm-home-region',
        HOME,
        '--region',
        SOURCE,
        '--path',
        '/sig',
        '--apply',
        '--put-rate',
        '10',
        '--work-dir',
        w.work,
      ],
      { env: { ...process.env, ...w.aws.env }, stdio: 'ignore' },
    );
    const deadline = Date.now() + 30000;
    while (w.aws.ssm.list(SOURCE).filter((p) => p.Name.startsWith('/sig/')).length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('close', (c, s) => r(c ?? s)));
    expect(code).to.equal(143);
    const live = w.aws.ssm
      .list(SOURCE)
      .filter((p) => p.Name.startsWith('/sig/'))
      .map((p) => p.Name)
      .sort();
    const s = summary();
    expect(live.length).to.be.within(10, 39);
    expect(s.complete).to.equal(false);
    // Confirmed writes are listed; a write sent but unanswered at the signal is listed as inFlight.
    expect(live.filter((n) => !s.created.includes(n))).to.satisfy((rest: string[]) => rest.every((n) => s.inFlight.includes(n)));
    expect(s.created.every((n: string) => live.includes(n))).to.equal(true);
  });
});
