import { writeJsonAtomic } from '../../lib/support/index.js';
import { loadPlan } from '../../lib/config/index.js';
import { defineCommand } from '../run-command.js';
import { globalOptions, awsOptions, environmentOptions, regionListOptions } from '../options.js';
import { homeRegionFrom } from '../home-region.js';

export const planOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  ...regionListOptions,
  'output-file': { kind: 'file-out', describe: 'Also write the plan JSON to this file (stdout always gets it)' },
} as const;

export const planCommand = defineCommand({
  name: 'plan',
  describe: 'Print the resolved plan (regions, default region, bucket per region, legacy check) as JSON; collects nothing',
  options: planOptions,
  examples: [
    ['ssm-backup plan --environment dev', 'Print the plan JSON for dev, read from SSM in $AWS_REGION'],
    ['ssm-backup plan --environment prod --ssm-home-region ap-northeast-1 --output-file plan.json', 'Also save it for a later `backup --plan-file`'],
  ],
  run: async ({ aws, logger, io }, o) => {
    const plan = await loadPlan(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), regions: o.regions });
    for (const w of plan.warnings) logger.warn(w);
    if (o.outputFile) writeJsonAtomic(o.outputFile, plan);
    io.stdout(JSON.stringify(plan, null, 2) + '\n');
    return 0;
  },
});
