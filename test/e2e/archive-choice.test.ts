import { expect } from 'chai';
import { restoreWorld, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor } from '../helpers/fixtures.js';
import { seedBackupKeys } from '../helpers/encryption.js';

/**
 * Which archive a restore reads, found by the break test of the merged issues: `--as-of` never picks an archive the
 * shrink guard refused; a renamed copy of an older archive never passes for a newer one; latest.txt aimed outside the
 * engine's own naming is never followed.
 */
describe('the archive a restore chooses', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const bucket = bucketFor(SOURCE);
  const latestKey = () => w.aws.s3.getObject(bucket, 'latest.txt')!.toString().trim();
  const archives = () =>
    w.aws.s3
      .listObjects(bucket)
      .map((o) => o.key)
      .filter((k) => /\.tar\.gz$/.test(k))
      .sort();

  beforeEach(async () => {
    w = await restoreWorld();
    seedBackupKeys(w.aws, [SOURCE]);
    const run = await w.backup();
    expect(run.code, run.stderr).to.equal(0);
  });
  afterEach(() => w.close());

  it('--as-of skips an archive the shrink guard refused (warned, with how to pick it anyway)', async () => {
    const good = latestKey();
    for (const p of w.appParams()) w.aws.ssm.delete(SOURCE, p.Name);
    await new Promise((r) => setTimeout(r, 1100));
    const refused = await w.backup();
    expect(refused.code, refused.stderr).to.equal(1);
    const bad = archives().find((k) => k !== good)!;
    expect(w.aws.s3.getObject(bucket, `${bad}.refused`), 'the refusal mark').to.not.equal(undefined);
    const plan = await w.run('restore', '--as-of', new Date(Date.now() + 60000).toISOString().replace(/\.\d+Z$/, 'Z'));
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stderr).to.contain(`--as-of skips ${bad}: the shrink guard refused it`).and.to.contain(`archive ${good}`);
    expect(plan.stderr).to.not.match(new RegExp(`--as-of [^:]+: archive ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('a renamed copy of an older archive is refused as altered (the key time differs from the sealed one), by verify, restore and --as-of', async () => {
    const genuine = latestKey();
    // The same archive under the name of a backup 11 s later (the day folder kept: same day in all but a midnight run).
    const later = genuine.replace(/-(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\.tar\.gz$/, (_m, ...p: string[]) => {
      const t = new Date(Date.UTC(+p[0], +p[1] - 1, +p[2], +p[3], +p[4], +p[5] + 11)).toISOString();
      return `-${t.slice(0, 10).replace(/-/g, '')}_${t.slice(11, 19).replace(/:/g, '')}.tar.gz`;
    });
    expect(later).to.not.equal(genuine);
    await w.putObject(later, w.aws.s3.getObject(bucket, genuine)!, w.aws.s3.objectMeta(bucket, genuine)!.metadata);
    const verify = await w.run('verify', '--archive', later);
    expect(verify.code, verify.stderr).to.equal(1);
    expect(verify.stderr).to.contain('a renamed copy of another archive');
    const restore = await w.run('restore', '--archive', later, '--prune', '--apply');
    expect(restore.code, restore.stderr).to.equal(1);
    expect(restore.stderr).to.contain('a renamed copy of another archive');
    const asOf = await w.run('restore', '--as-of', new Date(Date.now() + 60000).toISOString().replace(/\.\d+Z$/, 'Z'));
    expect(asOf.code, asOf.stderr).to.equal(1);
    // The genuine archive under its own name still verifies.
    const ok = await w.run('verify', '--archive', genuine);
    expect(ok.code, ok.stderr).to.equal(0);
  });

  it('latest.txt naming a key outside the engine naming is refused (exit 2), never followed', async () => {
    const genuine = latestKey();
    for (const elsewhere of ['evil/anything.tar.gz', `2026-01-01/ssm-backup-prod-${SOURCE}-20260101_000000.tar.gz`]) {
      await w.putObject(elsewhere, w.aws.s3.getObject(bucket, genuine)!);
      await w.putObject('latest.txt', `${elsewhere}\n`);
      for (const command of ['restore', 'verify']) {
        const run = await w.run(command);
        expect(run.code, `${command} ${elsewhere}: ${run.stderr}`).to.equal(2);
        expect(run.stderr).to.contain(`latest.txt names ${elsewhere}, which is not an archive of dev in ${SOURCE}`);
      }
    }
  });
});
