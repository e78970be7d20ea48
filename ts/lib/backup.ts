import path from 'node:path';
import pLimit from 'p-limit';
import { Transform } from 'node:stream';
import { EngineError, awsErrorCode, describeAwsError } from './errors.js';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from './log.js';
import { configKeys, type PlanWithKeys } from './plan.js';
import type { AwsClientFactory } from './aws/clients.js';
import { ssmReader, selectionFilters } from './aws/ssm.js';
import { collectParameters, type CollectResult } from './collect.js';
import { taggingReader } from './aws/tagging.js';
import { ParameterSpool, archiveName, timestamps, backupJsonDigest, TOOL_NAME, FORMAT_VERSION } from './archive.js';
import { regionEncryption, regionArchiveStream, describeProtection, type EncryptionSummary, type RegionEncryption } from './backup-encryption.js';
import { SEALED_FORMAT_VERSION } from './envelope.js';
import { requireClientEncryption } from './key-config.js';
import { uploadArchive, writeLatestPointer } from './upload.js';
import { factsToMetadata, indexEntry, putIndex, INDEX_VERSION, type ArchiveFacts, type IndexEntry } from './archive-facts.js';
import { readPrevious, computeDrift, guardRefusal, driftLines, type Drift, type GuardOptions } from './drift.js';
import { withPrivateDir, removeStaleSpoolDirs } from './secure-temp.js';
import { writeJsonAtomic } from './files.js';
import { TOOL_VERSION } from '../version.js';
import { startProgress, type Progress } from './progress.js';

import { updateSummaryFile, firstFailure, notStarted, runningEntry, timedOutMessage, FAILED_STATUSES, type RegionStatus } from './run-summary.js';

export type { RegionStatus };

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
  /** Why the region failed: `guard` (the shrink guard refused to move latest.txt), else the error category. */
  failureCategory?: string;
  /** Comparison with the archive latest.txt named before this run (absent in dry runs and when the upload failed). */
  drift?: Drift;
  /** Parameters whose tags changed while the backup ran (at most 50): the archive holds the tags read first. */
  tagsChanged?: string[];
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
  /** Record each parameter's labels (GetParameterHistory per parameter). */
  includeLabels?: boolean;
  concurrency: number;
  failFast: boolean;
  /** Refuse (exit 2, before anything is written) when a region has no client-side encryption key. */
  requireClientEncryption?: boolean;
  /** Regions backed up at the same time (default 1: one after another, in list order). */
  parallelRegions?: number;
  /** The shrink guard (--max-shrink, --allow-shrink, --allow-empty). */
  guard: GuardOptions;
  workDir: string;
  summaryFile: string;
  /** Keep the summary file's entries of regions this run does not back up (--plan-file: one run per region of a build). */
  mergeSummary?: boolean;
  /** Seconds a region may take (--region-timeout); then its AWS work stops and it is TIMED_OUT. */
  regionTimeoutSec?: number;
  /** Throttled attempts so far (shown in progress lines). */
  throttles?: () => number;
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
 * written before the first region and after every region, so it exists whatever happens. First removes
 * the spool directories of earlier runs that were killed (see removeStaleSpoolDirs).
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
        summaries[region] = await withDeadline(aws, region, opts, () => backupRegion(aws, region, accountId, opts));
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

/**
 * Runs one region under its deadline: when --region-timeout expires, every AWS call of the region stops at once
 * (AwsClientFactory.abortRegion), the region's own cleanup runs (temp files removed, latest.txt not moved) and the
 * region is reported TIMED_OUT with what it had done.
 */
/**
 * The archive key, `{day}/ssm-backup-{env}-{region}-{YYYYMMDD_HHMMSS}.tar.gz` (the seed design's naming), unique to the
 * second: a key that already exists (another backup of the region in the same second) is never overwritten, since
 * latest.txt may name it. The engine waits for the next second and tries again, twice; then the region fails.
 */
async function freshKey(s3: S3Client, bucket: string, region: string, opts: BackupOptions): Promise<{ now: Date; key: string }> {
  for (let attempt = 0; ; attempt += 1) {
    const now = (opts.now ?? (() => new Date()))();
    const { stamp, day } = timestamps(now);
    const key = `${day}/${archiveName(opts.plan.environment, region, stamp)}`;
    const exists = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      (err) => {
        if (
          awsErrorCode(err) === 'NotFound' ||
          awsErrorCode(err) === 'NoSuchKey' ||
          (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
        )
          return false;
        throw new EngineError('region', `Cannot check s3://${bucket}/${key} before the upload: ${describeAwsError(err)}`, { region, cause: err });
      },
    );
    if (!exists) return { now, key };
    if (attempt === 2) {
      throw new EngineError(
        'region',
        `s3://${bucket}/${key} already exists: another backup of ${region} ran in the same second; nothing was overwritten and latest.txt was not moved: run again`,
        { region },
      );
    }
    await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
  }
}

/** Whether an error (or one it wraps, via `cause`) is the region's deadline (AwsClientFactory.abortRegion). */
function stoppedByDeadline(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (e instanceof EngineError && e.category === 'timeout') return true;
  }
  return false;
}

/** Up to 50 names whose tags changed while the region was backed up (undefined when none, or tags not read). */
async function tagsChangedDuring(collected: CollectResult): Promise<string[] | undefined> {
  const changed = (await collected.tagCheck) ?? [];
  return changed.length ? changed.slice(0, 50) : undefined;
}

/** The collect progress of each region of this process (what a region stopped at its deadline had done). */
const collectedSoFar = new Map<string, Progress>();

async function withDeadline(aws: AwsClientFactory, region: string, opts: BackupOptions, body: () => Promise<RegionSummary>): Promise<RegionSummary> {
  if (!opts.regionTimeoutSec) return body();
  const started = performance.now();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    aws.abortRegion(region, new EngineError('timeout', `Region deadline of ${opts.regionTimeoutSec}s reached`, { region }));
  }, opts.regionTimeoutSec * 1000);
  try {
    const summary = await body();
    if (!fired || summary.status !== 'FAILED') return summary;
    const elapsed = Math.round((performance.now() - started) / 10) / 100;
    opts.logger.forRegion(region).error(`TIMED OUT after ${elapsed}s (--region-timeout ${opts.regionTimeoutSec})`);
    return { ...summary, status: 'TIMED_OUT', failureMessage: timedOutMessage(opts.regionTimeoutSec, elapsed, collectedSoFar.get(region)?.done ?? 0) };
  } finally {
    clearTimeout(timer);
  }
}

async function backupRegion(aws: AwsClientFactory, region: string, accountId: string | null, opts: BackupOptions): Promise<RegionSummary> {
  const log = opts.logger.forRegion(region);
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) / 10) / 100;
  const bucket = opts.plan.buckets[region] ?? null;
  // Plan warnings that concern this region (a missing bucket here, a legacy key that differs from this default region's bucket).
  const warnings = [...(opts.plan.regionWarnings?.[region] ?? [])];
  const listed = () => (warnings.length ? warnings : undefined);
  try {
    if (!bucket) throw new EngineError('region', opts.plan.bucketErrors[region] ?? `Bucket definition missing for ${region}`, { region });
    log.info(`Target Region: ${region}, bucket ${bucket}${opts.dryRun ? ' (dry run)' : ''}`);
    const progress = startProgress(log, 'Collect', { unit: 'parameters', throttles: opts.throttles });
    collectedSoFar.set(region, progress);
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
      log.info(`Collected ${collected.collected} parameters in ${elapsed()}s (${rate.toFixed(0)}/s)`);
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
        return { ...base, artifactPath: null, executionTimeSec: elapsed(), dryRun: true, warnings: listed(), tagsChanged };
      }
      const stored = await storeArchive(aws, region, bucket, { read: () => spool.read(), count: spool.count, bytes }, entries, accountId, opts, encryption);
      // The tag check ran alongside the upload; a check that could not run fails the region before latest.txt moves.
      const tagsChanged = await tagsChangedDuring(collected);
      log.info(`Uploaded s3://${bucket}/${stored.key} (${stored.archiveBytes} bytes, ${describeProtection(encryption)}) and its name index`);
      const promoted = await compareAndPromote(aws, region, bucket, stored.key, entries, opts, warnings);
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
    if (!stoppedByDeadline(err)) log.error(`FAILED: ${message}`); // a deadline is reported once, as TIMED OUT
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

/** Uploads the archive (facts as object metadata) and then its name index; both with SSE AES256. */
async function storeArchive(
  aws: AwsClientFactory,
  region: string,
  bucket: string,
  spool: { read(): AsyncIterable<Buffer>; count: number; bytes: number },
  entries: IndexEntry[],
  accountId: string | null,
  opts: BackupOptions,
  encryption: RegionEncryption,
): Promise<{ key: string; archiveBytes: number }> {
  const { now, key } = await freshKey(aws.s3(region), bucket, region, opts);
  const { stamp } = timestamps(now);
  const header = { backup_date: now.toISOString(), backup_timestamp: stamp, environment: opts.plan.environment, region };
  const manifestBase = {
    formatVersion: FORMAT_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    environment: opts.plan.environment,
    region,
    accountId,
    createdAt: now.toISOString(),
  };
  // Format 2 (client-side encrypted) publishes no hash of the plaintext: nobody may confirm a guessed value against it.
  const sealed = Boolean(encryption.keys);
  const digest = sealed ? undefined : await backupJsonDigest(spool, header);
  const facts: ArchiveFacts = {
    formatVersion: sealed ? SEALED_FORMAT_VERSION : FORMAT_VERSION,
    environment: opts.plan.environment,
    region,
    parameterCount: spool.count,
    backupJsonSha256: digest?.sha256 ?? 'encrypted',
    createdAt: now.toISOString(),
    toolVersion: TOOL_VERSION,
  };
  let archiveBytes = 0;
  const progress = startProgress(opts.logger.forRegion(region), 'Upload', { unit: 'MiB of archive sent', throttles: opts.throttles });
  // Count bytes inside the pipeline (a 'data' listener would switch the stream to flowing mode and defeat backpressure).
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      archiveBytes += chunk.length;
      progress.add(chunk.length / 1048576);
      done(null, chunk);
    },
  });
  counter.on('close', () => progress.stop());
  const source = regionArchiveStream(aws, encryption, spool, header, manifestBase);
  source.on('error', (err) => counter.destroy(err));
  await uploadArchive(aws.s3(region), bucket, key, source.pipe(counter), factsToMetadata(facts)).catch((err) => {
    throw new EngineError('region', `Upload to s3://${bucket}/${key} failed: ${describeAwsError(err)}`, { region, cause: err });
  });
  const index = {
    indexVersion: INDEX_VERSION,
    archive: key,
    ...facts,
    selection: { path: opts.path, nameContains: opts.nameContains ?? null },
    parameters: entries,
  };
  await putIndex(aws.s3(region), bucket, index).catch((err) => {
    throw new EngineError(
      'region',
      `Archive uploaded as s3://${bucket}/${key} but its name index could not be written (latest.txt not moved): ${describeAwsError(err)}`,
      { region, cause: err },
    );
  });
  return { key, archiveBytes };
}

/**
 * Compares the new archive with the one latest.txt names, logs the drift, and moves latest.txt unless the shrink
 * guard refuses. A first backup (no latest.txt) and a previous archive that cannot be compared are not guarded
 * (except for an empty selection): a warning says so.
 */
async function compareAndPromote(
  aws: AwsClientFactory,
  region: string,
  bucket: string,
  key: string,
  entries: IndexEntry[],
  opts: BackupOptions,
  warnings: string[],
): Promise<{ drift: Drift; refusal?: string }> {
  const log = opts.logger.forRegion(region);
  const s3 = aws.s3(region);
  const t0 = performance.now();
  const previous = await readPrevious(s3, bucket, region).catch((err) => {
    throw new EngineError('region', `${(err as Error).message}; the new archive is kept as s3://${bucket}/${key} but latest.txt was not moved`, {
      region,
      cause: err,
    });
  });
  const drift = computeDrift(entries, previous, bucket);
  const warn = (text: string) => {
    warnings.push(text);
    log.warn(text);
  };
  // A first backup is expected, not a warning that needs a look (warnings make the Jenkins build UNSTABLE);
  // the summary says it too: drift.previousArchive is null.
  if (previous.kind === 'none') log.info(`First backup in s3://${bucket} (no latest.txt): nothing to compare with, so the shrink guard did not apply`);
  if (previous.kind === 'unknown') warn(`Previous archive not compared: ${previous.why}; the shrink guard did not apply`);
  if (previous.kind === 'unreadable') warn(`${previous.why}: nothing to compare with, so the shrink guard did not apply; this backup rewrites it`);
  if (previous.kind === 'count') log.info(`Previous archive s3://${bucket}/${previous.key} compared by count only: ${previous.why}`);
  for (const line of driftLines(drift)) log.info(line);
  log.debug(`Compared with the previous archive in ${Math.round(performance.now() - t0)} ms`, { compareMs: Math.round(performance.now() - t0) });
  const refusal = guardRefusal(
    { count: entries.length, key, bucket, selection: { path: opts.path, nameContains: opts.nameContains }, previous, drift },
    opts.guard,
  );
  if (refusal) return { drift, refusal };
  await writeLatestPointer(s3, bucket, key).catch((err) => {
    throw new EngineError('region', `Archive uploaded but s3://${bucket}/latest.txt could not be updated: ${describeAwsError(err)}`, { region, cause: err });
  });
  log.info(`latest.txt now names ${key}`);
  return { drift };
}
