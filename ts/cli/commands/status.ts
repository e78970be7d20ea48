import { defineCommand } from '../run-command.js';
import { globalOptions, awsOptions, environmentOptions, regionListOptions } from '../options.js';
import { homeRegionFrom } from '../home-region.js';
import { checkAccountIds, configuredAccounts } from '../accounts.js';
import { loadPlan } from '../../lib/config/index.js';
import { roleSessionName } from '../../lib/aws/index.js';
import { accountsStatus, backupStatus, formatStatusTable, parameterChartSvg, parseDuration, statusHtml } from '../../lib/status/index.js';
import { usageError, writeTextAtomic } from '../../lib/support/index.js';
import { STATUS_EXIT_CODES } from '../../contract/index.js';

export const statusOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  ...regionListOptions,
  accounts: {
    kind: 'list',
    describe:
      "Comma-separated member accounts (12 digits) of /jenkins/{environment}/backup/accounts, each read through its role with its own configuration and buckets; default: every listed account (without that parameter: the caller's account only)",
  },
  output: {
    kind: 'choice',
    choices: ['table', 'json', 'html'] as const,
    default: 'table',
    describe:
      'table (text), json ({environment, generatedAt, maxAgeHours, regions: [...]}, each row with accountId in a multi-account run) or html (one self-contained page, no JavaScript)',
  },
  'output-file': { kind: 'file-out', describe: 'Write the output here instead of stdout (its directory is created)' },
  'max-age': {
    kind: 'string',
    default: '26h',
    describe: 'A region whose latest accepted archive is older than this is STALE (m, h or d: 90m, 26h, 2d)',
  },
  last: { kind: 'integer', default: 14, min: 1, max: 1000, describe: 'Archives per region whose parameter count is read (one HeadObject each)' },
  chart: {
    kind: 'file-out',
    describe: 'Also write an SVG chart of the parameter count per region (account x region) over those archives here (its directory is created)',
  },
} as const;

export const statusCommand = defineCommand({
  name: 'status',
  failureMessage: 'A region is not OK (STALE or FAILING): see the status output, each row names its reason',
  describe:
    "Every region's backups at a glance: latest accepted archive and its age, parameter counts, format and encryption, the oldest archive and when the lifecycle expires it, refused archives, and a verdict OK / STALE / FAILING (exit 1 unless every region is OK, 2 when the configuration cannot be read). Reads listings and object metadata only",
  options: statusOptions,
  examples: [
    ['ssm-backup status --environment prod', 'One line per region; exit 1 when a region is STALE or FAILING'],
    ['ssm-backup status --environment prod --output html --output-file status.html --chart params.svg', 'The same as a page, and the chart'],
    ['ssm-backup status --environment prod --accounts 111111111111,222222222222', 'One line per account x region of two member accounts'],
  ],
  check: (o) => {
    checkAccountIds(o.accounts, '--accounts');
    if (parseDuration(o.maxAge) === undefined)
      throw usageError(`--max-age "${o.maxAge}" is invalid: use a whole number of minutes, hours or days (90m, 26h, 2d)`);
  },
  run: async ({ aws, io, logger }, o) => {
    const started = performance.now();
    const { environment } = o;
    const homeRegion = homeRegionFrom(o);
    const now = new Date();
    const maxAgeMs = parseDuration(o.maxAge) as number;
    const view = { maxAgeMs, last: o.last, now };
    // Accounts as backup opens them (configuredAccounts, then lib/backup prepareAccounts inside accountsStatus).
    const accounts = await configuredAccounts(aws, o, o.accounts, '--accounts');
    const sessionName = roleSessionName('status', environment, io.env.BUILD_TAG);
    const regions = accounts
      ? await accountsStatus(aws, accounts, { environment, homeRegion, regions: o.regions, sessionName, logger }, view)
      : await backupStatus(aws, { ...(await loadPlan(aws, { environment, homeRegion, regions: o.regions, withKeys: false })), ...view });
    const json = { environment, generatedAt: now.toISOString(), maxAgeHours: maxAgeMs / 3600_000, regions };
    const text =
      o.output === 'json'
        ? JSON.stringify(json, null, 2) + '\n'
        : o.output === 'html'
          ? statusHtml(environment, regions, now)
          : formatStatusTable(environment, regions);
    if (o.outputFile) writeTextAtomic(o.outputFile, text);
    else io.stdout(text);
    if (o.chart) writeTextAtomic(o.chart, parameterChartSvg(regions, `Parameters per archive, ${environment}`));
    const calls = aws.stats.snapshot().calls;
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    logger.info(
      `status: ${regions.length} ${accounts ? 'account x region units' : 'regions'}, ${total} requests in ${Math.round(performance.now() - started)} ms`,
      { apiCalls: calls },
    );
    return regions.every((r) => r.verdict === 'OK') ? STATUS_EXIT_CODES.ok : STATUS_EXIT_CODES.notOk;
  },
});
