import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPageDescription } from '../../../ts/lib/report/index.js';
import { exec } from '../../../ts/cli/cli.js';
import { PLOT_FILES } from '../../../ts/contract/index.js';

const BUILD = 'https://jenkins.example.com/job/backup/42/';
const CHART = `${BUILD}artifact/ssm-backup-work/report/parameters.svg`;
const PAGE = `${BUILD}artifact/ssm-backup-work/report/status.html`;
const links = [
  { label: 'chart', url: CHART },
  { label: 'status', url: PAGE },
];

describe('the build description links the status chart and page', () => {
  it('text (the default): the description, then `label: url`, readable under the plain-text formatter', () => {
    expect(buildPageDescription('OK 2/2 regions, 24 parameters', links)).to.equal(`OK 2/2 regions, 24 parameters | chart: ${CHART} | status: ${PAGE}`);
    expect(buildPageDescription('OK 2/2 regions, 24 parameters', [], 'text')).to.equal('OK 2/2 regions, 24 parameters');
  });

  it('html: the description escaped (a cause may hold <, & or quotes), then <a href> links with escaped URLs', () => {
    const html = buildPageDescription('FAILED us-west-2: <script>"x" & y', [{ label: 'chart', url: `${CHART}?a=1&b="2"` }], 'html');
    expect(html).to.equal(`FAILED us-west-2: &lt;script&gt;&quot;x&quot; &amp; y | <a href="${CHART}?a=1&amp;b=&quot;2&quot;">chart</a>`);
    expect(buildPageDescription('a < b', [], 'html')).to.equal('a &lt; b');
  });
});

describe('notify --chart-url, --status-url, --description-format', () => {
  let dir: string;
  let summary: string;
  const quiet = { stdout: () => undefined, stderr: () => undefined, env: {} };
  const report = (out: string) => JSON.parse(readFileSync(path.join(dir, out, 'report.json'), 'utf8'));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'notify-links-'));
    summary = path.join(dir, 'region_summaries.json');
    writeFileSync(summary, JSON.stringify({ 'us-east-1': { status: 'SUCCESS', parameterCount: 12, executionTimeSec: 3, archiveBytes: 900 } }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const notify = (out: string, ...extra: string[]) =>
    exec(['notify', '--summary-file', summary, '--environment', 'dev', '--out-dir', path.join(dir, out), ...extra], quiet);

  it('buildDescription ends with the links given, as text by default and as <a href> with --description-format html', async () => {
    expect(await notify('text', '--chart-url', CHART, '--status-url', PAGE)).to.equal(0);
    const text = report('text');
    expect(text.description).to.equal('OK 1/1 regions, 12 parameters');
    expect(text.buildDescription).to.equal(`OK 1/1 regions, 12 parameters | chart: ${CHART} | status: ${PAGE}`);
    expect(await notify('html', '--chart-url', CHART, '--status-url', PAGE, '--description-format', 'html')).to.equal(0);
    expect(report('html').buildDescription).to.equal(`OK 1/1 regions, 12 parameters | <a href="${CHART}">chart</a> | <a href="${PAGE}">status</a>`);
  });

  it('Slack and the email link the chart and the status page too', async () => {
    expect(await notify('links', '--chart-url', CHART, '--status-url', PAGE)).to.equal(0);
    const r = report('links');
    expect(r.links).to.deep.include.members([
      { label: 'Parameter chart', url: CHART },
      { label: 'Status page', url: PAGE },
    ]);
    expect(r.email.body).to.contain(CHART).and.to.contain(PAGE);
    expect(JSON.stringify(r.slack)).to.contain(CHART);
  });

  it('links only what it is given: the chart alone, or nothing (buildDescription = description)', async () => {
    expect(await notify('chart', '--chart-url', CHART)).to.equal(0);
    expect(report('chart').buildDescription).to.equal(`OK 1/1 regions, 12 parameters | chart: ${CHART}`);
    expect(await notify('none')).to.equal(0);
    expect(report('none').buildDescription).to.equal('OK 1/1 regions, 12 parameters');
  });

  it('names the Plot plugin CSVs it wrote (a backup), each with a title and y-axis label', async () => {
    expect(await notify('plots')).to.equal(0);
    const plots = report('plots').plots;
    expect(plots).to.deep.equal([...PLOT_FILES]);
    for (const p of plots) expect(readFileSync(path.join(dir, 'plots', p.file), 'utf8')).to.match(/^us-east-1\n/);
    expect(plots.map((p: { yaxis: string }) => p.yaxis)).to.deep.equal(['parameters', 'seconds', 'bytes']);
  });

  it('a restore report names no Plot CSV and writes none', async () => {
    const restore = path.join(dir, 'restore_summary.json');
    writeFileSync(restore, JSON.stringify({ mode: 'plan', sourceRegion: 'us-west-2', targetRegion: 'us-west-2', counts: {}, planned: {} }));
    const code = await exec(['notify', '--kind', 'restore', '--summary-file', restore, '--out-dir', path.join(dir, 'restore')], quiet);
    expect(code).to.equal(0);
    expect(report('restore').plots).to.deep.equal([]);
    expect(() => readFileSync(path.join(dir, 'restore', 'plot-parameters.csv'))).to.throw();
  });

  it('refuses a link that is not an http(s) URL (exit 2, nothing written) and an unknown format', async () => {
    for (const bad of [
      ['--chart-url', 'javascript:alert(1)'],
      ['--status-url', 'https://x/"onmouseover="a'],
      ['--description-format', 'markdown'],
    ]) {
      const errors: string[] = [];
      const code = await exec(['notify', '--summary-file', summary, '--out-dir', path.join(dir, 'bad'), ...bad], {
        ...quiet,
        stderr: (t: string) => void errors.push(t),
      });
      expect(code, bad.join(' ')).to.equal(2);
      expect(errors.join(''), bad.join(' ')).to.contain(bad[0]);
      expect(() => readFileSync(path.join(dir, 'bad', 'report.json'))).to.throw();
    }
  });
});
