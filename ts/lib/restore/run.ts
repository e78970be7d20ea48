import path from 'node:path';
import type { AwsClientFactory } from '../aws/clients.js';
import { loadPlan } from '../plan.js';
import { loadArchive, type LoadedArchive } from '../archive-source.js';
import { writeJsonAtomic } from '../files.js';
import { EngineError } from '../errors.js';
import type { Logger } from '../log.js';
import { commonPath, readLive, checkKeys } from './live.js';
import { applyRestore, type ApplyOutcome } from './apply.js';
import { planRestore, selectParameters, describeFields, type RestorePlan, type Selection } from './plan.js';

export interface SourceOptions {
  environment: string;
  homeRegion: string | undefined;
  /** Region whose bucket holds the archive. */
  region: string;
  archive?: string;
}

/** The bucket of a region from the backup configuration (the same lookup as backup). */
export async function regionBucket(aws: AwsClientFactory, opts: SourceOptions): Promise<string> {
  const plan = await loadPlan(aws, { environment: opts.environment, homeRegion: opts.homeRegion, regions: [opts.region] });
  const bucket = plan.buckets[opts.region];
  if (!bucket) throw new EngineError('config', `Bucket definition missing for ${opts.region}: /jenkins/${plan.environment}/backup/${opts.region}/s3-bucket-name not found`, { region: opts.region });
  return bucket;
}

export async function openArchive(aws: AwsClientFactory, opts: SourceOptions, logger: Logger): Promise<LoadedArchive> {
  const bucket = await regionBucket(aws, opts);
  // Format 2 archives are decrypted with KMS keys of our account and checked against the requested identity.
  const opener = { kms: (r: string) => aws.kms(r), accountId: () => aws.callerAccount(opts.region), environment: opts.environment, region: opts.region };
  const archive = await loadArchive(aws.s3(opts.region), bucket, opts.region, opts.archive, opener);
  const log = logger.forRegion(opts.region);
  log.info(`Archive s3://${bucket}/${archive.key}: ${archive.parameters.length} parameters, ${archive.verified ? `verified (${archive.checks.join(', ')})` : 'UNVERIFIED legacy backup.json (no checksum)'}`);
  if (!archive.verified) log.warn(`s3://${bucket}/${archive.key} is a legacy backup.json without manifest: its integrity cannot be verified`);
  return archive;
}

export interface RestoreOptions extends SourceOptions, Selection {
  targetRegion: string;
  overwrite: boolean;
  keyMap: Record<string, string>;
  apply: boolean;
  concurrency: number;
  summaryFile: string;
  logger: Logger;
}

export interface RestoreSummary {
  mode: 'plan' | 'apply';
  environment: string;
  sourceRegion: string;
  targetRegion: string;
  archive: { bucket: string; key: string; format: string; verified: boolean; parameterCount: number };
  overwrite: boolean;
  counts: Record<string, number>;
  created: string[];
  updated: string[];
  skipped: string[];
  failed: { name: string; error: string }[];
  planned: { create: string[]; update: string[]; unchanged: string[]; differs: Record<string, string> };
  executionTimeSec: number;
  parametersPerSec?: number;
}

export interface RestoreResult {
  summary: RestoreSummary;
  plan: RestorePlan;
  exitCode: number;
}

/** Plans (and with `apply`, writes) a restore; the summary file is written in both modes. */
export async function runRestore(aws: AwsClientFactory, opts: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const archive = await openArchive(aws, opts, opts.logger);
  const log = opts.logger.forRegion(opts.targetRegion);
  const selected = selectParameters(archive.parameters, opts);
  const withTags = selected.filter((p) => p.Tags?.length).map((p) => p.Name);
  const live = await readLive(aws, opts.targetRegion, opts.names ? commonPath(opts.names) : (opts.path ?? '/'), log, withTags);
  const plan = planRestore(selected, live, { overwrite: opts.overwrite, keyMap: opts.keyMap });
  log.info(`Plan: create=${plan.counts.create} update=${plan.counts.update} unchanged=${plan.counts.unchanged} differs-not-overwritten=${plan.counts.differs}${opts.apply ? '' : ' (PLAN ONLY: nothing written; pass --apply)'}`);
  const keys = await checkKeys(aws.kms(opts.targetRegion), opts.targetRegion, plan.items);
  if (keys.length) log.info(`KMS keys present in ${opts.targetRegion}: ${keys.join(', ')}`);
  let outcome: ApplyOutcome = { created: [], updated: [], failed: [] };
  const summary = baseSummary(opts, archive, plan);
  writeJsonAtomic(opts.summaryFile, summary);
  if (opts.apply) {
    const writeStart = performance.now();
    try {
      outcome = await applyRestore(aws.ssm(opts.targetRegion), plan.items, { concurrency: opts.concurrency, logger: log, live });
    } finally {
      const written = outcome.created.length + outcome.updated.length;
      const secs = (performance.now() - writeStart) / 1000;
      Object.assign(summary, outcome, { parametersPerSec: written ? Math.round((written / secs) * 100) / 100 : undefined });
      summary.counts = { ...summary.counts, created: outcome.created.length, updated: outcome.updated.length, failed: outcome.failed.length };
      summary.executionTimeSec = Math.round((performance.now() - started) / 10) / 100;
      writeJsonAtomic(opts.summaryFile, summary);
    }
    log.info(`Restored: created=${outcome.created.length} updated=${outcome.updated.length} skipped=${summary.skipped.length} failed=${outcome.failed.length}${summary.parametersPerSec ? ` (${summary.parametersPerSec} parameters/s)` : ''}`);
    if (outcome.failed.length) log.error(`${outcome.failed.length} parameter(s) failed; run the same restore again to finish the rest (see ${path.basename(opts.summaryFile)})`);
  }
  return { summary, plan, exitCode: outcome.failed.length ? 1 : 0 };
}

function baseSummary(opts: RestoreOptions, archive: LoadedArchive, plan: RestorePlan): RestoreSummary {
  const names = (a: string) => plan.items.filter((i) => i.action === a).map((i) => i.name);
  const differs = Object.fromEntries(plan.items.filter((i) => i.action === 'differs' || i.action === 'update').map((i) => [i.name, describeFields(i.fields)]));
  return {
    mode: opts.apply ? 'apply' : 'plan',
    environment: opts.environment,
    sourceRegion: opts.region,
    targetRegion: opts.targetRegion,
    archive: { bucket: archive.bucket, key: archive.key, format: archive.format, verified: archive.verified, parameterCount: archive.parameters.length },
    overwrite: opts.overwrite,
    counts: { ...plan.counts },
    created: [],
    updated: [],
    skipped: [...names('unchanged'), ...names('differs')].sort(),
    failed: [],
    planned: { create: names('create'), update: names('update'), unchanged: names('unchanged'), differs },
    executionTimeSec: 0,
  };
}
