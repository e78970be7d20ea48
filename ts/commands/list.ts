import type { CommandModule } from 'yargs';
import { globalOptions, environmentOptions, withOptions, homeRegionFrom, runCommand, type GlobalArgs, type CliIo } from './common.js';
import type { AwsClientFactory } from '../lib/aws/clients.js';
import { regionBucket } from '../lib/restore/run.js';
import { listArchives, type ArchiveEntry } from '../lib/archive-source.js';
import { requireRegion } from './restore.js';

interface ListArgs extends GlobalArgs {
  environment?: string;
  ssmHomeRegion?: string;
  region?: string;
  json: boolean;
}

export function formatArchiveList(bucket: string, entries: ArchiveEntry[]): string {
  if (entries.length === 0) return `No archives in s3://${bucket}\n`;
  const rows = entries.map((e) => [e.latest ? '*' : ' ', e.lastModified, String(e.size), e.key]);
  const widths = [1, 24, Math.max(5, ...rows.map((r) => r[2].length))];
  const line = (c: string[]) => `${c[0]} ${c[1].padEnd(widths[1])}  ${c[2].padStart(widths[2])}  ${c[3]}`;
  return [line([' ', 'LAST MODIFIED', 'BYTES', `KEY (s3://${bucket}; * = latest.txt)`]), ...rows.map(line)].join('\n') + '\n';
}

export function listCommand(io: CliIo, factory: () => AwsClientFactory, setCode: (n: number) => void): CommandModule<object, ListArgs> {
  return {
    command: 'list',
    describe: 'List the archives in a region\'s bucket, newest first, marking the one latest.txt points at',
    builder: (y) => withOptions(y, globalOptions, environmentOptions, {
      region: { type: 'string', describe: 'Region whose bucket to list (required)' },
      json: { type: 'boolean', default: false, describe: 'Print JSON: {bucket, archives: [{key, size, lastModified, latest}]}' },
    }) as never,
    handler: async (argv) => {
      setCode(await runCommand(io, argv, factory, async ({ aws }) => {
        const region = requireRegion(argv);
        const bucket = await regionBucket(aws, { environment: argv.environment as string, homeRegion: homeRegionFrom(argv, io.env), region });
        const entries = await listArchives(aws.s3(region), bucket, region);
        io.stdout(argv.json ? JSON.stringify({ bucket, region, archives: entries }, null, 2) + '\n' : formatArchiveList(bucket, entries));
        return 0;
      }));
    },
  };
}
