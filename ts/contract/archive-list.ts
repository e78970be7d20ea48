/**
 * `ssm-backup list --output json`: the archives of one region's bucket, newest first. The Jenkins restore step reads
 * it (`archive: 'choose'`: the choice of archive is built from it; src/org/ssmbackup/ArchiveChoice.groovy).
 *   {bucket, region, archives: [{key, size, lastModified, createdAt, latest, indexed, refused, parameterCount}]}
 * `latest`: the archive latest.txt names; `refused`: the shrink guard refused it; `parameterCount`: from the object
 * metadata, null for an archive made by an older version. Times are ISO-8601 UTC.
 */
export const ARCHIVE_LIST_FIELDS = ['bucket', 'region', 'archives'] as const;
export const ARCHIVE_LIST_ENTRY_FIELDS = ['key', 'size', 'lastModified', 'latest', 'createdAt', 'indexed', 'refused', 'parameterCount'] as const;
