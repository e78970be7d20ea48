import type { CommandModule } from 'yargs';
import path from 'node:path';
import { globalOptions, environmentOptions, withOptions, splitList, homeRegionFrom, runCommand, type GlobalArgs, type CliIo } from './common.js';
import type { AwsClientFactory, ClientFactoryOptions } from '../lib/aws/clients.js';
import { runRestore } from '../lib/restore/run.js';
import { parseKeyMap, describeFields, type RestorePlan } from '../lib/restore/plan.js';
import { validateRegionName } from '../lib/plan.js';
import { usageError } from '../lib/errors.js';

/** Where the archive comes from: shared by restore, verify, diff and list. */
export const sourceOptions = {
  region: { type: 'string' as const, describe: 'Region whose bucket holds the archive (required)' },
  archive: { type: 'string' as const, default: 'latest', describe: 'Object key of the archive (see ssm-backup list), or latest (what latest.txt points at)' },
};

export interface SourceArgs extends GlobalArgs {
  environment?: string;
  ssmHomeRegion?: string;
  region?: string;
  archive: string;
}

export const restoreOptions = {
  'target-region': { type: 'string' as const, describe: 'Region to restore into (default: --region); another region is the disaster-recovery path' },
  path: { type: 'string' as const, default: '/', describe: 'Restore only parameters under this path, recursively' },
  names: { type: 'string' as const, describe: 'Comma-separated parameter names to restore (all must be in the archive)' },
  overwrite: { type: 'boolean' as const, default: false, describe: 'Update parameters that differ from the archive (the old job\'s FORCE_OVERWRITE); without it they are skipped' },
  'kms-key-map': { type: 'string' as const, describe: 'FROM=TO,... KMS keys for SecureStrings in the target region, e.g. alias/app-secrets=alias/dr-secrets' },
  apply: { type: 'boolean' as const, default: false, describe: 'Write to SSM. Without it the restore only plans and changes nothing' },
  'put-rate': { type: 'number' as const, default: 3, describe: 'Max PutParameter requests/s (AWS default quota 3; raise if your account has higher throughput)' },
  concurrency: { type: 'number' as const, default: 4, describe: 'Writes in flight (they are also paced to --put-rate)' },
  'work-dir': { type: 'string' as const, default: './ssm-backup-work', describe: 'Where restore_summary.json is written (names only, never values)' },
  'summary-file': { type: 'string' as const, describe: 'Restore summary JSON (default: <work-dir>/restore_summary.json)' },
};

interface RestoreArgs extends SourceArgs {
  targetRegion?: string;
  path: string;
  names?: string;
  overwrite: boolean;
  kmsKeyMap?: string;
  apply: boolean;
  putRate: number;
  concurrency: number;
  workDir: string;
  summaryFile?: string;
}

/** Validates the shared source options; returns the region. */
export function requireRegion(argv: { region?: string }): string {
  if (!argv.region) throw usageError('--region is required: the region whose bucket holds the archive (for example --region us-west-2)');
  validateRegionName(argv.region, '--region');
  return argv.region;
}

/** One line per parameter that is (or would be) written or skipped for differing; names and field names only. */
export function formatPlan(plan: RestorePlan, applied: boolean, failed: Set<string> = new Set()): string {
  const verb = { create: applied ? 'created' : 'create', update: applied ? 'updated' : 'update', differs: 'skipped' };
  const lines = plan.items.filter((i) => i.action !== 'unchanged' && !failed.has(i.name)).map((i) => {
    const what = verb[i.action as keyof typeof verb];
    const note = i.action === 'differs' ? ' (differs; --overwrite updates it)' : '';
    return `${what.padEnd(7)}  ${i.name}${i.fields.length ? `  ${describeFields(i.fields)}` : ''}${note}`;
  });
  const c = plan.counts;
  lines.push(`create=${c.create} update=${c.update} unchanged=${c.unchanged} differs-not-overwritten=${c.differs}`);
  return lines.join('\n') + '\n';
}

export function restoreCommand(io: CliIo, factory: (o: ClientFactoryOptions) => AwsClientFactory, setCode: (n: number) => void): CommandModule<object, RestoreArgs> {
  return {
    command: 'restore',
    describe: 'Restore parameters from an archive (plans by default; --apply writes; never deletes)',
    builder: (y) => withOptions(y, globalOptions, environmentOptions, sourceOptions, restoreOptions) as never,
    handler: async (argv) => {
      setCode(await runCommand(io, argv, () => factory({ putRate: argv.putRate }), async ({ aws, logger }) => {
        const region = requireRegion(argv);
        const targetRegion = argv.targetRegion ? validateRegionName(argv.targetRegion, '--target-region') : region;
        if (!(argv.putRate > 0)) throw usageError(`--put-rate ${argv.putRate} is invalid: use a number of requests per second above 0`);
        if (!Number.isInteger(argv.concurrency) || argv.concurrency < 1 || argv.concurrency > 64) throw usageError(`--concurrency ${argv.concurrency} is invalid: use a whole number from 1 to 64`);
        if (!argv.path.startsWith('/')) throw usageError(`--path "${argv.path}" is invalid: use an absolute parameter path such as /app`);
        const result = await runRestore(aws, {
          environment: argv.environment as string, homeRegion: homeRegionFrom(argv, io.env), region, archive: argv.archive,
          targetRegion, path: argv.path, names: splitList(argv.names), overwrite: argv.overwrite, keyMap: parseKeyMap(argv.kmsKeyMap),
          apply: argv.apply, concurrency: argv.concurrency, logger,
          summaryFile: argv.summaryFile ?? path.join(argv.workDir, 'restore_summary.json'),
        });
        io.stdout(formatPlan(result.plan, argv.apply, new Set(result.summary.failed.map((f) => f.name))));
        for (const f of result.summary.failed) io.stdout(`FAILED   ${f.name}  ${f.error}\n`);
        return result.exitCode;
      }));
    },
  };
}
