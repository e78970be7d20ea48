import { expect } from 'chai';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { rejects, ssmClient } from './helpers.js';

describe('local-aws SSM', () => {
  let aws: LocalAws;
  let east: SSMClient;
  let west: SSMClient;

  before(async () => {
    aws = await startLocalAws();
    east = ssmClient(aws, 'us-east-1');
    west = ssmClient(aws, 'us-west-2');
  });
  after(async () => {
    east.destroy();
    west.destroy();
    await aws.stop();
  });
  beforeEach(() => aws.ssm.clear());

  it('isolates regions', async () => {
    await east.send(new PutParameterCommand({ Name: '/app/x', Value: 'east', Type: 'String' }));
    await west.send(new PutParameterCommand({ Name: '/app/x', Value: 'west', Type: 'String' }));
    expect((await east.send(new GetParameterCommand({ Name: '/app/x' }))).Parameter?.Value).to.equal('east');
    expect((await west.send(new GetParameterCommand({ Name: '/app/x' }))).Parameter?.Value).to.equal('west');
    await west.send(new DeleteParameterCommand({ Name: '/app/x' }));
    expect(aws.ssm.get('us-east-1', '/app/x')?.Value).to.equal('east');
    const err = await rejects(west.send(new GetParameterCommand({ Name: '/app/x' })));
    expect(err.name).to.equal('ParameterNotFound');
  });

  it('returns parameter metadata with ARN, epoch timestamps and last modified user', async () => {
    await east.send(new PutParameterCommand({ Name: 'plain', Value: 'v', Type: 'String', Description: 'd', AllowedPattern: '^v$' }));
    const got = (await east.send(new GetParameterCommand({ Name: 'plain' }))).Parameter;
    expect(got?.ARN).to.equal('arn:aws:ssm:us-east-1:123456789012:parameter/plain');
    expect(got?.LastModifiedDate).to.be.instanceOf(Date);
    expect(Math.abs((got?.LastModifiedDate?.getTime() ?? 0) - Date.now())).to.be.below(5000);
    const meta = (await east.send(new DescribeParametersCommand({}))).Parameters?.[0];
    expect(meta).to.include({
      Name: 'plain',
      Type: 'String',
      Description: 'd',
      AllowedPattern: '^v$',
      Version: 1,
      Tier: 'Standard',
      DataType: 'text',
      LastModifiedUser: 'arn:aws:iam::123456789012:user/local',
    });
  });

  it('paginates DescribeParameters by 50 and rejects MaxResults > 50', async () => {
    for (let i = 0; i < 120; i++) aws.ssm.put('us-east-1', { Name: `/p/n${String(i).padStart(3, '0')}`, Value: 'v' });
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await east.send(new DescribeParametersCommand({ MaxResults: 50, NextToken: token }));
      names.push(...(out.Parameters ?? []).map((p) => p.Name ?? ''));
      token = out.NextToken;
      pages++;
      if (token) expect(token).to.not.match(/n\d{3}/);
    } while (token);
    expect(pages).to.equal(3);
    expect(names)
      .to.deep.equal([...names].sort())
      .and.have.length(120);
    expect((await rejects(east.send(new DescribeParametersCommand({ MaxResults: 51 })))).name).to.equal('ValidationException');
    expect((await rejects(east.send(new DescribeParametersCommand({ NextToken: 'garbage' })))).name).to.equal('InvalidNextToken');
  });

  it('filters DescribeParameters by Name, Path, Type, Tier, KeyId and tags', async () => {
    aws.kms.createKey('us-east-1', 'k-1', ['alias/app']);
    aws.ssm.put('us-east-1', { Name: '/app/db/pass', Value: 's', Type: 'SecureString', KeyId: 'alias/app' });
    aws.ssm.put('us-east-1', { Name: '/app/db/host', Value: 'h', Tags: [{ Key: 'team', Value: 'a' }] });
    aws.ssm.put('us-east-1', { Name: '/app/top', Value: 't', Type: 'StringList', Tier: 'Advanced' });
    aws.ssm.put('us-east-1', { Name: '/other/x', Value: 'x' });
    const q = async (ParameterFilters: { Key: string; Option?: string; Values: string[] }[]): Promise<string[]> =>
      ((await east.send(new DescribeParametersCommand({ ParameterFilters }))).Parameters ?? []).map((p) => p.Name ?? '');
    expect(await q([{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/db'] }])).to.deep.equal(['/app/db/host', '/app/db/pass']);
    expect(await q([{ Key: 'Name', Option: 'Contains', Values: ['top'] }])).to.deep.equal(['/app/top']);
    expect(await q([{ Key: 'Name', Values: ['/other/x'] }])).to.deep.equal(['/other/x']);
    expect(await q([{ Key: 'Path', Option: 'OneLevel', Values: ['/app'] }])).to.deep.equal(['/app/top']);
    expect(await q([{ Key: 'Path', Option: 'Recursive', Values: ['/app'] }])).to.have.length(3);
    expect(await q([{ Key: 'Type', Values: ['SecureString'] }])).to.deep.equal(['/app/db/pass']);
    expect(await q([{ Key: 'Tier', Values: ['Advanced'] }])).to.deep.equal(['/app/top']);
    expect(await q([{ Key: 'KeyId', Values: ['alias/app'] }])).to.deep.equal(['/app/db/pass']);
    expect(await q([{ Key: 'tag:team', Values: ['a'] }])).to.deep.equal(['/app/db/host']);
    expect((await rejects(q([{ Key: 'Path', Option: 'Sideways', Values: ['/app'] }]))).name).to.equal('InvalidFilterOption');
  });

  it('paginates GetParametersByPath by 10, recursive or one level', async () => {
    for (let i = 0; i < 25; i++) aws.ssm.put('us-east-1', { Name: `/svc/a/p${String(i).padStart(2, '0')}`, Value: `v${i}` });
    aws.ssm.put('us-east-1', { Name: '/svc/top', Value: 't' });
    const all: string[] = [];
    let token: string | undefined;
    do {
      const out = await east.send(new GetParametersByPathCommand({ Path: '/svc', Recursive: true, MaxResults: 10, NextToken: token }));
      expect(out.Parameters?.length).to.be.at.most(10);
      all.push(...(out.Parameters ?? []).map((p) => p.Name ?? ''));
      token = out.NextToken;
    } while (token);
    expect(all).to.have.length(26);
    const one = await east.send(new GetParametersByPathCommand({ Path: '/svc/' }));
    expect(one.Parameters?.map((p) => p.Name)).to.deep.equal(['/svc/top']);
    expect((await rejects(east.send(new GetParametersByPathCommand({ Path: '/svc', MaxResults: 11 })))).name).to.equal('ValidationException');
    const typed = await east.send(
      new GetParametersByPathCommand({ Path: '/svc', Recursive: true, ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] }),
    );
    expect(typed.Parameters).to.deep.equal([]);
  });

  it('GetParameters: max 10 names, unknown names in InvalidParameters', async () => {
    aws.ssm.put('us-east-1', { Name: '/a', Value: '1' });
    const out = await east.send(new GetParametersCommand({ Names: ['/a', '/missing'] }));
    expect(out.Parameters?.map((p) => p.Value)).to.deep.equal(['1']);
    expect(out.InvalidParameters).to.deep.equal(['/missing']);
    const names = Array.from({ length: 11 }, (_, i) => `/n${i}`);
    expect((await rejects(east.send(new GetParametersCommand({ Names: names })))).name).to.equal('ValidationException');
  });

  it('SecureString: ciphertext without decryption, plaintext with it', async () => {
    await east.send(new PutParameterCommand({ Name: '/app/secret', Value: 'hunter2', Type: 'SecureString' }));
    const enc = (await east.send(new GetParameterCommand({ Name: '/app/secret' }))).Parameter?.Value ?? '';
    expect(enc).to.not.include('hunter2');
    expect(Buffer.from(enc, 'base64').toString('latin1')).to.not.include('hunter2');
    expect((await east.send(new GetParameterCommand({ Name: '/app/secret' }))).Parameter?.Value).to.equal(enc);
    const dec = await east.send(new GetParametersCommand({ Names: ['/app/secret'], WithDecryption: true }));
    expect(dec.Parameters?.[0].Value).to.equal('hunter2');
    const meta = (await east.send(new DescribeParametersCommand({}))).Parameters?.[0];
    expect(meta?.KeyId).to.equal('alias/aws/ssm');
  });

  it('PutParameter: exists, overwrite and version, type required', async () => {
    expect((await east.send(new PutParameterCommand({ Name: '/v', Value: '1', Type: 'String' }))).Version).to.equal(1);
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/v', Value: '2', Type: 'String' })))).name).to.equal('ParameterAlreadyExists');
    expect((await east.send(new PutParameterCommand({ Name: '/v', Value: '2', Overwrite: true }))).Version).to.equal(2);
    expect(aws.ssm.get('us-east-1', '/v')).to.include({ Value: '2', Type: 'String', Version: 2 });
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/new', Value: '1' })))).name).to.equal('ValidationException');
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/aws/x', Value: '1', Type: 'String' })))).name).to.equal('ValidationException');
  });

  it('PutParameter: tier size limits and policies', async () => {
    const big = 'x'.repeat(5000);
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/big', Value: big, Type: 'String' })))).name).to.equal('ValidationException');
    expect((await east.send(new PutParameterCommand({ Name: '/big', Value: big, Type: 'String', Tier: 'Advanced' }))).Tier).to.equal('Advanced');
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/huge', Value: 'x'.repeat(8193), Type: 'String', Tier: 'Advanced' })))).name).to.equal(
      'ValidationException',
    );
    expect((await east.send(new PutParameterCommand({ Name: '/it', Value: big, Type: 'String', Tier: 'Intelligent-Tiering' }))).Tier).to.equal('Advanced');
    const policy = JSON.stringify([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '2030-01-01T00:00:00.000Z' } }]);
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/pol', Value: 'v', Type: 'String', Tier: 'Standard', Policies: policy })))).name).to.equal(
      'ValidationException',
    );
    await east.send(new PutParameterCommand({ Name: '/pol', Value: 'v', Type: 'String', Tier: 'Advanced', Policies: policy }));
    const meta = (await east.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/pol'] }] }))).Parameters?.[0];
    expect(meta?.Policies?.[0]).to.include({ PolicyType: 'Expiration', PolicyStatus: 'Pending' });
    expect(JSON.parse(meta?.Policies?.[0].PolicyText ?? '{}')).to.have.property('Type', 'Expiration');
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/big', Value: 'small', Tier: 'Standard', Overwrite: true })))).name).to.equal(
      'ValidationException',
    );
  });

  it('PutParameter: AllowedPattern, unknown KeyId, DataType', async () => {
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/pat', Value: 'abc', Type: 'String', AllowedPattern: '^\\d+$' })))).name).to.equal(
      'ParameterPatternMismatchException',
    );
    await east.send(new PutParameterCommand({ Name: '/pat', Value: '123', Type: 'String', AllowedPattern: '^\\d+$' }));
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/pat', Value: 'x', Overwrite: true })))).name).to.equal(
      'ParameterPatternMismatchException',
    );
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/k', Value: 's', Type: 'SecureString', KeyId: 'alias/nope' })))).name).to.equal(
      'InvalidKeyId',
    );
    aws.kms.createKey('us-west-2', 'key-west', ['alias/west']);
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/k', Value: 's', Type: 'SecureString', KeyId: 'alias/west' })))).name).to.equal(
      'InvalidKeyId',
    );
    await west.send(new PutParameterCommand({ Name: '/k', Value: 's', Type: 'SecureString', KeyId: 'alias/west' }));
    expect(aws.ssm.get('us-west-2', '/k')?.KeyId).to.equal('alias/west');
    await east.send(new PutParameterCommand({ Name: '/ami', Value: 'ami-0123456789abcdef0', Type: 'String', DataType: 'aws:ec2:image' }));
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/ami2', Value: 'nope', Type: 'String', DataType: 'aws:ec2:image' })))).name).to.equal(
      'ValidationException',
    );
  });

  it('tags: only on create, then list/add/remove', async () => {
    await east.send(new PutParameterCommand({ Name: '/t', Value: 'v', Type: 'String', Tags: [{ Key: 'a', Value: '1' }] }));
    expect((await rejects(east.send(new PutParameterCommand({ Name: '/t', Value: 'v2', Overwrite: true, Tags: [{ Key: 'b', Value: '2' }] })))).name).to.equal(
      'ValidationException',
    );
    const list = async (): Promise<unknown> => (await east.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/t' }))).TagList;
    expect(await list()).to.deep.equal([{ Key: 'a', Value: '1' }]);
    await east.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: '/t',
        Tags: [
          { Key: 'b', Value: '2' },
          { Key: 'a', Value: '3' },
        ],
      }),
    );
    expect(await list()).to.deep.equal([
      { Key: 'a', Value: '3' },
      { Key: 'b', Value: '2' },
    ]);
    await east.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/t', TagKeys: ['a'] }));
    expect(await list()).to.deep.equal([{ Key: 'b', Value: '2' }]);
    expect((await rejects(east.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/none' })))).name).to.equal('InvalidResourceId');
  });

  it('DeleteParameters reports deleted and invalid names', async () => {
    aws.ssm.put('us-east-1', { Name: '/d1', Value: 'v' });
    const out = await east.send(new DeleteParametersCommand({ Names: ['/d1', '/d2'] }));
    expect(out.DeletedParameters).to.deep.equal(['/d1']);
    expect(out.InvalidParameters).to.deep.equal(['/d2']);
  });
});
