/**
 * The bucket layout: every object key in a region's backup bucket comes from here (velero's object_store_layout).
 *
 *   <day>/ssm-backup-<env>-<region>-<YYYYMMDD_HHMMSS>.tar.gz    an archive (format 1 or 2; lib/archive/)
 *   <archive key>.index.json.gz                               its name index (facts.ts), written after the archive
 *   <archive key>.refused                                     JSON `{archive, refusedAt, reason}`: the shrink guard
 *                                                             refused this archive (latest.txt did not move onto it)
 *   latest.txt                                                `<archive key>\n`, also in x-amz-meta-archive-key: the
 *                                                             last archive accepted (moved only after drift and guard)
 * Older versions wrote `.tgz` and plain `backup.json` archives; they are read, never written.
 */
import { archiveKeyStamp } from '../../contract/index.js';

/** The latest pointer's object key. */
export const LATEST_POINTER_KEY = 'latest.txt';

/** The user-metadata key on latest.txt that holds the archive key, so `list` learns it with HeadObject alone. */
export const LATEST_META_KEY = 'archive-key';

/** Suffix of a name index next to its archive. */
export const INDEX_SUFFIX = '.index.json.gz';

/** Object names an archive may have (written and legacy). */
export const ARCHIVE_KEY_PATTERN = /\.(tar\.gz|tgz|json)$/;

export const indexKey = (archiveKey: string): string => `${archiveKey}${INDEX_SUFFIX}`;

/** Suffix of the marker of an archive the shrink guard refused (not an archive name: never listed as one). */
export const REFUSED_SUFFIX = '.refused';

export const refusedKey = (archiveKey: string): string => `${archiveKey}${REFUSED_SUFFIX}`;

/** The archive a refusal marker names, or undefined when `key` is not one. */
export const archiveOfRefusal = (key: string): string | undefined => (key.endsWith(REFUSED_SUFFIX) ? key.slice(0, -REFUSED_SUFFIX.length) : undefined);

/** The archive a name index describes, or undefined when `key` is not a name index. */
export const archiveOfIndex = (key: string): string | undefined => (key.endsWith(INDEX_SUFFIX) ? key.slice(0, -INDEX_SUFFIX.length) : undefined);

export const isArchiveKey = (key: string): boolean => ARCHIVE_KEY_PATTERN.test(key);

/**
 * Whether `key` has this engine's own archive naming for `env` and `region`: `[<YYYY-MM-DD>/]ssm-backup-<env>-<region>-
 * <YYYYMMDD_HHMMSS>.tar.gz` (or `.tgz`, `.json`). Listing questions (list, history, restore --as-of) consider only
 * these, never any other object a bucket writer may have put there; an explicit --archive may still name another key.
 */
export function isOwnArchiveKey(key: string, env: string, region: string): boolean {
  const name = /^(?:\d{4}-\d{2}-\d{2}\/)?([^/]+)$/.exec(key)?.[1];
  return (
    name !== undefined &&
    name.startsWith(`ssm-backup-${env}-${region}-`) &&
    /^\d{8}_\d{6}\.(tar\.gz|tgz|json)$/.test(name.slice(`ssm-backup-${env}-${region}-`.length))
  );
}

/** File name of a new archive. `stamp`: `YYYYMMDD_HHMMSS` (UTC). */
export const archiveName = (env: string, region: string, stamp: string): string => `ssm-backup-${env}-${region}-${stamp}.tar.gz`;

/** Object key of a new archive: `<day>/<archiveName>` (`day`: `YYYY-MM-DD`, UTC). */
export const archiveKey = (env: string, region: string, t: { day: string; stamp: string }): string => `${t.day}/${archiveName(env, region, t.stamp)}`;

/** Creation time of an archive from its key (`...-YYYYMMDD_HHMMSS.tar.gz`, UTC), else undefined. */
export function createdAtFromKey(key: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/.exec(archiveKeyStamp(key) ?? '');
  if (!m) return undefined;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
