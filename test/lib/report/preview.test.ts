import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderBackupReport, stepWording, plotCsvs, buildSlackMessage, type RegionReport } from '../../../ts/lib/report/index.js';
import { exec } from '../../../ts/cli/cli.js';

const ok = (n: number): RegionReport => ({ status: 'SUCCESS', parameterCount: n, executionTimeSec: 12.5, archiveBytes: n * 100 });
const firstDrift = { previousArchive: null, previousCount: null, comparedWith: 'nothing' as const, added: 7, removed: 0, changed: 0 };

describe('what the on-call reads first', () => {
  it('a failed region: its name, its cause in a few words and when it last backed up successfully', () => {
    const cause = 'Parameter count fell from 120 to 3 (-97.5%, more than --max-shrink 10%): /app/a, /app/b. The new archive is kept. ' + 'x'.repeat(200);
    const summaries = {
      'us-east-1': ok(5),
      'us-west-2': { status: 'FAILED', parameterCount: 3, failureMessage: cause, lastSuccessAt: '2026-12-03T02:00:07.000Z' },
      'eu-west-1': { status: 'TIMED_OUT', parameterCount: 0, failureMessage: 'Stopped at the region deadline', lastSuccessAt: null },
    };
    const preview = renderBackupReport(summaries, { environment: 'prod' }).preview!;
    // The first sentence whole (a guard refusal's holds its fix), never the details after it.
    expect(preview).to.equal(
      'FAILED us-west-2 (+1 more): Parameter count fell from 120 to 3 (-97.5%, more than --max-shrink 10%): /app/a, /app/b.; last success 2026-12-03 02:00 UTC',
    );
    // A cause without a short first sentence is clipped.
    const long = renderBackupReport({ 'us-west-2': { ...summaries['us-west-2'], failureMessage: 'y'.repeat(300) } }, {}).preview!;
    expect(long).to.match(/^FAILED us-west-2: y{90,}…; last success 2026-12-03 02:00 UTC$/);
    expect(long.length).to.be.below(160);
    const timedOut = renderBackupReport({ 'eu-west-1': summaries['eu-west-1'] }, {}).preview;
    expect(timedOut).to.equal('TIMED OUT eu-west-1: Stopped at the region deadline; last success never');
    expect(buildSlackMessage(renderBackupReport(summaries, { environment: 'prod' })).text).to.equal(`:x: SSM backup prod: ${preview}`);
  });

  it('an UNSTABLE run names its first warning and region; a clean one keeps result and totals', () => {
    const warned = { ...ok(4), warnings: ['CloudWatch metrics not put (AccessDenied: no)', 'second'] };
    expect(renderBackupReport({ 'us-east-1': ok(5), 'us-west-2': warned }, {}).preview).to.equal(
      'UNSTABLE us-west-2: CloudWatch metrics not put (AccessDenied: no)',
    );
    expect(renderBackupReport({ 'us-east-1': ok(5) }, {}).preview).to.equal('SUCCESS - 1/1 regions, 5 parameters');
  });

  it('a first backup says "first backup", not "+N since the previous"', () => {
    const report = renderBackupReport({ 'us-east-1': { ...ok(7), drift: firstDrift } }, {});
    expect(report.slackLines[0]).to.contain('7 parameters (first backup)').and.not.to.contain('since the previous');
    expect(report.table).to.match(/us-east-1\s+SUCCESS\s+7\s+first backup/);
    const second = renderBackupReport(
      { 'us-east-1': { ...ok(8), drift: { ...firstDrift, previousArchive: 'k', previousCount: 7, comparedWith: 'index', added: 1 } } },
      {},
    );
    expect(second.slackLines[0]).to.contain('(+1 -0 ~0 since the previous backup)');
  });

  it("Jenkins messages name the step's options, not CLI flags", () => {
    expect(stepWording('not started: us-west-2 failed (fail-fast; --no-fail-fast backs up every region)')).to.equal(
      'not started: us-west-2 failed (fail-fast; failFast: false backs up every region)',
    );
    expect(stepWording('run again with --allow-shrink (or a higher --max-shrink); --allow-empty; --path /x')).to.equal(
      'run again with allowShrink: true (or a higher maxShrink); allowEmpty: true; path /x',
    );
    const summaries = {
      'us-east-1': { status: 'FAILED', failureMessage: 'If the removals are intended, run again with --allow-shrink', lastSuccessAt: null },
      'us-west-2': { status: 'SKIPPED', failureMessage: 'not started: us-east-1 failed (fail-fast; --no-fail-fast backs up every region)' },
    };
    const step = renderBackupReport(summaries, { stepOptionNames: true });
    expect(JSON.stringify(step))
      .to.contain('allowShrink: true')
      .and.contain('failFast: false')
      .and.not.match(/--[a-z]/);
    expect(JSON.stringify(renderBackupReport(summaries, {}))).to.contain('--allow-shrink');
  });

  it("writes one CSV per measure for Jenkins' Plot plugin: regions as series, this build's values (none for a failure)", () => {
    const csv = plotCsvs({ 'us-east-1': ok(5), 'us-west-2': { status: 'FAILED', parameterCount: 0, executionTimeSec: 3 }, 'eu-west-1': ok(9) });
    expect(csv).to.deep.equal({
      'plot-parameters.csv': 'us-east-1,us-west-2,eu-west-1\n5,,9\n',
      'plot-duration-seconds.csv': 'us-east-1,us-west-2,eu-west-1\n12.5,,12.5\n',
      'plot-archive-bytes.csv': 'us-east-1,us-west-2,eu-west-1\n500,,900\n',
    });
  });

  it('notify --out-dir writes the CSVs, and uses step option names under Jenkins (JENKINS_URL)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'notify-plot-'));
    try {
      const file = path.join(dir, 'region_summaries.json');
      writeFileSync(file, JSON.stringify({ 'us-east-1': { ...ok(5), warnings: ['run with --include-labels'] } }));
      const run = (env: NodeJS.ProcessEnv, out: string) =>
        exec(['notify', '--summary-file', file, '--environment', 'dev', '--out-dir', path.join(dir, out)], {
          stdout: () => undefined,
          stderr: () => undefined,
          env,
        });
      expect(await run({ JENKINS_URL: 'https://jenkins.example.com/' }, 'j')).to.equal(0);
      expect(readFileSync(path.join(dir, 'j', 'plot-parameters.csv'), 'utf8')).to.equal('us-east-1\n5\n');
      expect(JSON.parse(readFileSync(path.join(dir, 'j', 'report.json'), 'utf8')).preview).to.equal('UNSTABLE us-east-1: run with includeLabels: true');
      expect(await run({}, 'c')).to.equal(0);
      expect(JSON.parse(readFileSync(path.join(dir, 'c', 'report.json'), 'utf8')).preview).to.equal('UNSTABLE us-east-1: run with --include-labels');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
