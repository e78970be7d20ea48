import { loadSharedConfigFiles } from '@smithy/core/config';
import { usageError } from '../lib/support/index.js';
import { validateRegionName } from '../lib/config/index.js';

/**
 * The home region (where region-list and default-region live), as the AWS CLI picks a region: --ssm-home-region,
 * then $SSM_HOME_REGION, $AWS_REGION, $AWS_DEFAULT_REGION, then the `region` of the profile (--profile, $AWS_PROFILE
 * or `default`) in ~/.aws/config. Whatever its source, the value is validated; none at all is a usage error.
 */
export async function resolveHomeRegion(o: { ssmHomeRegion?: string; profile?: string }, env: NodeJS.ProcessEnv): Promise<string> {
  if (o.ssmHomeRegion) return o.ssmHomeRegion;
  for (const name of ['SSM_HOME_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const v = env[name];
    if (v) return validateRegionName(v, `$${name}`, 'usage');
  }
  const profile = o.profile ?? env.AWS_PROFILE ?? 'default';
  const { configFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const region = configFile[profile]?.region;
  if (region) return validateRegionName(region, `the region of profile ${profile} in ~/.aws/config`, 'usage');
  throw usageError('no home region: pass --ssm-home-region <region>, or set SSM_HOME_REGION or AWS_REGION, or a region in your AWS profile');
}

/** The resolved home region of validated options (set by the CLI before a command runs). */
export function homeRegionFrom(o: { ssmHomeRegion?: string }): string {
  if (!o.ssmHomeRegion) throw new Error('home region not resolved before run');
  return o.ssmHomeRegion;
}

/** A --profile that neither ~/.aws/config nor ~/.aws/credentials defines is refused before any AWS call. */
export async function checkProfile(profile: string | undefined): Promise<void> {
  if (!profile) return;
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  if (!configFile[profile] && !credentialsFile[profile]) {
    throw usageError(`--profile ${profile} is not defined in ~/.aws/config or ~/.aws/credentials: check the name (aws configure list-profiles)`);
  }
}
