import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENT_RULE, bucketNameProblem, isValidEnvironment, isValidRegion, partitionOf } from "../ts/contract/naming";
import { inlinePolicyProblem } from "./iamPolicies";
import { PROJECT } from "./naming";
import { AccountEntry, MemberConfig, accountList, accountsParameterValue, memberAccountList, memberConfig } from "./accounts";
import { BackupAccountScope, backupAccountPolicyProblem } from "./backupAccount";
import { fail, flag, isBlank, optionalRoleArn, optionalString, positiveInteger, regionList, requiredString } from "./configValues";

export { ConfigValidationError } from "./configValues";

/** Validated stack configuration: the one object the program is built from. */
export interface BackupStackConfig {
    readonly projectName: string;
    readonly environment: string;
    /** Backup regions, in config order, without duplicates. */
    readonly regions: readonly string[];
    /** Region whose bucket the legacy single-region consumers use. */
    readonly defaultRegion: string;
    /** Region that holds the stack-wide SSM metadata (region-list, default-region, legacy key, DR key ARNs). */
    readonly ssmHomeRegion: string;
    /** Days after which backup objects expire. */
    readonly retentionDays: number;
    /** Days after which noncurrent object versions are deleted. */
    readonly noncurrentVersionRetentionDays: number;
    /** S3 Object Lock (GOVERNANCE mode, `retentionDays`) on every bucket. */
    readonly objectLock: boolean;
    /** Regions that get a DR KMS key (may overlap `regions`), in config order. */
    readonly drKeyRegions: readonly string[];
    /** An S3 server access log bucket per region, with the backup bucket logging into it. */
    readonly accessLogs: boolean;
    /** Days after which access log objects expire. */
    readonly accessLogRetentionDays: number;
    /** Existing IAM role the backup runs as; named in the key policies (set together with restoreRoleArn). */
    readonly backupRoleArn?: string;
    /** Existing IAM role restores run as; named in the key policies. */
    readonly restoreRoleArn?: string;
    /** The per-region "no successful backup" alarm; undefined with `backupAlarm: false`. */
    readonly alarm?: AlarmConfig;
    /** Member mode (`centralRoleArn` set): the stack creates backup and restore roles trusting the central role. */
    readonly member?: MemberConfig;
    /** Central side: accounts written to the accounts parameter (`[]`: no parameter). */
    readonly accounts: readonly AccountEntry[];
    /** Backup account stack (`memberAccounts` set): only buckets, holding the members' archives. */
    readonly backupAccount?: BackupAccountScope;
    /** AWS partition of every region (`aws`, `aws-cn`, `aws-us-gov`, ...). */
    readonly partition: string;
    /** DNS suffix of that partition (`amazonaws.com`, ...), for service names such as `ssm.<region>.<suffix>`. */
    readonly dnsSuffix: string;
}

/** Alarm settings: an SNS topic per region for the alarm actions (`alarmTopic`, or implied by `alarmEmail`). */
export interface AlarmConfig {
    readonly topic: boolean;
    /** Address subscribed to each region's topic (SNS sends a confirmation mail first). */
    readonly email?: string;
}

/**
 * Config as read from the stack, before validation. Values are what Pulumi hands the
 * program: strings (structured YAML values such as the region list arrive as JSON text),
 * or already-parsed values when a caller (a test) builds the object itself.
 */
export type RawBackupStackConfig = { [K in (typeof CONFIG_KEYS)[number]]?: unknown };

export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_NONCURRENT_VERSION_RETENTION_DAYS = 7;
export const DEFAULT_ACCESS_LOG_RETENTION_DAYS = 90;

export const CONFIG_KEYS = [
    "projectName",
    "environment",
    "regions",
    "defaultRegion",
    "ssmHomeRegion",
    "retentionDays",
    "noncurrentVersionRetentionDays",
    "objectLock",
    "drKeyRegions",
    "accessLogs",
    "accessLogRetentionDays",
    "backupRoleArn",
    "restoreRoleArn",
    "backupAlarm",
    "alarmTopic",
    "alarmEmail",
    "centralRoleArn",
    "centralRestoreRoleArn",
    "externalId",
    "accounts",
    "backupAccountId",
    "memberAccounts",
] as const;

/** A deliberately loose address check (one @, a dot in the domain, no spaces): SNS confirms the address itself. */
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function alarmConfig(raw: RawBackupStackConfig): AlarmConfig | undefined {
    const enabled = isBlank(raw.backupAlarm) ? true : flag("backupAlarm", raw.backupAlarm);
    const email = optionalString("alarmEmail", raw.alarmEmail);
    const topic = flag("alarmTopic", raw.alarmTopic) || email !== undefined;
    if (email !== undefined && !EMAIL_PATTERN.test(email)) {
        fail(`alarmEmail "${email}" is not an email address.`);
    }
    if (!enabled) {
        if (topic) {
            fail("alarmTopic and alarmEmail need backupAlarm (the topic receives the alarm's notifications).");
        }
        return undefined;
    }
    return email === undefined ? { topic } : { topic, email };
}

function multiAccount(raw: RawBackupStackConfig, partition: string, environment: string): Pick<BackupStackConfig, "member" | "accounts"> {
    const member = memberConfig(raw, partition);
    if (member && (!isBlank(raw.backupRoleArn) || !isBlank(raw.restoreRoleArn))) {
        fail("backupRoleArn and restoreRoleArn cannot be set with centralRoleArn: a member stack creates its backup and restore roles.");
    }
    if (member?.backupAccountId && (flag("accessLogs", raw.accessLogs) || flag("objectLock", raw.objectLock))) {
        fail("accessLogs and objectLock cannot be set with backupAccountId: the backup account's stack owns the buckets (set them there).");
    }
    const accounts = accountList(raw.accounts, partition, environment);
    accountsParameterValue(accounts);
    return member ? { member, accounts } : { accounts };
}

/** Keys a backup account stack (buckets only) refuses: they configure roles, keys, alarms or metadata it does not have. */
const NOT_IN_BACKUP_ACCOUNT = [
    "centralRoleArn",
    "centralRestoreRoleArn",
    "externalId",
    "backupAccountId",
    "accounts",
    "backupRoleArn",
    "restoreRoleArn",
    "drKeyRegions",
    "alarmTopic",
    "alarmEmail",
] as const;

/** Backup account mode: on when `memberAccounts` is set. */
function backupAccountScope(raw: RawBackupStackConfig, partition: string, environment: string): BackupAccountScope | undefined {
    const memberAccountIds = memberAccountList(raw.memberAccounts);
    if (memberAccountIds.length === 0) {
        return undefined;
    }
    const extra: string[] = NOT_IN_BACKUP_ACCOUNT.filter((key) => !isBlank(raw[key]));
    if (flag("backupAlarm", raw.backupAlarm)) {
        extra.push("backupAlarm");
    }
    if (extra.length > 0) {
        fail(
            `${extra.join(", ")} cannot be set with memberAccounts: a backup account stack makes only the buckets ` +
                "(roles, keys, alarms and metadata live in the member stacks).",
        );
    }
    return { partition, environment, memberAccountIds };
}

/** One partition for every region: IAM roles, key policies and ARNs never cross partitions. */
function commonPartition(regions: readonly string[]): { partition: string; dnsSuffix: string } {
    const partitions = regions.map((region) => partitionOf(region));
    const first = partitions[0];
    const other = partitions.findIndex((partition) => partition?.id !== first?.id);
    if (first === undefined || other >= 0) {
        fail(
            `${regions[other]} is in partition ${partitions[other]?.id} but ${regions[0]} is in ${first?.id}: ` +
                "one stack covers one AWS partition (regions, drKeyRegions and ssmHomeRegion).",
        );
    }
    return { partition: first.id, dnsSuffix: first.dnsSuffix };
}

function roles(raw: RawBackupStackConfig, partition: string): Pick<BackupStackConfig, "backupRoleArn" | "restoreRoleArn"> {
    const backupRoleArn = optionalRoleArn("backupRoleArn", raw.backupRoleArn, partition);
    const restoreRoleArn = optionalRoleArn("restoreRoleArn", raw.restoreRoleArn, partition);
    if ((backupRoleArn === undefined) !== (restoreRoleArn === undefined)) {
        fail("backupRoleArn and restoreRoleArn must be set together (the key policies then name both roles).");
    }
    return backupRoleArn === undefined ? {} : { backupRoleArn, restoreRoleArn };
}

/**
 * Validates raw stack config into a `BackupStackConfig`. Pure: no Pulumi runtime access.
 * Environment and region names follow the naming contract shared with the engine
 * (ts/contract/naming.ts). Throws `ConfigValidationError` with a message that says what to fix.
 */
export function validateConfig(raw: RawBackupStackConfig): BackupStackConfig {
    const projectName = requiredString("projectName", raw.projectName);
    const environment = requiredString("environment", raw.environment);
    if (!isValidEnvironment(environment)) {
        fail(`environment "${environment}" is invalid: use ${ENVIRONMENT_RULE} (for example dev).`);
    }

    const regions = regionList("regions", raw.regions);
    if (regions.length === 0) {
        fail("No regions configured");
    }
    const defaultRegion = optionalString("defaultRegion", raw.defaultRegion) ?? regions[0];
    if (!regions.includes(defaultRegion)) {
        fail("defaultRegion must be included in regions.");
    }
    const ssmHomeRegion = optionalString("ssmHomeRegion", raw.ssmHomeRegion) ?? defaultRegion;
    if (!isValidRegion(ssmHomeRegion)) {
        fail(`ssmHomeRegion "${ssmHomeRegion}" is not a valid AWS region name (expected e.g. "ap-northeast-1").`);
    }
    const drKeyRegions = regionList("drKeyRegions", raw.drKeyRegions);
    const { partition, dnsSuffix } = commonPartition([...regions, ...drKeyRegions, ssmHomeRegion]);

    const accessLogs = flag("accessLogs", raw.accessLogs);
    for (const region of regions) {
        const problem = bucketNameProblem(projectName, environment, region, accessLogs);
        if (problem) {
            fail(`${problem}.`);
        }
    }

    const backupAccount = backupAccountScope(raw, partition, environment);
    const alarm = backupAccount ? undefined : alarmConfig(raw);
    const accounts = multiAccount(raw, partition, environment);
    const centralBackup = accounts.member?.backupAccountId !== undefined;
    const tooLarge = backupAccount
        ? backupAccountPolicyProblem(projectName, regions, backupAccount)
        : accounts.member &&
          inlinePolicyProblem({ projectName, environment, partition, dnsSuffix, homeRegion: ssmHomeRegion, regions, drKeyRegions, centralBackup });
    if (tooLarge) {
        fail(`${tooLarge}.`);
    }
    return {
        projectName,
        environment,
        regions,
        defaultRegion,
        ssmHomeRegion,
        retentionDays: positiveInteger("retentionDays", raw.retentionDays, DEFAULT_RETENTION_DAYS),
        noncurrentVersionRetentionDays: positiveInteger(
            "noncurrentVersionRetentionDays",
            raw.noncurrentVersionRetentionDays,
            DEFAULT_NONCURRENT_VERSION_RETENTION_DAYS,
        ),
        objectLock: flag("objectLock", raw.objectLock),
        drKeyRegions,
        accessLogs,
        accessLogRetentionDays: positiveInteger("accessLogRetentionDays", raw.accessLogRetentionDays, DEFAULT_ACCESS_LOG_RETENTION_DAYS),
        ...roles(raw, partition),
        ...(alarm ? { alarm } : {}),
        ...accounts,
        ...(backupAccount ? { backupAccount } : {}),
        partition,
        dnsSuffix,
    };
}

/** Reads this project's config namespace from the running stack (raw strings). */
export function readRawConfig(config: pulumi.Config = new pulumi.Config(PROJECT)): RawBackupStackConfig {
    const raw: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) {
        raw[key] = config.get(key);
    }
    return raw;
}

/** Reads and validates the stack config. */
export function loadConfig(config?: pulumi.Config): BackupStackConfig {
    return validateConfig(readRawConfig(config));
}
