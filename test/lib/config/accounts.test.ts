import { expect } from 'chai';
import { parseAccounts, selectAccounts } from '../../../ts/lib/config/index.js';
import { EngineError } from '../../../ts/lib/support/index.js';

const KEY = '/jenkins/dev/backup/accounts';
const entry = (accountId: string, extra: Record<string, unknown> = {}) => ({
  accountId,
  roleArn: `arn:aws:iam::${accountId}:role/jenkins-ssm-backup-dev`,
  ...extra,
});
const refused = (value: unknown): EngineError => {
  try {
    parseAccounts(typeof value === 'string' ? value : JSON.stringify(value), KEY);
  } catch (err) {
    return err as EngineError;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
};

describe('accounts parameter (multi-account configuration)', () => {
  it('reads entries in order, with optional external ids and role paths', () => {
    const value = [
      entry('111111111111', { externalId: 'backup-prod-7f3a', alias: 'payments-prod' }),
      { accountId: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/team/ssm-backup' },
    ];
    expect(parseAccounts(JSON.stringify(value), KEY)).to.deep.equal(value);
    expect(parseAccounts(JSON.stringify([entry('333333333333')]), KEY)[0]).not.to.have.property('externalId');
  });

  const cases: [string, unknown, string][] = [
    ['not JSON', '[{', 'is not valid JSON'],
    ['not a list', { accountId: '111111111111' }, 'must be a non-empty JSON list'],
    ['an empty list', [], 'must be a non-empty JSON list'],
    ['an entry that is not an object', ['111111111111'], `${KEY}[0] must be an object`],
    [
      'a numeric account id (YAML without quotes)',
      [{ accountId: 111111111111, roleArn: 'arn:aws:iam::111111111111:role/x' }],
      'must be a 12-digit account id written as a string',
    ],
    ['an 11-digit account id', [entry('11111111111')], 'must be a 12-digit account id'],
    ['a missing role ARN', [{ accountId: '111111111111' }], 'roleArn must be an IAM role ARN'],
    ['a user ARN', [{ accountId: '111111111111', roleArn: 'arn:aws:iam::111111111111:user/x' }], 'roleArn must be an IAM role ARN'],
    [
      'a role of another account',
      [{ accountId: '111111111111', roleArn: 'arn:aws:iam::222222222222:role/x' }],
      'is a role of account 222222222222, not 111111111111',
    ],
    ['a one-character external id', [entry('111111111111', { externalId: 'x' })], 'externalId must be 2-1224'],
    ['an external id with a space', [entry('111111111111', { externalId: 'a b' })], 'externalId must be 2-1224'],
    ['an unknown field', [entry('111111111111', { name: 'prod' })], 'unknown field(s) name'],
    ['an alias with capitals', [entry('111111111111', { alias: 'Payments' })], 'alias must be 3-63 of a-z, 0-9 and single hyphens'],
    ['an alias with a double hyphen', [entry('111111111111', { alias: 'pay--prod' })], 'alias must be 3-63'],
    ['an alias that reads as an account id', [entry('111111111111', { alias: '222222222222' })], 'not a 12-digit number'],
    ['an alias given twice', [entry('111111111111', { alias: 'prod' }), entry('222222222222', { alias: 'prod' })], 'gives alias prod to two accounts'],
    ['an account twice', [entry('111111111111'), entry('111111111111')], 'lists account 111111111111 twice'],
  ];
  for (const [what, value, message] of cases) {
    it(`refuses ${what} as a config error (exit 2)`, () => {
      const err = refused(value);
      expect(err).to.be.instanceOf(EngineError);
      expect(err.exitCode).to.equal(2);
      expect(err.message).to.contain(message);
    });
  }

  it('--accounts selects a subset in the configured order; an unknown or malformed id is a usage error', () => {
    const all = parseAccounts(JSON.stringify([entry('111111111111'), entry('222222222222'), entry('333333333333')]), KEY);
    expect(selectAccounts(all, undefined, '--accounts', KEY)).to.equal(all);
    expect(selectAccounts(all, ['333333333333', '111111111111'], '--accounts', KEY).map((a) => a.accountId)).to.deep.equal(['111111111111', '333333333333']);
    for (const [ids, message] of [
      [['444444444444'], '--accounts 444444444444 is not in /jenkins/dev/backup/accounts (111111111111, 222222222222, 333333333333)'],
      [['12345'], '--accounts "12345" is not a 12-digit account id'],
    ] as [string[], string][]) {
      try {
        selectAccounts(all, ids, '--accounts', KEY);
        expect.fail('accepted');
      } catch (err) {
        expect((err as EngineError).category).to.equal('usage');
        expect((err as Error).message).to.contain(message);
      }
    }
  });
});
