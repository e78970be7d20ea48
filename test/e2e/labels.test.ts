import { expect } from 'chai';
import { GetParameterHistoryCommand, LabelParameterVersionCommand, UnlabelParameterVersionCommand, SSMClient } from '@aws-sdk/client-ssm';
import { restoreWorld, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { HOME } from '../helpers/fixtures.js';

describe('labels round trip: backup --include-labels, restore, diff (local AWS)', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  let ssm: SSMClient;
  const host = `/app/${SOURCE}/db/host`;
  const hosts = `/app/${SOURCE}/hosts`;

  /** Labels on the current version of a parameter, read from the history. */
  const currentLabels = async (name: string): Promise<string[]> => {
    const out = await ssm.send(new GetParameterHistoryCommand({ Name: name }));
    const versions = out.Parameters ?? [];
    return [...(versions[versions.length - 1]?.Labels ?? [])].sort();
  };

  beforeEach(async () => {
    w = await restoreWorld();
    ssm = new SSMClient({ region: SOURCE, endpoint: w.aws.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    // Version 1 can carry labels (attached after creation).
    await ssm.send(new LabelParameterVersionCommand({ Name: host, ParameterVersion: 1, Labels: ['stable', 'prod'] }));
    // A label on an older version is not the current version's: not recorded.
    await ssm.send(new LabelParameterVersionCommand({ Name: hosts, ParameterVersion: 1, Labels: ['old'] }));
    w.aws.ssm.put(SOURCE, { Name: hosts, Value: 'c.example.com', Type: 'StringList' });
    await ssm.send(new LabelParameterVersionCommand({ Name: hosts, Labels: ['current'] }));
    const b = await w.cli(['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--regions', SOURCE, '--include-labels', '--work-dir', w.work]);
    expect(b.code, b.stderr).to.equal(0);
  });

  afterEach(async () => {
    ssm.destroy();
    await w.close();
  });

  it("records the current version's labels and re-attaches them with one LabelParameterVersion per labelled parameter", async () => {
    for (const p of w.appParams()) w.aws.ssm.delete(SOURCE, p.Name);
    w.aws.resetStats();
    const run = await w.run('restore', '--work-dir', w.work, '--put-rate', '500', '--apply');
    expect(run.code, run.stderr).to.equal(0);
    const ops = w.aws.stats().operations;
    expect(ops['ssm:LabelParameterVersion']).to.equal(2);
    expect(ops['ssm:PutParameter']).to.equal(7);
    expect(ops['ssm:GetParameterHistory'] ?? 0).to.equal(0);
    expect(await currentLabels(host)).to.deep.equal(['prod', 'stable']);
    expect(await currentLabels(hosts)).to.deep.equal(['current']);
    expect(await currentLabels(`/app/${SOURCE}/ami`)).to.deep.equal([]);
  });

  it('diff reports a label missing live; restore --overwrite re-attaches it to the live version without a new version', async () => {
    await ssm.send(new UnlabelParameterVersionCommand({ Name: host, ParameterVersion: 1, Labels: ['prod'] }));
    const diff = await w.run('diff', '--json');
    expect(diff.code, diff.stderr).to.equal(0);
    expect(JSON.parse(diff.stdout).changed).to.deep.equal([{ name: host, fields: ['Labels'] }]);
    w.aws.resetStats();
    const run = await w.run('restore', '--work-dir', w.work, '--apply', '--overwrite');
    expect(run.code, run.stderr).to.equal(0);
    const ops = w.aws.stats().operations;
    expect(ops['ssm:PutParameter'] ?? 0).to.equal(0);
    expect(ops['ssm:LabelParameterVersion']).to.equal(1);
    expect(w.aws.ssm.get(SOURCE, host)?.Version).to.equal(1);
    expect(await currentLabels(host)).to.deep.equal(['prod', 'stable']);
  });
});
