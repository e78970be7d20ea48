/**
 * Readers for single raw config values (pure). Every problem throws `ConfigValidationError`
 * with one sentence naming the key and the fix. Values are never trimmed silently, except the
 * entries of a comma-separated list: " dev" is refused like the engine refuses it.
 */
import * as pulumi from "@pulumi/pulumi";
import { PARTITIONS, REGION_RULE, isValidRegion } from "../ts/contract/naming";

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

export function fail(message: string): never {
    throw new ConfigValidationError(message);
}

export function isBlank(value: unknown): boolean {
    return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

export function requiredString(key: string, value: unknown): string {
    if (isBlank(value)) {
        fail(`${key} is required (pulumi config set ${key} <value>).`);
    }
    if (typeof value !== "string") {
        fail(`${key} must be a string.`);
    }
    return value;
}

export function optionalString(key: string, value: unknown): string | undefined {
    return isBlank(value) ? undefined : requiredString(key, value);
}

/** Accepts a JSON array (structured config), a JSON array string, or "a, b" text (entries trimmed). */
function parseList(key: string, value: unknown): unknown[] {
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
                fail(`${key} must be a list of AWS region names, e.g. [ap-northeast-1, us-west-2] (got ${text}).`);
            }
        } else {
            list = text.split(",").map((entry) => entry.trim());
        }
    }
    if (!Array.isArray(list)) {
        fail(`${key} must be a list of AWS region names, e.g. [ap-northeast-1, us-west-2].`);
    }
    return list;
}

/** A list of region names: each a string matching the shared region rule, none twice. */
export function regionList(key: string, value: unknown): string[] {
    const seen = new Set<string>();
    return parseList(key, value).map((entry) => {
        if (typeof entry !== "string") {
            fail(`Invalid region name ${JSON.stringify(entry)} in ${key}: expected a string like "ap-northeast-1".`);
        }
        if (!isValidRegion(entry)) {
            fail(`Invalid region name "${entry}" in ${key}: use ${REGION_RULE}.`);
        }
        if (seen.has(entry)) {
            fail(`Duplicate region "${entry}" in ${key}: each region may appear only once.`);
        }
        seen.add(entry);
        return entry;
    });
}

export function positiveInteger(key: string, value: unknown, fallback: number): number {
    if (isBlank(value)) {
        return fallback;
    }
    const parsed = typeof value === "number" ? value : Number(String(value).trim());
    if (!Number.isInteger(parsed) || parsed < 1) {
        fail(`${key} must be a positive whole number of days (got ${JSON.stringify(value)}).`);
    }
    return parsed;
}

export function flag(key: string, value: unknown): boolean {
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
 * IAM role ARN: `arn:{partition}:iam::{12-digit account}:role/{optional path/}{name}`
 * (IAM User Guide, "IAM identifiers": role names are 1-64 of `[\w+=,.@-]`).
 */
const ROLE_ARN_PATTERN = new RegExp(`^arn:(${PARTITIONS.map((p) => p.id).join("|")}):iam::\\d{12}:role/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$`);

/** An optional IAM role ARN in the stack's partition. */
export function optionalRoleArn(key: string, value: unknown, partition: string): string | undefined {
    const arn = optionalString(key, value);
    if (arn === undefined) {
        return undefined;
    }
    const match = ROLE_ARN_PATTERN.exec(arn);
    if (!match) {
        fail(`${key} "${arn}" is not an IAM role ARN (expected arn:${partition}:iam::123456789012:role/name).`);
    }
    if (match[1] !== partition) {
        fail(`${key} "${arn}" is in partition ${match[1]} but the regions are in ${partition}.`);
    }
    return arn;
}
