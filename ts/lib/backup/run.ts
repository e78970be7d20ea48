import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { removeStaleSpoolDirs, writeJsonAtomic } from '../support/index.js';
import { configKeys, requireClientEncryption } from '../config/index.js';
import type { AwsClientFactory } from '../aws/index.js';
import type { RegionSummary } from '../../contract/index.js';
import { updateSummaryFile, firstFailure, notStarted, runningEntry, FAILED_STATUSES, type RegionStatus } from './summary-file.js';
import { RegionRun, type BackupOptions } from './region-run.js';
import { backupRegionWithDeadline } from './region.js';
import { putRegionMetrics } from './metrics.js';
import { lastSuccessAt } from './last-success.js';

export type { RegionStatus, RegionSummary, BackupOptions };

export interface BackupResult {
  summaries: Record<string, RegionSummary>;
  exitCode: number;
}

/**
 * One unit of a backup: a region of one account. `key` is its entry in the summary file (the region; in a
 * multi-account run `{accountId}/{region}`, and the entry carries `accountId` and `region`). `failure`: the unit is
 * known to fail before it starts (its account's role could not be assumed); it is recorded FAILED at once.
 */
export interface BackupUnit {
  key: string;
  region: string;
  aws: AwsClientFactory;
  opts: BackupOptions;
  accountId?: string;
  failure?: { message: string; category: string };
}

/**
 * Backs up the regions in list order, `parallelRegions` at a time (each region has its own API quota
 * and bucket). Fail-fast: after a failure, regions not yet started are SKIPPED. The summary file is
 * written before the first region and after every region, so it exists whatever happens. First removes
 * the spool directories of earlier runs that were killed (see removeStaleSpoolDirs). After each region that ran (not in a
 * dry run, nor with `metrics: false`) its CloudWatch metrics are put (metrics.ts); a failed put is a warning of the region.
 */
export async function runBackup(aws: AwsClientFactory, opts: BackupOptions): Promise<BackupResult> {
  const regions = opts.regions ?? opts.plan.regions;
  if (opts.requireClientEncryption) requireClientEncryption(opts.plan, regions, configKeys(opts.plan.environment).kmsKeyArn);
  const units = regions.map((region) => ({ key: region, region, aws, opts }));
  return runUnits(units, [...new Set([...opts.plan.regions, ...regions])], opts);
}

/**
 * Runs units in list order, `parallelRegions` at a time, under the one summary file (`opts.summaryFile`, keys in
 * `planKeys` order); `opts` gives the run-wide settings (fail-fast, parallelism, work dir, summary merging).
 */
export async function runUnits(units: BackupUnit[], planKeys: string[], opts: BackupOptions): Promise<BackupResult> {
  removeStaleSpoolDirs(opts.logger);
  mkdirSync(path.dirname(path.resolve(opts.summaryFile)), { recursive: true }); // its lock sits beside it
  const keys = units.map((u) => u.key);
  // One summary file per build, owned by the engine and changed under a lock: earlier or parallel runs are kept.
  const update = async (change: (s: Record<string, RegionSummary>) => void) => {
    const all = await updateSummaryFile<RegionSummary>(opts.summaryFile, planKeys, change as never, opts.logger);
    // --summary-fragment: this run's entries only, as they stand (a branch on another agent hands it back to be merged).
    if (opts.summaryFragment) writeJsonAtomic(opts.summaryFragment, Object.fromEntries(keys.map((k) => [k, all[k]])));
    return all;
  };
  const entry = (u: BackupUnit, s: RegionSummary): RegionSummary => (u.accountId ? { accountId: u.accountId, region: u.region, ...s } : s);
  const summaries: Record<string, RegionSummary> = {};
  // This run's units start as not started (or FAILED when known to fail); a run without --plan-file owns the whole
  // file (a summary left by an earlier run in the same work dir never shows through), a --plan-file run keeps the others'.
  await update((s) => {
    for (const k of Object.keys(s)) if (keys.includes(k) || !opts.mergeSummary) s[k] = notStarted('not started');
    for (const u of units) {
      if (u.accountId) s[u.key] = entry(u, s[u.key] ?? notStarted('not started'));
      if (u.failure)
        s[u.key] = summaries[u.key] = entry(u, { ...notStarted(''), status: 'FAILED', failureMessage: u.failure.message, failureCategory: u.failure.category });
    }
  });
  // The same cached answer as the bucket-owner check's: one GetCallerIdentity per account and run.
  const callers = new Map<AwsClientFactory, Promise<string | null>>();
  const caller = (u: BackupUnit) => {
    if (!callers.has(u.aws))
      callers.set(
        u.aws,
        u.aws.callerAccount(u.opts.plan.homeRegion).catch(() => null),
      );
    return callers.get(u.aws) as Promise<string | null>;
  };
  const limit = pLimit(Math.max(1, opts.parallelRegions ?? 1));
  await Promise.all(units.filter((u) => !u.failure).map((u) => limit(() => runUnit(u))));
  const all = (await update(() => undefined)) as Record<string, RegionSummary>;
  return { summaries: all, exitCode: keys.some((k) => FAILED_STATUSES.includes(summaries[k].status)) ? 1 : 0 };

  async function runUnit(u: BackupUnit): Promise<void> {
    const log = u.opts.logger.forRegion(u.region);
    const accountId = await caller(u);
    // Fail-fast is decided from the file: a failure of this run or of an earlier (or parallel) run of the build.
    let failed: string | undefined;
    await update((s) => {
      failed = opts.failFast ? firstFailure(s, [u.key]) : undefined;
      s[u.key] = entry(u, failed ? notStarted(`not started: ${failed} failed (fail-fast; --no-fail-fast backs up every region)`) : runningEntry(u.region));
      summaries[u.key] = s[u.key];
    });
    if (failed) {
      log.warn(`Skipped: ${failed} failed (fail-fast; pass --no-fail-fast to back up every region)`);
      return;
    }
    let summary = entry(u, await backupRegionWithDeadline(new RegionRun(u.aws, u.region, accountId, u.opts)));
    // The unit's own clients, not the run's: a region stopped at its deadline still reports its failure.
    if (FAILED_STATUSES.includes(summary.status) && summary.bucket && !u.opts.dryRun)
      summary = { ...summary, lastSuccessAt: await lastSuccessAt(u.aws, summary.bucket, u.region) };
    if (!u.opts.dryRun && u.opts.metrics !== false) {
      const warning = await putRegionMetrics(u.aws, u.opts.plan.environment, u.region, summary);
      if (warning) {
        log.warn(warning);
        summary = { ...summary, warnings: [...(summary.warnings ?? []), warning] };
      }
    }
    summaries[u.key] = summary;
    writeJsonAtomic(path.join(opts.workDir, u.key, 'summary.json'), { region: u.region, ...summaries[u.key] });
    await update((s) => {
      s[u.key] = summaries[u.key];
    });
  }
}
