import { configError, usageError, EngineError, describeAwsError } from './errors.js';
import type { AwsClientFactory } from './aws/clients.js';
import { ssmReader, type SsmReader } from './aws/ssm.js';
import { ENVIRONMENT_RULE, REGION_RULE, isValidEnvironment, isValidRegion, ssmParameterNames } from './naming.js';

export { ENVIRONMENT_PATTERN, REGION_PATTERN } from './naming.js';

/** The SSM names the Pulumi stack writes and the engine reads (the shared naming contract, ./naming.ts). */
export const configKeys = ssmParameterNames;

export interface Plan {
  environment: string;
  homeRegion: string;
  defaultRegion: string;
  regions: string[];
  /** Bucket per region; null when neither the region nor the home region defines one. */
  buckets: Record<string, string | null>;
  /** Regions whose own bucket parameter could not be read (opt-in region not enabled, access denied): why. */
  bucketErrors: Record<string, string>;
  legacyBucket: string | null;
  legacyBucketMatches: boolean | null;
  warnings: string[];
}

export function validateEnvironment(env: string | undefined): string {
  if (!env) throw usageError('--environment is required: pass --environment <name> (for example dev) or set SSM_BACKUP_ENVIRONMENT');
  if (!isValidEnvironment(env)) {
    throw usageError(`--environment "${env}" is invalid: use ${ENVIRONMENT_RULE} (for example dev)`);
  }
  return env;
}

export function validateRegionName(region: string, source: string): string {
  if (!isValidRegion(region)) throw configError(`${source} contains an invalid region name "${region}": use ${REGION_RULE}`);
  return region;
}

/** Checks a list of regions: syntax and duplicates. `source` names where the list came from. */
export function validateRegionList(regions: unknown[], source: string): string[] {
  const seen = new Set<string>();
  for (const r of regions) {
    if (typeof r !== 'string') throw configError(`${source} must contain only region name strings, got ${JSON.stringify(r)}`);
    validateRegionName(r, source);
    if (seen.has(r)) throw configError(`${source} lists "${r}" twice: remove the duplicate`);
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
  if (!Array.isArray(parsed)) throw configError(`${key} must be a JSON array of region names, got ${typeof parsed}: set it to a value such as ["ap-northeast-1"]`);
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

/** Everything the I/O side read, checked and turned into a Plan. Pure. */
export function resolvePlan(input: PlanInput): Plan {
  const keys = configKeys(input.environment);
  const warnings: string[] = [];
  let defaultRegion = input.defaultRegion;
  if (defaultRegion === undefined) {
    if (!input.regionsFromOverride) throw configError(`${keys.defaultRegion} not found in ${input.homeRegion}: set it to one of ${JSON.stringify(input.regions)}`);
    defaultRegion = input.regions[0];
  } else {
    validateRegionName(defaultRegion, keys.defaultRegion);
    if (!input.regionsFromOverride && !input.regions.includes(defaultRegion)) {
      throw configError(`${keys.defaultRegion} "${defaultRegion}" is not in ${keys.regionList} ${JSON.stringify(input.regions)}: add it to the list or change the default`);
    }
  }
  const buckets: Record<string, string | null> = {};
  for (const r of input.regions) {
    buckets[r] = input.buckets[r] ?? null;
    const readError = input.bucketErrors?.[r];
    if (buckets[r] === null) warnings.push(readError ?? `Bucket definition missing for ${r}: ${keys.regionBucket(r)} exists neither in ${r} nor in ${input.homeRegion}`);
    else if (readError) warnings.push(`${readError}; using the home region's definition`);
  }
  const defaultBucket = input.buckets[defaultRegion] ?? null;
  let legacyBucketMatches: boolean | null = null;
  if (input.legacyBucket !== undefined && defaultBucket !== null) {
    legacyBucketMatches = input.legacyBucket === defaultBucket;
    if (!legacyBucketMatches) {
      warnings.push(`${keys.legacyBucket} is "${input.legacyBucket}" but the default region ${defaultRegion} uses "${defaultBucket}": old single-region consumers read the wrong bucket; run pulumi up`);
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
  };
}

/** Values by name (GetParameters, 10 a call); names that do not exist are left out. */
async function getValues(ssm: SsmReader, names: string[]): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (let i = 0; i < names.length; i += 10) {
    const { found: params } = await ssm.getBatch(names.slice(i, i + 10));
    for (const p of params) if (p.Name && p.Value !== undefined) found[p.Name] = p.Value;
  }
  return found;
}

export interface LoadPlanOptions {
  environment: string;
  homeRegion: string | undefined;
  regions?: string[];
}

/** Reads the configuration from SSM (home region first, then each region's bucket) and resolves the plan. */
export async function loadPlan(aws: AwsClientFactory, opts: LoadPlanOptions): Promise<Plan> {
  const environment = validateEnvironment(opts.environment);
  const homeRegion = opts.homeRegion;
  if (!homeRegion) throw usageError('--ssm-home-region is not set: pass --ssm-home-region <region> or set SSM_HOME_REGION or AWS_REGION');
  validateRegionName(homeRegion, '--ssm-home-region');
  const override = opts.regions && opts.regions.length > 0 ? validateRegionList(opts.regions, '--regions') : undefined;
  const keys = configKeys(environment);
  const home = ssmReader(aws.ssm(homeRegion));
  try {
    const meta = await getValues(home, [keys.regionList, keys.defaultRegion, keys.legacyBucket]);
    const regions = override ?? parseRegionList(meta[keys.regionList], environment, homeRegion);
    const buckets: Record<string, string | undefined> = {};
    const bucketErrors: Record<string, string> = {};
    // A region that cannot be read (an opt-in region not enabled, an SCP) fails alone, not the whole plan.
    await Promise.all(regions.map(async (r) => {
      try {
        buckets[r] = (await ssmReader(aws.ssm(r)).getOne(keys.regionBucket(r)))?.Value;
      } catch (err) {
        bucketErrors[r] = `Could not read ${keys.regionBucket(r)} in ${r}: ${describeAwsError(err)}`;
      }
    }));
    const missing = regions.filter((r) => buckets[r] === undefined);
    if (missing.length > 0) {
      const fallback = await getValues(home, missing.map((r) => keys.regionBucket(r)));
      for (const r of missing) buckets[r] = fallback[keys.regionBucket(r)];
    }
    return resolvePlan({
      environment, homeRegion, regions, regionsFromOverride: override !== undefined,
      defaultRegion: meta[keys.defaultRegion], legacyBucket: meta[keys.legacyBucket], buckets, bucketErrors,
    });
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError('config', `Could not read the backup configuration from SSM in ${homeRegion}: ${describeAwsError(err)}`, { cause: err });
  }
}
