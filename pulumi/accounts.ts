/**
 * Multi-account settings (pure): the member side (roles that trust the central Jenkins role)
 * and the central side (the accounts parameter the engine reads). Vocabulary:
 * - central role: the IAM role the Jenkins job runs as, in the account that holds the accounts
 *   parameter; it assumes one member role per account.
 * - member roles: the backup and restore roles a member stack creates in its own account.
 * - accounts parameter: `/jenkins/{env}/backup/accounts` in the central stack's home region, a
 *   JSON list of `{"accountId","roleArn","externalId"?}` (issue 21).
 */
import { ssmParameterPath } from "../ts/contract/naming";
import { fail, isBlank, optionalRoleArn, optionalString } from "./configValues";

/** What a member stack needs to create its roles. */
export interface MemberConfig {
    /** Role the backup role trusts (the central Jenkins role). */
    readonly centralRoleArn: string;
    /** Role the restore role trusts; `centralRoleArn` unless set. */
    readonly centralRestoreRoleArn: string;
    /** Required `sts:ExternalId` on AssumeRole, when set. */
    readonly externalId?: string;
}

/** One entry of the accounts parameter, in the order the engine reads it. */
export interface AccountEntry {
    readonly accountId: string;
    readonly roleArn: string;
    readonly externalId?: string;
}

/** The accounts parameter: `/jenkins/{env}/backup/accounts` (its name belongs in the shared naming contract). */
export function accountsParameterName(environment: string): string {
    return `${ssmParameterPath(environment)}/accounts`;
}

/** Names of the roles a member stack creates (IAM role names: 1-64 of `[\w+=,.@-]`; environments are at most 32). */
export function memberRoleNames(environment: string): { backup: string; restore: string } {
    return { backup: `jenkins-ssm-backup-${environment}`, restore: `jenkins-ssm-restore-${environment}` };
}

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

export function optionalExternalId(key: string, value: unknown): string | undefined {
    const externalId = optionalString(key, value);
    if (externalId !== undefined && !EXTERNAL_ID_PATTERN.test(externalId)) {
        fail(`${key} must be 2-1224 letters, digits or _+=,.@:/- (the STS ExternalId rule).`);
    }
    return externalId;
}

/** Member mode: on when `centralRoleArn` is set. */
export function memberConfig(
    raw: { centralRoleArn?: unknown; centralRestoreRoleArn?: unknown; externalId?: unknown },
    partition: string,
): MemberConfig | undefined {
    const centralRoleArn = optionalRoleArn("centralRoleArn", raw.centralRoleArn, partition);
    const centralRestoreRoleArn = optionalRoleArn("centralRestoreRoleArn", raw.centralRestoreRoleArn, partition);
    const externalId = optionalExternalId("externalId", raw.externalId);
    if (centralRoleArn === undefined) {
        if (centralRestoreRoleArn !== undefined || externalId !== undefined) {
            fail("centralRestoreRoleArn and externalId need centralRoleArn (the central Jenkins role the member roles trust).");
        }
        return undefined;
    }
    return { centralRoleArn, centralRestoreRoleArn: centralRestoreRoleArn ?? centralRoleArn, ...(externalId ? { externalId } : {}) };
}

const ACCOUNT_FIELDS = ["accountId", "roleArn", "externalId"];

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
        fail(`${where} has unknown field(s) ${unknown.join(", ")}: use accountId, roleArn, externalId.`);
    }
    const accountId = fields.accountId;
    if (typeof accountId !== "string" || !ACCOUNT_ID_PATTERN.test(accountId)) {
        fail(`${where}.accountId must be a 12-digit account id written as a string (quote it in YAML), got ${JSON.stringify(accountId)}.`);
    }
    const arn = optionalRoleArn(`${where}.roleArn`, fields.roleArn, partition) ?? roleArn(partition, accountId, memberRoleNames(environment).backup);
    if (arn.split(":")[4] !== accountId) {
        fail(
            `${where}.roleArn "${arn}" is in account ${arn.split(":")[4]}, not ${accountId}: the engine checks that the role lands in the configured account.`,
        );
    }
    const externalId = optionalExternalId(`${where}.externalId`, fields.externalId);
    return { accountId, roleArn: arn, ...(externalId ? { externalId } : {}) };
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
        accounts.map(({ accountId, roleArn: arn, externalId }) => ({ accountId, roleArn: arn, ...(externalId ? { externalId } : {}) })),
    );
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes > ADVANCED_PARAMETER_MAX_BYTES) {
        fail(`accounts is ${bytes} bytes as JSON, more than an SSM parameter holds (${ADVANCED_PARAMETER_MAX_BYTES}): split the environment.`);
    }
    return { value, tier: bytes > STANDARD_PARAMETER_MAX_BYTES ? "Advanced" : "Standard" };
}
