import type { CommandModule } from 'yargs';
import { globalOptions, environmentOptions, withOptions, homeRegionFrom, runCommand, type CliIo } from './common.js';
import type { AwsClientFactory } from '../lib/aws/clients.js';
import { openArchive } from '../lib/restore/run.js';
import { readLive } from '../lib/restore/live.js';
import { selectParameters, desiredParameter, parseKeyMap } from '../lib/restore/plan.js';
import { diffArchive, formatDiff } from '../lib/restore/diff.js';
import { validateRegionName } from '../lib/plan.js';
import { usageError } from '../lib/errors.js';
import { sourceOptions, requireRegion, type SourceArgs } from './restore.js';

interface DiffArgs extends SourceArgs {
  targetRegion?: string;
  path: string;
  kmsKeyMap?: string;
  json: boolean;
}

export function diffCommand(io: CliIo, factory: () => AwsClientFactory, setCode: (n: number) => void): CommandModule<object, DiffArgs> {
  return {
    command: 'diff',
    describe: 'Compare an archive with live SSM: created / changed (by field) / unchanged / only-live; values are never printed',
    builder: (y) => withOptions(y, globalOptions, environmentOptions, sourceOptions, {
      'target-region': { type: 'string', describe: 'Live region to compare with (default: --region)' },
      path: { type: 'string', default: '/', describe: 'Compare only parameters under this path, recursively' },
      'kms-key-map': { type: 'string', describe: 'FROM=TO,... compare SecureString keys as a restore with this map would write them' },
      json: { type: 'boolean', default: false, describe: 'Print JSON {created, changed: [{name, fields}], unchanged, onlyLive}' },
    }) as never,
    handler: async (argv) => {
      setCode(await runCommand(io, argv, factory, async ({ aws, logger }) => {
        const region = requireRegion(argv);
        const target = argv.targetRegion ? validateRegionName(argv.targetRegion, '--target-region') : region;
        if (!argv.path.startsWith('/')) throw usageError(`--path "${argv.path}" is invalid: use an absolute parameter path such as /app`);
        const archive = await openArchive(aws, { environment: argv.environment as string, homeRegion: homeRegionFrom(argv, io.env), region, archive: argv.archive }, logger);
        const keyMap = parseKeyMap(argv.kmsKeyMap);
        const selected = selectParameters(archive.parameters, { path: argv.path }).map((p) => desiredParameter(p, keyMap));
        const live = await readLive(aws, target, argv.path, logger.forRegion(target), selected.filter((p) => p.Tags?.length).map((p) => p.Name));
        const diff = diffArchive(selected, live);
        io.stdout(argv.json ? JSON.stringify({ archive: `s3://${archive.bucket}/${archive.key}`, targetRegion: target, ...diff }, null, 2) + '\n' : formatDiff(diff, argv.verbose));
        return 0;
      }));
    },
  };
}
