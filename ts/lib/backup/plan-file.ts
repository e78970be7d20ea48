/**
 * Reads a plan file written by `plan --output-file` (contract/plan.ts): the Jenkins step plans once per build and
 * hands the file to every unit's run, on this agent or (stashed) on another one. It is checked as strictly as a plan
 * read from SSM, before any AWS call; a bad file is a usage error (exit 2) naming the file and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { configError, usageError } from '../support/index.js';
import {
  accountEntry,
  checkDistinctAccounts,
  checkOneOwner,
  parseDrKeyArns,
  parseKmsKeyArn,
  validateEnvironment,
  validateRegionList,
  validateRegionName,
  type PlanWithKeys,
} from '../config/index.js';
import { isValidRegion, unitKey, type MultiAccountPlanFile, type PlanAccount } from '../../contract/index.js';

export type AccountsPlan = MultiAccountPlanFile & { accounts: (PlanAccount & { plan?: PlanWithKeys })[] };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A plan file of a multi-account run (it has `accounts`) rather than one account's plan. */
export function isAccountsPlan(plan: PlanWithKeys | AccountsPlan): plan is AccountsPlan {
  return Array.isArray((plan as AccountsPlan).accounts);
}

/** One account's plan inside the file (`where` names it); throws a usage error naming what is wrong. */
function checkPlan(value: unknown, where: string, keyPrefix?: string): PlanWithKeys {
  if (!isObject(value) || !Array.isArray(value.regions) || !isObject(value.buckets)) {
    throw usageError(`${where} is not a plan (regions, buckets): write it with ssm-backup plan --output-file`);
  }
  const plan = value as unknown as PlanWithKeys;
  validateEnvironment(plan.environment, `${where} environment`);
  validateRegionList(plan.regions, `${where} regions`, 'usage');
  if (plan.regions.length === 0)
    throw usageError(`${where} plans no region (a run would back up nothing and pass): write it with ssm-backup plan --output-file`);
  for (const r of plan.regions) {
    const b = plan.buckets[r];
    if (b !== null && typeof b !== 'string') throw configError(`${where}: the bucket of ${r} is not a name`);
    // The archive location: a bucket name, or in a central backup account `bucket/{member account}` (archiveLocation).
    const [bucket, prefix, extra] = (b ?? '').split('/');
    if (b !== null && (!bucket || extra !== undefined || prefix !== keyPrefix))
      throw configError(
        `${where}: the bucket of ${r} is "${b}", not ${keyPrefix ? `a bucket of the backup account followed by /${keyPrefix}` : 'a bucket name'}: write it with ssm-backup plan --output-file`,
      );
  }
  try {
    checkOneOwner(plan.regions, plan.buckets, plan.environment);
  } catch (err) {
    throw configError(`${where}: ${(err as Error).message}`);
  }
  checkPlanKeys(plan, where);
  plan.warnings ??= [];
  plan.regionWarnings ??= {};
  plan.bucketErrors ??= {};
  return plan;
}

/**
 * The key fields of a plan file, checked as the key parameters are when read from SSM (key-config.ts): each region's
 * key a KMS key or alias ARN of that region (or null: SSE-S3 only), each read error a string, the DR keys a list of at
 * most MAX_DR_KEYS distinct ARNs. A file edited in a workspace must not hand the run a key SSM would have refused.
 */
function checkPlanKeys(plan: PlanWithKeys, where: string): void {
  const { kmsKeys, kmsKeyErrors, drKmsKeys } = plan as { kmsKeys?: unknown; kmsKeyErrors?: unknown; drKmsKeys?: unknown };
  if (kmsKeys !== undefined && !isObject(kmsKeys)) throw configError(`${where} kmsKeys is not an object of region -> key ARN`);
  if (kmsKeyErrors !== undefined && !isObject(kmsKeyErrors)) throw configError(`${where} kmsKeyErrors is not an object of region -> reason`);
  for (const r of plan.regions) {
    const key = kmsKeys?.[r];
    if (key !== undefined && key !== null) {
      if (typeof key !== 'string') throw configError(`${where} kmsKeys.${r} is not a KMS key ARN`);
      parseKmsKeyArn(key, `${where} kmsKeys.${r}`, r);
    }
    const readError = kmsKeyErrors?.[r];
    if (readError !== undefined && typeof readError !== 'string') throw configError(`${where} kmsKeyErrors.${r} is not a reason`);
  }
  if (drKmsKeys !== undefined) plan.drKmsKeys = parseDrKeyArns(JSON.stringify(drKmsKeys), `${where} drKmsKeys`);
}

function checkAccountsPlan(value: Record<string, unknown>, where: string): AccountsPlan {
  validateEnvironment(value.environment as string, `${where} environment`);
  validateRegionName(String(value.homeRegion), `${where} homeRegion`, 'usage');
  const accounts = (value.accounts as unknown[]).map((raw, i): PlanAccount & { plan?: PlanWithKeys } => {
    const at = `${where} accounts[${i}]`;
    const entry = accountEntry(raw, at, ['plan', 'failure']);
    const { plan, failure } = raw as Record<string, unknown>;
    if (plan === undefined && typeof failure !== 'string')
      throw usageError(`${at} has neither a plan nor a failure: write it with ssm-backup plan --output-file`);
    const checked = plan === undefined ? undefined : checkPlan(plan, `${at}.plan`, entry.backupAccountId ? entry.accountId : undefined);
    if (checked && checked.environment !== value.environment)
      throw usageError(`${at}.plan is of environment ${checked.environment}, not ${String(value.environment)}`);
    return { ...entry, ...(checked ? { plan: checked } : { failure: failure as string }) };
  });
  if (accounts.length === 0) throw usageError(`${where} plans no account (a run would back up nothing and pass): write it with ssm-backup plan --output-file`);
  checkDistinctAccounts(accounts, `${where} accounts`);
  const units = value.units;
  // A planned account's units are its plan's regions; an account that could not be planned has units at the home
  // region or at the --regions of the plan (any valid region name of that account).
  const planned = new Set(accounts.flatMap((a) => (a.plan?.regions ?? []).map((r) => unitKey(a.accountId, r))));
  const failed = new Set(accounts.filter((a) => !a.plan).map((a) => a.accountId));
  const isUnit = (u: unknown) => {
    if (typeof u !== 'string') return false;
    const [account, region, extra] = u.split('/');
    return planned.has(u) || (extra === undefined && failed.has(account) && isValidRegion(region ?? ''));
  };
  if (!Array.isArray(units) || !units.every(isUnit) || new Set(units).size !== units.length) {
    throw usageError(`${where} units must be the {accountId}/{region} units of its accounts' plans: write it with ssm-backup plan --output-file`);
  }
  // Every unit planned is a stage: a unit left out would never run while the build counted only the others.
  const listed = new Set(units as string[]);
  const left = [...planned].find((u) => !listed.has(u)) ?? [...failed].find((id) => !units.some((u: string) => u.startsWith(`${id}/`)));
  if (left !== undefined) throw usageError(`${where} units leave out ${left}, which its accounts plan: write it with ssm-backup plan --output-file`);
  return { environment: value.environment as string, homeRegion: value.homeRegion as string, accounts, units: units as string[] };
}

/**
 * The plan file `file`: one account's plan, or a multi-account plan (every account's entry and plan, or why it could
 * not be planned). `environment`, when given too, must match.
 */
export function readPlanFile(file: string, environment: string | undefined): PlanWithKeys | AccountsPlan {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw usageError(`--plan-file ${file} is not JSON: write it with ssm-backup plan --output-file`);
  }
  const where = `--plan-file ${file}`;
  const plan = isObject(value) && Array.isArray(value.accounts) ? checkAccountsPlan(value, where) : checkPlan(value, where);
  if (environment !== undefined && environment !== plan.environment) {
    throw usageError(`--environment ${environment} does not match ${where} (environment ${plan.environment}): give one or the other`);
  }
  return plan;
}
