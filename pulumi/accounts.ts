/**
 * Multi-account settings (pure): the member side (roles that trust the central Jenkins role)
 * and the central side (the accounts parameter the engine reads). Vocabulary:
 * - central role: the IAM role the Jenkins job runs as, in the account that holds the accounts
 *   parameter; it assumes one member role per account.
 * - member roles: the backup and restore roles a member stack creates in its own account.
 * - accounts parameter: `/jenkins/{env}/backup/accounts` in the central stack's home region, a
 *   JSON list of `{"accountId","roleArn","externalId"?}` (issue 21).
 */
import { memberRoleNames, ssmParameterPath } from "../ts/contract/naming";
import { fail, isBlank, optionalRoleArn, optionalString } from "./configValues";

/** What a member stack needs to create its roles. */
export interface MemberConfig {
    /** Role the backup role trusts (the central Jenkins role). */
    readonly centralRoleArn: string;
    /** Role the restore role trusts; `centralRoleArn` unless set. */
    readonly centralRestoreRoleArn: string;
    /** Required `sts:ExternalId` on AssumeRole, when set. */
    readonly externalId?: string;
    /**
     * Central backup account that holds this account's archives (under `{memberAccountId}/`) in its
     * own buckets; the member stack then creates no bucket.
     */
    readonly backupAccountId?: string;
}

/** One entry of the accounts parameter, in the order the engine reads it. */
export interface AccountEntry {
    readonly accountId: string;
    readonly roleArn: string;
    readonly externalId?: string;
    /** Backup account holding this account's archives (the engine sends it as `ExpectedBucketOwner`). */
    readonly backupAccountId?: string;
}

/** The accounts parameter: `/jenkins/{env}/backup/accounts` (its name belongs in the shared naming contract). */
export function accountsParameterName(environment: string): string {
    return `${ssmParameterPath(environment)}/accounts`;
}

/** Names of the roles a member stack creates: the shared naming contract's (the engine assumes them by default). */
export { memberRoleNames };

/** `arn:{partition}:iam::{account}:role/{name}`. */
export function roleArn(partition: string, accountId: string, name: string): string {
    return `arn:${partition}:iam::${accountId}:role/${name}`;
}

/** AWS account ids: exactly 12 digits (IAM User Guide, "AWS account identifiers"). */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/**
 * STS AssumeRole `ExternalId`: 2-1224 characters of letters, digits and `_+=,.@:/-` (STS API
 * reference, AssumeRole). AWS does not treat it as a secret ("How to use an external ID",
 * IAM User Guide): it is visible to anyone who can read the role, so it is stored as a String.
 */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

/** An optional account id: a string of exactly 12 digits (quoted in YAML, or it becomes a number). */
export function optionalAccountId(key: string, value: unknown): string | undefined {
    if (isBlank(value)) {
        return undefined;
    }
    if (typeof value !== "string" || !ACCOUNT_ID_PATTERN.test(value)) {
        fail(`${key} must be a 12-digit account id written as a string (quote it in YAML), got ${JSON.stringify(value)}.`);
    }
    return value;
}

export function optionalExternalId(key: string, value: unknown): string | undefined {
    const externalId = optionalString(key, value);
    if (externalId !== undefined && !EXTERNAL_ID_PATTERN.test(externalId)) {
        fail(`${key} must be 2-1224 letters, digits or _+=,.@:/- (the STS ExternalId rule).`);
    }
    return externalId;
}

/** Member mode: on when `centralRoleArn` is set. */
export function memberConfig(
    raw: { centralRoleArn?: unknown; centralRestoreRoleArn?: unknown; externalId?: unknown; backupAccountId?: unknown },
    partition: string,
): MemberConfig | undefined {
    const centralRoleArn = optionalRoleArn("centralRoleArn", raw.centralRoleArn, partition);
    const centralRestoreRoleArn = optionalRoleArn("centralRestoreRoleArn", raw.centralRestoreRoleArn, partition);
    const externalId = optionalExternalId("externalId", raw.externalId);
    const backupAccountId = optionalAccountId("backupAccountId", raw.backupAccountId);
    if (centralRoleArn === undefined) {
        if (centralRestoreRoleArn !== undefined || externalId !== undefined || backupAccountId !== undefined) {
            fail("centralRestoreRoleArn, externalId and backupAccountId need centralRoleArn (the central Jenkins role the member roles trust).");
        }
        return undefined;
    }
    return {
        centralRoleArn,
        centralRestoreRoleArn: centralRestoreRoleArn ?? centralRoleArn,
        ...(externalId ? { externalId } : {}),
        ...(backupAccountId ? { backupAccountId } : {}),
    };
}

const ACCOUNT_FIELDS = ["accountId", "roleArn", "externalId", "backupAccountId"];

function parseAccountList(value: unknown): unknown[] {
    let list = value;
    if (typeof value === "string") {
        try {
            list = JSON.parse(value);
        } catch {
            fail('accounts must be a list of {accountId, roleArn?, externalId?}, e.g. [{"accountId": "111111111111"}].');
        }
    }
    if (!Array.isArray(list)) {
        fail('accounts must be a list of {accountId, roleArn?, externalId?}, e.g. [{"accountId": "111111111111"}].');
    }
    return list;
}

function accountEntry(entry: unknown, index: number, partition: string, environment: string): AccountEntry {
    const where = `accounts[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        fail(`${where} must be an object {accountId, roleArn?, externalId?}.`);
    }
    const fields = entry as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((key) => !ACCOUNT_FIELDS.includes(key));
    if (unknown.length > 0) {
        fail(`${where} has unknown field(s) ${unknown.join(", ")}: use ${ACCOUNT_FIELDS.join(", ")}.`);
    }
    const accountId = optionalAccountId(`${where}.accountId`, fields.accountId) ?? fail(`${where}.accountId is required (the member account's 12-digit id).`);
    const arn = optionalRoleArn(`${where}.roleArn`, fields.roleArn, partition) ?? roleArn(partition, accountId, memberRoleNames(environment).backup);
    if (arn.split(":")[4] !== accountId) {
        fail(
            `${where}.roleArn "${arn}" is in account ${arn.split(":")[4]}, not ${accountId}: the engine checks that the role lands in the configured account.`,
        );
    }
    const externalId = optionalExternalId(`${where}.externalId`, fields.externalId);
    const backupAccountId = optionalAccountId(`${where}.backupAccountId`, fields.backupAccountId);
    if (backupAccountId === accountId) {
        fail(`${where}.backupAccountId is the account itself: name the separate backup account, or leave it out to keep archives in ${accountId}.`);
    }
    return { accountId, roleArn: arn, ...(externalId ? { externalId } : {}), ...(backupAccountId ? { backupAccountId } : {}) };
}

/**
 * The accounts list of a central stack: each entry an object with a 12-digit `accountId`
 * (string), an optional `roleArn` (default: the member stack's backup role in that account),
 * an optional `externalId`; no account twice. Blank or `[]` means no accounts parameter.
 */
export function accountList(value: unknown, partition: string, environment: string): AccountEntry[] {
    if (isBlank(value)) {
        return [];
    }
    const seen = new Set<string>();
    return parseAccountList(value).map((entry, index) => {
        const account = accountEntry(entry, index, partition, environment);
        if (seen.has(account.accountId)) {
            fail(`Duplicate account ${account.accountId} in accounts: each account may appear only once.`);
        }
        seen.add(account.accountId);
        return account;
    });
}

/** SSM String parameters hold 4 KB in the Standard tier and 8 KB in the Advanced tier (SSM User Guide, "Parameter tiers"). */
export const STANDARD_PARAMETER_MAX_BYTES = 4096;
export const ADVANCED_PARAMETER_MAX_BYTES = 8192;

/** Value of the accounts parameter and the tier it needs; refuses a list too long for any tier. */
export function accountsParameterValue(accounts: readonly AccountEntry[]): { value: string; tier: "Standard" | "Advanced" } {
    const value = JSON.stringify(
        accounts.map(({ accountId, roleArn: arn, externalId, backupAccountId }) => ({
            accountId,
            roleArn: arn,
            ...(externalId ? { externalId } : {}),
            ...(backupAccountId ? { backupAccountId } : {}),
        })),
    );
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes > ADVANCED_PARAMETER_MAX_BYTES) {
        fail(`accounts is ${bytes} bytes as JSON, more than an SSM parameter holds (${ADVANCED_PARAMETER_MAX_BYTES}): split the environment.`);
    }
    return { value, tier: bytes > STANDARD_PARAMETER_MAX_BYTES ? "Advanced" : "Standard" };
}

/**
 * `memberAccounts` of a backup account stack: the member account ids whose archives its buckets
 * hold, each a 12-digit string, none twice, not the backup account itself (checked once its id
 * is known). Blank means no backup account stack.
 */
export function memberAccountList(value: unknown): string[] {
    if (isBlank(value)) {
        return [];
    }
    const shape = 'memberAccounts must be a list of 12-digit account ids as strings, e.g. ["111111111111", "222222222222"].';
    let list = value;
    if (typeof value === "string") {
        try {
            list = JSON.parse(value);
        } catch {
            fail(shape);
        }
    }
    if (!Array.isArray(list) || list.length === 0) {
        fail(shape);
    }
    const seen = new Set<string>();
    return list.map((entry, index) => {
        const id = optionalAccountId(`memberAccounts[${index}]`, entry) ?? fail(shape);
        if (seen.has(id)) {
            fail(`Duplicate account ${id} in memberAccounts: each account may appear only once.`);
        }
        seen.add(id);
        return id;
    });
}
