import { BACKUP_SUMMARY_FILE } from '../../contract/index.js';
import path from 'node:path';
import { loadPlan, type PlanWithKeys } from '../../lib/config/index.js';
import { runBackup, runAccountsBackup, readPlanFile, isAccountsPlan, type BackupOptions, type PlannedAccount } from '../../lib/backup/index.js';
import { selectAccounts } from '../../lib/config/index.js';
import { roleSessionName } from '../../lib/aws/index.js';
import { checkAccountIds, configuredAccounts } from '../accounts.js';
import { renderBackupReport, formatDrift, type RegionReport } from '../../lib/report/index.js';
import { peakRssMb as currentPeakRssMb, usageError } from '../../lib/support/index.js';
import { defineCommand } from '../run-command.js';
import { globalOptions, awsOptions, environmentOptions, regionListOptions } from '../options.js';
import { homeRegionFrom } from '../home-region.js';
import { outputOption, outputFormat, jsonText, textRecords } from '../output.js';

export const backupOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  environment: {
    ...environmentOptions.environment,
    required: false,
    describe:
      'Environment name: 1-32 of a-z, 0-9 and single -, starting and ending with a letter or digit (reads /jenkins/{environment}/backup/...); required unless --plan-file gives it',
  },
  'plan-file': {
    kind: 'file-in',
    describe: 'Use this plan (written by plan --output-file) instead of reading the configuration again; the Jenkins step plans once per build',
  },
  ...regionListOptions,
  accounts: {
    kind: 'list',
    describe:
      'Comma-separated member accounts (12 digits) of /jenkins/{environment}/backup/accounts to back up; default: every listed account (without that parameter the run is single-account)',
  },
  'summary-fragment': {
    kind: 'file-out',
    describe: "Also write this run's own summary entries, alone, to this file (a Jenkins branch on another agent; merge-summaries joins them)",
  },
  path: { kind: 'parameter-path', default: '/', describe: 'Back up parameters under this path, recursively' },
  'name-contains': { kind: 'string', describe: "Only parameters whose name contains this text (the old job's filter)" },
  'dry-run': {
    kind: 'boolean',
    default: false,
    describe:
      "Check each region as `check` does (a FAIL the backup would hit fails the region), collect and count, and report the guard's decision; upload nothing, write no archive",
  },
  'include-tags': {
    kind: 'boolean',
    default: true,
    describe: "Back up each parameter's tags, read with one Resource Groups Tagging API sweep per region (--no-include-tags skips them)",
  },
  'include-labels': {
    kind: 'boolean',
    default: false,
    describe: "Also back up the labels of each parameter's current version (one GetParameterHistory per parameter)",
  },
  'tag-rate': {
    kind: 'number',
    default: 20,
    min: 0.1,
    max: 10000,
    describe: 'Max ListTagsForResource requests/s per region, used only when the Tagging API is unavailable',
  },
  'history-rate': { kind: 'number', default: 10, min: 0.1, max: 10000, describe: 'Max GetParameterHistory requests/s per region (--include-labels)' },
  concurrency: { kind: 'integer', default: 8, min: 1, max: 64, describe: 'GetParameters batches in flight per region (calls are also paced to --get-rate)' },
  'fail-fast': { kind: 'boolean', default: true, describe: 'Skip the remaining regions after the first failure (--no-fail-fast goes on)' },
  'parallel-regions': {
    kind: 'integer',
    default: 1,
    min: 1,
    max: 32,
    describe:
      'Regions (in a multi-account run: account x region units) backed up at the same time (each has its own quota); fail-fast skips those not yet started',
  },
  ...outputOption('table'),
  'work-dir': { kind: 'dir-out', default: './ssm-backup-work', describe: 'Where per-region summary.json files are written (never values)' },
  'summary-file': { kind: 'file-out', defaultDescription: '<work-dir>/region_summaries.json', describe: 'Region summaries JSON' },
  'region-timeout': {
    kind: 'integer',
    min: 1,
    max: 86400,
    describe: 'Seconds a region may take; then its AWS work stops, nothing is moved, and it is TIMED_OUT (Jenkins passes a little less than its stage timeout)',
  },
  'max-shrink': {
    kind: 'number',
    default: 10,
    min: 0,
    max: 100,
    describe:
      'Refuse to move latest.txt when the parameter count falls by more than this percent against the previous archive (the archive is kept, the region FAILED)',
  },
  'allow-shrink': { kind: 'boolean', default: false, describe: 'Accept a fall of the parameter count beyond --max-shrink (intended removals)' },
  'guard-advice': {
    kind: 'choice',
    choices: ['cli', 'jenkins'] as const,
    default: 'cli',
    describe:
      'How a guard refusal words its fix, for where it is read: cli (--allow-shrink) or jenkins (allowShrink: true, the job parameter ALLOW_SHRINK); the Jenkins step passes jenkins',
  },
  'allow-empty': { kind: 'boolean', default: false, describe: 'Accept a selection of zero parameters (otherwise the region fails and latest.txt stays)' },
  'require-guard': {
    kind: 'boolean',
    default: false,
    describe:
      'Fail a region (latest.txt stays, the archive is kept) when the shrink guard cannot compare with the previous archive (its index or latest.txt missing, altered or not authenticated); without it that is a WARNING',
  },
  'require-client-encryption': {
    kind: 'boolean',
    default: false,
    describe:
      'Refuse to run (exit 2) when a region has no backup key (/jenkins/<env>/backup/<region>/kms-key-arn); without it such a region is backed up with SSE-S3 only and a WARNING',
  },
  metrics: {
    kind: 'boolean',
    default: true,
    describe:
      'After each region, put CloudWatch metrics (namespace SSMParameterBackup: BackupSuccess, ParameterCount, DurationSeconds, ArchiveBytes, Drift*); never in a dry run; a failed put is a WARNING (--no-metrics turns them off)',
  },
  'get-rate': {
    kind: 'number',
    default: 40,
    min: 0.1,
    max: 10000,
    describe: 'Max SSM Get* requests/s per region (AWS default quota 40; raise it if your account has a higher throughput quota)',
  },
} as const;

export const backupCommand = defineCommand({
  name: 'backup',
  describe: "Back up every configured region's parameters into that region's bucket",
  options: backupOptions,
  examples: [
    ['ssm-backup backup --environment dev --dry-run', 'Check every region, collect and count its parameters, say what the guard would decide; upload nothing'],
    ['ssm-backup backup --environment prod --regions us-west-2 --path /app', 'Back up /app in one region'],
    ['ssm-backup backup --environment prod --parallel-regions 3 --no-fail-fast', 'Three regions side by side, go on after a failure'],
    [
      'ssm-backup backup --environment prod --accounts 111111111111,222222222222 --parallel-regions 6',
      'Two member accounts of the accounts parameter, six units side by side',
    ],
    ['ssm-backup backup --environment prod --regions us-west-2 --allow-shrink', 'Accept an intended large removal (the shrink guard refused the last run)'],
  ],
  clientOptions: (o) => ({ getRate: o.getRate, tagRate: o.tagRate, historyRate: o.historyRate }),
  check: (o) => {
    outputFormat(o);
    checkAccountIds(o.accounts, '--accounts');
    if (!o.environment && !o.planFile) throw usageError('--environment is required: pass --environment <name> (for example dev), or --plan-file');
    if (o.planFile) planFileAccounts(o.planFile, o);
  },
  run: async ({ aws, logger, io }, o) => {
    const common: Omit<BackupOptions, 'plan'> = {
      path: o.path,
      nameContains: o.nameContains,
      dryRun: o.dryRun,
      includeTags: o.includeTags,
      includeLabels: o.includeLabels,
      concurrency: o.concurrency,
      failFast: o.failFast,
      parallelRegions: o.parallelRegions,
      requireClientEncryption: o.requireClientEncryption,
      guard: { maxShrink: o.maxShrink, allowShrink: o.allowShrink, allowEmpty: o.allowEmpty, advice: o.guardAdvice, requireGuard: o.requireGuard },
      workDir: o.workDir,
      summaryFile: o.summaryFile ?? path.join(o.workDir, BACKUP_SUMMARY_FILE),
      summaryFragment: o.summaryFragment,
      // A branch of a build (--summary-fragment) keeps the others' entries in --summary-file; fail-fast reads them.
      mergeSummary: Boolean(o.summaryFragment),
      logger,
      regionTimeoutSec: o.regionTimeout,
      throttles: () => aws.stats.throttles,
      metrics: o.metrics,
    };
    const handed = o.planFile ? planFileAccounts(o.planFile, o) : undefined;
    const environment = handed?.environment ?? (o.environment as string);
    const homeRegion = handed?.homeRegion ?? homeRegionFrom(o);
    const accounts = o.planFile ? handed?.accounts : await configuredAccounts(aws, { environment, ssmHomeRegion: o.ssmHomeRegion }, o.accounts, '--accounts');
    let result: { summaries: Record<string, RegionReport>; exitCode: number };
    let reportEnvironment = environment;
    if (accounts) {
      logger.info(`Accounts: ${accounts.map((a) => a.accountId).join(', ')}; environment=${environment}${o.dryRun ? ', DRY RUN' : ''}`);
      const input = {
        environment,
        homeRegion,
        regions: o.regions,
        sessionName: roleSessionName('backup', environment, io.env.BUILD_TAG),
        logger,
      };
      result = await runAccountsBackup(aws, accounts, input, common);
    } else {
      const plan = o.planFile
        ? (readPlanFile(o.planFile, o.environment) as PlanWithKeys)
        : await loadPlan(aws, { environment, homeRegion: homeRegionFrom(o), regions: o.regions });
      for (const w of plan.warnings) logger.warn(w);
      logger.info(`Plan: regions=[${plan.regions.join(', ')}], default=${plan.defaultRegion}, environment=${plan.environment}${o.dryRun ? ', DRY RUN' : ''}`);
      reportEnvironment = plan.environment;
      result = await runBackup(aws, { ...common, plan, regions: o.planFile ? o.regions : undefined, mergeSummary: Boolean(o.planFile || o.summaryFragment) });
    }
    const stats = aws.stats.snapshot();
    const peakRssMb = currentPeakRssMb();
    logger.info(
      `API calls: ${Object.entries(stats.calls)
        .map(([k, v]) => `${k.replace(/Command$/, '')}=${v}`)
        .join(' ')}; throttled attempts: ${stats.throttles}; peak RSS ${peakRssMb} MB`,
      { apiCalls: stats.calls, throttles: stats.throttles, peakRssMb },
    );
    // The same table as the Jenkins console and the email (one renderer, lib/report/backup.ts).
    const format = outputFormat(o);
    // json: the region summaries (region_summaries.json); text: `region<TAB>status<TAB>parameters<TAB>change<TAB>seconds<TAB>archive or cause`
    if (format === 'json') io.stdout(jsonText(result.summaries));
    else if (format === 'text')
      io.stdout(
        textRecords(
          Object.entries(result.summaries).map(([r, s]) => [
            r,
            s.status,
            s.parameterCount,
            formatDrift(s.drift),
            s.executionTimeSec,
            s.artifactPath ?? s.failureMessage,
          ]),
        ),
      );
    else io.stdout(renderBackupReport(result.summaries as Record<string, RegionReport>, { environment: reportEnvironment, dryRun: o.dryRun }).table + '\n');
    return result.exitCode;
  },
});

/**
 * What `--plan-file` hands a run, checked before any AWS call: `--regions` must be planned, and in a multi-account plan
 * `--accounts` must be listed in it. Returns the multi-account plan's environment, home region and selected accounts
 * (each with its plan, or why it could not be planned); undefined for one account's plan.
 */
function planFileAccounts(
  file: string,
  o: { environment?: string; accounts?: string[]; regions?: string[] },
): { environment: string; homeRegion: string; accounts: PlannedAccount[] } | undefined {
  const plan = readPlanFile(file, o.environment);
  if (!isAccountsPlan(plan)) {
    if (o.accounts) throw usageError(`--accounts needs a multi-account plan, but --plan-file ${file} is one account's: plan again, or leave --accounts out`);
    const outside = o.regions?.find((r) => !plan.regions.includes(r));
    if (outside) throw usageError(`--regions ${outside} is not in --plan-file ${file} (${plan.regions.join(', ')}): plan it first`);
    return undefined;
  }
  const accounts = selectAccounts(plan.accounts, o.accounts, '--accounts', `--plan-file ${file}`) as PlannedAccount[];
  for (const a of accounts) {
    const outside = a.plan && o.regions?.find((r) => !a.plan!.regions.includes(r));
    if (outside)
      throw usageError(
        `--regions ${outside} is not in the plan of account ${a.accountId} in --plan-file ${file} (${a.plan!.regions.join(', ')}): plan it first`,
      );
  }
  return { environment: plan.environment, homeRegion: plan.homeRegion, accounts };
}
