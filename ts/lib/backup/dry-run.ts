/**
 * A dry run that tells the truth: before collecting, the region's read-only checks (lib/check: bucket, keys,
 * permissions); a FAIL the real backup would hit fails the region, any other FAIL or WARN is a warning of the region.
 * After collecting, the comparison with the archive latest.txt names and the guard's decision, as the real backup
 * would make them (nothing is written).
 */
import { EngineError } from '../support/index.js';
import { checkRegion, type CheckResult } from '../check/index.js';
import { readPrevious, type IndexEntry } from '../store/index.js';
import { computeDrift, guardRefusal, driftLines, type Drift } from './drift.js';
import type { RegionRun } from './region-run.js';

/** Rows about restores, not backups (the backup role may not decrypt: the restore role does). */
const RESTORE_ONLY = new Set(['KMS Decrypt']);

const line = (r: CheckResult) => `${r.check}: ${r.detail}${r.fix ? ` (fix: ${r.fix})` : ''}`;

/** Runs the checks of the run's region; throws the first blocking FAIL (region EngineError), records the rest as warnings. */
export async function dryRunChecks(run: RegionRun): Promise<void> {
  const { region, opts, log, warnings } = run;
  const rows = (await checkRegion(run.aws, opts.plan, region, run.accountId ?? undefined)).filter((r) => !RESTORE_ONLY.has(r.check));
  const blocking = rows.filter((r) => r.status === 'FAIL' && r.blocksBackup);
  if (blocking.length) {
    const more =
      blocking.length > 1
        ? ` (+${blocking.length - 1} more: ${blocking
            .slice(1)
            .map((r) => r.check)
            .join(', ')})`
        : '';
    throw new EngineError('region', `Dry run: the backup would fail: ${line(blocking[0])}${more}`, { region });
  }
  for (const r of rows.filter((x) => x.status !== 'OK')) {
    const text = `check ${r.status}: ${line(r)}`;
    warnings.push(text);
    log.warn(text);
  }
  log.info(
    `Checks: ${rows.filter((r) => r.status === 'OK').length} OK, ${rows.length - rows.filter((r) => r.status === 'OK').length} not OK (see ssm-backup check)`,
  );
}

/** The drift against latest.txt's archive and what the guard would decide, for a dry run. */
export async function dryRunGuard(run: RegionRun, bucket: string, entries: IndexEntry[]): Promise<{ drift: Drift; refusal?: string }> {
  const { region, opts, log } = run;
  const previous = await readPrevious(run.s3(), bucket, region);
  const drift = computeDrift(entries, previous, bucket);
  for (const l of driftLines(drift)) log.info(`[DRY RUN] ${l}`);
  const refusal = guardRefusal({ count: entries.length, bucket, selection: { path: opts.path, nameContains: opts.nameContains }, previous, drift }, opts.guard);
  if (!refusal) log.info(`[DRY RUN] The guard would accept this backup${previous.kind === 'none' ? ' (first backup: nothing to compare with)' : ''}`);
  return { drift, refusal };
}
