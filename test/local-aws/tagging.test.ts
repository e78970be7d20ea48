import { expect } from 'chai';
import { GetResourcesCommand, paginateGetResources, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { DescribeParametersCommand, RemoveTagsFromResourceCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { admin, rejects, ssmClient, taggingClient } from './helpers.js';

describe('local-aws Resource Groups Tagging API GetResources', () => {
  let aws: LocalAws;
  let tagging: ResourceGroupsTaggingAPIClient;
  let ssm: SSMClient;

  const all = async (input: Record<string, unknown> = {}, pageSize?: number): Promise<{ arns: string[]; pages: number[] }> => {
    const arns: string[] = [];
    const pages: number[] = [];
    for await (const page of paginateGetResources({ client: tagging, pageSize }, { ResourceTypeFilters: ['ssm:parameter'], ...input })) {
      pages.push(page.ResourceTagMappingList?.length ?? 0);
      arns.push(...(page.ResourceTagMappingList ?? []).map((m) => m.ResourceARN ?? ''));
    }
    return { arns, pages };
  };

  beforeEach(async () => {
    aws = await startLocalAws();
    tagging = taggingClient(aws, 'us-west-2');
    ssm = ssmClient(aws, 'us-west-2');
    for (let i = 0; i < 30; i++)
      aws.ssm.put('us-west-2', {
        Name: `/app/p${String(i).padStart(2, '0')}`,
        Value: 'v',
        Tags: i % 3 === 0 ? [{ Key: 'team', Value: i % 2 ? 'a' : 'b' }] : undefined,
      });
    aws.ssm.put('us-east-1', { Name: '/app/east', Value: 'v', Tags: [{ Key: 'team', Value: 'a' }] });
  });
  afterEach(async () => {
    tagging.destroy();
    ssm.destroy();
    await aws.stop();
  });

  it('lists the tagged parameters of the region with their tags and the ARNs DescribeParameters shows', async () => {
    const out = await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['ssm:parameter'] }));
    expect(out.PaginationToken).to.equal('');
    expect(out.ResourceTagMappingList).to.have.length(10);
    expect(out.ResourceTagMappingList?.[0]).to.deep.equal({
      ResourceARN: 'arn:aws:ssm:us-west-2:123456789012:parameter/app/p00',
      Tags: [{ Key: 'team', Value: 'b' }],
    });
    const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/app/p03'] }] }));
    expect(out.ResourceTagMappingList?.map((m) => m.ResourceARN)).to.include(described.Parameters?.[0].ARN);
    expect((await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['s3'] }))).ResourceTagMappingList).to.deep.equal([]);
  });

  it('filters by tag key and values, and pages by ResourcesPerPage (1-100)', async () => {
    expect((await all({ TagFilters: [{ Key: 'team', Values: ['a'] }] })).arns.map((a) => a.split('/').pop())).to.deep.equal([
      'p03',
      'p09',
      'p15',
      'p21',
      'p27',
    ]);
    expect((await all({ TagFilters: [{ Key: 'team' }, { Key: 'missing' }] })).arns).to.deep.equal([]);
    const paged = await all({}, 4);
    expect(paged.pages).to.deep.equal([4, 4, 2]);
    expect(paged.arns).to.have.length(10);
    expect((await rejects(tagging.send(new GetResourcesCommand({ ResourcesPerPage: 101 })))).name).to.equal('InvalidParameterException');
  });

  it('keeps a parameter whose tags were all removed, with Tags: [] (AWS lists previously tagged resources)', async () => {
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/p00', TagKeys: ['team'] }));
    const out = await tagging.send(new GetResourcesCommand({}));
    expect(out.ResourceTagMappingList?.[0]).to.deep.equal({ ResourceARN: 'arn:aws:ssm:us-west-2:123456789012:parameter/app/p00', Tags: [] });
    expect((await all({ TagFilters: [{ Key: 'team' }] })).arns).to.have.length(9);
  });

  it('with filterAfterPaging and pageSize, pages are sparse or empty while a token follows', async () => {
    expect((await admin(aws, 'options', { filterAfterPaging: true, pageSize: 5 })).status).to.equal(200);
    const out = await all({}, 50);
    expect(out.pages).to.deep.equal([2, 2, 1, 2, 2, 1]);
    expect(out.arns).to.have.length(10);
    const sparse = await all({ TagFilters: [{ Key: 'team', Values: ['a'] }] }, 50);
    expect(sparse.pages).to.deep.equal([1, 1, 0, 1, 1, 1]);
    expect(sparse.arns).to.have.length(5);
  });

  it('answers a ResourceARNList whole (no page, no token), only parameters that are or were tagged; refuses it with paging fields', async () => {
    for (let i = 0; i < 90; i++) aws.ssm.put('us-west-2', { Name: `/many/p${i}`, Value: 'v', Tags: [{ Key: 'k', Value: String(i) }] });
    const arns = [...aws.ssm.list('us-west-2').map((p) => p.ARN)].slice(0, 100);
    const out = await tagging.send(new GetResourcesCommand({ ResourceARNList: arns }));
    const tagged = aws.ssm
      .list('us-west-2')
      .slice(0, 100)
      .filter((p) => p.Tags.length > 0).length;
    expect(out.ResourceTagMappingList).to.have.length(tagged);
    expect(tagged).to.be.greaterThan(50);
    expect(out.PaginationToken ?? '').to.equal('');
    const err = await rejects(tagging.send(new GetResourcesCommand({ ResourceARNList: arns.slice(0, 2), ResourcesPerPage: 10 })));
    expect(err.name).to.equal('InvalidParameterException');
  });

  it('resourcesPageSize caps GetResources pages instead of pageSize, which still caps DescribeParameters', async () => {
    expect((await admin(aws, 'options', { pageSize: 3, resourcesPageSize: 4 })).status).to.equal(200);
    expect((await all({}, 100)).pages).to.deep.equal([4, 4, 2]);
    const described = await ssm.send(new DescribeParametersCommand({ MaxResults: 50 }));
    expect(described.Parameters).to.have.length(3);
    expect((await admin(aws, 'options', { resourcesPageSize: 0 })).status).to.equal(400);
  });

  it('denial and throttling: an AccessDeniedException fault, ThrottledException over getResourcesTps, counted in stats', async () => {
    aws.faults.add({
      service: 'tagging',
      operation: 'GetResources',
      region: 'us-west-2',
      error: { code: 'AccessDeniedException', status: 400, message: 'not authorized to perform tag:GetResources' },
      times: 1,
    });
    const denied = await rejects(tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['ssm:parameter'] })));
    expect([denied.name, denied.message]).to.deep.equal(['AccessDeniedException', 'not authorized to perform tag:GetResources']);
    aws.setOptions({ getResourcesTps: 2 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => tagging.send(new GetResourcesCommand({}))));
    const throttled = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(throttled.length).to.be.at.least(3);
    expect((throttled[0].reason as Error).name).to.equal('ThrottledException');
    const stats = aws.stats();
    expect(stats.operations['tagging:GetResources']).to.equal(7);
    expect(stats.throttlesByOperation['tagging:GetResources']).to.equal(throttled.length);
    expect(stats.byRegion['us-west-2']['tagging:GetResources']).to.equal(7);
    const retrying = taggingClient(aws, 'us-west-2', 10);
    expect((await retrying.send(new GetResourcesCommand({}))).ResourceTagMappingList).to.have.length(10);
    retrying.destroy();
  });
});
