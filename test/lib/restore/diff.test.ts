import { expect } from 'chai';
import { restoreWorld, SOURCE, DR, type RestoreWorld } from '../../helpers/restore.js';
import { SECRET_MARKER } from '../../helpers/fixtures.js';
import { AddTagsToResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { diffArchive } from '../../../ts/lib/restore/diff.js';
import { digestParameter as g } from '../../../ts/lib/restore/plan.js';
import { compareLive } from '../../helpers/plan.js';

describe('ssm-backup diff', function () {
  this.timeout(30000);
  let w: RestoreWorld;

  beforeEach(async () => {
    w = await restoreWorld();
    expect((await w.backup()).code).to.equal(0);
  });

  afterEach(async () => {
    for (const text of w.outputs) expect(text).not.to.contain(SECRET_MARKER);
    await w.close();
  });

  it('is a pure comparison by name and field', () => {
    const archive = [g({ Name: '/a', Type: 'String', Value: '1' }), g({ Name: '/b', Type: 'String', Value: '1' })];
    const d = diffArchive(archive, compareLive(archive, [g({ Name: '/b', Type: 'String', Value: '2' }), g({ Name: '/c', Type: 'String', Value: '3' })]));
    expect(d).to.deep.equal({ created: ['/a'], changed: [{ name: '/b', fields: ['Value'] }], unchanged: [], onlyLive: ['/c'] });
  });

  it('shows created / changed / unchanged / only-live; a changed SecureString shows "value differs"', async () => {
    const secret = `/app/${SOURCE}/db/password`;
    w.aws.ssm.put(SOURCE, { Name: secret, Value: `${SECRET_MARKER}rotated`, Type: 'SecureString', Description: 'Database password' });
    w.aws.ssm.put(SOURCE, { Name: `/app/${SOURCE}/db/host`, Value: `db.${SOURCE}.internal`, Type: 'String', Description: 'moved' });
    w.aws.ssm.delete(SOURCE, `/app/${SOURCE}/hosts`);
    w.aws.ssm.put(SOURCE, { Name: '/app/new', Value: `${SECRET_MARKER}new` });
    const run = await w.run('diff', '--path', '/app');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain(`+ /app/${SOURCE}/hosts  (only in archive: restore creates it)`);
    expect(run.stdout).to.contain(`~ ${secret}  value differs\n`);
    expect(run.stdout).to.contain(`~ /app/${SOURCE}/db/host  Description\n`);
    expect(run.stdout).to.contain('- /app/new  (only live: restore leaves it alone)');
    expect(run.stdout).to.contain('created=1 changed=2 unchanged=4 only-live=1');

    const json = JSON.parse((await w.run('diff', '--path', '/app', '--json')).stdout);
    expect(json.changed).to.deep.equal([
      { name: `/app/${SOURCE}/db/host`, fields: ['Description'] },
      { name: secret, fields: ['Value'] },
    ]);
    expect(json.unchanged).to.have.length(4);
  });

  it('reads live tags with one GetResources sweep (not one ListTagsForResource per tagged parameter) and shows tag changes', async () => {
    const host = `/app/${SOURCE}/db/host`;
    const key = `/app/${SOURCE}/api/key`;
    const ssm = new SSMClient({ region: SOURCE, endpoint: w.aws.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: host, Tags: [{ Key: 'team', Value: 'other' }] }));
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: key, Tags: [{ Key: 'extra', Value: '1' }] }));
    ssm.destroy();
    w.aws.resetStats();
    const json = JSON.parse((await w.run('diff', '--path', '/app', '--json')).stdout);
    expect(json.changed).to.deep.equal([{ name: host, fields: ['Tags'] }]);
    const ops = w.aws.stats().operations;
    expect(ops['tagging:GetResources']).to.equal(1);
    expect(ops['ssm:ListTagsForResource'] ?? 0).to.equal(0);

    // Denied Tagging API: the same answer from ListTagsForResource, one call per tagged parameter.
    w.aws.faults.add({ service: 'tagging', operation: 'GetResources', error: { code: 'AccessDeniedException', status: 400 } });
    w.aws.resetStats();
    const denied = await w.run('diff', '--path', '/app', '--json');
    expect(JSON.parse(denied.stdout).changed).to.deep.equal(json.changed);
    expect(denied.stderr).to.contain('falling back to ListTagsForResource');
    expect(w.aws.stats().operations['ssm:ListTagsForResource']).to.equal(2);
  });

  it('reads tags one by one when the sweep would cost more calls than that (few tagged names, many tagged parameters)', async () => {
    for (let i = 0; i < 250; i++) w.aws.ssm.put(SOURCE, { Name: `/other/p${i}`, Value: 'v', Tags: [{ Key: 'k', Value: String(i) }] });
    w.aws.resetStats();
    const json = JSON.parse((await w.run('diff', '--path', '/app', '--json')).stdout);
    expect(json.changed).to.deep.equal([]);
    const ops = w.aws.stats().operations;
    expect(ops['tagging:GetResources']).to.equal(2);
    expect(ops['ssm:ListTagsForResource']).to.equal(2);
  });

  it('compares with another region, keys mapped as a restore would write them', async () => {
    w.aws.kms.createKey(DR, 'k-dr', ['alias/dr-secrets']);
    expect(
      (
        await w.run(
          'restore',
          '--target-region',
          DR,
          '--kms-key-map',
          'alias/app-secrets=alias/dr-secrets',
          '--apply',
          '--put-rate',
          '500',
          '--path',
          '/app',
          '--work-dir',
          w.work,
        )
      ).code,
    ).to.equal(0);
    const mapped = JSON.parse(
      (await w.run('diff', '--target-region', DR, '--path', '/app', '--kms-key-map', 'alias/app-secrets=alias/dr-secrets', '--json')).stdout,
    );
    expect(mapped).to.deep.include({ created: [], changed: [], onlyLive: [] });
    const unmapped = JSON.parse((await w.run('diff', '--target-region', DR, '--path', '/app', '--json')).stdout);
    expect(unmapped.changed).to.deep.equal([{ name: `/app/${SOURCE}/api/key`, fields: ['KeyId'] }]);
  });
});
