/**
 * `status --accounts` (issue 23 with issue 21's accounts): every member account's own configuration and buckets,
 * each read through its role exactly as a multi-account backup opens it (lib/backup prepareAccounts: AssumeRole,
 * GetCallerIdentity checked, the account's plan; its S3 clients send ExpectedBucketOwner = that account). One row per
 * account x region; an account whose role cannot be assumed or whose configuration cannot be read is a FAILING row
 * per region (its --regions, else its home region) with the AWS cause. A role that lands in another account is a
 * config error (exit 2), as in backup.
 */
import { prepareAccounts, targetRegions, type AccountsInput } from '../backup/index.js';
import type { AccountEntry } from '../config/index.js';
import type { AwsClientFactory } from '../aws/index.js';
import { backupStatus, type RegionStatusView, type StatusOptions } from './status.js';

export type AccountsStatusOptions = Omit<StatusOptions, 'regions' | 'buckets' | 'bucketErrors' | 'environment'>;

/** The rows of every account, in account then region order. */
export async function accountsStatus(
  aws: AwsClientFactory,
  accounts: AccountEntry[],
  input: Omit<AccountsInput, 'withKeys'>,
  o: AccountsStatusOptions,
): Promise<RegionStatusView[]> {
  const targets = await prepareAccounts(aws, accounts, { ...input, withKeys: false });
  const rows = await Promise.all(
    targets.map(async (t) => {
      const { accountId, alias } = t.account;
      const own = { accountId, ...(alias ? { alias } : {}) };
      if (!t.plan) {
        const reason = t.failure ?? 'not prepared';
        return targetRegions(t, input).map((region): RegionStatusView => ({
          ...own,
          region,
          bucket: null,
          verdict: 'FAILING',
          reason,
          latest: null,
          recent: [],
          archiveCount: 0,
          oldest: null,
          refused: [],
          pending: [],
        }));
      }
      const regions = await backupStatus(t.aws, { ...o, ...t.plan, environment: input.environment });
      return regions.map((r) => ({ ...own, ...r }));
    }),
  );
  return rows.flat();
}
