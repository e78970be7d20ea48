/**
 * Multi-account options of the commands (issue 21): `--account ID` (restore, verify, diff, list, history) acts in one
 * member account listed in the accounts parameter, through a role of that account; `backup`/`plan` take `--accounts`.
 */
import type { OptionTable } from './options.js';
import type { CommandContext } from './run-command.js';
import { homeRegionFrom } from './home-region.js';
import { EngineError, describeAwsError, usageError } from '../lib/support/index.js';
import { readAccounts, selectAccounts, configKeys, type AccountEntry } from '../lib/config/index.js';
import { ssmReader, roleSessionName, type AwsClientFactory } from '../lib/aws/index.js';

export const accountOptions = {
  account: {
    kind: 'string',
    describe: 'Member account (12 digits) listed in /jenkins/{environment}/backup/accounts: act in it through its role (multi-account runs)',
  },
  'role-arn': {
    kind: 'string',
    describe:
      "Role to assume in --account; default: the accounts entry's role for list and history, the member stack's jenkins-ssm-restore-{environment} for verify, diff and restore (they decrypt)",
  },
} as const satisfies OptionTable;

const ACCOUNT_ID = /^\d{12}$/;

/** Checks --account / --accounts ids and --role-arn before any AWS call. */
export function checkAccountIds(ids: string[] | undefined, source: string, roleArn?: string): void {
  for (const id of ids ?? []) if (!ACCOUNT_ID.test(id)) throw usageError(`${source} "${id}" is not a 12-digit account id`);
  if (roleArn === undefined) return;
  if (ids === undefined) throw usageError('--role-arn needs --account: it names the role to assume in that account');
  const m = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/\S+$/.exec(roleArn);
  if (!m || m[1] !== ids[0]) throw usageError(`--role-arn ${roleArn} is not a role ARN of account ${ids[0]}: use arn:aws:iam::${ids[0]}:role/NAME`);
}

/** The selected accounts of the accounts parameter, or undefined when it does not exist (a single-account run). */
/** The `--account` (and `--role-arn`) of a command reading one account's bucket, checked as checkAccountIds does. */
export function checkAccountOption(o: { account?: string; roleArn?: string }): void {
  checkAccountIds(o.account === undefined ? undefined : [o.account], '--account', o.roleArn);
}

export async function configuredAccounts(
  aws: AwsClientFactory,
  o: { environment: string; ssmHomeRegion?: string },
  selected: string[] | undefined,
  source: string,
) {
  const key = configKeys(o.environment).accounts;
  const all = await readAccounts(ssmReader(aws.ssm(homeRegionFrom(o))), o.environment).catch((err: unknown) => {
    if (err instanceof EngineError) throw err;
    throw new EngineError('aws', `Could not read ${key} in ${homeRegionFrom(o)}: ${describeAwsError(err)}`, { cause: err });
  });
  if (all === undefined) {
    if (selected)
      throw usageError(`${source} needs ${key} in ${homeRegionFrom(o)}, which does not exist: create it with the central Pulumi stack, or leave ${source} out`);
    return undefined;
  }
  return selectAccounts(all, selected, source, key);
}

/** The member stack's restore role in the account of `entry` (pulumi/accounts.ts memberRoleNames). */
function restoreRoleArn(entry: AccountEntry, environment: string): string {
  const partition = entry.roleArn.split(':')[1];
  return `arn:${partition}:iam::${entry.accountId}:role/jenkins-ssm-restore-${environment}`;
}

/**
 * Runs `run` with the clients of `--account` (its role assumed, GetCallerIdentity checked) when it is given, else with
 * the caller's own clients: one line in each command that takes --account.
 */
export function withAccount<O extends { account?: string; roleArn?: string; environment: string; ssmHomeRegion?: string }>(
  command: string,
  role: 'entry' | 'restore',
  run: (ctx: CommandContext, o: O) => Promise<number>,
): (ctx: CommandContext, o: O) => Promise<number> {
  return async (ctx, o) => {
    if (!o.account) return run(ctx, o);
    const [entry] = (await configuredAccounts(ctx.aws, o, [o.account], '--account')) as AccountEntry[];
    const roleArn = o.roleArn ?? (role === 'restore' ? restoreRoleArn(entry, o.environment) : entry.roleArn);
    const home = homeRegionFrom(o);
    const member = ctx.aws.forAccount(
      { roleArn, externalId: entry.externalId, sessionName: roleSessionName(command, o.environment, ctx.io.env.BUILD_TAG) },
      home,
    );
    await member.expectAccount(entry.accountId, home, `Role ${roleArn}`);
    ctx.logger.info(`Account ${entry.accountId} through ${roleArn}`);
    return run({ ...ctx, aws: member }, o);
  };
}
