/**
 * One region's backup: collect its parameters into a private spool, then (unless a dry run) publish the archive
 * (publish.ts). Always returns the region's summary entry; a failure becomes FAILED, a deadline TIMED_OUT.
 */
import path from 'node:path';
import { EngineError, describeAwsError, withPrivateDir, startProgress, formatNumber } from '../support/index.js';
import { ssmReader, selectionFilters, taggingReader } from '../aws/index.js';
import { collectParameters, type CollectResult } from '../collect/index.js';
import { ParameterSpool } from '../archive/index.js';
import { indexEntry, readPointerState, type IndexEntry } from '../store/index.js';
import type { RegionSummary } from '../../contract/index.js';
import { regionEncryption, describeProtection } from './encryption.js';
import { storeArchive, compareAndPromote } from './publish.js';
import { timedOutMessage } from './summary-file.js';
import { dryRunChecks, dryRunGuard } from './dry-run.js';
import type { RegionRun } from './region-run.js';

/**
 * Runs one region under its deadline: when --region-timeout expires, every AWS call of the region stops at once
 * (RegionRun.stop: the run's clients share one AbortSignal), the region's own cleanup runs (temp files removed, latest.txt not moved) and the
 * region is reported TIMED_OUT with what it had done.
 */
export async function backupRegionWithDeadline(run: RegionRun): Promise<RegionSummary> {
  const { region, opts } = run;
  if (!opts.regionTimeoutSec) return backupRegion(run);
  const started = performance.now();
  const timer = setTimeout(
    () => run.stop(new EngineError('timeout', `Region deadline of ${opts.regionTimeoutSec}s reached`, { region })),
    opts.regionTimeoutSec * 1000,
  );
  try {
    const summary = await backupRegion(run);
    if (!run.deadlineReached || summary.status !== 'FAILED') return summary;
    const elapsed = Math.round((performance.now() - started) / 10) / 100;
    run.log.error(`TIMED OUT after ${elapsed}s (--region-timeout ${opts.regionTimeoutSec})`);
    return { ...summary, status: 'TIMED_OUT', failureMessage: timedOutMessage(opts.regionTimeoutSec, elapsed, run.collected?.done ?? 0) };
  } finally {
    clearTimeout(timer);
  }
}

/** Up to 50 names whose tags changed while the region was backed up (undefined when none, or tags not read). */
async function tagsChangedDuring(collected: CollectResult): Promise<string[] | undefined> {
  const changed = (await collected.tagCheck) ?? [];
  return changed.length ? changed.slice(0, 50) : undefined;
}

async function backupRegion(run: RegionRun): Promise<RegionSummary> {
  const { aws, region, opts, log, bucket, warnings } = run;
  const elapsed = () => run.elapsed();
  const listed = () => (warnings.length ? warnings : undefined);
  try {
    if (!bucket) throw new EngineError('region', opts.plan.bucketErrors[region] ?? `Bucket definition missing for ${region}`, { region });
    log.info(`Target Region: ${region}, bucket ${bucket}${opts.dryRun ? ' (dry run)' : ''}`);
    if (opts.dryRun) await dryRunChecks(run);
    // latest.txt as this run found it: it moves at the end only if no other backup of the region moved it since.
    const pointer = opts.dryRun ? {} : await readPointerState(run.s3(), bucket, region);
    const progress = startProgress(log, 'Collect', { unit: 'parameters', throttles: opts.throttles });
    run.collected = progress;
    const encryption = regionEncryption(opts.plan, region);
    if (encryption.warning) log.warn(encryption.warning);
    return await withPrivateDir(async (dir) => {
      const spool = new ParameterSpool(path.join(dir, 'parameters.spool'));
      const entries: IndexEntry[] = [];
      const filters = selectionFilters(opts.path, opts.nameContains);
      const collected = await collectParameters(ssmReader(aws.ssm(region)), {
        region,
        filters,
        includeTags: opts.includeTags,
        concurrency: opts.concurrency,
        logger: log,
        progress,
        sink: (p) => {
          for (const x of p) entries.push(indexEntry(x));
          return spool.write(p);
        },
        tagging: taggingReader(aws.tagging(region)),
        selective: filters.length > 0,
        includeLabels: opts.includeLabels,
        throttles: opts.throttles,
      }).finally(() => progress.stop());
      const bytes = await spool.close();
      const rate = collected.collected / Math.max(0.001, elapsed());
      log.info(`Collected ${formatNumber(collected.collected)} parameters in ${elapsed()}s (${formatNumber(Math.round(rate))}/s)`);
      const base = {
        status: 'SUCCESS' as const,
        parameterCount: collected.collected,
        bucket,
        vanished: collected.vanished.length ? collected.vanished : undefined,
        encryption: encryption.summary,
      };
      if (opts.dryRun) {
        const tagsChanged = await tagsChangedDuring(collected);
        log.info(`[DRY RUN] Skipped upload for ${region}`);
        const guard = await dryRunGuard(run, bucket, entries);
        const dry = { ...base, artifactPath: null, executionTimeSec: elapsed(), dryRun: true, warnings: listed(), tagsChanged, drift: guard.drift };
        if (!guard.refusal) return dry;
        log.error(`FAILED (guard): ${guard.refusal}`);
        return { ...dry, status: 'FAILED', failureMessage: guard.refusal, failureCategory: 'guard' };
      }
      const stored = await storeArchive(run, bucket, { read: () => spool.read(), count: spool.count, bytes }, entries, encryption);
      // The tag check ran alongside the upload; a check that could not run fails the region before latest.txt moves.
      const tagsChanged = await tagsChangedDuring(collected);
      log.info(`Uploaded s3://${bucket}/${stored.key} (${stored.archiveBytes} bytes, ${describeProtection(encryption)}) and its name index`);
      const promoted = await compareAndPromote(run, bucket, stored.key, entries, pointer);
      const done = {
        tagsChanged,
        ...base,
        artifactPath: `s3://${bucket}/${stored.key}`,
        executionTimeSec: elapsed(),
        archiveBytes: stored.archiveBytes,
        drift: promoted.drift,
        warnings: listed(),
      };
      if (promoted.refusal) {
        log.error(`FAILED (guard): ${promoted.refusal}`);
        return { ...done, status: 'FAILED', failureMessage: promoted.refusal, failureCategory: 'guard' };
      }
      return done;
    });
  } catch (err) {
    const message = err instanceof EngineError ? err.message : `Backup failed: ${describeAwsError(err)}`;
    if (!run.deadlineReached) log.error(`FAILED: ${message}`); // a deadline is reported once, as TIMED OUT
    return {
      status: 'FAILED',
      parameterCount: 0,
      artifactPath: null,
      executionTimeSec: elapsed(),
      failureMessage: message,
      failureCategory: err instanceof EngineError ? err.category : 'aws',
      bucket,
      warnings: listed(),
    };
  }
}
