/**
 * The accounts configuration of a multi-account run (issue 21): `/jenkins/{env}/backup/accounts` in the home region
 * of the account the job runs in (the central account), written by the central Pulumi stack (pulumi/accounts.ts):
 *   [{"accountId": "111111111111", "roleArn": "arn:aws:iam::111111111111:role/NAME", "externalId": "...", "alias": "payments-prod"}]
 * Without that parameter a run is single-account, exactly as before. Every entry is checked before the first AWS call
 * that acts: a 12-digit account id written as a string, an IAM role ARN in that account, an optional STS external id,
 * an optional alias (Jenkins names the account's stages with it), no account or alias twice. Each member account keeps its own `/jenkins/{env}/backup/...` configuration.
 */
import { configError, usageError } from '../support/index.js';
import type { SsmReader } from '../aws/index.js';
import { ssmParameterNames } from '../../contract/naming.js';

export interface AccountEntry {
  accountId: string;
  roleArn: string;
  externalId?: string;
  /** The name Jenkins shows for the account (stage `Backup {alias} {region}`); the engine itself keys by accountId. */
  alias?: string;
  /**
   * A central backup account owning the buckets this member's archives go to (under `{accountId}/`): every S3 call
   * for this member expects that owner. Without it the member's own buckets, owned by the member.
   */
  backupAccountId?: string;
}

/** The archive store of a member (AwsClientFactory.forAccount): the central backup account and this member's prefix. */
export function archiveStoreOf(entry: AccountEntry): { bucketOwner: string; keyPrefix: string } | undefined {
  return entry.backupAccountId ? { bucketOwner: entry.backupAccountId, keyPrefix: entry.accountId } : undefined;
}

/** AWS account ids: exactly 12 digits (IAM User Guide, "AWS account identifiers"). */
const ACCOUNT_ID = /^\d{12}$/;
/** arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME; role names 1-64 of [\w+=,.@-] (IAM API reference, CreateRole). */
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]{1,64}$/;
/** STS AssumeRole ExternalId: 2-1224 of letters, digits and _+=,.@:/- (STS API reference, AssumeRole). */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** IAM account alias syntax (IAM API reference, CreateAccountAlias): 3-63 of a-z, 0-9 and single hyphens inside. */
const ALIAS = /^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;
const FIELDS = ['accountId', 'roleArn', 'externalId', 'alias', 'backupAccountId'];

/** One entry of the accounts parameter (`where` names it in messages); `extra` fields are allowed besides FIELDS. */
export function accountEntry(raw: unknown, where: string, extra: string[] = []): AccountEntry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw configError(`${where} must be an object {accountId, roleArn, externalId?}`);
  const fields = raw as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !FIELDS.includes(k) && !extra.includes(k));
  if (unknown.length) throw configError(`${where} has unknown field(s) ${unknown.join(', ')}: use accountId, roleArn, externalId, alias, backupAccountId`);
  const { accountId, roleArn, externalId, alias, backupAccountId } = fields;
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    throw configError(`${where}.accountId must be a 12-digit account id written as a string, got ${JSON.stringify(accountId)}`);
  }
  const arn = typeof roleArn === 'string' ? ROLE_ARN.exec(roleArn) : null;
  if (!arn) throw configError(`${where}.roleArn must be an IAM role ARN (arn:aws:iam::${accountId}:role/NAME), got ${JSON.stringify(roleArn)}`);
  if (arn[1] !== accountId) {
    throw configError(`${where}.roleArn ${String(roleArn)} is a role of account ${arn[1]}, not ${accountId}: name a role in the account it backs up`);
  }
  if (externalId !== undefined && (typeof externalId !== 'string' || !EXTERNAL_ID.test(externalId))) {
    throw configError(`${where}.externalId must be 2-1224 letters, digits or _+=,.@:/- (the STS ExternalId rule)`);
  }
  if (alias !== undefined && (typeof alias !== 'string' || !ALIAS.test(alias) || ACCOUNT_ID.test(alias))) {
    throw configError(
      `${where}.alias must be 3-63 of a-z, 0-9 and single hyphens (the IAM account alias rule), not a 12-digit number, got ${JSON.stringify(alias)}`,
    );
  }
  if (backupAccountId !== undefined && (typeof backupAccountId !== 'string' || !ACCOUNT_ID.test(backupAccountId))) {
    throw configError(
      `${where}.backupAccountId must be the 12-digit id of the central backup account, written as a string, got ${JSON.stringify(backupAccountId)}`,
    );
  }
  return {
    accountId,
    roleArn: roleArn as string,
    ...(externalId !== undefined ? { externalId: externalId as string } : {}),
    ...(alias !== undefined ? { alias: alias as string } : {}),
    ...(backupAccountId !== undefined ? { backupAccountId: backupAccountId as string } : {}),
  };
}

/** Parses and checks the accounts parameter's value (`source`: its name). Pure; a bad value is a config error (exit 2). */
export function parseAccounts(raw: string, source: string): AccountEntry[] {
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch (err) {
    throw configError(`${source} is not valid JSON (${(err as Error).message}): set it to a JSON list of {accountId, roleArn, externalId?}`);
  }
  if (!Array.isArray(list) || list.length === 0) {
    throw configError(`${source} must be a non-empty JSON list of {accountId, roleArn, externalId?}; delete it for a single-account run`);
  }
  return checkDistinctAccounts(
    list.map((raw, i) => accountEntry(raw, `${source}[${i}]`)),
    source,
  );
}

/** No account and no alias twice (Jenkins names each account's stages by its alias); returns `entries`. */
export function checkDistinctAccounts<E extends AccountEntry>(entries: E[], source: string): E[] {
  const seen = new Set<string>();
  const aliases = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.accountId)) throw configError(`${source} lists account ${e.accountId} twice: remove the duplicate`);
    if (e.alias && aliases.has(e.alias)) throw configError(`${source} gives alias ${e.alias} to two accounts: each stage name must be unique`);
    seen.add(e.accountId);
    if (e.alias) aliases.add(e.alias);
  }
  return entries;
}

/** The accounts `selected` names (--accounts / --account), in the configured order; an unknown id is a usage error. */
export function selectAccounts(all: AccountEntry[], selected: string[] | undefined, source: string, key: string): AccountEntry[] {
  if (selected === undefined) return all;
  for (const id of selected) {
    if (!ACCOUNT_ID.test(id)) throw usageError(`${source} "${id}" is not a 12-digit account id`);
    if (!all.some((a) => a.accountId === id)) {
      throw usageError(`${source} ${id} is not in ${key} (${all.map((a) => a.accountId).join(', ')}): add it there or choose a listed account`);
    }
  }
  return all.filter((a) => selected.includes(a.accountId));
}

/** Reads the accounts parameter from the home region: undefined when there is none (a single-account run). */
export async function readAccounts(home: SsmReader, environment: string): Promise<AccountEntry[] | undefined> {
  const key = ssmParameterNames(environment).accounts;
  const found = await home.getOne(key);
  return found?.Value === undefined ? undefined : parseAccounts(found.Value, key);
}
