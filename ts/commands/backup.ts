import path from 'node:path';
import { loadPlan } from '../lib/plan.js';
import { runBackup, type RegionSummary } from '../lib/backup.js';
import { peakRssMb as currentPeakRssMb } from '../lib/memory.js';
import { defineCommand } from './common.js';
import { globalOptions, awsOptions, environmentOptions, regionListOptions } from './options.js';
import { homeRegionFrom } from './home-region.js';

export const backupOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  ...regionListOptions,
  path: { kind: 'parameter-path', default: '/', describe: 'Back up parameters under this path, recursively' },
  'name-contains': { kind: 'string', describe: 'Only parameters whose name contains this text (the old job\'s filter)' },
  'dry-run': { kind: 'boolean', default: false, describe: 'Collect and count, upload nothing, write no archive' },
  'include-tags': { kind: 'boolean', default: false, describe: 'Also back up each parameter\'s tags (one extra API call per parameter)' },
  concurrency: { kind: 'integer', default: 8, min: 1, max: 64, describe: 'GetParameters batches in flight per region (calls are also paced to --get-rate)' },
  'fail-fast': { kind: 'boolean', default: true, describe: 'Skip the remaining regions after the first failure (--no-fail-fast goes on)' },
  'parallel-regions': { kind: 'integer', default: 1, min: 1, max: 32, describe: 'Regions backed up at the same time (each has its own quota); fail-fast skips regions not yet started' },
  'work-dir': { kind: 'dir-out', default: './ssm-backup-work', describe: 'Where per-region summary.json files are written (never values)' },
  'summary-file': { kind: 'file-out', defaultDescription: '<work-dir>/region_summaries.json', describe: 'Region summaries JSON' },
  'require-client-encryption': { kind: 'boolean', default: false, describe: 'Refuse to run (exit 2) when a region has no backup key (/jenkins/<env>/backup/<region>/kms-key-arn); without it such a region is backed up with SSE-S3 only and a WARNING' },
  'get-rate': { kind: 'number', default: 40, min: 0.1, max: 10000, describe: 'Max SSM Get* requests/s per region (AWS default quota 40; raise it if your account has a higher throughput quota)' },
} as const;

export function formatSummaryTable(summaries: Record<string, RegionSummary>): string {
  const rows = Object.entries(summaries).map(([r, s]) => [r, s.status, String(s.parameterCount), `${s.executionTimeSec}s`, s.artifactPath ?? s.failureMessage ?? (s.dryRun ? '(dry run)' : '-')]);
  const head = ['REGION', 'STATUS', 'PARAMETERS', 'TIME', 'ARTIFACT / CAUSE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export const backupCommand = defineCommand({
  name: 'backup',
  describe: 'Back up every configured region\'s parameters into that region\'s bucket',
  options: backupOptions,
  examples: [
    ['ssm-backup backup --environment dev --dry-run', 'Collect and count every region\'s parameters; upload nothing'],
    ['ssm-backup backup --environment prod --regions us-west-2 --path /app', 'Back up /app in one region'],
    ['ssm-backup backup --environment prod --parallel-regions 3 --no-fail-fast', 'Three regions side by side, go on after a failure'],
  ],
  clientOptions: (o) => ({ getRate: o.getRate }),
  run: async ({ aws, logger, io }, o) => {
    const plan = await loadPlan(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), regions: o.regions });
    for (const w of plan.warnings) logger.warn(w);
    logger.info(`Plan: regions=[${plan.regions.join(', ')}], default=${plan.defaultRegion}, environment=${plan.environment}${o.dryRun ? ', DRY RUN' : ''}`);
    const result = await runBackup(aws, {
      plan, path: o.path, nameContains: o.nameContains, dryRun: o.dryRun, includeTags: o.includeTags, concurrency: o.concurrency,
      failFast: o.failFast, requireClientEncryption: o.requireClientEncryption, parallelRegions: o.parallelRegions, workDir: o.workDir, summaryFile: o.summaryFile ?? path.join(o.workDir, 'region_summaries.json'), logger,
    });
    const stats = aws.stats.snapshot();
    const peakRssMb = currentPeakRssMb();
    logger.info(`API calls: ${Object.entries(stats.calls).map(([k, v]) => `${k.replace(/Command$/, '')}=${v}`).join(' ')}; throttled attempts: ${stats.throttles}; peak RSS ${peakRssMb} MB`, { apiCalls: stats.calls, throttles: stats.throttles, peakRssMb });
    io.stdout(formatSummaryTable(result.summaries));
    return result.exitCode;
  },
});
