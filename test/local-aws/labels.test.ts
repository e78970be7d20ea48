import { expect } from 'chai';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  UnlabelParameterVersionCommand,
  paginateGetParameterHistory,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { rejects, ssmClient } from './helpers.js';

describe('local-aws SSM history and labels', () => {
  let aws: LocalAws;
  let ssm: SSMClient;

  const put = (Value: string, name = '/app/db/url'): Promise<unknown> =>
    ssm.send(new PutParameterCommand({ Name: name, Value, Type: 'String', Overwrite: true }));
  const label = (Labels: string[], ParameterVersion?: number) => ssm.send(new LabelParameterVersionCommand({ Name: '/app/db/url', ParameterVersion, Labels }));
  const labelsByVersion = async (): Promise<Record<number, string[]>> => {
    const out = await ssm.send(new GetParameterHistoryCommand({ Name: '/app/db/url' }));
    return Object.fromEntries((out.Parameters ?? []).map((p) => [p.Version ?? 0, p.Labels ?? []]));
  };

  beforeEach(async () => {
    aws = await startLocalAws();
    ssm = ssmClient(aws, 'us-west-2');
    for (const v of ['v1', 'v2', 'v3']) await put(v);
  });
  afterEach(async () => {
    ssm.destroy();
    await aws.stop();
  });

  it('labels the latest version by default, moves a label to the version named last, and reports bad labels', async () => {
    expect(await label(['prod'])).to.deep.include({ ParameterVersion: 3, InvalidLabels: [] });
    expect(await label(['prod', 'stable', '1st', 'aws-x', 'SSM_y', 'has space'], 1)).to.deep.include({
      ParameterVersion: 1,
      InvalidLabels: ['1st', 'aws-x', 'SSM_y', 'has space'],
    });
    expect(await labelsByVersion()).to.deep.equal({ 1: ['prod', 'stable'], 2: [], 3: [] });
    expect((await rejects(label(['x'], 9))).name).to.equal('ParameterVersionNotFound');
    expect((await rejects(ssm.send(new LabelParameterVersionCommand({ Name: '/nope', Labels: ['x'] })))).name).to.equal('ParameterNotFound');
    expect((await rejects(label(['x'.repeat(101)]))).name).to.equal('ValidationException');
  });

  it('allows at most 10 labels per version (ParameterVersionLabelLimitExceeded), and unlabels', async () => {
    await label(
      Array.from({ length: 10 }, (_, i) => `l${i}`),
      2,
    );
    expect((await rejects(label(['eleventh'], 2))).name).to.equal('ParameterVersionLabelLimitExceeded');
    expect(
      (
        await rejects(
          label(
            Array.from({ length: 11 }, (_, i) => `m${i}`),
            1,
          ),
        )
      ).name,
    ).to.equal('ValidationException');
    const un = await ssm.send(new UnlabelParameterVersionCommand({ Name: '/app/db/url', ParameterVersion: 2, Labels: ['l0', 'l1', 'absent'] }));
    expect(un).to.deep.include({ RemovedLabels: ['l0', 'l1'], InvalidLabels: ['absent'] });
    expect((await labelsByVersion())[2]).to.have.length(8);
  });

  it('GetParameter and GetParameters resolve name:version and name:label selectors', async () => {
    await label(['prod'], 2);
    const byLabel = (await ssm.send(new GetParameterCommand({ Name: '/app/db/url:prod' }))).Parameter;
    expect(byLabel).to.include({ Name: '/app/db/url', Value: 'v2', Version: 2, Selector: ':prod' });
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/db/url:1' }))).Parameter).to.include({ Value: 'v1', Selector: ':1' });
    expect((await rejects(ssm.send(new GetParameterCommand({ Name: '/app/db/url:qa' })))).name).to.equal('ParameterVersionNotFound');
    const many = await ssm.send(new GetParametersCommand({ Names: ['/app/db/url:prod', '/app/db/url:qa', '/app/db/url'] }));
    expect(many.Parameters?.map((p) => p.Value)).to.deep.equal(['v2', 'v3']);
    expect(many.InvalidParameters).to.deep.equal(['/app/db/url:qa']);
  });

  it('GetParameterHistory pages oldest first (MaxResults 1-50), decrypts only WithDecryption', async () => {
    for (let i = 4; i <= 12; i++) await put(`v${i}`);
    await ssm.send(new PutParameterCommand({ Name: '/app/secret', Value: 's3cr3t', Type: 'SecureString' }));
    const versions: number[] = [];
    for await (const page of paginateGetParameterHistory({ client: ssm, pageSize: 5 }, { Name: '/app/db/url' })) {
      expect(page.Parameters?.length).to.be.at.most(5);
      versions.push(...(page.Parameters ?? []).map((p) => p.Version ?? 0));
    }
    expect(versions).to.deep.equal(Array.from({ length: 12 }, (_, i) => i + 1));
    const hidden = (await ssm.send(new GetParameterHistoryCommand({ Name: '/app/secret' }))).Parameters?.[0];
    expect(hidden).to.include({ Type: 'SecureString', KeyId: 'alias/aws/ssm', Version: 1 });
    expect(hidden?.Value).to.not.equal('s3cr3t');
    expect((await ssm.send(new GetParameterHistoryCommand({ Name: '/app/secret', WithDecryption: true }))).Parameters?.[0].Value).to.equal('s3cr3t');
    expect((await rejects(ssm.send(new GetParameterHistoryCommand({ Name: '/app/db/url', MaxResults: 51 })))).name).to.equal('ValidationException');
    expect((await rejects(ssm.send(new GetParameterHistoryCommand({ Name: '/nope' })))).name).to.equal('ParameterNotFound');
  });

  it('GetParametersByPath with a Label filter returns the labelled versions; deleting a parameter drops its history', async () => {
    await put('other', '/app/db/user');
    await label(['prod'], 1);
    const out = await ssm.send(
      new GetParametersByPathCommand({ Path: '/app', Recursive: true, ParameterFilters: [{ Key: 'Label', Option: 'Equals', Values: ['prod'] }] }),
    );
    expect(out.Parameters?.map((p) => [p.Name, p.Value, p.Version])).to.deep.equal([['/app/db/url', 'v1', 1]]);
    const bad = await rejects(
      ssm.send(new GetParametersByPathCommand({ Path: '/app', ParameterFilters: [{ Key: 'Label', Option: 'BeginsWith', Values: ['p'] }] })),
    );
    expect(bad.name).to.equal('InvalidFilterOption');
    await ssm.send(new DeleteParameterCommand({ Name: '/app/db/url' }));
    await put('fresh');
    expect(await labelsByVersion()).to.deep.equal({ 1: [] });
  });

  it('keeps 100 versions; the oldest cannot be dropped while it carries a label', async () => {
    for (let i = 4; i <= 100; i++) aws.ssm.put('us-west-2', { Name: '/app/db/url', Value: `v${i}` });
    await label(['keep'], 1);
    expect((await rejects(put('v101'))).name).to.equal('ParameterMaxVersionLimitExceeded');
    await ssm.send(new UnlabelParameterVersionCommand({ Name: '/app/db/url', ParameterVersion: 1, Labels: ['keep'] }));
    await put('v101');
    const first = (await ssm.send(new GetParameterHistoryCommand({ Name: '/app/db/url', MaxResults: 1 }))).Parameters?.[0];
    expect(first?.Version).to.equal(2);
  });
});
