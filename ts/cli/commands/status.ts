import { writeFileSync } from 'node:fs';
import { defineCommand } from '../run-command.js';
import { globalOptions, awsOptions, environmentOptions, regionListOptions } from '../options.js';
import { homeRegionFrom } from '../home-region.js';
import { loadPlan } from '../../lib/config/index.js';
import { backupStatus, formatStatusTable, parameterChartSvg, parseDuration, statusHtml } from '../../lib/status/index.js';
import { usageError } from '../../lib/support/index.js';

export const statusOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  ...regionListOptions,
  output: {
    kind: 'choice',
    choices: ['table', 'json', 'html'] as const,
    default: 'table',
    describe: 'table (text), json ({environment, generatedAt, maxAgeHours, regions: [...]}) or html (one self-contained page, no JavaScript)',
  },
  'output-file': { kind: 'file-out', describe: 'Write the output here instead of stdout' },
  'max-age': {
    kind: 'string',
    default: '26h',
    describe: 'A region whose latest accepted archive is older than this is STALE (m, h or d: 90m, 26h, 2d)',
  },
  last: { kind: 'integer', default: 14, min: 1, max: 1000, describe: 'Archives per region whose parameter count is read (one HeadObject each)' },
  chart: { kind: 'file-out', describe: 'Also write an SVG chart of the parameter count per region over those archives here' },
} as const;

export const statusCommand = defineCommand({
  name: 'status',
  describe:
    "Every region's backups at a glance: latest accepted archive and its age, parameter counts, format and encryption, the oldest archive and when the lifecycle expires it, refused archives, and a verdict OK / STALE / FAILING (exit 1 unless every region is OK, 2 when the configuration cannot be read). Reads listings and object metadata only",
  options: statusOptions,
  examples: [
    ['ssm-backup status --environment prod', 'One line per region; exit 1 when a region is STALE or FAILING'],
    ['ssm-backup status --environment prod --output html --output-file status.html --chart params.svg', 'The same as a page, and the chart'],
  ],
  check: (o) => {
    if (parseDuration(o.maxAge) === undefined)
      throw usageError(`--max-age "${o.maxAge}" is invalid: use a whole number of minutes, hours or days (90m, 26h, 2d)`);
  },
  run: async ({ aws, io, logger }, o) => {
    const started = performance.now();
    const plan = await loadPlan(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), regions: o.regions, withKeys: false });
    const now = new Date();
    const maxAgeMs = parseDuration(o.maxAge) as number;
    const regions = await backupStatus(aws, { ...plan, maxAgeMs, last: o.last, now });
    const json = { environment: plan.environment, generatedAt: now.toISOString(), maxAgeHours: maxAgeMs / 3600_000, regions };
    const text =
      o.output === 'json'
        ? JSON.stringify(json, null, 2) + '\n'
        : o.output === 'html'
          ? statusHtml(plan.environment, regions, now)
          : formatStatusTable(plan.environment, regions);
    if (o.outputFile) writeFileSync(o.outputFile, text);
    else io.stdout(text);
    if (o.chart) writeFileSync(o.chart, parameterChartSvg(regions, `Parameters per archive, ${plan.environment}`));
    const calls = aws.stats.snapshot().calls;
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    logger.info(`status: ${regions.length} regions, ${total} requests in ${Math.round(performance.now() - started)} ms`, { apiCalls: calls });
    return regions.every((r) => r.verdict === 'OK') ? 0 : 1;
  },
});
