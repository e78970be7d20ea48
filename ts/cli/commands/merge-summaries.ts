import { BACKUP_SUMMARY_FILE } from '../../contract/index.js';
import { mergeSummaryFragments } from '../../lib/backup/index.js';
import { renderBackupReport } from '../../lib/report/index.js';
import { FAILED_STATUSES } from '../../lib/backup/index.js';
import { defineCommand } from '../run-command.js';
import { globalOptions } from '../options.js';

export const mergeSummariesOptions = {
  ...globalOptions,
  fragments: {
    kind: 'list',
    required: true,
    describe: 'Comma-separated summary fragments written by backup --summary-fragment (one per Jenkins branch), merged in this order',
  },
  'summary-file': { kind: 'file-out', default: BACKUP_SUMMARY_FILE, describe: 'The one summary file to merge them into (created when missing)' },
} as const;

export const mergeSummariesCommand = defineCommand({
  name: 'merge-summaries',
  describe:
    'Merge the summary fragments of parallel backup branches (each on its own agent) into the one summary file; exit 1 when a merged unit failed, 2 when two fragments hold the same unit',
  options: mergeSummariesOptions,
  examples: [['ssm-backup merge-summaries --fragments a.json,b.json --summary-file region_summaries.json', "Join two branches' fragments"]],
  run: async ({ io }, o) => {
    const merged = await mergeSummaryFragments(o.fragments, o.summaryFile);
    io.stdout(renderBackupReport(merged, {}).table + '\n');
    return Object.values(merged).some((s) => FAILED_STATUSES.includes(s.status)) ? 1 : 0;
  },
});
