import path from 'node:path';
import pLimit from 'p-limit';
import { Transform } from 'node:stream';
import { EngineError, describeAwsError } from './errors.js';
import type { Logger } from './log.js';
import { configKeys, type PlanWithKeys } from './plan.js';
import type { AwsClientFactory } from './aws/clients.js';
import { ssmReader, selectionFilters } from './aws/ssm.js';
import { collectParameters } from './collect.js';
import { regionEncryption, regionArchiveStream, describeProtection, type EncryptionSummary } from './backup-encryption.js';
import { requireClientEncryption } from './key-config.js';
import { ParameterSpool, archiveName, timestamps, TOOL_NAME, FORMAT_VERSION } from './archive.js';
import { uploadArchive, writeLatestPointer } from './upload.js';
import { withPrivateDir } from './secure-temp.js';
import { writeJsonAtomic } from './files.js';
import { TOOL_VERSION } from '../version.js';

export type RegionStatus = 'SUCCESS' | 'FAILED' | 'SKIPPED';

export interface RegionSummary {
  status: RegionStatus;
  parameterCount: number;
  artifactPath: string | null;
  executionTimeSec: number;
  failureMessage?: string;
  dryRun?: boolean;
  bucket?: string | null;
  archiveBytes?: number;
  vanished?: string[];
  warnings?: string[];
  /** Client-side encryption (format 2) or SSE-S3 only; absent when the region failed before it was known. */
  encryption?: EncryptionSummary;
}

export interface BackupOptions {
  plan: PlanWithKeys;
  /** Regions to back up (default: all in the plan), in order. */
  regions?: string[];
  path: string;
  nameContains?: string;
  dryRun: boolean;
  includeTags: boolean;
  concurrency: number;
  failFast: boolean;
  /** Refuse (exit 2, before anything is written) when a region has no client-side encryption key. */
  requireClientEncryption?: boolean;
  /** Regions backed up at the same time (default 1: one after another, in list order). */
  parallelRegions?: number;
  workDir: string;
  summaryFile: string;
  logger: Logger;
  now?: () => Date;
}

export interface BackupResult {
  summaries: Record<string, RegionSummary>;
  exitCode: number;
}

/**
 * Backs up the regions in list order, `parallelRegions` at a time (each region has its own API quota
 * and bucket). Fail-fast: after a failure, regions not yet started are SKIPPED. The summary file is
 * written before the first region and after every region, so it exists whatever happens.
 */
export async function runBackup(aws: AwsClientFactory, opts: BackupOptions): Promise<BackupResult> {
  const regions = opts.regions ?? opts.plan.regions;
  if (opts.requireClientEncryption) requireClientEncryption(opts.plan, regions, configKeys(opts.plan.environment).kmsKeyArn);
  const summaries: Record<string, RegionSummary> = {};
  for (const r of regions) summaries[r] = { status: 'SKIPPED', parameterCount: 0, artifactPath: null, executionTimeSec: 0 };
  writeJsonAtomic(opts.summaryFile, summaries);
  let failed = false;
  const accountId = opts.dryRun ? null : ((await aws.accountId(opts.plan.homeRegion).catch(() => undefined)) ?? null);
  const limit = pLimit(Math.max(1, opts.parallelRegions ?? 1));
  await Promise.all(regions.map((region) => limit(async () => {
    if (failed && opts.failFast) {
      opts.logger.forRegion(region).warn('Skipped: an earlier region failed (fail-fast; pass --no-fail-fast to continue)');
      return;
    }
    summaries[region] = await backupRegion(aws, region, accountId, opts);
    if (summaries[region].status === 'FAILED') failed = true;
    writeJsonAtomic(path.join(opts.workDir, region, 'summary.json'), { region, ...summaries[region] });
    writeJsonAtomic(opts.summaryFile, summaries);
  })));
  return { summaries, exitCode: failed ? 1 : 0 };
}

async function backupRegion(aws: AwsClientFactory, region: string, accountId: string | null, opts: BackupOptions): Promise<RegionSummary> {
  const log = opts.logger.forRegion(region);
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) / 10) / 100;
  const bucket = opts.plan.buckets[region] ?? null;
  // Plan warnings that concern this region (a missing bucket here, a legacy key that differs from this default region's bucket).
  const warnings = opts.plan.warnings.filter((w) => w.includes(` ${region}`));
  try {
    if (!bucket) throw new EngineError('region', opts.plan.bucketErrors[region] ?? `Bucket definition missing for ${region}`, { region });
    log.info(`Target Region: ${region}, bucket ${bucket}${opts.dryRun ? ' (dry run)' : ''}`);
    const encryption = regionEncryption(opts.plan, region);
    if (encryption.warning) log.warn(encryption.warning);
    return await withPrivateDir(async (dir) => {
      const spool = new ParameterSpool(path.join(dir, 'parameters.json'));
      const collected = await collectParameters(ssmReader(aws.ssm(region)), {
        region, filters: selectionFilters(opts.path, opts.nameContains), includeTags: opts.includeTags,
        concurrency: opts.concurrency, logger: log, sink: (p) => spool.write(p),
      });
      const bytes = await spool.close();
      const rate = collected.collected / Math.max(0.001, elapsed());
      log.info(`Collected ${collected.collected} parameters in ${elapsed()}s (${rate.toFixed(0)}/s)`);
      const base = { status: 'SUCCESS' as const, parameterCount: collected.collected, bucket, vanished: collected.vanished.length ? collected.vanished : undefined, warnings: warnings.length ? warnings : undefined, encryption: encryption.summary };
      if (opts.dryRun) {
        log.info(`[DRY RUN] Skipped upload for ${region}`);
        return { ...base, artifactPath: null, executionTimeSec: elapsed(), dryRun: true };
      }
      const now = (opts.now ?? (() => new Date()))();
      const { stamp, day } = timestamps(now);
      const key = `${day}/${archiveName(opts.plan.environment, region, stamp)}`;
      const header = { backup_date: now.toISOString(), backup_timestamp: stamp, environment: opts.plan.environment, region };
      const manifestBase = { formatVersion: FORMAT_VERSION, tool: { name: TOOL_NAME, version: TOOL_VERSION }, environment: opts.plan.environment, region, accountId, createdAt: now.toISOString() };
      let archiveBytes = 0;
      // Count bytes inside the pipeline (a 'data' listener would switch the stream to flowing mode and defeat backpressure).
      const counter = new Transform({ transform(chunk: Buffer, _enc, done) { archiveBytes += chunk.length; done(null, chunk); } });
      const source = regionArchiveStream(aws, encryption, { file: spool.file, count: spool.count, bytes }, header, manifestBase);
      source.on('error', (err) => counter.destroy(err));
      const stream = source.pipe(counter);
      await uploadArchive(aws.s3(region), bucket, key, stream).catch((err) => {
        throw new EngineError('region', `Upload to s3://${bucket}/${key} failed: ${describeAwsError(err)}`, { region, cause: err });
      });
      await writeLatestPointer(aws.s3(region), bucket, key).catch((err) => {
        throw new EngineError('region', `Archive uploaded but s3://${bucket}/latest.txt could not be updated: ${describeAwsError(err)}`, { region, cause: err });
      });
      log.info(`Uploaded s3://${bucket}/${key} (${archiveBytes} bytes, ${describeProtection(encryption)}); latest.txt updated`);
      return { ...base, artifactPath: `s3://${bucket}/${key}`, executionTimeSec: elapsed(), archiveBytes };
    });
  } catch (err) {
    const message = err instanceof EngineError ? err.message : `Backup failed: ${describeAwsError(err)}`;
    log.error(`FAILED: ${message}`);
    return { status: 'FAILED', parameterCount: 0, artifactPath: null, executionTimeSec: elapsed(), failureMessage: message, bucket, warnings: warnings.length ? warnings : undefined };
  }
}
