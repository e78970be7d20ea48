/**
 * Questions answered from the bucket listing, object metadata and name indexes, never by downloading an archive:
 * each archive's parameter count (`list`), which archives hold a parameter (`history`), which archive was the
 * newest at a given time (`restore --as-of`).
 */
import pLimit from 'p-limit';
import type { S3Client } from '@aws-sdk/client-s3';
import { headArchive, type IndexEntry, type NameIndex } from './facts.js';
import { getIndex, type IndexOpener } from './sealed-index.js';
import { listArchives, resolveArchiveKey, type ArchiveEntry } from './archives.js';
import { type Logger, EngineError, describeAwsError, usageError } from '../support/index.js';

const IN_FLIGHT = 8;

/** Adds `parameterCount` from each archive's object metadata (one HeadObject per archive, 8 in flight; no GetObject). */
export async function withFacts(s3: S3Client, bucket: string, region: string, entries: ArchiveEntry[]): Promise<ArchiveEntry[]> {
  const limit = pLimit(IN_FLIGHT);
  return Promise.all(
    entries.map((e) =>
      limit(async () => {
        const head = await headArchive(s3, bucket, e.key).catch((err) => {
          throw new EngineError('region', `Cannot read the metadata of s3://${bucket}/${e.key}: ${describeAwsError(err)}`, { region, cause: err });
        });
        return { ...e, parameterCount: head.facts?.parameterCount ?? null };
      }),
    ),
  );
}

/** The newest archive created at or before `asOf` (entries newest first, as listArchives returns them). */
export function archiveAsOf(entries: ArchiveEntry[], asOf: Date, bucket: string): ArchiveEntry {
  // An archive the shrink guard refused (`<key>.refused`) never became latest.txt: it is not a restore point.
  const hit = entries.find((e) => !e.refused && new Date(e.createdAt).getTime() <= asOf.getTime());
  if (hit) return hit;
  const oldest = entries[entries.length - 1];
  throw new EngineError(
    'config',
    `No archive in s3://${bucket} was created at or before ${asOf.toISOString()}${oldest ? ` (the oldest is ${oldest.key}, created ${oldest.createdAt})` : ' (the bucket holds none)'}`,
  );
}

/** One archive holding a parameter, with that parameter's index entry. */
export interface HistoryEntry extends IndexEntry {
  archive: string;
  createdAt: string;
  latest: boolean;
}

export interface NameHistory {
  /** Archives holding the name, newest first. */
  found: HistoryEntry[];
  /** Archives searched (those with a name index that could be read and trusted). */
  searched: number;
  /** Archives made by an older version (no name index): not searched. */
  unindexed: string[];
  /** Archives whose index was damaged, altered, or not authenticated: not searched (archive key and why). */
  ignored: { archive: string; why: string }[];
}

const isS3Error = (err: unknown): boolean => typeof err === 'object' && err !== null && '$metadata' in err;

/**
 * Fetches the name indexes of `entries` (8 in flight) and calls `visit` for each, newest first. An encrypted index is
 * opened with `opener` (one KMS Decrypt each). S3 errors fail; an index that cannot be trusted (damaged, altered, bound
 * to another archive, not decryptable) is reported through `ignore` and skipped.
 */
async function eachIndex(
  s3: S3Client,
  bucket: string,
  region: string,
  entries: ArchiveEntry[],
  visit: (e: ArchiveEntry, index: NameIndex) => void,
  opener?: IndexOpener,
  ignore: (archive: string, why: string) => void = () => undefined,
): Promise<void> {
  const limit = pLimit(IN_FLIGHT);
  const indexes = await Promise.all(
    entries.map((e) =>
      limit(() =>
        getIndex(s3, bucket, e.key, opener).catch((err) => {
          if (isS3Error(err))
            throw new EngineError('region', `Cannot read the name index of s3://${bucket}/${e.key}: ${describeAwsError(err)}`, { region, cause: err });
          ignore(e.key, (err as Error).message);
          return undefined;
        }),
      ),
    ),
  );
  entries.forEach((e, i) => {
    if (indexes[i]) visit(e, indexes[i] as NameIndex);
  });
}

/** Which archives hold `name`, newest first, from the name indexes (one GetObject of an index per archive). */
export async function nameHistory(
  s3: S3Client,
  bucket: string,
  region: string,
  entries: ArchiveEntry[],
  name: string,
  opener?: IndexOpener,
): Promise<NameHistory> {
  const indexed = entries.filter((e) => e.indexed);
  const found: HistoryEntry[] = [];
  const ignored: NameHistory['ignored'] = [];
  await eachIndex(
    s3,
    bucket,
    region,
    indexed,
    (e, index) => {
      const hit = index.parameters.find((p) => p.Name === name);
      if (hit) found.push({ archive: e.key, createdAt: e.createdAt, latest: e.latest, ...hit });
    },
    opener,
    (archive, why) => ignored.push({ archive, why }),
  );
  return { found, searched: indexed.length - ignored.length, unindexed: entries.filter((e) => !e.indexed).map((e) => e.key), ignored };
}

/**
 * For each name missing from the chosen archive, the newest other archive that holds it (searching indexes newest
 * first, 8 at a time, stopping once every name is placed).
 */
export async function newestHolding(
  s3: S3Client,
  bucket: string,
  region: string,
  entries: ArchiveEntry[],
  names: string[],
  except: string,
  opener?: IndexOpener,
): Promise<Map<string, ArchiveEntry>> {
  const out = new Map<string, ArchiveEntry>();
  const candidates = entries.filter((e) => e.indexed && e.key !== except);
  for (let i = 0; i < candidates.length && out.size < names.length; i += IN_FLIGHT) {
    await eachIndex(
      s3,
      bucket,
      region,
      candidates.slice(i, i + IN_FLIGHT),
      (e, index) => {
        const held = new Set(index.parameters.map((p) => p.Name));
        for (const n of names) if (!out.has(n) && held.has(n)) out.set(n, e);
      },
      opener,
    );
  }
  return out;
}

export interface ArchiveChoice {
  bucket: string;
  environment: string;
  region: string;
  /** --archive: a key or `latest`. */
  archive: string;
  asOf?: Date;
  /** --names: checked against the chosen archive's name index, when it has one. */
  names?: string[];
  /** Opens encrypted (format 2) name indexes. */
  opener?: IndexOpener;
}

/**
 * The archive key a restore reads. `--as-of` picks the newest archive created at or before that time (ListObjectsV2
 * only). With `--names`, the chosen archive's name index is read first: a name it lacks is a usage error naming the
 * newest archive that holds it. Without either, `archive` is returned untouched (no request).
 */
export async function chooseArchive(s3: S3Client, c: ArchiveChoice, log: Logger): Promise<string> {
  if (!c.asOf && !c.names?.length) return c.archive;
  let entries: ArchiveEntry[] | undefined;
  const listed = async () => (entries ??= await listArchives(s3, c.bucket, c.region, c.environment));
  let key: string;
  if (c.asOf) {
    const chosen = archiveAsOf(await listed(), c.asOf, c.bucket);
    const skipped = (await listed()).filter((e) => e.refused && e.createdAt > chosen.createdAt && new Date(e.createdAt) <= c.asOf!);
    for (const e of skipped) log.warn(`--as-of skips ${e.key}: the shrink guard refused it (pass --archive ${e.key} to restore it anyway)`);
    log.info(`--as-of ${c.asOf.toISOString()}: archive ${chosen.key} (created ${chosen.createdAt}${chosen.latest ? ', the one latest.txt names' : ''})`);
    key = chosen.key;
  } else key = await resolveArchiveKey(s3, c.bucket, c.region, c.archive, c.environment);
  if (!c.names?.length) return key;
  const index = await getIndex(s3, c.bucket, key, c.opener).catch((err) => {
    log.warn(`Name index of ${key} not read (${describeAwsError(err)}): the names are checked against the archive itself`);
    return undefined;
  });
  if (!index) return key; // an older archive (or a damaged index): the restore itself checks the names
  const held = new Set(index.parameters.map((p) => p.Name));
  const missing = c.names.filter((n) => !held.has(n));
  if (!missing.length) return key;
  const found = await newestHolding(s3, c.bucket, c.region, await listed(), missing, key, c.opener);
  const where = missing.map((n) => {
    const e = found.get(n);
    return e
      ? `${n} (newest archive holding it: ${e.key}, created ${e.createdAt}; pass --archive ${e.key})`
      : `${n} (in no indexed archive of s3://${c.bucket})`;
  });
  throw usageError(`Not in the archive ${key}: ${where.join(', ')}`);
}
