import { writeJsonAtomic } from '../../lib/support/index.js';
import { loadPlan } from '../../lib/config/index.js';
import { defineCommand } from '../run-command.js';
import { globalOptions, awsOptions, environmentOptions, regionListOptions } from '../options.js';
import { homeRegionFrom } from '../home-region.js';
import { outputOption, outputFormat, jsonText, textRecords } from '../output.js';
import { alignTable } from '../../lib/report/index.js';

export const planOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  ...regionListOptions,
  'output-file': { kind: 'file-out', describe: 'Also write the plan JSON to this file (whatever --output prints)' },
  ...outputOption('json'),
} as const;

export const planCommand = defineCommand({
  name: 'plan',
  describe: 'Print the resolved plan (regions, default region, bucket per region, legacy check) as JSON; collects nothing',
  options: planOptions,
  examples: [
    ['ssm-backup plan --environment dev', 'Print the plan JSON for dev, read from SSM in $AWS_REGION'],
    ['ssm-backup plan --environment prod --ssm-home-region ap-northeast-1 --output-file plan.json', 'Also save it for a later `backup --plan-file`'],
  ],
  check: (o) => void outputFormat(o, 'json'),
  run: async ({ aws, logger, io }, o) => {
    const plan = await loadPlan(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), regions: o.regions });
    for (const w of plan.warnings) logger.warn(w);
    if (o.outputFile) writeJsonAtomic(o.outputFile, plan);
    const rows = plan.regions.map((r) => [r, plan.buckets[r] ?? '-', plan.kmsKeys?.[r] ?? '-', r === plan.defaultRegion ? 'default' : '']);
    const format = outputFormat(o, 'json');
    if (format === 'json') io.stdout(jsonText(plan));
    else if (format === 'text') io.stdout(textRecords(rows));
    else io.stdout(`${alignTable(['REGION', 'BUCKET', 'BACKUP KEY', ''], rows)}\n${plan.warnings.map((w) => `WARNING ${w}\n`).join('')}`);
    return 0;
  },
});
