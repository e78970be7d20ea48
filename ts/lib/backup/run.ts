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
 * Backs up the regions in list order, `parallelRegions` at a time (each region has its own API quota
 * and bucket). Fail-fast: after a failure, regions not yet started are SKIPPED. The summary file is
 * written before the first region and after every region, so it exists whatever happens. First removes
 * the spool directories of earlier runs that were killed (see removeStaleSpoolDirs). After each region that ran (not in a
 * dry run, nor with `metrics: false`) its CloudWatch metrics are put (metrics.ts); a failed put is a warning of the region.
 */
export async function runBackup(aws: AwsClientFactory, opts: BackupOptions): Promise<BackupResult> {
  const regions = opts.regions ?? opts.plan.regions;
  if (opts.requireClientEncryption) requireClientEncryption(opts.plan, regions, configKeys(opts.plan.environment).kmsKeyArn);
  removeStaleSpoolDirs(opts.logger);
  // One summary file per build, owned by the engine and changed under a lock: earlier or parallel runs are kept.
  const planRegions = [...new Set([...opts.plan.regions, ...regions])];
  const update = (change: (s: Record<string, RegionSummary>) => void) => updateSummaryFile<RegionSummary>(opts.summaryFile, planRegions, change as never);
  // This run's regions start as not started; a run without --plan-file owns the whole file (a summary left by an
  // earlier run in the same work dir never shows through), a --plan-file run (one region of a build) keeps the others'.
  await update((s) => {
    for (const r of Object.keys(s)) if (regions.includes(r) || !opts.mergeSummary) s[r] = notStarted('not started');
  });
  const summaries: Record<string, RegionSummary> = {};
  // The same cached answer as the bucket-owner check's: one GetCallerIdentity per run.
  const accountId = opts.dryRun ? null : ((await aws.callerAccount(opts.plan.homeRegion).catch(() => undefined)) ?? null);
  const limit = pLimit(Math.max(1, opts.parallelRegions ?? 1));
  await Promise.all(
    regions.map((region) =>
      limit(async () => {
        // Fail-fast is decided from the file: a failure of this run or of an earlier (or parallel) run of the build.
        let failed: string | undefined;
        await update((s) => {
          failed = opts.failFast ? firstFailure(s, [region]) : undefined;
          s[region] = failed ? notStarted(`not started: ${failed} failed (fail-fast; --no-fail-fast backs up every region)`) : runningEntry(region);
          summaries[region] = s[region];
        });
        if (failed) {
          opts.logger.forRegion(region).warn(`Skipped: ${failed} failed (fail-fast; pass --no-fail-fast to back up every region)`);
          return;
        }
        summaries[region] = await backupRegionWithDeadline(new RegionRun(aws, region, accountId, opts));
        // The root factory's clients: a region stopped at its deadline still reports its failure.
        const bucket = summaries[region].bucket;
        if (FAILED_STATUSES.includes(summaries[region].status) && bucket && !opts.dryRun)
          summaries[region] = { ...summaries[region], lastSuccessAt: await lastSuccessAt(aws, bucket, region) };
        if (!opts.dryRun && opts.metrics !== false) {
          const warning = await putRegionMetrics(aws, opts.plan.environment, region, summaries[region]);
          if (warning) {
            opts.logger.forRegion(region).warn(warning);
            summaries[region] = { ...summaries[region], warnings: [...(summaries[region].warnings ?? []), warning] };
          }
        }
        writeJsonAtomic(path.join(opts.workDir, region, 'summary.json'), { region, ...summaries[region] });
        await update((s) => {
          s[region] = summaries[region];
        });
      }),
    ),
  );
  const all = (await update(() => undefined)) as Record<string, RegionSummary>;
  return { summaries: all, exitCode: regions.some((r) => FAILED_STATUSES.includes(summaries[r].status)) ? 1 : 0 };
}
