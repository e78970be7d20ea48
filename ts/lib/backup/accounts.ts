/**
 * Multi-account backup (issue 21). Vocabulary: the central account runs the job and holds the accounts parameter;
 * each member account is reached through its role; a unit is one region of one member account.
 * Algorithm: (1) for every selected account, before anything acts: assume its role (one credential provider per
 * account, lib/aws/assume-role.ts), check GetCallerIdentity answers that account (else a config error naming both,
 * exit 2, nothing written) and read that account's own configuration (region list, buckets, keys) with its role;
 * (2) run every account x region unit through runUnits: one summary file, one entry per unit keyed
 * `{accountId}/{region}`, fail-fast across all units, `parallelRegions` units side by side, pacing per account x
 * region (one client factory per account). An account whose role cannot be assumed, or whose configuration cannot be
 * read, fails its units with the AWS cause: its `--regions`, or its home region when its region list is unknown.
 */
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { EngineError, describeAwsError, type Logger } from '../support/index.js';
import { archiveStoreOf, configKeys, loadPlan, requireClientEncryption, type AccountEntry, type PlanWithKeys } from '../config/index.js';
import type { AwsClientFactory } from '../aws/index.js';
import { unitKey } from '../../contract/index.js';
import { runUnits, type BackupOptions, type BackupResult, type BackupUnit } from './run.js';

/** A member account ready to back up (its clients, its plan) or known to fail (why). */
export interface AccountTarget {
  account: AccountEntry;
  aws: AwsClientFactory;
  plan?: PlanWithKeys;
  failure?: string;
}

export interface AccountsInput {
  environment: string;
  homeRegion: string;
  /** --regions: the same regions in every account (otherwise each account's own region list). */
  regions?: string[];
  /** RoleSessionName of every AssumeRole of the run (roleSessionName). */
  sessionName: string;
  /** Read the client-side encryption keys too (backup and plan). */
  withKeys?: boolean;
  logger: Logger;
}

/** A logger whose lines say `[111111111111 us-west-2]`. */
export function accountLogger(logger: Logger, accountId: string): Logger {
  return { ...logger, forRegion: (r: string) => logger.forRegion(`${accountId} ${r}`) };
}

/**
 * An account to prepare: its entry, and with `backup --plan-file` the plan the build made for it (then its
 * configuration is not read again) or why it could not be planned (then its units fail with that, nothing is assumed).
 */
export type PlannedAccount = AccountEntry & { plan?: PlanWithKeys; failure?: string };

/** Step (1) for one account: its clients, its checked identity, its configuration. Config errors are thrown (exit 2). */
async function prepareAccount(aws: AwsClientFactory, planned: PlannedAccount, input: AccountsInput): Promise<AccountTarget> {
  const { plan: handed, failure: plannedFailure, ...account } = planned;
  const { roleArn, externalId, accountId } = account;
  const member = aws.forAccount({ roleArn, externalId, sessionName: input.sessionName }, input.homeRegion, archiveStoreOf(account));
  if (plannedFailure !== undefined) return { account, aws: member, failure: plannedFailure };
  const failed = (what: string, err: unknown): AccountTarget => {
    if (err instanceof EngineError && (err.category === 'config' || err.category === 'usage')) {
      throw new EngineError(err.category, `account ${accountId}: ${err.message}`, { cause: err });
    }
    input.logger.error(`[${accountId}] ${what}: ${describeAwsError(err)}`);
    return { account, aws: member, failure: `${what}: ${describeAwsError(err)}` };
  };
  try {
    await member.expectAccount(accountId, input.homeRegion, `Role ${roleArn}`);
  } catch (err) {
    return failed(`Could not assume ${roleArn}${externalId ? ' (with its external id)' : ''}`, err);
  }
  if (handed) return { account, aws: member, plan: input.regions ? { ...handed, regions: handed.regions.filter((r) => input.regions!.includes(r)) } : handed };
  try {
    const plan = await loadPlan(member, { environment: input.environment, homeRegion: input.homeRegion, regions: input.regions, withKeys: input.withKeys });
    return { account, aws: member, plan };
  } catch (err) {
    return failed(`Could not read the configuration of account ${accountId}`, err);
  }
}

/** Step (1) for every account, a few at a time; throws the first config error (nothing has acted yet). */
export async function prepareAccounts(aws: AwsClientFactory, accounts: PlannedAccount[], input: AccountsInput): Promise<AccountTarget[]> {
  const limit = pLimit(4);
  const settled = await Promise.allSettled(accounts.map((a) => limit(() => prepareAccount(aws, a, input))));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<AccountTarget>).value);
}

/** The regions of a target: its plan's, or (its role or configuration failed) --regions, else the home region. */
export function targetRegions(t: AccountTarget, input: Pick<AccountsInput, 'regions' | 'homeRegion'>): string[] {
  return t.plan?.regions ?? input.regions ?? [input.homeRegion];
}

/** The units of the targets, in account then region order. */
export function accountUnits(targets: AccountTarget[], input: AccountsInput, opts: Omit<BackupOptions, 'plan'>): BackupUnit[] {
  return targets.flatMap((t): BackupUnit[] => {
    const id = t.account.accountId;
    const logger = accountLogger(opts.logger, id);
    if (!t.plan) {
      const failure = { message: t.failure ?? 'not prepared', category: 'account' };
      return targetRegions(t, input).map((region) => ({
        key: unitKey(id, region),
        region,
        accountId: id,
        aws: t.aws,
        failure,
        opts: stub(opts, logger),
      }));
    }
    const plan = t.plan;
    const unitOpts = { ...opts, plan, logger, regions: undefined };
    return plan.regions.map((region) => ({ key: unitKey(id, region), region, accountId: id, aws: t.aws, opts: unitOpts }));
  });
}

/** Keys of an existing summary file (none when it is missing or unreadable: updateSummaryFile then decides). */
function recordedKeys(file: string): string[] {
  try {
    return Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object);
  } catch {
    return [];
  }
}

function stub(opts: Omit<BackupOptions, 'plan'>, logger: Logger): BackupOptions {
  return { ...opts, logger, plan: { environment: '', homeRegion: '', defaultRegion: '', regions: [], buckets: {}, bucketErrors: {} } as never };
}

/** Steps (1) and (2): backs up every unit of `accounts`. */
export async function runAccountsBackup(
  aws: AwsClientFactory,
  accounts: PlannedAccount[],
  input: AccountsInput,
  opts: Omit<BackupOptions, 'plan'>,
): Promise<BackupResult & { targets: AccountTarget[] }> {
  const targets = await prepareAccounts(aws, accounts, { ...input, withKeys: true });
  for (const t of targets) {
    for (const w of t.plan?.warnings ?? []) opts.logger.warn(`[${t.account.accountId}] ${w}`);
    if (t.plan && opts.requireClientEncryption) {
      try {
        requireClientEncryption(t.plan, t.plan.regions, configKeys(input.environment).kmsKeyArn);
      } catch (err) {
        throw new EngineError('config', `account ${t.account.accountId}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  const units = accountUnits(targets, input, opts);
  // A branch (mergeSummary: --summary-fragment) keeps the entries other branches recorded, and fail-fast reads them.
  const recorded = opts.mergeSummary ? recordedKeys(opts.summaryFile) : [];
  const result = await runUnits(units, [...new Set([...recorded, ...units.map((u) => u.key)])], { ...opts, plan: units[0]?.opts.plan } as BackupOptions);
  return { ...result, targets };
}
