import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { restoreWorld, SOURCE, DR, type RestoreWorld } from '../../helpers/restore.js';
import { SECRET_MARKER } from '../../helpers/fixtures.js';
import { checkKeyMapUse, keyMapSource } from '../../../ts/lib/restore/plan.js';
import { parseKeyMap } from '../../../ts/cli/options.js';

const secret = (KeyId?: string) => ({ Type: 'SecureString', ...(KeyId === undefined ? {} : { KeyId }) });

/** --kms-key-map: one target per source key (usage), and no source that no selected SecureString uses (a typo). */
describe('--kms-key-map sources (pure)', () => {
  it('a source given twice is a usage error, with two targets or the same one; its variable too', () => {
    expect(() => parseKeyMap('alias/a=alias/b,alias/a=alias/c', '--kms-key-map')).to.throw(
      /^--kms-key-map maps "alias\/a" to both "alias\/b" and "alias\/c": give one target per source key$/,
    );
    expect(() => parseKeyMap('alias/a=alias/b, alias/a = alias/b', 'SSM_BACKUP_KMS_KEY_MAP')).to.throw(
      /^SSM_BACKUP_KMS_KEY_MAP lists "alias\/a=alias\/b" twice: remove the duplicate$/,
    );
    expect([...parseKeyMap('alias/a=alias/c,alias/b=alias/c', '--kms-key-map')]).to.have.length(2); // two sources, one target: fine
  });

  it('a source is used by an exact key id, the alias/key part of an ARN, or the default key of a SecureString without one', () => {
    const map = parseKeyMap('alias/app=alias/dr,1234=alias/dr2,alias/aws/ssm=alias/dr3', '--kms-key-map');
    expect(keyMapSource('alias/app', map)).to.equal('alias/app');
    expect(keyMapSource('arn:aws:kms:us-west-2:1:key/1234', map)).to.equal('1234');
    expect(keyMapSource(undefined, map)).to.equal('alias/aws/ssm');
    expect(keyMapSource('alias/other', map)).to.equal(undefined);
    const all = [secret('alias/app'), secret('arn:aws:kms:us-west-2:1:key/1234'), secret()];
    expect(checkKeyMapUse(all, map, true)).to.equal(undefined);
    expect(checkKeyMapUse([], new Map(), true)).to.equal(undefined);
  });

  it('an unused source: a warning naming it and the keys the selection uses; refused with --apply while a selected key is unmapped', () => {
    const map = parseKeyMap('alias/app-secret=alias/dr,alias/aws/ssm=alias/dr', '--kms-key-map');
    // A String with the key id of a source does not use it: only SecureStrings are written with a key.
    const selected = [secret('alias/app-secrets'), secret(), { Type: 'String', KeyId: 'alias/app-secret' }];
    expect(checkKeyMapUse(selected, map, false)).to.equal(
      "--kms-key-map source alias/app-secret is the key of no selected SecureString: correct or remove it (the selection's SecureStrings use alias/app-secrets, alias/aws/ssm)",
    );
    expect(() => checkKeyMapUse(selected, map, true)).to.throw(
      /alias\/app-secret is the key of no selected SecureString, while alias\/app-secrets is not mapped: if a source is a typo for it, secrets would be written under the wrong key; .*nothing was written$/,
    );
    // Every selected SecureString mapped: the unused source changes nothing, so apply goes on with the warning.
    const standing = parseKeyMap('alias/app-secrets=alias/dr,alias/aws/ssm=alias/dr,alias/db=alias/dr-db', '--kms-key-map');
    expect(checkKeyMapUse(selected, standing, true)).to.match(
      /^--kms-key-map source alias\/db is the key of no selected SecureString: .*every selected SecureString is mapped/,
    );
    expect(checkKeyMapUse([{ Type: 'String' }], map, false)).to.match(/sources alias\/app-secret, alias\/aws\/ssm are .*use no key: it holds none/);
  });
});

describe('--kms-key-map sources (restore and diff through the local AWS)', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const restore = (...extra: string[]) => w.run('restore', '--work-dir', w.work, '--target-region', DR, ...extra);
  const summary = () => JSON.parse(readFileSync(path.join(w.work, 'restore_summary.json'), 'utf8'));
  const puts = () => w.aws.stats().operations['ssm:PutParameter'] ?? 0;
  const typo = 'alias/app-secret=alias/dr-secrets,alias/app-secrets=alias/dr-secrets';

  beforeEach(async () => {
    w = await restoreWorld();
    w.aws.kms.createKey(DR, '5678abcd-0000-0000-0000-000000000000', ['alias/dr-secrets']);
    const b = await w.backup();
    expect(b.code, b.stderr).to.equal(0);
  });
  afterEach(async () => {
    for (const text of w.outputs) expect(text).not.to.contain(SECRET_MARKER);
    await w.close();
  });

  it('two targets for one source: exit 2, one line, before any AWS call', async () => {
    w.aws.resetStats();
    for (const run of [
      await restore('--kms-key-map', 'alias/app-secrets=alias/dr-secrets,alias/app-secrets=alias/other', '--apply'),
      await w.run('diff', '--kms-key-map', 'alias/a=alias/b,alias/a=alias/c'),
    ]) {
      expect(run.code).to.equal(2);
      expect(run.stderr.split('\n').filter(Boolean), run.stderr).to.have.length(1);
      expect(run.stderr).to.match(/--kms-key-map maps "alias\/\S+" to both/);
    }
    expect(w.aws.stats().totalRequests).to.equal(0);
  });

  it('a source no selected SecureString uses: a WARN line and a summary note in the plan, refused with --apply while a selected key is unmapped (nothing written)', async () => {
    const plan = await restore('--kms-key-map', typo);
    expect(plan.code, plan.stderr).to.equal(0);
    const warning = /WARN +\[eu-central-1\] --kms-key-map source alias\/app-secret is the key of no selected SecureString: correct or remove it/;
    expect(plan.stderr).to.match(warning);
    expect(summary().notes[0]).to.match(/^--kms-key-map source alias\/app-secret is the key of no selected SecureString/);
    expect(summary().notes[0]).to.contain('alias/app-secrets, alias/aws/ssm');

    w.aws.resetStats();
    const run = await restore('--kms-key-map', typo, '--apply');
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(
      /while alias\/aws\/ssm is not mapped: if a source is a typo for it, secrets would be written under the wrong key; correct or remove it .*nothing was written/,
    );
    expect(puts()).to.equal(0);
    expect(w.appParams(DR)).to.deep.equal([]);

    // Every source used: no warning, and the apply writes.
    const fixed = await restore('--kms-key-map', 'alias/app-secrets=alias/dr-secrets,alias/aws/ssm=alias/dr-secrets', '--apply');
    expect(fixed.code, fixed.stderr).to.equal(0);
    expect(fixed.stderr).not.to.contain('--kms-key-map source');
    expect(summary().notes.filter((n: string) => n.includes('--kms-key-map'))).to.deep.equal([]);
  });

  it('a source used only outside --path is unused by the selection; diff warns and still compares', async () => {
    const map = 'alias/app-secrets=alias/dr-secrets';
    const plan = await restore('--path', `/app/${SOURCE}/db`, '--kms-key-map', map);
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stderr).to.match(
      /source alias\/app-secrets is the key of no selected SecureString: correct or remove it \(the selection's SecureStrings use alias\/aws\/ssm\)/,
    );
    const diff = await w.run('diff', '--target-region', DR, '--path', `/app/${SOURCE}/db`, '--kms-key-map', map);
    expect(diff.code, diff.stderr).to.equal(0);
    expect(diff.stderr).to.match(/WARN +\[eu-central-1\] --kms-key-map source alias\/app-secrets is the key of no selected SecureString/);
    expect(diff.stdout).to.match(/created/);
  });
});
