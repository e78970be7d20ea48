import { defineCommand } from '../run-command.js';
import { accountOptions, checkAccountOption, withAccount } from '../accounts.js';
import { globalOptions, awsOptions, environmentOptions } from '../options.js';
import { outputOption, outputFormat, jsonAlias, jsonText, textRecords } from '../output.js';
import { homeRegionFrom } from '../home-region.js';
import { regionBucket } from '../../lib/restore/index.js';
import { listArchives, type ArchiveEntry, withFacts } from '../../lib/store/index.js';
import { writeTextAtomic } from '../../lib/support/index.js';

export const listOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  ...accountOptions,
  region: { kind: 'region', required: true, describe: 'Region whose bucket to list' },
  ...outputOption('table'),
  ...jsonAlias,
  'output-file': { kind: 'file-out', describe: 'Write the output here instead of stdout (its directory is created); the Jenkins restore step reads the json' },
} as const;

/** One line per archive: mark (`*` latest.txt, `!` refused by the shrink guard), creation time, parameter count (`?` for an archive made by an older version), bytes, key. */
export function formatArchiveList(bucket: string, entries: ArchiveEntry[]): string {
  if (entries.length === 0) return `No archives in s3://${bucket}\n`;
  const rows = entries.map((e) => [
    e.latest ? '*' : e.refused ? '!' : ' ',
    e.createdAt,
    e.parameterCount === null || e.parameterCount === undefined ? '?' : String(e.parameterCount),
    String(e.size),
    e.key,
  ]);
  const widths = [1, 24, Math.max(10, ...rows.map((r) => r[2].length)), Math.max(5, ...rows.map((r) => r[3].length))];
  const line = (c: string[]) => `${c[0]} ${c[1].padEnd(widths[1])}  ${c[2].padStart(widths[2])}  ${c[3].padStart(widths[3])}  ${c[4]}`;
  return (
    [
      line([' ', 'CREATED', 'PARAMETERS', 'BYTES', `KEY (s3://${bucket}; * = latest.txt; ! = refused by the shrink guard; ? = made by an older version)`]),
      ...rows.map(line),
    ].join('\n') + '\n'
  );
}

export const listCommand = defineCommand({
  name: 'list',
  describe:
    "List the archives in a region's bucket, newest first, with their parameter counts (from object metadata: nothing is downloaded), marking the one latest.txt points at",
  options: listOptions,
  examples: [
    ['ssm-backup list --environment prod --region us-west-2', 'Archives of us-west-2, newest first'],
    [
      'ssm-backup list --environment prod --region us-west-2 --output json',
      '{bucket, region, archives: [{key, size, lastModified, createdAt, latest, indexed, refused, parameterCount}]}',
    ],
  ],
  check: (o) => {
    outputFormat(o);
    checkAccountOption(o);
  },
  run: withAccount('list', 'entry', async ({ aws, io }, o) => {
    const bucket = await regionBucket(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), region: o.region });
    const entries = await withFacts(aws.s3(o.region), bucket, o.region, await listArchives(aws.s3(o.region), bucket, o.region, o.environment));
    const format = outputFormat(o);
    const text =
      format === 'json'
        ? jsonText({ bucket, region: o.region, archives: entries })
        : format === 'text'
          ? textRecords(entries.map((e) => [e.key, e.createdAt, e.parameterCount, e.size, e.latest ? 'latest' : e.refused ? 'refused' : '-']))
          : formatArchiveList(bucket, entries);
    if (o.outputFile) writeTextAtomic(o.outputFile, text);
    else io.stdout(text);
    return 0;
  }),
});
