import { defineCommand } from './common.js';
import { globalOptions, awsOptions, environmentOptions } from './options.js';
import { homeRegionFrom } from './home-region.js';
import { regionBucket } from '../lib/restore/run.js';
import { listArchives, type ArchiveEntry } from '../lib/archive-source.js';

export const listOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  region: { kind: 'region', required: true, describe: 'Region whose bucket to list' },
  json: { kind: 'boolean', default: false, describe: 'Print JSON: {bucket, archives: [{key, size, lastModified, latest}]}' },
} as const;

export function formatArchiveList(bucket: string, entries: ArchiveEntry[]): string {
  if (entries.length === 0) return `No archives in s3://${bucket}\n`;
  const rows = entries.map((e) => [e.latest ? '*' : ' ', e.lastModified, String(e.size), e.key]);
  const widths = [1, 24, Math.max(5, ...rows.map((r) => r[2].length))];
  const line = (c: string[]) => `${c[0]} ${c[1].padEnd(widths[1])}  ${c[2].padStart(widths[2])}  ${c[3]}`;
  return [line([' ', 'LAST MODIFIED', 'BYTES', `KEY (s3://${bucket}; * = latest.txt)`]), ...rows.map(line)].join('\n') + '\n';
}

export const listCommand = defineCommand({
  name: 'list',
  describe: 'List the archives in a region\'s bucket, newest first, marking the one latest.txt points at',
  options: listOptions,
  examples: [['ssm-backup list --environment prod --region us-west-2', 'Archives of us-west-2, newest first']],
  run: async ({ aws, io }, o) => {
    const bucket = await regionBucket(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), region: o.region });
    const entries = await listArchives(aws.s3(o.region), bucket, o.region);
    io.stdout(o.json ? JSON.stringify({ bucket, region: o.region, archives: entries }, null, 2) + '\n' : formatArchiveList(bucket, entries));
    return 0;
  },
});
