import { loadPlan, type PlanWithKeys } from '../../lib/config/index.js';
import { runChecks, checkExitCode, fail, type CheckResult } from '../../lib/check/index.js';
import { EngineError } from '../../lib/support/index.js';
import { defineCommand } from '../run-command.js';
import { globalOptions, awsOptions, environmentOptions, regionListOptions } from '../options.js';
import { outputOption, outputFormat, jsonText, textRecords } from '../output.js';
import { homeRegionFrom } from '../home-region.js';

export const checkOptions = { ...globalOptions, ...awsOptions, ...environmentOptions, ...regionListOptions, ...outputOption('table') } as const;

/**
 * `check`'s table: one line per check (REGION CHECK STATUS DETAIL), the fix indented under each WARN and FAIL, then the
 * counts and the process's own exit `code` (1 a check FAILed, 2 the configuration could not be read), never a guess.
 */
export function renderCheckTable(results: CheckResult[], code: number): string {
  const w = (k: 'region' | 'check') => Math.max(k.length, ...results.map((r) => r[k].length));
  const [rw, cw] = [w('region'), w('check')];
  const lines = [`${'REGION'.padEnd(rw)}  ${'CHECK'.padEnd(cw)}  STATUS  DETAIL`];
  for (const r of results) {
    lines.push(`${r.region.padEnd(rw)}  ${r.check.padEnd(cw)}  ${r.status.padEnd(6)}  ${r.detail}`);
    if (r.fix && r.status !== 'OK') lines.push(`${''.padEnd(rw + cw + 12)}fix: ${r.fix}`);
  }
  const count = (s: string) => results.filter((r) => r.status === s).length;
  lines.push(`${count('OK')} OK, ${count('WARN')} WARN, ${count('FAIL')} FAIL${code ? `: not ready (exit ${code})` : ': ready'}`);
  return lines.join('\n') + '\n';
}

export const checkCommand = defineCommand({
  name: 'check',
  describe:
    'Check a setup, read-only: per region the configuration, the bucket (region, owner, versioning, public access, policy, lifecycle, object lock), the KMS keys (a real round trip) and every permission the backup needs; exit 0 only with no FAIL',
  options: checkOptions,
  failureMessage: 'A check FAILed; see the table (each FAIL names its fix)',
  examples: [
    ['ssm-backup check --environment dev', 'A table of OK / WARN / FAIL per region and check, with the fix for each'],
    ['ssm-backup check --environment prod --regions us-west-2 --output json', 'One region, as JSON'],
  ],
  run: async ({ aws, io }, o) => {
    let plan: PlanWithKeys | undefined;
    let results: CheckResult[];
    let code: number;
    try {
      plan = await loadPlan(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), regions: o.regions });
      results = await runChecks(aws, plan);
      code = checkExitCode(results);
    } catch (err) {
      if (!(err instanceof EngineError) || err.category !== 'config') throw err;
      // The configuration cannot be read into a plan: one FAIL row, exit 2 (bad configuration), as every command.
      results = [fail(homeRegionFrom(o) ?? '-', 'configuration', err.message, 'write the configuration with the Pulumi stack (pulumi up)', true)];
      code = 2;
    }
    const format = outputFormat(o);
    if (format === 'json') io.stdout(jsonText({ environment: o.environment, ready: code === 0, results }));
    else if (format === 'text') io.stdout(textRecords(results.map((r) => [r.region, r.check, r.status, r.detail, r.fix])));
    else io.stdout(renderCheckTable(results, code));
    return code;
  },
});
