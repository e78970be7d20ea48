import { expect } from 'chai';
import sinon from 'sinon';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { assumeRoleCredentials, roleSessionName, REFRESH_MS } from '../../../ts/lib/aws/index.js';

/** The member account's credential provider: one AssumeRole shared by every client, again only near expiry. */
describe('assumeRoleCredentials', () => {
  const role = { roleArn: 'arn:aws:iam::111111111111:role/r', externalId: 'ext-1111', sessionName: 'ssm-backup-backup-dev-x' };
  let now = 0;
  let calls: AssumeRoleCommand[];
  const sts = () => {
    calls = [];
    const client = new STSClient({ region: 'us-east-1' });
    sinon.stub(client, 'send').callsFake(async (command: unknown) => {
      calls.push(command as AssumeRoleCommand);
      if (calls.length === 3) throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      return { Credentials: { AccessKeyId: `ASIA${calls.length}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now + 3600_000) } } as never;
    });
    return client;
  };

  it('sends the role, session name and external id; shares one call; refreshes within 5 minutes of expiry; retries after a failure', async () => {
    now = 1_000_000;
    const provider = assumeRoleCredentials(sts(), role, () => now);
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(calls).to.have.length(1);
    expect(calls[0].input).to.deep.equal({ RoleArn: role.roleArn, RoleSessionName: role.sessionName, ExternalId: 'ext-1111' });
    expect(a).to.equal(b);
    now += 3600_000 - REFRESH_MS - 1;
    expect((await provider()).accessKeyId).to.equal('ASIA1');
    now += 1;
    expect((await provider()).accessKeyId).to.equal('ASIA2');
    now += 3600_000;
    const failed = await provider().catch((e: Error) => e);
    expect((failed as Error).name).to.equal('AccessDenied');
    expect((await provider()).accessKeyId).to.equal('ASIA4');
  });

  it('names the run in the session name: BUILD_TAG, else the UTC time; only STS characters, at most 64', () => {
    expect(roleSessionName('backup', 'prod', 'jenkins-ops-ssm backup-42')).to.equal('ssm-backup-backup-prod-jenkins-ops-ssm-backup-42');
    expect(roleSessionName('restore', 'dev', undefined, new Date('2026-12-04T20:00:01Z'))).to.equal('ssm-backup-restore-dev-20261204T200001');
    expect(roleSessionName('backup', 'prod', 'x'.repeat(100))).to.have.length(64);
  });
});
