import { defineCommand } from '../run-command.js';
import { accountOptions, checkAccountOption, withAccount } from '../accounts.js';
import { globalOptions, awsOptions, environmentOptions } from '../options.js';
import { outputOption, outputFormat, jsonAlias, jsonText, textRecords } from '../output.js';
import { homeRegionFrom } from '../home-region.js';
import { regionBucket } from '../../lib/restore/index.js';
import { listArchives, nameHistory, type NameHistory } from '../../lib/store/index.js';
import { indexOpener } from '../../lib/restore/index.js';
import { usageError } from '../../lib/support/index.js';

export const historyOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  ...accountOptions,
  region: { kind: 'region', required: true, describe: 'Region whose bucket to search' },
  name: { kind: 'string', required: true, describe: 'Parameter name to look for (exact, e.g. /app/db/url)' },
  ...outputOption('table'),
  ...jsonAlias,
} as const;

/** One line per archive holding the name, newest first: latest mark, archive creation time, Version, LastModifiedDate, Type, key. */
export function formatHistory(bucket: string, name: string, h: NameHistory): string {
  const lines: string[] = [];
  if (h.found.length === 0) lines.push(`${name} is in none of the ${h.searched} indexed archives of s3://${bucket}`);
  else {
    const rows = h.found.map((e) => [e.latest ? '*' : ' ', e.createdAt, String(e.Version ?? '?'), e.LastModifiedDate ?? '?', e.Type, e.archive]);
    const w = [1, 24, Math.max(7, ...rows.map((r) => r[2].length)), 24, Math.max(4, ...rows.map((r) => r[4].length))];
    const line = (c: string[]) => `${c[0]} ${c[1].padEnd(w[1])}  ${c[2].padStart(w[2])}  ${c[3].padEnd(w[3])}  ${c[4].padEnd(w[4])}  ${c[5]}`;
    lines.push(line([' ', 'ARCHIVE CREATED', 'VERSION', 'LAST MODIFIED', 'TYPE', `ARCHIVE (s3://${bucket}; * = latest.txt)`]), ...rows.map(line));
    lines.push(`${name}: in ${h.found.length} of ${h.searched} indexed archives`);
  }
  for (const i of h.ignored) lines.push(`Not searched: ${i.archive}: ${i.why}`);
  if (h.unindexed.length)
    lines.push(
      `Not searched: ${h.unindexed.length} archive(s) made by an older version (no name index): ${h.unindexed.slice(0, 3).join(', ')}${h.unindexed.length > 3 ? ', ...' : ''}`,
    );
  return lines.join('\n') + '\n';
}

export const historyCommand = defineCommand({
  name: 'history',
  describe:
    'List the archives holding a parameter, newest first, with its Version and LastModifiedDate in each (from the name indexes; no archive is downloaded)',
  options: historyOptions,
  examples: [['ssm-backup history --environment prod --region us-west-2 --name /app/db/url', 'Which archives still hold /app/db/url, and which version of it']],
  check: (o) => {
    checkAccountOption(o);
    outputFormat(o);
    if (!/^[A-Za-z0-9_./-]{1,2048}$/.test(o.name))
      throw usageError(`--name "${o.name}" is not a parameter name: use letters, digits and _.-/ (for example /app/db/url)`);
  },
  run: withAccount('history', 'entry', async ({ aws, io }, o) => {
    const bucket = await regionBucket(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), region: o.region });
    const s3 = aws.s3(o.region);
    const h = await nameHistory(
      s3,
      bucket,
      o.region,
      await listArchives(s3, bucket, o.region, o.environment),
      o.name,
      indexOpener(aws, o.environment, o.region),
    );
    const format = outputFormat(o);
    // json: {bucket, region, name, archives: [{archive, createdAt, latest, Name, Type, Version, LastModifiedDate}], searched, unindexed,
    // ignored: [{archive, why}]}
    if (format === 'json')
      io.stdout(jsonText({ bucket, region: o.region, name: o.name, archives: h.found, searched: h.searched, unindexed: h.unindexed, ignored: h.ignored }));
    else if (format === 'text')
      io.stdout(textRecords(h.found.map((e) => [e.archive, e.createdAt, e.Version, e.LastModifiedDate, e.Type, e.latest ? 'latest' : '-'])));
    else io.stdout(formatHistory(bucket, o.name, h));
    return 0;
  }),
});
