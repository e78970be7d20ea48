import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  DescribeParametersCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  paginateDescribeParameters,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { admin, rejects, ssmClient } from './helpers.js';

describe('local-aws paging like AWS, per-operation quotas', () => {
  let aws: LocalAws;
  let ssm: SSMClient;

  const describePages = async (filter: string, pageSize = 50): Promise<number[]> => {
    const pages: number[] = [];
    const input = { ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: [filter] }] };
    for await (const page of paginateDescribeParameters({ client: ssm, pageSize }, input)) pages.push(page.Parameters?.length ?? 0);
    return pages;
  };

  beforeEach(async () => {
    aws = await startLocalAws();
    ssm = ssmClient(aws, 'us-west-2');
    for (let i = 0; i < 40; i++)
      aws.ssm.put('us-west-2', { Name: `/${i < 20 ? 'a' : 'b'}/p${String(i).padStart(2, '0')}`, Value: 'v', Tags: [{ Key: 't', Value: 'x' }] });
  });
  afterEach(async () => {
    ssm.destroy();
    await aws.stop();
  });

  it('by default fills pages after filtering; filterAfterPaging pages the unfiltered set and leaves empty pages with a NextToken', async () => {
    expect(await describePages('/b')).to.deep.equal([20]);
    aws.setOptions({ filterAfterPaging: true });
    expect(await describePages('/b', 10)).to.deep.equal([0, 0, 10, 10]);
    const first = await ssm.send(new DescribeParametersCommand({ MaxResults: 10, ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/b'] }] }));
    expect(first.Parameters).to.deep.equal([]);
    expect(first.NextToken).to.be.a('string');
    expect((await rejects(ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['x'] }] })))).name).to.equal('ValidationException');
  });

  it('pageSize caps every page below MaxResults (DescribeParameters, GetParametersByPath, GetParameterHistory)', async () => {
    expect((await admin(aws, 'options', { pageSize: 7 })).json).to.deep.include({ pageSize: 7 });
    expect(await describePages('/', 50)).to.deep.equal([7, 7, 7, 7, 7, 5]);
    expect((await ssm.send(new GetParametersByPathCommand({ Path: '/a', MaxResults: 10 }))).Parameters).to.have.length(7);
    for (let i = 0; i < 9; i++) aws.ssm.put('us-west-2', { Name: '/a/p00', Value: `v${i}` });
    expect((await ssm.send(new GetParameterHistoryCommand({ Name: '/a/p00', MaxResults: 50 }))).Parameters).to.have.length(7);
    expect((await admin(aws, 'options', { pageSize: 0 })).status).to.equal(400);
    expect((await admin(aws, 'options', { noSuchOption: 1 })).status).to.equal(400);
  });

  it('throttles DescribeParameters, ListTagsForResource, PutParameter, LabelParameterVersion and GetParameterHistory on their own buckets', async () => {
    aws.setOptions({ describeTps: 2, tagTps: 2, putTps: 2, labelTps: 2, historyTps: 2 });
    const calls: Record<string, () => Promise<unknown>> = {
      'ssm:DescribeParameters': () => ssm.send(new DescribeParametersCommand({})),
      'ssm:ListTagsForResource': () => ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/a/p01' })),
      'ssm:PutParameter': () => ssm.send(new PutParameterCommand({ Name: '/a/p01', Value: 'w', Overwrite: true })),
      'ssm:LabelParameterVersion': () => ssm.send(new LabelParameterVersionCommand({ Name: '/a/p02', Labels: ['prod'] })),
      'ssm:GetParameterHistory': () => ssm.send(new GetParameterHistoryCommand({ Name: '/a/p02' })),
    };
    for (const [op, call] of Object.entries(calls)) {
      const results = await Promise.allSettled(Array.from({ length: 5 }, call));
      const throttled = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(throttled.length, op).to.be.within(2, 3);
      expect((throttled[0].reason as Error).name).to.equal('ThrottlingException');
      expect(aws.stats().throttlesByOperation[op]).to.equal(throttled.length);
    }
    const stats = (await (await fetch(`${aws.endpoint}/__local/stats`)).json()) as { operations: Record<string, number> };
    expect(stats.operations).to.include({ 'ssm:DescribeParameters': 5, 'ssm:LabelParameterVersion': 5, 'ssm:GetParameterHistory': 5 });
  });

  it('CLI: --filter-after-paging and --page-size reach the server; an unknown flag stops it with a message', async function () {
    this.timeout(15000);
    const start = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', 'local-aws/cli.ts', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const child = start(['--page-size', '3', '--filter-after-paging', '--describe-tps', '50']);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`cli exited early (${code})`)));
      });
      const { endpoint } = JSON.parse(line) as { endpoint: string };
      const state = (await (await fetch(`${endpoint}/__local/state`)).json()) as { options: Record<string, unknown> };
      expect(state.options).to.deep.equal({ pageSize: 3, filterAfterPaging: true, describeTps: 50 });
    } finally {
      child.stdin.end();
    }
    const bad = start(['--no-such-flag', '1']);
    let stderr = '';
    bad.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise((resolve) => bad.once('exit', resolve))).to.equal(1);
    expect(stderr).to.include('unknown flag --no-such-flag');
  });
});
