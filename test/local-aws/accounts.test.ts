import { expect } from 'chai';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { SSMClient, PutParameterCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { admin, rejects, stsClient } from './helpers.js';

const MEMBER = '111111111111';
const ROLE = `arn:aws:iam::${MEMBER}:role/jenkins-ssm-backup-dev`;

describe('local-aws accounts: access keys, role trust, STS AssumeRole, stores per account', () => {
  let aws: LocalAws;
  const clients: { destroy(): void }[] = [];
  const keep = <T extends { destroy(): void }>(c: T) => (clients.push(c), c);
  const as = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => ({
    sts: keep(new STSClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials, maxAttempts: 1 })),
    ssm: keep(new SSMClient({ region: 'us-west-2', endpoint: aws.endpoint, credentials, maxAttempts: 1 })),
  });
  const assume = (sts: STSClient, ExternalId?: string, RoleArn = ROLE) => sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'run-42', ExternalId }));

  beforeEach(async () => {
    aws = await startLocalAws();
    aws.iam.createRole(ROLE, { principals: ['arn:aws:iam::123456789012:user/local'], externalId: 'ext-1' });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await aws.stop();
  });

  it("AssumeRole with the trusted principal and external id answers credentials acting in the role's account", async () => {
    const out = await assume(keep(stsClient(aws)), 'ext-1');
    expect(out.AssumedRoleUser?.Arn).to.equal(`arn:aws:sts::${MEMBER}:assumed-role/jenkins-ssm-backup-dev/run-42`);
    expect(out.Credentials?.Expiration?.getTime()).to.be.closeTo(Date.now() + 3600_000, 5000);
    const c = out.Credentials!;
    const member = as({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken });
    expect(await member.sts.send(new GetCallerIdentityCommand({}))).to.include({ Account: MEMBER, Arn: out.AssumedRoleUser?.Arn });
    await member.ssm.send(new PutParameterCommand({ Name: '/x', Value: 'member', Type: 'String' }));
    expect(aws.account(MEMBER).ssm.get('us-west-2', '/x')?.Value).to.equal('member');
    expect(aws.ssm.get('us-west-2', '/x')).to.equal(undefined);
  });

  it('refuses a wrong or missing external id, an untrusted principal and an unknown role with 403 AccessDenied', async () => {
    const sts = keep(stsClient(aws));
    const other = as({ accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' });
    aws.iam.addAccessKey('AKIAOTHER', '999999999999');
    expect(await other.sts.send(new GetCallerIdentityCommand({}))).to.include({ Account: '999999999999' });
    for (const call of [
      () => assume(sts, 'ext-2'),
      () => assume(sts),
      () => assume(other.sts, 'ext-1'),
      () => assume(sts, 'ext-1', `arn:aws:iam::${MEMBER}:role/nope`),
    ]) {
      const err = await rejects(call());
      expect([err.name, err.$metadata?.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
      expect(err.message).to.contain('is not authorized to perform: sts:AssumeRole on resource');
    }
  });

  it('a role trusting an account root lets any identity of that account assume it; seeded stores stay per account', async () => {
    aws.iam.createRole(ROLE, { principals: ['arn:aws:iam::123456789012:root'] });
    const out = await assume(keep(stsClient(aws)));
    expect(out.AssumedRoleUser?.Arn).to.contain(MEMBER);
    aws.account(MEMBER).ssm.put('us-west-2', { Name: '/only-member', Value: 'v' });
    const c = out.Credentials!;
    const member = as({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken });
    expect((await member.ssm.send(new GetParameterCommand({ Name: '/only-member' }))).Parameter?.Value).to.equal('v');
    expect(aws.ssm.list('us-west-2')).to.deep.equal([]);
  });

  it("a seed document's accounts block gives an account its access keys, roles, parameters and keys; a foreign role is refused", async () => {
    const seeded = await admin(aws, 'seed', {
      accounts: {
        [MEMBER]: {
          accessKeys: ['AKIAMEMBER'],
          roles: [{ roleArn: `arn:aws:iam::${MEMBER}:role/seeded`, principals: ['arn:aws:iam::123456789012:user/local'], externalId: 'ext-9' }],
          kmsKeys: { 'us-west-2': [{ keyId: 'member-key', aliases: ['alias/ssm-backup'] }] },
          ssm: { 'us-west-2': [{ Name: '/seeded', Value: 's', Type: 'SecureString', KeyId: 'alias/ssm-backup' }] },
        },
      },
    });
    expect(seeded, JSON.stringify(seeded.json)).to.deep.include({ status: 200 });
    const byKey = as({ accessKeyId: 'AKIAMEMBER', secretAccessKey: 'x' });
    expect(await byKey.sts.send(new GetCallerIdentityCommand({}))).to.include({ Account: MEMBER });
    expect((await byKey.ssm.send(new GetParameterCommand({ Name: '/seeded', WithDecryption: true }))).Parameter?.Value).to.equal('s');
    expect(aws.ssm.get('us-west-2', '/seeded')).to.equal(undefined);
    // the key is the member's: the default account has no alias/ssm-backup
    const central = await admin(aws, 'seed', { ssm: { 'us-west-2': [{ Name: '/central', Value: 's', Type: 'SecureString', KeyId: 'alias/ssm-backup' }] } });
    expect([central.status, String(central.json.error)]).to.deep.equal([
      400,
      'seed parameter /central in us-west-2: InvalidKeyId: Invalid KeyId: key alias/ssm-backup does not exist in region us-west-2.',
    ]);
    const sts = keep(stsClient(aws));
    expect((await assume(sts, 'ext-9', `arn:aws:iam::${MEMBER}:role/seeded`)).AssumedRoleUser?.Arn).to.contain(`${MEMBER}:assumed-role/seeded/`);
    expect((await rejects(assume(sts, 'ext-1', `arn:aws:iam::${MEMBER}:role/seeded`))).name).to.equal('AccessDenied');

    const foreign = await admin(aws, 'seed', { accounts: { [MEMBER]: { roles: [{ roleArn: ROLE.replace(MEMBER, '222222222222'), principals: [] }] } } });
    expect(foreign).to.deep.equal({ status: 400, json: { error: `seed role ${ROLE.replace(MEMBER, '222222222222')} is not a role of account ${MEMBER}` } });
  });
});
