import { expect } from 'chai';
import { renderRestoreReport, buildSlackMessage, type RestoreReportSummary } from '../../../ts/lib/report/index.js';

const plan: RestoreReportSummary = {
  mode: 'plan',
  sourceRegion: 'us-west-2',
  targetRegion: 'eu-central-1',
  archive: { key: '2026-12-01/ssm-backup-prod-us-west-2-20261201_130000.tar.gz', verified: true, parameterCount: 5 },
  counts: { create: 1, update: 1, unchanged: 2, differs: 0, delete: 1 },
  writeCount: 3,
  planned: { create: ['/app/new'], update: ['/app/db/url'], delete: ['/app/old'] },
};

describe('restore notification', () => {
  it('reports a plan as PLAN (not a green SUCCESS), naming every name it would write or delete, and who started it', () => {
    const report = renderRestoreReport(plan, { environment: 'prod', startedBy: 'Jane Doe (jdoe)' });
    expect(report.result).to.equal('SUCCESS');
    expect(report.headline).to.match(/^PLAN - create=1 update=1/);
    expect(report.preview).to.equal(
      'RESTORE PLAN us-west-2 -> eu-central-1: create=1 update=1 unchanged=2 differs-not-overwritten=0 delete=1 (started by Jane Doe (jdoe))',
    );
    expect(report.table).to.match(/^STARTED BY\s+Jane Doe \(jdoe\)$/m);
    expect(report.table)
      .to.match(/^CREATE\s+\/app\/new$/m)
      .and.to.match(/^UPDATE\s+\/app\/db\/url$/m)
      .and.to.match(/^DELETE\s+\/app\/old$/m);
    const slack = buildSlackMessage(report);
    expect(slack.text).to.match(/^:clipboard: SSM restore plan prod: RESTORE PLAN/);
    expect(slack.attachments[0].color).to.equal('#439fe0');
    expect(renderRestoreReport(plan, { environment: 'prod', jobName: 'Admin_Jobs/restore', buildNumber: '7' }).email.subject).to.equal(
      '[PLAN] SSM restore plan prod - Admin_Jobs/restore #7',
    );
    expect(buildSlackMessage(renderRestoreReport(plan, { dryRun: true })).text).to.match(/^\[DRY RUN\] :clipboard: SSM restore plan: RESTORE PLAN us-west-2/);
  });

  it('an aborted apply says exactly what was written, and what was not deleted', () => {
    const aborted: RestoreReportSummary = { ...plan, mode: 'apply', created: ['/app/new'], updated: [], deleted: [], failed: [] };
    const report = renderRestoreReport(aborted, { result: 'ABORTED' });
    expect(report.description).to.equal(
      'ABORTED restore us-west-2 -> eu-central-1: written before the abort: created 1, updated 0, deleted 0 (names below and in restore_summary.json)',
    );
    expect(report.table)
      .to.match(/^CREATED\s+\/app\/new$/m)
      .and.to.match(/^NOT DELETED\s+\/app\/old$/m);
    expect(report.table).not.to.match(/^UPDATED/m);
    expect(buildSlackMessage(report).text).to.match(/^:no_entry_sign: SSM restore: ABORTED restore/);
    expect(renderRestoreReport(plan, { result: 'ABORTED' }).description).to.equal('ABORTED restore us-west-2 -> eu-central-1: nothing was written');
  });
});
