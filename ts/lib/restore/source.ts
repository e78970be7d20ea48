import { StringDecoder } from 'node:string_decoder';
import { EncryptedSpool, DEFAULT_MAX_ARCHIVE_MB, type BackupParameter } from '../archive/index.js';
import type { AwsClientFactory } from '../aws/index.js';
import { configKeys, loadPlan } from '../config/index.js';
import { resolveArchiveKey, readArchiveObject, type LoadedArchive, type IndexOpener } from '../store/index.js';
import { EngineError, type Logger, startProgress } from '../support/index.js';
import { ArchiveProblems } from './validate.js';
import { digestParameter, makeSelector, type ParameterDigest, type Selection } from './plan.js';

export interface SourceOptions {
  environment: string;
  homeRegion: string | undefined;
  /** Region whose bucket holds the archive; the archive must belong to it and to `environment`. */
  region: string;
  archive?: string;
  /** --max-archive-mb: limit on the decompressed archive. */
  maxArchiveMb?: number;
  /** --require-client-encryption: only format 2 archives are read, whatever the region's configuration. */
  requireClientEncryption?: boolean;
  /** --allow-unencrypted-archive: the one archive key accepted as format 1 or legacy where only format 2 is. */
  allowUnencryptedArchive?: string;
}

/** The bucket of a region from the backup configuration (the same lookup as backup). */
export async function regionBucket(aws: AwsClientFactory, opts: SourceOptions): Promise<string> {
  return (await regionSource(aws, opts, false)).bucket;
}

/**
 * The bucket of a region and whether its archives must be format 2: the region has a backup key configured (or its
 * key parameter cannot be read: then nothing says it has none).
 */
async function regionSource(aws: AwsClientFactory, opts: SourceOptions, withKeys = true): Promise<{ bucket: string; encrypts: boolean }> {
  const plan = await loadPlan(aws, { environment: opts.environment, homeRegion: opts.homeRegion, regions: [opts.region], withKeys });
  const bucket = plan.buckets[opts.region];
  if (!bucket)
    throw new EngineError('config', `Bucket definition missing for ${opts.region}: ${configKeys(plan.environment).regionBucket(opts.region)} not found`, {
      region: opts.region,
    });
  return { bucket, encrypts: Boolean(plan.kmsKeys?.[opts.region] ?? plan.kmsKeyErrors?.[opts.region]) };
}

/**
 * No downgrade: where the region has a backup key, or --require-client-encryption is given, a format 1 or legacy
 * archive (which authenticates nothing: anyone who can write to the bucket can make one) is refused, exit 2, before
 * anything is written, unless --allow-unencrypted-archive names exactly this key.
 */
function checkNotDowngraded(archive: LoadedArchive, encrypts: boolean, opts: SourceOptions): void {
  if (archive.format === 'v2' || !(encrypts || opts.requireClientEncryption) || opts.allowUnencryptedArchive === archive.key) return;
  const why = encrypts ? `${opts.region} has a backup key (${configKeys(opts.environment).kmsKeyArn(opts.region)})` : '--require-client-encryption is given';
  throw new EngineError(
    'config',
    `Archive ${archive.key} is ${archive.format === 'v1' ? 'format 1' : 'a legacy backup.json'} (not encrypted, nothing in it authenticated) but ${why}: refused as a possible downgrade, nothing was written. If you know this archive is genuine (made before the key existed), pass --allow-unencrypted-archive ${archive.key}`,
    { region: opts.region },
  );
}

/** Opens format 2 archives and their encrypted name indexes: our account's KMS keys, checked against this identity. */
export function indexOpener(aws: AwsClientFactory, environment: string, region: string): IndexOpener {
  return { kms: (r: string) => aws.kms(r), accountId: () => aws.callerAccount(region), environment, region };
}

/** An archive whose manifest (or, format 2, encrypted header) names another account than ours is refused (exit 2). */
async function checkAccount(archive: LoadedArchive, ours: () => Promise<string>, region: string): Promise<void> {
  const claimed = archive.header.account_id ?? archive.manifest?.accountId;
  if (typeof claimed !== 'string' || !claimed) return;
  const account = await ours();
  if (claimed !== account)
    throw new EngineError(
      'config',
      `Archive ${archive.key} was made in account ${claimed.slice(0, 32)}, not ${account} (the account these credentials belong to): refused, nothing was written`,
      { region },
    );
}

/** A read and validated archive: its selected parameters as digests, and (when asked) a spool of their values. */
export interface SelectedArchive {
  archive: LoadedArchive;
  selected: ParameterDigest[];
  /** The selected parameters with their values (restore --apply), encrypted under a key only this process holds. */
  spool?: EncryptedSpool;
  /** What AWS will judge (notes.ts), one line per parameter (bounded): DataType, AllowedPattern, reserved tags, ... */
  notes: string[];
}

export interface ReadSelectedOptions extends SourceOptions, Selection {
  logger: Logger;
  /** Spools every selected parameter (values included) to this file, encrypted (EncryptedSpool), one JSON per line (restore --apply). */
  spoolFile?: string;
  /** false: keep no digests (verify only checks). */
  keepSelected?: boolean;
  throttles?: () => number;
  /** Where the entries would be written (restore --target-region); its ARN prefix counts toward the name limit. Default: `region`. */
  targetRegion?: string;
}

/**
 * The one place that turns an archive in S3 into validated, selected entries: resolves and checks the key, streams
 * the object (bounded memory), checks identity and integrity, checks the shape of every entry, names given twice,
 * and Parameter Store's rules on the selected ones. Any problem throws before the caller writes anything:
 * exit 2 with the offending names (values never named), exit 1 for a damaged archive.
 */
export async function readSelected(aws: AwsClientFactory, opts: ReadSelectedOptions): Promise<SelectedArchive> {
  const log = opts.logger.forRegion(opts.region);
  const { bucket, encrypts } = await regionSource(aws, opts);
  const s3 = aws.s3(opts.region);
  const key = await resolveArchiveKey(s3, bucket, opts.region, opts.archive, opts.environment);
  const problems = new ArchiveProblems(20, opts.targetRegion ?? opts.region);
  const selector = makeSelector(opts);
  const selected: ParameterDigest[] = [];
  const spool = opts.spoolFile ? new EncryptedSpool(opts.spoolFile) : undefined;
  const progress = startProgress(log, `Reading s3://${bucket}/${key}`, { unit: 'parameters', throttles: opts.throttles });
  let archive: LoadedArchive;
  try {
    archive = await readArchiveObject(
      s3,
      bucket,
      key,
      { environment: opts.environment, region: opts.region },
      {
        maxBytes: (opts.maxArchiveMb ?? DEFAULT_MAX_ARCHIVE_MB) * 1048576,
        // Format 2: decrypted with our account's KMS keys, the encryption context checked against the identity asked for.
        opener: { ...indexOpener(aws, opts.environment, opts.region), key },
        onParameter: async (value, index) => {
          progress.add();
          const p = problems.entry(value, index);
          if (!p || !selector.test(p.Name) || !problems.rules(p)) return;
          if (opts.keepSelected !== false) selected.push(digestParameter(p));
          if (spool) await spool.write(JSON.stringify(p) + '\n');
        },
      },
    );
  } finally {
    progress.stop();
    if (spool) await spool.close();
  }
  checkNotDowngraded(archive, encrypts, opts);
  await checkAccount(archive, () => aws.callerAccount(opts.region), opts.region);
  const summary = problems.summary();
  if (summary) throw new EngineError('config', `Archive ${key}: ${summary}; nothing was written`, { region: opts.region });
  selector.check();
  log.info(
    `Archive s3://${bucket}/${key}: ${archive.parameterCount} parameters (${selected.length} selected), ${archive.verified ? `verified (${archive.checks.join(', ')})` : 'UNVERIFIED legacy backup.json (no checksum)'}`,
  );
  if (!archive.verified) log.warn(`s3://${bucket}/${key} is a legacy backup.json without manifest: its integrity cannot be verified`);
  const notes = problems.noteLines();
  for (const note of notes) log.warn(`Note (AWS will judge, the rest goes on): ${note}`);
  return { archive, selected, spool, notes };
}

/** The spooled parameters, one at a time, in archive order. */
export async function* readSpool(spool: EncryptedSpool): AsyncGenerator<BackupParameter> {
  let rest = '';
  const decoder = new StringDecoder('utf8');
  for await (const chunk of spool.read()) {
    const lines = (rest + decoder.write(chunk)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line) yield JSON.parse(line) as BackupParameter;
  }
  rest += decoder.end();
  if (rest) yield JSON.parse(rest) as BackupParameter;
}
