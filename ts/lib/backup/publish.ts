/**
 * Publishing a region's archive: a fresh key (never overwriting), upload with its facts, the name index, then the
 * comparison with the previous archive (drift), the shrink guard, and the move of latest.txt.
 */
import { Transform } from 'node:stream';
import { EngineError, awsErrorCode, describeAwsError, startProgress } from '../support/index.js';
import { timestamps, backupJsonDigest, TOOL_NAME, FORMAT_VERSION, SEALED_FORMAT_VERSION } from '../archive/index.js';
import { regionArchiveStream, type RegionEncryption } from './encryption.js';
import {
  uploadArchive,
  writeLatestPointer,
  lostConditionalWrite,
  type PointerState,
  archiveKey,
  objectExists,
  readPrevious,
  factsToMetadata,
  putIndex,
  markRefused,
  INDEX_VERSION,
  type ArchiveFacts,
  type IndexEntry,
} from '../store/index.js';
import { computeDrift, guardRefusal, driftLines, type Drift } from './drift.js';
import { TOOL_VERSION } from '../../version.js';
import type { RegionRun } from './region-run.js';

/** Uploads the archive (facts as object metadata) and then its name index; both with SSE AES256. */
export async function storeArchive(
  run: RegionRun,
  bucket: string,
  spool: { read(): AsyncIterable<Buffer>; count: number; bytes: number },
  entries: IndexEntry[],
  encryption: RegionEncryption,
): Promise<{ key: string; archiveBytes: number }> {
  const { aws, region, accountId, opts } = run;
  const { now, key } = await freshKey(run, bucket);
  const { stamp } = timestamps(now);
  const header = {
    backup_date: now.toISOString(),
    backup_timestamp: stamp,
    environment: opts.plan.environment,
    region,
    account_id: accountId,
    selection_path: opts.path,
    selection_name_contains: opts.nameContains ?? null,
  };
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
  const progress = startProgress(run.log, 'Upload', { unit: 'MiB of archive sent', throttles: opts.throttles });
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
    // The archive stream's own failure (a KMS refusal, the local spool) is the cause, not the upload that carried it.
    if (err instanceof EngineError) throw err;
    if (lostConditionalWrite(err))
      throw new EngineError(
        'region',
        `s3://${bucket}/${key} was written by another backup of ${region} during this one (${awsErrorCode(err)}): nothing was overwritten and latest.txt was not moved by this run`,
        { region, cause: err },
      );
    throw new EngineError('region', `Upload to s3://${bucket}/${key} failed: ${describeAwsError(err)}`, { region, cause: err });
  });
  const index = {
    indexVersion: INDEX_VERSION,
    archive: key,
    ...facts,
    selection: { path: opts.path, nameContains: opts.nameContains ?? null },
    parameters: entries,
  };
  // Format 2: the index is encrypted under the archive's keys (a bucket reader learns no name; a writer cannot edit it).
  const sealer = encryption.keys ? { kms: (r: string) => aws.kms(r), ...encryption.keys } : undefined;
  await putIndex(aws.s3(region), bucket, index, sealer).catch((err) => {
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
 * guard refuses, and only if latest.txt is still as `pointer` found it at the start of the region. A first backup (no latest.txt) and a previous archive that cannot be compared are not guarded
 * (except for an empty selection): a warning says so.
 */
export async function compareAndPromote(
  run: RegionRun,
  bucket: string,
  key: string,
  entries: IndexEntry[],
  pointer: PointerState,
): Promise<{ drift: Drift; refusal?: string }> {
  const { region, opts, log, warnings } = run;
  const s3 = run.s3();
  const t0 = performance.now();
  const opener = { kms: (r: string) => run.aws.kms(r), accountId: () => run.aws.callerAccount(region), environment: opts.plan.environment, region };
  const previous = await readPrevious(s3, bucket, region, {
    opener,
    sealedOnly: Boolean(opts.plan.kmsKeys?.[region]),
    environment: opts.plan.environment,
    current: key,
  }).catch((err) => {
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
  const blind = previous.kind === 'unknown' ? `Previous archive not compared: ${previous.why}` : previous.kind === 'unreadable' ? previous.why : undefined;
  if (blind && opts.guard.requireGuard) {
    const refusal = `${blind}: the shrink guard cannot compare, and --require-guard refuses to move latest.txt; this archive is kept as s3://${bucket}/${key}. Check the bucket (see the runbook, "Threat model"), then run without --require-guard once to accept it`;
    return { drift, refusal };
  }
  if (previous.kind === 'unknown') warn(`${blind}; the shrink guard did not apply`);
  if (previous.kind === 'unreadable') warn(`${blind}: nothing to compare with, so the shrink guard did not apply; this backup rewrites it`);
  if (previous.kind === 'count') log.info(`Previous archive s3://${bucket}/${previous.key} compared by count only: ${previous.why}`);
  for (const line of driftLines(drift)) log.info(line);
  log.debug(`Compared with the previous archive in ${Math.round(performance.now() - t0)} ms`, { compareMs: Math.round(performance.now() - t0) });
  const refusal = guardRefusal(
    { count: entries.length, key, bucket, selection: { path: opts.path, nameContains: opts.nameContains }, previous, drift },
    opts.guard,
  );
  if (refusal) {
    // The mark `list` shows; a failure to write it is a warning (the region already failed, latest.txt did not move).
    await markRefused(s3, bucket, key, refusal).catch((err) => warn(`Could not mark s3://${bucket}/${key} as refused: ${describeAwsError(err)}`));
    return { drift, refusal };
  }
  await writeLatestPointer(s3, bucket, key, pointer, region).catch((err) => {
    if (err instanceof EngineError) throw err;
    throw new EngineError('region', `Archive uploaded but s3://${bucket}/latest.txt could not be updated: ${describeAwsError(err)}`, { region, cause: err });
  });
  log.info(`latest.txt now names ${key}`);
  return { drift };
}

/**
 * The archive key, `{day}/ssm-backup-{env}-{region}-{YYYYMMDD_HHMMSS}.tar.gz` (the seed design's naming), unique to the
 * second: a key that already exists (another backup of the region in the same second) is never overwritten, since
 * latest.txt may name it. The engine waits for the next second and tries again, twice; then the region fails.
 */
async function freshKey(run: RegionRun, bucket: string): Promise<{ now: Date; key: string }> {
  const { region, opts } = run;
  const s3 = run.s3();
  for (let attempt = 0; ; attempt += 1) {
    const now = (opts.now ?? (() => new Date()))();
    const { stamp, day } = timestamps(now);
    const key = archiveKey(opts.plan.environment, region, { day, stamp });
    const exists = await objectExists(s3, bucket, key, region, 'before the upload');
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
