/**
 * Multi-account options of the commands (issue 21): `--account ID` (restore, verify, diff, list, history) acts in one
 * member account listed in the accounts parameter, through a role of that account; `backup`/`plan` take `--accounts`;
 * restore and diff take `--target-account ID`: the live account written (or compared with) when it is not the one the
 * archive is read from.
 */
import type { OptionTable } from './options.js';
import type { CommandContext } from './run-command.js';
import { homeRegionFrom } from './home-region.js';
import { EngineError, describeAwsError, usageError } from '../lib/support/index.js';
import { archiveStoreOf, readAccounts, selectAccounts, configKeys, type AccountEntry } from '../lib/config/index.js';
import { ssmReader, roleSessionName, type AwsClientFactory } from '../lib/aws/index.js';
import { memberRoleNames } from '../contract/index.js';

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

/** Restore and diff: the live account, when it is another member account than the archive's. */
export const targetAccountOptions = {
  'target-account': {
    kind: 'string',
    describe:
      "Member account (12 digits) listed in /jenkins/{environment}/backup/accounts to restore into (diff: to compare with), through its restore role; default: the archive's account (--account, or the caller's)",
  },
  'target-role-arn': {
    kind: 'string',
    describe: "Role to assume in --target-account; default: the member stack's jenkins-ssm-restore-{environment}",
  },
} as const satisfies OptionTable;

const ACCOUNT_ID = /^\d{12}$/;

/** Checks --account / --accounts ids and --role-arn (or `roleOption`) before any AWS call. */
export function checkAccountIds(ids: string[] | undefined, source: string, roleArn?: string, roleOption = '--role-arn'): void {
  for (const id of ids ?? []) if (!ACCOUNT_ID.test(id)) throw usageError(`${source} "${id}" is not a 12-digit account id`);
  if (roleArn === undefined) return;
  if (ids === undefined) throw usageError(`${roleOption} needs ${source}: it names the role to assume in that account`);
  const m = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/\S+$/.exec(roleArn);
  if (!m || m[1] !== ids[0]) throw usageError(`${roleOption} ${roleArn} is not a role ARN of account ${ids[0]}: use arn:aws:iam::${ids[0]}:role/NAME`);
}

/** The `--account` (and `--role-arn`) of a command reading one account's bucket, checked as checkAccountIds does. */
export function checkAccountOption(o: { account?: string; roleArn?: string }): void {
  checkAccountIds(o.account === undefined ? undefined : [o.account], '--account', o.roleArn);
}

/** `--target-account` and `--target-role-arn` (restore, diff), checked as checkAccountIds does. */
export function checkTargetAccountOption(o: { targetAccount?: string; targetRoleArn?: string }): void {
  checkAccountIds(o.targetAccount === undefined ? undefined : [o.targetAccount], '--target-account', o.targetRoleArn, '--target-role-arn');
}

/** The selected accounts of the accounts parameter, or undefined when it does not exist (a single-account run). */

export async function configuredAccounts(
  aws: AwsClientFactory,
  o: { environment: string; ssmHomeRegion?: string },
  selected: string[] | undefined,
  source: string,
) {
  const all = await accountsParameter(aws, o, selected ? source : undefined);
  return all && selectAccounts(all, selected, source, configKeys(o.environment).accounts);
}

/**
 * Every entry of the accounts parameter, or undefined when it does not exist; when `requiredBy` names an option, its
 * absence is a usage error naming that option. A read that fails is an `aws` error naming the parameter.
 */
async function accountsParameter(aws: AwsClientFactory, o: { environment: string; ssmHomeRegion?: string }, requiredBy?: string) {
  const key = configKeys(o.environment).accounts;
  const all = await readAccounts(ssmReader(aws.ssm(homeRegionFrom(o))), o.environment).catch((err: unknown) => {
    if (err instanceof EngineError) throw err;
    throw new EngineError('aws', `Could not read ${key} in ${homeRegionFrom(o)}: ${describeAwsError(err)}`, { cause: err });
  });
  if (all === undefined && requiredBy)
    throw usageError(
      `${requiredBy} needs ${key} in ${homeRegionFrom(o)}, which does not exist: create it with the central Pulumi stack, or leave ${requiredBy} out`,
    );
  return all;
}

/** The accounts entry of each `[id, option]` (one read of the accounts parameter); an id not listed is a usage error naming its option. */
async function accountEntries(aws: AwsClientFactory, o: { environment: string; ssmHomeRegion?: string }, wanted: [string, string][]) {
  const all = (await accountsParameter(aws, o, wanted[0][1])) as AccountEntry[];
  return new Map(wanted.map(([id, option]) => [id, selectAccounts(all, [id], option, configKeys(o.environment).accounts)[0]]));
}

/** The member stack's restore role in the account of `entry` (the naming contract's memberRoleNames). */
function restoreRoleArn(entry: AccountEntry, environment: string): string {
  const partition = entry.roleArn.split(':')[1];
  return `arn:${partition}:iam::${entry.accountId}:role/${memberRoleNames(environment).restore}`;
}

type AccountCommandOptions = { account?: string; roleArn?: string; environment: string; ssmHomeRegion?: string };

/**
 * The clients of a member account: `roleArn` assumed with the caller's credentials (the entry's external id, a
 * session name naming the run), checked with GetCallerIdentity before anything acts (else exit 2 naming both).
 */
async function openAccount(ctx: CommandContext, o: AccountCommandOptions, entry: AccountEntry, roleArn: string, command: string) {
  const home = homeRegionFrom(o);
  const member = ctx.aws.forAccount(
    { roleArn, externalId: entry.externalId, sessionName: roleSessionName(command, o.environment, ctx.io.env.BUILD_TAG) },
    home,
    archiveStoreOf(entry),
  );
  await member.expectAccount(entry.accountId, home, `Role ${roleArn}`);
  ctx.logger.info(`Account ${entry.accountId} through ${roleArn}`);
  return member;
}

/** The accounts a command acts in: where the archive is read (`aws`) and the live account (`target`; the same by default). */
export interface AccountClients {
  target: AwsClientFactory;
  /** Both account ids when --account or --target-account was given (recorded in the restore summary); else undefined. */
  accountIds?: { source: string; target: string };
}

/**
 * Runs `run` with the clients of `--account` (its role assumed, GetCallerIdentity checked) when it is given, else with
 * the caller's own clients: one line in each command that takes --account. With `--target-account` (restore, diff)
 * the third argument holds that account's clients, through its restore role; both ids are read from one read of the
 * accounts parameter and must be listed in it.
 */
export function withAccount<O extends AccountCommandOptions & { targetAccount?: string; targetRoleArn?: string }>(
  command: string,
  role: 'entry' | 'restore',
  run: (ctx: CommandContext, o: O, accounts: AccountClients) => Promise<number>,
): (ctx: CommandContext, o: O) => Promise<number> {
  return async (ctx, o) => {
    if (!o.account && !o.targetAccount) return run(ctx, o, { target: ctx.aws });
    const wanted: [string, string][] = [];
    if (o.account) wanted.push([o.account, '--account']);
    if (o.targetAccount) wanted.push([o.targetAccount, '--target-account']);
    const entries = await accountEntries(ctx.aws, o, wanted);
    const entry = (id: string) => entries.get(id) as AccountEntry;
    const source = o.account
      ? await openAccount(
          ctx,
          o,
          entry(o.account),
          o.roleArn ?? (role === 'restore' ? restoreRoleArn(entry(o.account), o.environment) : entry(o.account).roleArn),
          command,
        )
      : ctx.aws;
    const home = homeRegionFrom(o);
    const sourceId = o.account ?? (await ctx.aws.callerAccount(home));
    const targetId = o.targetAccount ?? sourceId;
    const target =
      targetId === sourceId ? source : await openAccount(ctx, o, entry(targetId), o.targetRoleArn ?? restoreRoleArn(entry(targetId), o.environment), command);
    if (targetId !== sourceId) ctx.logger.info(`Archive of account ${sourceId}; live parameters of account ${targetId}`);
    return run({ ...ctx, aws: source }, o, { target, accountIds: { source: sourceId, target: targetId } });
  };
}
