import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { decodeAwsChunked } from '../../local-aws/s3-store.js';
import { jsonCall, rejects, ssmClient, stsClient } from './helpers.js';

describe('local-aws STS, KMS, admin API and CLI', () => {
  let aws: LocalAws;

  before(async () => {
    aws = await startLocalAws({ accountId: '111122223333' });
  });
  after(async () => {
    await aws.stop();
  });

  it('STS GetCallerIdentity returns the configured account', async () => {
    const sts = stsClient(aws, 'eu-west-1');
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id).to.include({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/local' });
    expect(id.UserId).to.be.a('string');
    sts.destroy();
  });

  it('KMS DescribeKey by id, ARN and alias; NotFoundException otherwise; ListAliases', async () => {
    aws.kms.createKey('us-west-2', 'abcd-1', ['alias/app']);
    const byAlias = await jsonCall(aws, 'TrentService.DescribeKey', 'us-west-2', { KeyId: 'alias/app' });
    expect(byAlias.status).to.equal(200);
    const meta = byAlias.json.KeyMetadata as Record<string, unknown>;
    expect(meta).to.include({ KeyId: 'abcd-1', Arn: 'arn:aws:kms:us-west-2:111122223333:key/abcd-1', KeyManager: 'CUSTOMER', Enabled: true });
    expect((await jsonCall(aws, 'TrentService.DescribeKey', 'us-west-2', { KeyId: 'abcd-1' })).status).to.equal(200);
    expect((await jsonCall(aws, 'TrentService.DescribeKey', 'us-west-2', { KeyId: meta.Arn })).status).to.equal(200);
    const ssmKey = await jsonCall(aws, 'TrentService.DescribeKey', 'ap-south-1', { KeyId: 'alias/aws/ssm' });
    expect((ssmKey.json.KeyMetadata as Record<string, unknown>).KeyManager).to.equal('AWS');
    const missing = await jsonCall(aws, 'TrentService.DescribeKey', 'us-east-1', { KeyId: 'alias/app' });
    expect(missing.status).to.equal(400);
    expect(missing.json.__type).to.equal('NotFoundException');
    const aliases = await jsonCall(aws, 'TrentService.ListAliases', 'us-west-2', {});
    expect((aliases.json.Aliases as { AliasName: string }[]).map((a) => a.AliasName)).to.deep.equal(['alias/app', 'alias/aws/ssm']);
  });

  it('admin API seeds, reports state and stats, and injects faults', async () => {
    const seed = {
      kmsKeys: { 'us-west-2': [{ keyId: 'k-seed', aliases: ['alias/seed'] }] },
      ssm: {
        'us-west-2': [
          { Name: '/seed/a', Value: 'A' },
          { Name: '/seed/s', Value: 'S', Type: 'SecureString', KeyId: 'alias/seed' },
        ],
      },
      buckets: { 'us-west-2': ['seed-plain', { name: 'seed-secure', requireSse: true }] },
    };
    const res = await fetch(`${aws.endpoint}/__local/seed`, { method: 'POST', body: JSON.stringify(seed) });
    expect(res.status).to.equal(200);
    const ssm = ssmClient(aws, 'us-west-2');
    expect((await ssm.send(new GetParameterCommand({ Name: '/seed/s', WithDecryption: true }))).Parameter?.Value).to.equal('S');
    const state = (await (await fetch(`${aws.endpoint}/__local/state`)).json()) as {
      ssm: Record<string, { Name: string; Value: string }[]>;
      s3: Record<string, { requireSse: boolean }>;
    };
    expect(state.ssm['us-west-2'].map((p) => p.Name)).to.deep.equal(['/seed/a', '/seed/s']);
    expect(state.s3['seed-secure'].requireSse).to.equal(true);
    const fault = { service: 'ssm', operation: 'GetParameter', error: { code: 'InternalServerError', status: 500 }, times: 1 };
    expect((await fetch(`${aws.endpoint}/__local/faults`, { method: 'POST', body: JSON.stringify(fault) })).status).to.equal(200);
    expect((await rejects(ssm.send(new GetParameterCommand({ Name: '/seed/a' })))).name).to.equal('InternalServerError');
    await fetch(`${aws.endpoint}/__local/faults`, { method: 'POST', body: JSON.stringify({ clear: true }) });
    const options = await fetch(`${aws.endpoint}/__local/options`, { method: 'POST', body: JSON.stringify({ latencyMs: 1 }) });
    expect(await options.json()).to.deep.include({ latencyMs: 1, accountId: '111122223333' });
    const stats = (await (await fetch(`${aws.endpoint}/__local/stats`)).json()) as { operations: Record<string, number> };
    expect(stats.operations['ssm:GetParameter']).to.equal(2);
    const bad = await fetch(`${aws.endpoint}/__local/seed`, {
      method: 'POST',
      body: JSON.stringify({ ssm: { 'us-east-1': [{ Name: '/x', Value: 'v', Type: 'SecureString', KeyId: 'alias/none' }] } }),
    });
    expect(bad.status).to.equal(400);
    ssm.destroy();
  });

  it('decodes signed aws-chunked bodies with trailers', () => {
    const body = Buffer.from(
      '5;chunk-signature=ab\r\nhello\r\n6;chunk-signature=cd\r\n world\r\n0;chunk-signature=ef\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
    );
    const out = decodeAwsChunked(body);
    expect(out.body.toString()).to.equal('hello world');
    expect(out.trailers).to.deep.equal({ 'x-amz-checksum-crc32': 'AAAAAA==' });
  });

  it('CLI prints the endpoint, serves the seed, and exits when stdin closes', async function () {
    this.timeout(15000);
    const dir = mkdtempSync(path.join(tmpdir(), 'local-aws-cli-'));
    const seedFile = path.join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ accountId: '999988887777', ssm: { 'us-east-1': [{ Name: '/cli/p', Value: 'cli' }] } }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'local-aws/cli.ts', '--port', '0', '--seed', seedFile, '--latency-ms', '0'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`cli exited early (${code})`)));
      });
      const { endpoint } = JSON.parse(line) as { endpoint: string };
      expect(endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ssm = ssmClient({ endpoint } as LocalAws);
      expect((await ssm.send(new GetParameterCommand({ Name: '/cli/p' }))).Parameter?.Value).to.equal('cli');
      const sts = stsClient({ endpoint } as LocalAws);
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).to.equal('999988887777');
      ssm.destroy();
      sts.destroy();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.stdin.end();
      expect(await exited).to.equal(0);
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
