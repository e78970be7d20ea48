import * as pulumi from "@pulumi/pulumi";
import {
    ENVIRONMENT_PATTERN,
    MAX_BUCKET_NAME_LENGTH,
    PROJECT,
    PROJECT_NAME_PATTERN,
    bucketNameLength,
    isValidRegion,
} from "./naming";

/** Validated stack configuration: the one object the program is built from. */
export interface BackupStackConfig {
    readonly projectName: string;
    readonly environment: string;
    /** Backup regions, in config order, without duplicates. */
    readonly regions: readonly string[];
    /** Region whose bucket the legacy single-region consumers use. */
    readonly defaultRegion: string;
    /** Region that holds the stack-wide SSM metadata (region-list, default-region, legacy key). */
    readonly ssmHomeRegion: string;
    /** Days after which backup objects expire. */
    readonly retentionDays: number;
    /** Days after which noncurrent object versions are deleted. */
    readonly noncurrentVersionRetentionDays: number;
    /** S3 Object Lock (GOVERNANCE mode, `retentionDays`) on every bucket. */
    readonly objectLock: boolean;
}

/**
 * Config as read from the stack, before validation. Values are what Pulumi hands the
 * program: strings (structured YAML values such as the region list arrive as JSON text),
 * or already-parsed values when a caller (a test) builds the object itself.
 */
export interface RawBackupStackConfig {
    projectName?: unknown;
    environment?: unknown;
    regions?: unknown;
    defaultRegion?: unknown;
    ssmHomeRegion?: unknown;
    retentionDays?: unknown;
    noncurrentVersionRetentionDays?: unknown;
    objectLock?: unknown;
}

export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_NONCURRENT_VERSION_RETENTION_DAYS = 7;

export const CONFIG_KEYS = [
    "projectName",
    "environment",
    "regions",
    "defaultRegion",
    "ssmHomeRegion",
    "retentionDays",
    "noncurrentVersionRetentionDays",
    "objectLock",
] as const;

/**
 * Thrown for every invalid setting. It is a `pulumi.RunError` (an `Error`), so a
 * `pulumi preview`/`up` stops with just the message instead of a stack trace.
 */
export class ConfigValidationError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ConfigValidationError";
    }
}

function fail(message: string): never {
    throw new ConfigValidationError(message);
}

function isBlank(value: unknown): boolean {
    return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function requiredString(key: string, value: unknown): string {
    if (isBlank(value)) {
        fail(`${key} is required (pulumi config set ${key} <value>).`);
    }
    if (typeof value !== "string") {
        fail(`${key} must be a string.`);
    }
    return value.trim();
}

function optionalString(key: string, value: unknown): string | undefined {
    return isBlank(value) ? undefined : requiredString(key, value);
}

/** Accepts a JSON array (structured config), a JSON array string, or "a,b" text. */
function parseRegions(value: unknown): string[] {
    if (isBlank(value)) {
        return [];
    }
    let list: unknown = value;
    if (typeof value === "string") {
        const text = value.trim();
        if (text.startsWith("[")) {
            try {
                list = JSON.parse(text);
            } catch {
                fail(`regions must be a list of AWS region names, e.g. [ap-northeast-1, us-west-2] (got ${text}).`);
            }
        } else {
            list = text.split(",");
        }
    }
    if (!Array.isArray(list)) {
        fail("regions must be a list of AWS region names, e.g. [ap-northeast-1, us-west-2].");
    }
    return list.map((entry) => {
        if (typeof entry !== "string") {
            fail(`Invalid region name ${JSON.stringify(entry)} in regions: expected a string like "ap-northeast-1".`);
        }
        return entry.trim();
    });
}

function positiveInteger(key: string, value: unknown, fallback: number): number {
    if (isBlank(value)) {
        return fallback;
    }
    const parsed = typeof value === "number" ? value : Number(String(value).trim());
    if (!Number.isInteger(parsed) || parsed < 1) {
        fail(`${key} must be a positive whole number of days (got ${JSON.stringify(value)}).`);
    }
    return parsed;
}

function flag(key: string, value: unknown): boolean {
    if (isBlank(value)) {
        return false;
    }
    if (typeof value === "boolean") {
        return value;
    }
    const text = String(value).trim().toLowerCase();
    if (text === "true") {
        return true;
    }
    if (text === "false") {
        return false;
    }
    fail(`${key} must be true or false (got ${JSON.stringify(value)}).`);
}

/**
 * Validates raw stack config into a `BackupStackConfig`. Pure: no Pulumi runtime access.
 * Throws `ConfigValidationError` with a message that says what to fix.
 */
export function validateConfig(raw: RawBackupStackConfig): BackupStackConfig {
    const projectName = requiredString("projectName", raw.projectName);
    if (!PROJECT_NAME_PATTERN.test(projectName)) {
        fail(`projectName must match [a-z0-9][a-z0-9-]* (S3 bucket naming) (got "${projectName}").`);
    }

    const environment = requiredString("environment", raw.environment);
    if (!ENVIRONMENT_PATTERN.test(environment)) {
        fail(`environment must match [a-z0-9-]+ (got "${environment}").`);
    }

    const regions = parseRegions(raw.regions);
    if (regions.length === 0) {
        fail("No regions configured");
    }
    for (const region of regions) {
        if (!isValidRegion(region)) {
            fail(`Invalid region name "${region}" in regions: expected an AWS region like "ap-northeast-1".`);
        }
    }
    const seen = new Set<string>();
    for (const region of regions) {
        if (seen.has(region)) {
            fail(`Duplicate region "${region}" in regions: each region may appear only once.`);
        }
        seen.add(region);
    }

    const defaultRegion = optionalString("defaultRegion", raw.defaultRegion) ?? regions[0];
    if (!regions.includes(defaultRegion)) {
        fail("defaultRegion must be included in regions.");
    }

    const ssmHomeRegion = optionalString("ssmHomeRegion", raw.ssmHomeRegion) ?? defaultRegion;
    if (!isValidRegion(ssmHomeRegion)) {
        fail(`ssmHomeRegion "${ssmHomeRegion}" is not a valid AWS region name (expected e.g. "ap-northeast-1").`);
    }

    for (const region of regions) {
        const length = bucketNameLength(projectName, environment, region);
        if (length > MAX_BUCKET_NAME_LENGTH) {
            fail(
                `Bucket name for ${region} would be ${length} characters (S3 allows ${MAX_BUCKET_NAME_LENGTH}): ` +
                    "shorten projectName or environment.",
            );
        }
    }

    const retentionDays = positiveInteger("retentionDays", raw.retentionDays, DEFAULT_RETENTION_DAYS);
    const noncurrentVersionRetentionDays = positiveInteger(
        "noncurrentVersionRetentionDays",
        raw.noncurrentVersionRetentionDays,
        DEFAULT_NONCURRENT_VERSION_RETENTION_DAYS,
    );
    const objectLock = flag("objectLock", raw.objectLock);

    return {
        projectName,
        environment,
        regions,
        defaultRegion,
        ssmHomeRegion,
        retentionDays,
        noncurrentVersionRetentionDays,
        objectLock,
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
