import { configError, usageError, EngineError, describeAwsError } from '../support/index.js';
import { type AwsClientFactory, ssmReader, type SsmReader } from '../aws/index.js';
import { ENVIRONMENT_RULE, REGION_RULE, isValidEnvironment, isValidRegion, ssmParameterNames } from '../../contract/naming.js';
import type { PlanFile } from '../../contract/plan.js';
import { readKeyConfig, type KeyConfig } from './key-config.js';

export { ENVIRONMENT_PATTERN, REGION_PATTERN } from '../../contract/naming.js';

/** The SSM names the Pulumi stack writes and the engine reads (the shared naming contract, ./naming.ts). */
export const configKeys = ssmParameterNames;

/** One account's plan (contract/plan.ts: the plan file Jenkins reads and `backup --plan-file` takes). */
export type Plan = Omit<PlanFile, 'kmsKeys' | 'kmsKeyErrors' | 'drKmsKeys'>;

/** A plan with the client-side encryption keys read by loadPlan (absent in plans built without SSM). */
export type PlanWithKeys = Plan & Partial<KeyConfig>;

/** Environment names as the Pulumi stack and the SSM key layout allow them (ts/contract/naming.ts); a bad one is a usage error. */
export function validateEnvironment(env: string | undefined, source = '--environment'): string {
  if (!env) throw usageError(`${source} is required: pass --environment <name> (for example dev) or set SSM_BACKUP_ENVIRONMENT`);
  if (!isValidEnvironment(env)) {
    throw usageError(`${source} "${env}" is invalid: use ${ENVIRONMENT_RULE} (for example dev)`);
  }
  return env;
}

/** An AWS region name (ts/contract/naming.ts); `category` says whether a bad one is the user's (usage) or the SSM configuration's (config). */
export function validateRegionName(region: string, source: string, category: 'usage' | 'config' = 'config'): string {
  if (!isValidRegion(region)) {
    const message = `${source} contains an invalid region name "${region}": use ${REGION_RULE}`;
    throw category === 'usage' ? usageError(message) : configError(message);
  }
  return region;
}

/** Checks a list of regions: syntax and duplicates. `source` names where the list came from. */
export function validateRegionList(regions: unknown[], source: string, category: 'usage' | 'config' = 'config'): string[] {
  const seen = new Set<string>();
  const fail = category === 'usage' ? usageError : configError;
  for (const r of regions) {
    if (typeof r !== 'string') throw fail(`${source} must contain only region name strings, got ${JSON.stringify(r)}`);
    validateRegionName(r, source, category);
    if (seen.has(r)) throw fail(`${source} lists "${r}" twice: remove the duplicate`);
    seen.add(r);
  }
  return regions as string[];
}

/** Parses the region-list parameter value (a JSON array of region names). Pure. */
export function parseRegionList(raw: string | undefined, env: string, homeRegion: string): string[] {
  const key = configKeys(env).regionList;
  if (raw === undefined) throw configError(`${key} not found in ${homeRegion}: create it with the Pulumi stack (pulumi/) or pass --regions`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw configError(`${key} is not valid JSON (${(err as Error).message}): set it to a JSON array such as ["ap-northeast-1","us-west-2"]`);
  }
  if (!Array.isArray(parsed))
    throw configError(`${key} must be a JSON array of region names, got ${typeof parsed}: set it to a value such as ["ap-northeast-1"]`);
  if (parsed.length === 0) throw configError(`No regions configured: ${key} is an empty array; add at least one region (pulumi config set regions)`);
  return validateRegionList(parsed, key);
}

export interface PlanInput {
  environment: string;
  homeRegion: string;
  regions: string[];
  regionsFromOverride: boolean;
  defaultRegion: string | undefined;
  legacyBucket: string | undefined;
  buckets: Record<string, string | undefined>;
  bucketErrors?: Record<string, string>;
}

/**
 * One bucket, one owner: a region's bucket holds one latest.txt, and drift, the shrink guard and `restore` (latest)
 * read it, so two regions sharing a bucket would compare with, and restore, each other's archives. Refused (exit 2).
 * Another environment configured with the same bucket is seen at backup time instead: its archive named by latest.txt.
 */
export function checkOneOwner(regions: string[], buckets: Record<string, string | null>, environment: string): void {
  const owner = new Map<string, string>();
  for (const r of regions) {
    const b = buckets[r];
    if (!b) continue;
    const first = owner.get(b);
    if (first)
      throw configError(
        `${first} and ${r} both resolve to bucket ${b} (${configKeys(environment).regionBucket(first)}, ${configKeys(environment).regionBucket(r)}): one bucket per region, or each would compare with and restore the other's archives; give each region its own bucket (pulumi/)`,
      );
    owner.set(b, r);
  }
}

/**
 * Where each region's archives are: its bucket, or with a central backup account `bucket/{member account}`
 * (AwsClientFactory.archiveLocation). A bucket parameter holding '/' is refused (exit 2): S3 bucket names have none,
 * and the engine alone adds the prefix.
 */
function locateArchives(aws: AwsClientFactory, plan: Plan, keys: ReturnType<typeof configKeys>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [r, b] of Object.entries(plan.buckets)) {
    if (b?.includes('/')) throw configError(`${keys.regionBucket(r)} is "${b}": an S3 bucket name has no '/'; set it to the bucket's name`);
    out[r] = b === null ? null : aws.archiveLocation(b);
  }
  return out;
}

/** Everything the I/O side read, checked and turned into a Plan. Pure. */
export function resolvePlan(input: PlanInput): Plan {
  const keys = configKeys(input.environment);
  const warnings: string[] = [];
  let defaultRegion = input.defaultRegion;
  if (defaultRegion === undefined) {
    if (!input.regionsFromOverride)
      throw configError(`${keys.defaultRegion} not found in ${input.homeRegion}: set it to one of ${JSON.stringify(input.regions)}`);
    defaultRegion = input.regions[0];
  } else {
    validateRegionName(defaultRegion, keys.defaultRegion);
    if (!input.regionsFromOverride && !input.regions.includes(defaultRegion)) {
      throw configError(
        `${keys.defaultRegion} "${defaultRegion}" is not in ${keys.regionList} ${JSON.stringify(input.regions)}: add it to the list or change the default`,
      );
    }
  }
  const buckets: Record<string, string | null> = {};
  const regionWarnings: Record<string, string[]> = {};
  const warn = (region: string, text: string) => {
    warnings.push(text);
    (regionWarnings[region] ??= []).push(text);
  };
  for (const r of input.regions) {
    buckets[r] = input.buckets[r] ?? null;
    const readError = input.bucketErrors?.[r];
    if (buckets[r] === null)
      warn(r, readError ?? `Bucket definition missing for ${r}: ${keys.regionBucket(r)} exists neither in ${r} nor in ${input.homeRegion}`);
    else if (readError) warn(r, `${readError}; using the home region's definition`);
  }
  checkOneOwner(input.regions, buckets, input.environment);
  const defaultBucket = input.buckets[defaultRegion] ?? null;
  let legacyBucketMatches: boolean | null = null;
  if (input.legacyBucket !== undefined && defaultBucket !== null) {
    legacyBucketMatches = input.legacyBucket === defaultBucket;
    if (!legacyBucketMatches) {
      warn(
        defaultRegion,
        `${keys.legacyBucket} is "${input.legacyBucket}" but the default region ${defaultRegion} uses "${defaultBucket}": old single-region consumers read the wrong bucket; run pulumi up`,
      );
    }
  }
  return {
    environment: input.environment,
    homeRegion: input.homeRegion,
    defaultRegion,
    regions: input.regions,
    buckets,
    bucketErrors: input.bucketErrors ?? {},
    legacyBucket: input.legacyBucket ?? null,
    legacyBucketMatches,
    warnings,
    regionWarnings,
  };
}

/**
 * Values by name (GetParameters, 10 a call); names that do not exist are left out. A name GetParameters lists
 * under InvalidParameters is re-checked with GetParameter before it is taken as missing (an answer can be
 * briefly inconsistent; a configuration key is never called missing on one answer).
 */
async function getValues(ssm: SsmReader, names: string[]): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (let i = 0; i < names.length; i += 10) {
    const { found: params, invalid } = await ssm.getBatch(names.slice(i, i + 10));
    for (const p of params) if (p.Name && p.Value !== undefined) found[p.Name] = p.Value;
    for (const name of invalid) {
      const again = await ssm.getOne(name);
      if (again?.Value !== undefined) found[name] = again.Value;
    }
  }
  return found;
}

export interface LoadPlanOptions {
  environment: string;
  homeRegion: string | undefined;
  regions?: string[];
  /** Also read the client-side encryption keys (backup and plan need them; list, verify, diff and restore do not). */
  withKeys?: boolean;
}

/** Reads the configuration from SSM (home region first, then each region's bucket) and resolves the plan. */
export async function loadPlan(aws: AwsClientFactory, opts: LoadPlanOptions): Promise<PlanWithKeys> {
  const environment = validateEnvironment(opts.environment);
  const homeRegion = opts.homeRegion;
  if (!homeRegion) throw usageError('--ssm-home-region is not set: pass --ssm-home-region <region> or set SSM_HOME_REGION or AWS_REGION');
  validateRegionName(homeRegion, '--ssm-home-region', 'usage');
  const override = opts.regions !== undefined ? validateRegionList(opts.regions, '--regions', 'usage') : undefined;
  if (override?.length === 0) throw usageError('--regions is empty: name at least one region, or leave the option out to use the region list');
  const keys = configKeys(environment);
  const home = ssmReader(aws.ssm(homeRegion));
  try {
    const meta = await getValues(home, [keys.regionList, keys.defaultRegion, keys.legacyBucket]);
    const regions = override ?? parseRegionList(meta[keys.regionList], environment, homeRegion);
    const buckets: Record<string, string | undefined> = {};
    const bucketErrors: Record<string, string> = {};
    // A region that cannot be read (an opt-in region not enabled, an SCP) fails alone, not the whole plan.
    await Promise.all(
      regions.map(async (r) => {
        try {
          buckets[r] = (await ssmReader(aws.ssm(r)).getOne(keys.regionBucket(r)))?.Value;
        } catch (err) {
          bucketErrors[r] = `Could not read ${keys.regionBucket(r)} in ${r}: ${describeAwsError(err)}`;
        }
      }),
    );
    const missing = regions.filter((r) => buckets[r] === undefined);
    if (missing.length > 0) {
      const fallback = await getValues(
        home,
        missing.map((r) => keys.regionBucket(r)),
      );
      for (const r of missing) buckets[r] = fallback[keys.regionBucket(r)];
    }
    const plan = resolvePlan({
      environment,
      homeRegion,
      regions,
      regionsFromOverride: override !== undefined,
      defaultRegion: meta[keys.defaultRegion],
      legacyBucket: meta[keys.legacyBucket],
      buckets,
      bucketErrors,
    });
    const located = { ...plan, buckets: locateArchives(aws, plan, keys) };
    if (opts.withKeys === false) return located;
    return { ...located, ...(await readKeyConfig(home, (r) => ssmReader(aws.ssm(r)), regions, keys)) };
  } catch (err) {
    if (err instanceof EngineError) throw err;
    // Throttling, an endpoint that cannot be reached or a denied call is not a configuration mistake: exit 1.
    throw new EngineError('aws', `Could not read the backup configuration from SSM in ${homeRegion}: ${describeAwsError(err)}`, { cause: err });
  }
}
