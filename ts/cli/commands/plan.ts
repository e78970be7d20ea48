import { writeJsonAtomic } from '../../lib/support/index.js';
import { loadPlan } from '../../lib/config/index.js';
import { defineCommand } from '../run-command.js';
import { globalOptions, awsOptions, environmentOptions, regionListOptions } from '../options.js';
import { homeRegionFrom } from '../home-region.js';
import { configuredAccounts, checkAccountIds } from '../accounts.js';
import { prepareAccounts } from '../../lib/backup/index.js';
import { roleSessionName } from '../../lib/aws/index.js';
import { unitKey, type MultiAccountPlanFile } from '../../contract/index.js';
import { outputOption, outputFormat, jsonText, textRecords } from '../output.js';
import { alignTable } from '../../lib/report/index.js';

export const planOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  ...regionListOptions,
  accounts: { kind: 'list', describe: 'Comma-separated member accounts of /jenkins/{environment}/backup/accounts to plan (default: every listed account)' },
  'output-file': { kind: 'file-out', describe: 'Also write the plan JSON to this file (whatever --output prints)' },
  ...outputOption('json'),
} as const;

export const planCommand = defineCommand({
  name: 'plan',
  failureMessage: 'An account could not be planned: see its failure in the plan (its units fail with it)',
  describe:
    "Print the resolved plan (regions, default region, bucket per region, legacy check) as JSON; collects nothing. With an accounts parameter: each account's plan, read through its role, and the account x region units",
  options: planOptions,
  examples: [
    ['ssm-backup plan --environment dev', 'Print the plan JSON for dev, read from SSM in $AWS_REGION'],
    ['ssm-backup plan --environment prod --ssm-home-region ap-northeast-1 --output-file plan.json', 'Also save it for a later `backup --plan-file`'],
  ],
  check: (o) => {
    outputFormat(o, 'json');
    checkAccountIds(o.accounts, '--accounts');
  },
  run: async ({ aws, logger, io }, o) => {
    const accounts = await configuredAccounts(aws, o, o.accounts, '--accounts');
    if (accounts) {
      // Multi-account: each account's own plan, read through its role; `units` lists the account x region stages.
      const input = {
        environment: o.environment,
        homeRegion: homeRegionFrom(o),
        regions: o.regions,
        sessionName: roleSessionName('plan', o.environment, io.env.BUILD_TAG),
        logger,
        withKeys: true,
      };
      const targets = await prepareAccounts(aws, accounts, input);
      const out: MultiAccountPlanFile = {
        environment: o.environment,
        homeRegion: input.homeRegion,
        accounts: targets.map((t) => ({ ...t.account, ...(t.plan ? { plan: t.plan } : { failure: t.failure }) })),
        units: targets.flatMap((t) => (t.plan?.regions ?? o.regions ?? [input.homeRegion]).map((r) => unitKey(t.account.accountId, r))),
      };
      if (o.outputFile) writeJsonAtomic(o.outputFile, out);
      io.stdout(JSON.stringify(out, null, 2) + '\n');
      return targets.some((t) => t.failure) ? 1 : 0;
    }
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
