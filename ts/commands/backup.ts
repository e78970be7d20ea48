import type { CommandModule } from 'yargs';
import path from 'node:path';
import { loadPlan } from '../lib/plan.js';
import { runBackup, type RegionSummary } from '../lib/backup.js';
import { usageError } from '../lib/errors.js';
import { peakRssMb as currentPeakRssMb } from '../lib/memory.js';
import { globalOptions, environmentOptions, regionListOption, withOptions, splitList, homeRegionFrom, runCommand, type GlobalArgs, type CliIo } from './common.js';
import type { AwsClientFactory } from '../lib/aws/clients.js';

interface BackupArgs extends GlobalArgs {
  environment?: string;
  ssmHomeRegion?: string;
  regions?: string;
  path: string;
  nameContains?: string;
  dryRun: boolean;
  includeTags: boolean;
  concurrency: number;
  failFast: boolean;
  parallelRegions: number;
  workDir: string;
  summaryFile?: string;
}

export const backupOptions = {
  path: { type: 'string' as const, default: '/', describe: 'Back up parameters under this path, recursively' },
  'name-contains': { type: 'string' as const, describe: 'Only parameters whose name contains this text (the old job\'s filter)' },
  'dry-run': { type: 'boolean' as const, default: false, describe: 'Collect and count, upload nothing, write no archive' },
  'include-tags': { type: 'boolean' as const, default: false, describe: 'Also back up each parameter\'s tags (one extra API call per parameter)' },
  concurrency: { type: 'number' as const, default: 8, describe: 'GetParameters batches in flight per region (calls are also paced to --get-rate)' },
  'fail-fast': { type: 'boolean' as const, default: true, describe: 'Skip the remaining regions after the first failure (--no-fail-fast goes on)' },
  'parallel-regions': { type: 'number' as const, default: 1, describe: 'Regions backed up at the same time (each has its own quota); fail-fast skips regions not yet started' },
  'work-dir': { type: 'string' as const, default: './ssm-backup-work', describe: 'Where per-region summary.json files are written (never values)' },
  'summary-file': { type: 'string' as const, describe: 'Region summaries JSON (default: <work-dir>/region_summaries.json)' },
  'get-rate': { type: 'number' as const, default: 40, describe: 'Max SSM Get* requests/s per region (AWS default quota 40; raise if your account has higher throughput)' },
};

export function formatSummaryTable(summaries: Record<string, RegionSummary>): string {
  const rows = Object.entries(summaries).map(([r, s]) => [r, s.status, String(s.parameterCount), `${s.executionTimeSec}s`, s.artifactPath ?? s.failureMessage ?? (s.dryRun ? '(dry run)' : '-')]);
  const head = ['REGION', 'STATUS', 'PARAMETERS', 'TIME', 'ARTIFACT / CAUSE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export function backupCommand(io: CliIo, factory: (o: { getRate: number }) => AwsClientFactory, setCode: (n: number) => void): CommandModule<object, BackupArgs> {
  return {
    command: 'backup',
    describe: 'Back up every configured region\'s parameters into that region\'s bucket',
    builder: (y) => withOptions(y, globalOptions, environmentOptions, regionListOption, backupOptions) as never,
    handler: async (argv) => {
      const getRate = (argv as unknown as { getRate: number }).getRate;
      setCode(await runCommand(io, argv, () => factory({ getRate }), async ({ aws, logger, io: out }) => {
        if (!Number.isInteger(argv.concurrency) || argv.concurrency < 1 || argv.concurrency > 64) throw usageError(`--concurrency ${argv.concurrency} is invalid: use a whole number from 1 to 64`);
        if (!Number.isInteger(argv.parallelRegions) || argv.parallelRegions < 1) throw usageError(`--parallel-regions ${argv.parallelRegions} is invalid: use a whole number of 1 or more`);
        if (!(getRate > 0)) throw usageError(`--get-rate ${getRate} is invalid: use a number of requests per second above 0`);
        if (!argv.path.startsWith('/')) throw usageError(`--path "${argv.path}" is invalid: use an absolute parameter path such as /app`);
        const plan = await loadPlan(aws, { environment: argv.environment as string, homeRegion: homeRegionFrom(argv, io.env), regions: splitList(argv.regions) });
        for (const w of plan.warnings) logger.warn(w);
        logger.info(`Plan: regions=[${plan.regions.join(', ')}], default=${plan.defaultRegion}, environment=${plan.environment}${argv.dryRun ? ', DRY RUN' : ''}`);
        const summaryFile = argv.summaryFile ?? path.join(argv.workDir, 'region_summaries.json');
        const result = await runBackup(aws, {
          plan, path: argv.path, nameContains: argv.nameContains, dryRun: argv.dryRun, includeTags: argv.includeTags,
          concurrency: argv.concurrency, failFast: argv.failFast, parallelRegions: argv.parallelRegions, workDir: argv.workDir, summaryFile, logger,
        });
        const stats = aws.stats.snapshot();
        const peakRssMb = currentPeakRssMb();
        logger.info(`API calls: ${Object.entries(stats.calls).map(([k, v]) => `${k.replace(/Command$/, '')}=${v}`).join(' ')}; throttled attempts: ${stats.throttles}; peak RSS ${peakRssMb} MB`, { apiCalls: stats.calls, throttles: stats.throttles, peakRssMb });
        out.stdout(formatSummaryTable(result.summaries));
        return result.exitCode;
      }));
    },
  };
}
