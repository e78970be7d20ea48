import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec } from '../../ts/cli/cli.js';
import { AwsClientFactory } from '../../ts/lib/aws/index.js';

/** Multi-account options are checked before any AWS call; each member account paces on its own. */
describe('multi-account options', () => {
  const run = async (...args: string[]) => {
    let stderr = '';
    // No endpoint and no credentials: a command that reached AWS would fail differently (exit 1).
    const code = await exec(args, { stdout: () => undefined, stderr: (t) => void (stderr += t), env: { AWS_REGION: 'us-west-2' } });
    return { code, stderr };
  };

  const singlePlan = path.join(mkdtempSync(path.join(tmpdir(), 'plan-')), 'plan.json');
  writeFileSync(
    singlePlan,
    JSON.stringify({ environment: 'dev', homeRegion: 'us-west-2', defaultRegion: 'us-west-2', regions: ['us-west-2'], buckets: { 'us-west-2': 'b' } }),
  );

  for (const [args, message] of [
    [['backup', '--environment', 'dev', '--accounts', '1111,222222222222'], '--accounts "1111" is not a 12-digit account id'],
    [['list', '--environment', 'dev', '--region', 'us-west-2', '--account', 'abc'], '--account "abc" is not a 12-digit account id'],
    [['verify', '--environment', 'dev', '--region', 'us-west-2', '--role-arn', 'arn:aws:iam::111111111111:role/r'], '--role-arn needs --account'],
    [
      ['restore', '--environment', 'dev', '--region', 'us-west-2', '--account', '111111111111', '--role-arn', 'arn:aws:iam::222222222222:role/r'],
      'is not a role ARN of account 111111111111',
    ],
    [['backup', '--environment', 'dev', '--accounts', '111111111111', '--plan-file', 'package.json'], 'is not a plan (regions, buckets)'],
    [['backup', '--accounts', '111111111111', '--plan-file', singlePlan], '--accounts needs a multi-account plan, but --plan-file'],
  ] as [string[], string][]) {
    it(`refuses ${args.slice(-2).join(' ')} with exit 2 before any AWS call`, async () => {
      const r = await run(...args);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.contain(message);
    });
  }

  it('a member account has its own pacing (its own SSM quota per region) and shares the run counters', () => {
    const root = new AwsClientFactory({ getRate: 40 });
    try {
      const role = (id: string) => ({ roleArn: `arn:aws:iam::${id}:role/r`, sessionName: 'test' });
      const a = root.forAccount(role('111111111111'), 'us-west-2');
      const b = root.forAccount(role('222222222222'), 'us-west-2');
      expect(a.limiter('us-west-2', 'get')).to.equal(a.limiter('us-west-2', 'get'));
      expect(a.limiter('us-west-2', 'get')).not.to.equal(b.limiter('us-west-2', 'get'));
      expect(a.limiter('us-west-2', 'get')).not.to.equal(root.limiter('us-west-2', 'get'));
      expect(a.stats).to.equal(root.stats);
    } finally {
      root.destroy();
    }
  });
});
