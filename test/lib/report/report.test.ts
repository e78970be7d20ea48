import { expect } from 'chai';
import {
  renderBackupReport,
  backupResult,
  formatDuration,
  formatBytes,
  formatDrift,
  alignTable,
  escapeMrkdwn,
  type RegionReport,
} from '../../../ts/lib/report/backup.js';
import { renderRestoreReport, type RestoreReportSummary } from '../../../ts/lib/report/restore.js';
import { junitXml, escapeXml } from '../../../ts/lib/report/junit.js';

const ok = (count: number, extra: Partial<RegionReport> = {}): RegionReport => ({
  status: 'SUCCESS',
  parameterCount: count,
  executionTimeSec: 61.4,
  artifactPath: `s3://b/2026-11-28/a-${count}.tar.gz`,
  archiveBytes: 1536,
  ...extra,
});
const three = { 'ap-northeast-1': ok(12000), 'us-west-2': ok(300), 'eu-west-1': ok(45) };
const context = { environment: 'dev', jobName: 'Admin_Jobs/ssm-multi-region-backup', buildNumber: '42', buildUrl: 'https://j/42/' };

describe('report: backup', () => {
  it('describes a success with totals', () => {
    const report = renderBackupReport(three, context);
    expect(report.result).to.equal('SUCCESS');
    expect(report.description).to.equal('OK 3/3 regions, 12,345 parameters');
    expect(report.email.subject).to.equal('[OK] SSM backup dev - Admin_Jobs/ssm-multi-region-backup #42');
  });

  it('says "not compared" and why, never "no change", when the previous archive could not be compared', () => {
    const notCompared = {
      previousArchive: 's3://b/old.tar.gz',
      previousCount: 300,
      comparedWith: 'count' as const,
      added: null,
      removed: null,
      changed: null,
      notComparedReason: 'it has no name index',
    };
    expect(formatDrift(notCompared)).to.equal('not compared: it has no name index');
    // A summary from before notComparedReason existed: null counts are still not "no change".
    expect(formatDrift({ ...notCompared, notComparedReason: undefined })).to.equal('not compared: the previous archive could not be compared');
    expect(formatDrift({ added: 0, removed: 0, changed: 0, comparedWith: 'index' })).to.equal('no change');
    const report = renderBackupReport({ 'us-west-2': ok(300, { drift: notCompared }) }, context);
    expect(report.table).to.contain('not compared: it has no name index').and.not.contain('no change');
    expect(report.slackLines.join('\n')).to.contain('300 parameters (previous backup not compared: it has no name index)');
    expect(junitXml({ 'us-west-2': ok(300, { drift: notCompared }) }, {})).to.contain('change=not compared: it has no name index (previous 300)');
  });

  it('describes a failure by its first failed region and cause', () => {
    const report = renderBackupReport(
      { ...three, 'us-west-2': { status: 'FAILED', failureMessage: 'AccessDenied: not authorized\nmore', failureCategory: 'aws' } },
      context,
    );
    expect(report.result).to.equal('FAILURE');
    expect(report.description).to.equal('FAILED us-west-2: AccessDenied: not authorized');
    expect(report.cause).to.equal(undefined);
  });

  it('names a timed-out region and counts further failures', () => {
    const summaries = { a: { status: 'TIMED_OUT', failureMessage: 'stopped at the 10m deadline' }, b: { status: 'FAILED', failureMessage: 'x' } };
    expect(renderBackupReport(summaries, {}).description).to.equal('TIMED_OUT a (+1 more region(s) failed): stopped at the 10m deadline');
  });

  it('is UNSTABLE when a region succeeded with warnings, and lists them', () => {
    const report = renderBackupReport({ ...three, 'us-west-2': ok(300, { warnings: ['legacy bucket differs'], vanished: ['/app/x'] }) }, context);
    expect(report.result).to.equal('UNSTABLE');
    expect(report.description).to.equal('UNSTABLE 3/3 regions, 12,345 parameters, warnings in us-west-2');
    expect(report.notes).to.deep.equal(['WARNING us-west-2: legacy bucket differs', 'us-west-2: 1 parameter(s) deleted while the backup ran: /app/x']);
  });

  it('marks dry runs in the description and the email subject', () => {
    const report = renderBackupReport({ 'us-west-2': ok(3, { dryRun: true, artifactPath: null }) }, context);
    expect(report.description).to.equal('DRY RUN OK 1/1 regions, 3 parameters');
    expect(report.email.subject).to.equal('[DRY RUN] [OK] SSM backup dev - Admin_Jobs/ssm-multi-region-backup #42');
    expect(report.table).to.contain('dry run: nothing uploaded');
  });

  it("takes the worse of the summary and the caller's result; an unknown status is a failure", () => {
    expect(backupResult(three, { result: 'ABORTED' })).to.equal('ABORTED');
    expect(backupResult(three, { result: 'SUCCESS' })).to.equal('SUCCESS');
    expect(backupResult({ a: { status: 'RUNNING' } }, {})).to.equal('FAILURE');
    expect(backupResult({}, {})).to.equal('FAILURE');
    expect(backupResult({ a: ok(1), b: { status: 'SKIPPED', failureMessage: 'skipped' } }, {})).to.equal('FAILURE');
    expect(renderBackupReport({}, {}).description).to.equal('FAILED: no region ran');
    expect(
      renderBackupReport({ a: ok(1), b: { status: 'SKIPPED', failureMessage: 'not started: the build was aborted' } }, { result: 'ABORTED' }).description,
    ).to.equal('ABORTED 1/2 regions, 1 parameters');
    // The others are counted by what they are: an aborted unit is not called failed.
    const mixed = {
      a: { status: 'FAILED', failureMessage: 'AccessDenied' },
      b: { status: 'ABORTED', failureMessage: 'aborted' },
      c: { status: 'TIMED_OUT', failureMessage: 'deadline' },
      d: { status: 'ABORTED', failureMessage: 'aborted' },
    };
    expect(renderBackupReport(mixed, { result: 'ABORTED' }).description).to.equal('FAILED a (+3 more region(s): 2 ABORTED, 1 TIMED_OUT): AccessDenied');
    expect(renderBackupReport({ a: mixed.a, c: mixed.c }, {}).description).to.equal('FAILED a (+1 more region(s) failed): AccessDenied');
  });

  it('aligns the table: numbers right, the last column free', () => {
    const report = renderBackupReport(
      { 'ap-northeast-1': ok(12000, { drift: { added: 3, removed: 1, changed: 2 } }), 'us-west-2': { status: 'SKIPPED', failureMessage: 'not started' } },
      {},
    );
    expect(report.table.split('\n')).to.deep.equal([
      'REGION          STATUS   PARAMETERS  CHANGE    TIME   ARCHIVE / CAUSE',
      'ap-northeast-1  SUCCESS      12,000  +3 -1 ~2  1m 1s  s3://b/2026-11-28/a-12000.tar.gz (1.5 KiB)',
      'us-west-2       SKIPPED           -                   not started',
    ]);
  });

  it('writes a plain-text email with the cause once and aligned links', () => {
    const report = renderBackupReport(
      {},
      { ...context, failureMessage: 'Initialize failed: no region-list', summaryUrl: 'https://j/42/artifact/s.json', runbookUrl: 'https://r' },
    );
    expect(report.email.body).to.equal(
      [
        'SSM backup dev: FAILURE - 0/0 regions, 0 parameters',
        'Cause: Initialize failed: no region-list',
        '',
        '(no region ran)',
        '',
        'Admin_Jobs/ssm-multi-region-backup #42:  https://j/42/',
        'region_summaries.json:                   https://j/42/artifact/s.json',
        'Runbook:                                 https://r',
        '',
      ].join('\n'),
    );
  });

  it('formats durations, sizes, drift and tables', () => {
    expect([formatDuration(252.32), formatDuration(5), formatDuration(3725), formatDuration(3600), formatDuration(undefined)]).to.deep.equal([
      '4m 12s',
      '5s',
      '1h 2m 5s',
      '1h',
      undefined,
    ]);
    expect([formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 * 1024)]).to.deep.equal(['512 B', '1.5 KiB', '5.0 MiB']);
    expect([formatDrift({ added: 0, removed: 0, changed: 0 }), formatDrift(undefined)]).to.deep.equal(['no change', undefined]);
    expect(
      alignTable(
        ['A', 'N'],
        [
          ['x', '1'],
          ['yy', '22'],
        ],
        [1],
      ),
    ).to.equal('A    N\nx    1\nyy  22');
    expect(escapeMrkdwn('<a&b>')).to.equal('&lt;a&amp;b&gt;');
  });
});

describe('report: JUnit XML', () => {
  const summaries: Record<string, RegionReport> = {
    'ap-northeast-1': ok(12, { drift: { added: 1, removed: 0, changed: 2, previousCount: 11 } }),
    'us-west-2': {
      status: 'FAILED',
      parameterCount: 0,
      executionTimeSec: 0.5,
      failureMessage: 'Refusing to shrink: 3 < 50% of 12 <"prev">',
      failureCategory: 'guard',
    },
    'eu-west-1': { status: 'TIMED_OUT', parameterCount: 0, executionTimeSec: 600, failureMessage: 'stopped at the 10m deadline' },
    'eu-central-1': { status: 'SKIPPED', parameterCount: 0, failureMessage: 'not started: us-west-2 failed (fail-fast)' },
  };

  it('has one test case per region: failure for FAILED and TIMED_OUT, skipped for SKIPPED, counts in system-out', () => {
    const xml = junitXml(summaries, { environment: 'dev' });
    expect(xml).to.contain('<testsuite name="ssm-backup.dev" tests="4" failures="2" errors="0" skipped="1" time="661.900">');
    expect(xml).to.contain(
      '<testcase classname="ssm-backup.dev" name="ap-northeast-1" time="61.400">\n      <system-out>status=SUCCESS\nparameters=12\nchange=+1 -0 ~2 (previous 11)\nartifact=s3://b/2026-11-28/a-12.tar.gz\narchiveBytes=1536</system-out>',
    );
    expect(xml).to.contain(
      '<failure type="FAILED" message="Refusing to shrink: 3 &lt; 50% of 12 &lt;&quot;prev&quot;&gt;">category: guard\nRefusing to shrink',
    );
    expect(xml).to.contain(
      '<testcase classname="ssm-backup.dev" name="eu-west-1" time="600.000">\n      <failure type="TIMED_OUT" message="stopped at the 10m deadline">',
    );
    expect(xml).to.contain(
      '<testcase classname="ssm-backup.dev" name="eu-central-1" time="0.000">\n      <skipped message="not started: us-west-2 failed (fail-fast)"/>',
    );
    expect(xml.match(/<testcase /g)).to.have.length(4);
  });

  it('names a dry run in the suite and each case output; keeps the case identity for trends', () => {
    const xml = junitXml({ 'us-west-2': ok(3, { dryRun: true, artifactPath: null, archiveBytes: undefined }) }, { environment: 'dev', dryRun: true });
    expect(xml).to.contain('<testsuite name="ssm-backup.dev (dry run)" tests="1" failures="0" errors="0" skipped="0"');
    expect(xml).to.contain('<testcase classname="ssm-backup.dev" name="us-west-2"');
    expect(xml).to.contain('dryRun=true (nothing uploaded)');
  });

  it('escapes markup and drops characters XML cannot hold', () => {
    expect(escapeXml('a<b>&"c\'\u0001')).to.equal('a&lt;b&gt;&amp;&quot;c&apos;');
  });
});

describe('report: restore', () => {
  const plan: RestoreReportSummary = {
    mode: 'plan',
    sourceRegion: 'us-west-2',
    targetRegion: 'eu-central-1',
    archive: { key: '2026-11-28/a.tar.gz', verified: true, parameterCount: 3 },
    counts: { create: 1, update: 0, unchanged: 1, differs: 1 },
    created: [],
    updated: [],
    failed: [],
  };

  it('summarises the plan and what comes next', () => {
    const report = renderRestoreReport(plan, { environment: 'prod' });
    expect(report.title).to.equal('SSM restore plan prod');
    expect(report.description).to.equal('RESTORE PLAN us-west-2 -> eu-central-1: create=1 update=0 unchanged=1 differs-not-overwritten=1');
    expect(report.table).to.contain('NEXT     apply pending').and.contain('ARCHIVE  2026-11-28/a.tar.gz (verified, 3 parameters)');
    expect(renderRestoreReport(plan, { dryRun: true }).email.subject).to.equal('[DRY RUN] [PLAN] SSM restore plan');
  });

  it("shows the summary's notes and kept-aside names before approval, bounded, in the console and the email", () => {
    const notes = Array.from({ length: 12 }, (_, i) => `/app/p${i}: DataType aws:new-type is not one this SDK knows`);
    const report = renderRestoreReport({ ...plan, notes, keptAside: ['/jenkins/prod/backup/region-list'] }, { environment: 'prod' });
    expect(report.notes).to.have.length(11);
    expect(report.notes[0]).to.equal('NOTE /app/p0: DataType aws:new-type is not one this SDK knows');
    expect(report.notes[10]).to.equal('... and 3 more (see restore_summary.json)');
    expect(renderRestoreReport({ ...plan, notes: [], keptAside: ['/jenkins/prod/backup/region-list'] }, {}).notes).to.deep.equal([
      "KEPT ASIDE (the tool's own configuration, not written): /jenkins/prod/backup/region-list",
    ]);
    expect(report.email.body).to.contain('NOTE /app/p0');
    expect(renderRestoreReport(plan, {}).notes).to.deep.equal([]);
  });

  it('names both accounts of a cross-account restore in the description and the table', () => {
    const report = renderRestoreReport({ ...plan, sourceAccountId: '111111111111', targetAccountId: '222222222222' }, { environment: 'prod' });
    expect(report.description).to.match(/^RESTORE PLAN 111111111111 us-west-2 -> 222222222222 eu-central-1: create=1/);
    expect(report.table).to.contain('FROM     111111111111 us-west-2').and.contain('INTO     222222222222 eu-central-1');
  });

  it('reports what was applied, and failed parameters by name once', () => {
    const applied = renderRestoreReport({ ...plan, mode: 'apply', created: ['/app/a'] }, {});
    expect(applied.description).to.equal('RESTORED us-west-2 -> eu-central-1: created 1, updated 0');
    const failed = renderRestoreReport(
      { ...plan, mode: 'apply', failed: [{ name: '/app/a', error: 'AccessDeniedException: no' }] },
      { failureMessage: 'Restore apply failed: One or more regions failed' },
    );
    expect(failed.result).to.equal('FAILURE');
    expect(failed.description).to.equal('FAILED restore us-west-2 -> eu-central-1: 1 parameter(s) failed, first /app/a: AccessDeniedException: no');
    expect(failed.cause).to.equal(undefined);
    expect(failed.slackLines).to.contain('*failed:* /app/a  AccessDeniedException: no');
  });

  it('counts a prune-only plan as writes: apply pending, deletions listed', () => {
    const pruneOnly: RestoreReportSummary = {
      ...plan,
      counts: { create: 0, update: 0, unchanged: 2, differs: 0, delete: 2 },
      writeCount: 2,
      planned: { delete: ['/app/gone1', '/app/gone2'] },
    };
    const report = renderRestoreReport(pruneOnly, { environment: 'prod' });
    expect(report.description).to.equal('RESTORE PLAN us-west-2 -> eu-central-1: create=0 update=0 unchanged=2 differs-not-overwritten=0 delete=2');
    expect(report.table).to.contain('NEXT     apply pending').and.contain('DELETE   /app/gone1').and.contain('DELETE   /app/gone2');
    expect(report.table).to.not.contain('nothing to write');
    // Without writeCount (an older summary) the planned deletions still count.
    expect(renderRestoreReport({ ...pruneOnly, writeCount: undefined }, {}).table).to.contain('apply pending');
    const nothing = renderRestoreReport({ ...plan, counts: { create: 0, update: 0, unchanged: 3 }, writeCount: 0 }, {});
    expect(nothing.table).to.contain('nothing to write');
  });

  it('reports a plan that failed before writing a summary', () => {
    const report = renderRestoreReport(undefined, { environment: 'dev', failureMessage: 'Restore plan failed: KMS key alias/x does not exist' });
    expect(report.description).to.equal('FAILED restore: Restore plan failed: KMS key alias/x does not exist');
    expect(report.cause).to.equal('Restore plan failed: KMS key alias/x does not exist');
  });
});

describe('backup report of a multi-account summary (grouped by account)', () => {
  const unit = (accountId: string, region: string, status: string, extra: Record<string, unknown> = {}) => ({
    [`${accountId}/${region}`]: {
      status,
      accountId,
      region,
      parameterCount: status === 'SUCCESS' ? 20576 : 0,
      artifactPath: status === 'SUCCESS' ? `s3://b-${accountId}/k.tar.gz` : null,
      executionTimeSec: 12,
      ...extra,
    },
  });
  const ok = {
    ...unit('111111111111', 'us-west-2', 'SUCCESS'),
    ...unit('111111111111', 'eu-central-1', 'SUCCESS'),
    ...unit('222222222222', 'us-west-2', 'SUCCESS'),
    ...unit('222222222222', 'eu-central-1', 'SUCCESS'),
    ...unit('333333333333', 'us-west-2', 'SUCCESS'),
    ...unit('333333333333', 'eu-central-1', 'SUCCESS', { parameterCount: 20576 }),
  };

  it('counts units and accounts in the headline and description; the table has an ACCOUNT column', () => {
    const r = renderBackupReport(ok, { environment: 'prod' });
    expect(r.description).to.equal('OK 6/6 units in 3 accounts, 123,456 parameters');
    expect(r.table.split('\n')[0]).to.match(/^ACCOUNT\s+REGION\s+STATUS\s+PARAMETERS/);
    expect(r.table).to.match(/\n222222222222\s+eu-central-1\s+SUCCESS\s+20,576/);
    expect(r.slackLines[2]).to.contain('`222222222222 us-west-2` *SUCCESS*');
  });

  it('names the failed unit by account and region; JUnit has one class per account', () => {
    const failed = {
      ...ok,
      ...unit('222222222222', 'us-west-2', 'FAILED', { failureMessage: 'Could not assume arn:aws:iam::222222222222:role/r: AccessDenied' }),
    };
    const r = renderBackupReport(failed, { environment: 'prod' });
    expect(r.description).to.equal('FAILED 222222222222 us-west-2: Could not assume arn:aws:iam::222222222222:role/r: AccessDenied');
    expect(r.headline).to.match(/^FAILURE - 5\/6 units in 3 accounts/);
    const xml = junitXml(failed, { environment: 'prod' });
    expect(xml).to.contain('<testcase classname="ssm-backup.prod.222222222222" name="us-west-2"');
    expect(xml).to.contain('<testcase classname="ssm-backup.prod.111111111111" name="eu-central-1"');
  });

  it('keeps the single-account report as it was (regions, no ACCOUNT column)', () => {
    const r = renderBackupReport({ 'us-west-2': { status: 'SUCCESS', parameterCount: 3, artifactPath: 's3://b/k', executionTimeSec: 1 } }, {});
    expect(r.description).to.equal('OK 1/1 regions, 3 parameters');
    expect(r.table.split('\n')[0]).to.match(/^REGION\s+STATUS/);
  });
});
