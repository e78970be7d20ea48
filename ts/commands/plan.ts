import type { CommandModule } from 'yargs';
import { writeJsonAtomic } from '../lib/files.js';
import { loadPlan } from '../lib/plan.js';
import { globalOptions, environmentOptions, regionListOption, withOptions, splitList, homeRegionFrom, runCommand, type GlobalArgs, type CliIo } from './common.js';
import type { AwsClientFactory } from '../lib/aws/clients.js';

interface PlanArgs extends GlobalArgs {
  environment?: string;
  ssmHomeRegion?: string;
  regions?: string;
  output?: string;
}

export function planCommand(io: CliIo, factory: () => AwsClientFactory, setCode: (n: number) => void): CommandModule<object, PlanArgs> {
  return {
    command: 'plan',
    describe: 'Print the resolved plan (regions, default region, bucket per region, legacy check) as JSON; collects nothing',
    builder: (y) => withOptions(y, globalOptions, environmentOptions, regionListOption, {
      output: { type: 'string', describe: 'Also write the plan JSON to this file' },
    }) as never,
    handler: async (argv) => {
      setCode(await runCommand(io, argv, factory, async ({ aws, logger }) => {
        const plan = await loadPlan(aws, { environment: argv.environment as string, homeRegion: homeRegionFrom(argv, io.env), regions: splitList(argv.regions) });
        for (const w of plan.warnings) logger.warn(w);
        const text = JSON.stringify(plan, null, 2) + '\n';
        if (argv.output) writeJsonAtomic(argv.output, plan);
        io.stdout(text);
        return 0;
      }));
    },
  };
}
