import type { CommandModule } from 'yargs';
import { globalOptions, environmentOptions, withOptions, homeRegionFrom, runCommand, type CliIo } from './common.js';
import type { AwsClientFactory } from '../lib/aws/clients.js';
import { openArchive } from '../lib/restore/run.js';
import { sourceOptions, requireRegion, type SourceArgs } from './restore.js';

interface VerifyArgs extends SourceArgs {
  json: boolean;
}

export function verifyCommand(io: CliIo, factory: () => AwsClientFactory, setCode: (n: number) => void): CommandModule<object, VerifyArgs> {
  return {
    command: 'verify',
    describe: 'Download an archive and check manifest.json (sha256 of backup.json, parameter count, format version); exit 1 on any mismatch',
    builder: (y) => withOptions(y, globalOptions, environmentOptions, sourceOptions, {
      json: { type: 'boolean', default: false, describe: 'Print the result as JSON' },
    }) as never,
    handler: async (argv) => {
      setCode(await runCommand(io, argv, factory, async ({ aws, logger }) => {
        const region = requireRegion(argv);
        const a = await openArchive(aws, { environment: argv.environment as string, homeRegion: homeRegionFrom(argv, io.env), region, archive: argv.archive }, logger);
        const result = {
          archive: `s3://${a.bucket}/${a.key}`, format: a.format, verified: a.verified, parameterCount: a.parameters.length,
          environment: a.environment ?? null, region: a.region ?? null, createdAt: a.manifest?.createdAt ?? a.backupDate ?? null,
          toolVersion: a.manifest?.tool.version ?? null, checks: a.checks,
        };
        if (argv.json) io.stdout(JSON.stringify(result, null, 2) + '\n');
        else {
          const status = a.verified ? 'OK' : 'UNVERIFIED (legacy backup.json, no checksum; restore is allowed)';
          io.stdout(`${status}  ${result.archive}\n  format: ${a.format}, parameters: ${result.parameterCount}, created: ${result.createdAt ?? 'unknown'}\n${a.checks.map((c) => `  ok: ${c}\n`).join('')}`);
        }
        return 0;
      }));
    },
  };
}
