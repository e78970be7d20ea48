import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSlackMessage, postSlack } from '../../../ts/lib/report/slack.js';
import { renderBackupReport, type RegionReport, type RunContext } from '../../../ts/lib/report/backup.js';
import { exec } from '../../../ts/cli/cli.js';
import { EngineError } from '../../../ts/lib/support/errors.js';

const SECRET_PATH = '/services/T000/B000/s3cr3tT0k3n';

interface Received {
  path: string;
  body: unknown;
}

/** A stand-in Slack: answers each request with the next scripted status (default 200 "ok"). */
class FakeSlack {
  readonly received: Received[] = [];
  statuses: number[] = [];
  delayMs = 0;
  private server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      this.received.push({ path: req.url ?? '', body: JSON.parse(data) });
      const status = this.statuses.shift() ?? 200;
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'internal_error');
      }, this.delayMs);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${SECRET_PATH}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const summaries: Record<string, RegionReport> = {
  'ap-northeast-1': {
    status: 'SUCCESS',
    parameterCount: 12,
    artifactPath: 's3://bucket-a/2026-11-28/ssm-backup-dev-ap-northeast-1-20261128_130000.tar.gz',
    executionTimeSec: 252.32,
    drift: { added: 3, removed: 1, changed: 2, previousCount: 10 },
  },
  'us-west-2': { status: 'FAILED', parameterCount: 0, artifactPath: null, executionTimeSec: 0.4, failureMessage: 'Bucket definition missing for us-west-2' },
  'eu-west-1': { status: 'SKIPPED', parameterCount: 0, artifactPath: null, executionTimeSec: 0, failureMessage: 'not started: us-west-2 failed (fail-fast)' },
};
const build: RunContext = {
  environment: 'dev',
  buildUrl: 'https://jenkins.example.com/job/Admin_Jobs/job/ssm-multi-region-backup/42/',
  jobName: 'Admin_Jobs/ssm-multi-region-backup',
  buildNumber: '42',
  durationSec: 265,
  summaryUrl: 'https://jenkins.example.com/job/Admin_Jobs/job/ssm-multi-region-backup/42/artifact/ssm-backup-work/region_summaries.json',
  runbookUrl: 'https://github.com/example-org/ssm-multi-region-backup/blob/main/docs/runbooks/ssm-backup.md',
};
const failedRun = () => buildSlackMessage(renderBackupReport(summaries, build));

const allText = (m: unknown) => JSON.stringify(m);

describe('notify: Slack message', () => {
  it('has one line per region with status, count, change since the previous backup, human duration and its cause', () => {
    const regions = failedRun().attachments[0].blocks[1].text?.text ?? '';
    expect(regions.split('\n')).to.deep.equal([
      ':white_check_mark: `ap-northeast-1` *SUCCESS* · 12 parameters (+3 -1 ~2 since the previous backup) · 4m 12s',
      ':x: `us-west-2` *FAILED* · 0 parameters · 0s · Bucket definition missing for us-west-2',
      ':black_square_button: `eu-west-1` *SKIPPED* · not started: us-west-2 failed (fail-fast)',
    ]);
  });

  it('names the failed region, its cause and its last success in the preview, and the cause only once in the body', () => {
    const message = failedRun();
    expect(message.text).to.equal(':x: SSM backup dev: FAILED us-west-2: Bucket definition missing for us-west-2; last success unknown');
    expect(allText(message.attachments[0].blocks).split('Bucket definition missing for us-west-2')).to.have.length(2);
    expect(message.attachments[0].blocks.map((b) => b.type)).to.deep.equal(['section', 'section', 'context']);
  });

  it('shows a failure no region explains as the cause', () => {
    const message = buildSlackMessage(renderBackupReport({}, { ...build, failureMessage: 'Initialize failed: /jenkins/dev/backup/region-list not found' }));
    expect(message.text).to.equal(':x: SSM backup dev: FAILURE - 0/0 regions, 0 parameters in 4m 25s');
    expect(message.attachments[0].blocks[1].text?.text).to.equal('*Cause:* Initialize failed: /jenkins/dev/backup/region-list not found');
  });

  it('links the build, the summary artifact and the runbook', () => {
    const context = failedRun().attachments[0].blocks[2].elements?.[0].text;
    expect(context).to.equal(
      `<${build.buildUrl}|Admin_Jobs/ssm-multi-region-backup #42> · <${build.summaryUrl}|region_summaries.json> · <${build.runbookUrl}|Runbook>`,
    );
  });

  it('colours by result and puts [DRY RUN] first', () => {
    const colours = (['SUCCESS', 'FAILURE', 'ABORTED', 'UNSTABLE'] as const).map(
      (result) => buildSlackMessage(renderBackupReport({ a: summaries['ap-northeast-1'] }, { result })).attachments[0].color,
    );
    expect(new Set(colours).size).to.equal(4);
    const ok = buildSlackMessage(
      renderBackupReport({ 'us-west-2': { status: 'SUCCESS', parameterCount: 3, dryRun: true, executionTimeSec: 2 } }, { environment: 'prod' }),
    );
    expect(ok.text).to.equal('[DRY RUN] :white_check_mark: SSM backup prod: SUCCESS - 1/1 regions, 3 parameters');
    expect(ok.attachments[0].blocks[0].text?.text).to.match(/^\[DRY RUN\] \*SSM backup prod\*/);
  });

  it('escapes Slack control characters in causes and keeps them to one line', () => {
    const message = buildSlackMessage(
      renderBackupReport({ 'us-west-2': { status: 'FAILED', failureMessage: 'AccessDenied <arn:aws:iam::1:role/x> & more\nstack line' } }, {}),
    );
    expect(allText(message)).to.contain('AccessDenied &lt;arn:aws:iam::1:role/x&gt; &amp; more').and.not.contain('stack line');
  });

  it('lets no <!channel> or link through from a job setting or a tampered summary: preview, attachment, counts and URLs escaped', () => {
    const tampered = {
      '<!channel>': { status: 'SUCCESS', parameterCount: '<!here>', artifactPath: 's3://b/k', drift: { added: '<@U1>', removed: 0, changed: 0 } },
    };
    const report = renderBackupReport(tampered as unknown as Record<string, RegionReport>, {
      environment: 'prod <!channel>',
      jobName: 'job & <x>',
      buildUrl: 'https://j/42/?a=1&b=<!channel>|evil',
      runbookUrl: 'https://r/|<!everyone>',
    });
    const message = buildSlackMessage(report);
    const text = allText(message);
    for (const raw of ['<!channel>', '<!here>', '<@U1>', '<!everyone>', '|evil']) expect(text).to.not.contain(raw);
    expect(message.text).to.equal(':white_check_mark: SSM backup prod &lt;!channel&gt;: SUCCESS - 1/1 regions, 0&lt;!here&gt; parameters');
    expect(message.attachments[0].fallback).to.equal(message.text);
    expect(text).to.contain('&lt;!here&gt; parameters (+&lt;@U1&gt; -0 ~0 since the previous backup)');
    expect(text).to.contain('<https://j/42/?a=1&amp;b=&lt;!channel&gt;%7Cevil|job &amp; &lt;x&gt;>');
    expect(text).to.contain('<https://r/%7C&lt;!everyone&gt;|Runbook>');
  });

  it('strips CR and LF from the email subject', () => {
    const report = renderBackupReport(summaries, { environment: 'prod\r\nBcc: attacker@example.com', jobName: 'job\nX' });
    expect(report.email.subject).to.equal('[FAIL] SSM backup prod Bcc: attacker@example.com - job X');
    expect(report.email.subject).to.not.match(/[\r\n]/);
  });

  it('passes a channel override through', () => {
    expect(buildSlackMessage(renderBackupReport(summaries, build), '#ops').channel).to.equal('#ops');
    expect(failedRun().channel).to.equal(undefined);
  });
});

describe('notify: posting to the webhook', () => {
  const slack = new FakeSlack();
  before(() => slack.start());
  after(() => slack.stop());
  beforeEach(() => {
    slack.received.length = 0;
    slack.statuses = [];
    slack.delayMs = 0;
  });

  it('posts the message as JSON', async () => {
    const message = failedRun();
    await postSlack(slack.url, message);
    expect(slack.received).to.deep.equal([{ path: SECRET_PATH, body: message }]);
  });

  it('retries once on HTTP 500 and on 429', async () => {
    slack.statuses = [500];
    await postSlack(slack.url, failedRun(), { retryDelayMs: 0 });
    expect(slack.received).to.have.length(2);
    slack.statuses = [429];
    await postSlack(slack.url, failedRun(), { retryDelayMs: 0 });
    expect(slack.received).to.have.length(4);
  });

  it('gives up after the retry with an error that does not contain the URL', async () => {
    slack.statuses = [500, 503];
    const err = await postSlack(slack.url, failedRun(), { retryDelayMs: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(EngineError);
    expect((err as EngineError).message).to.equal('Slack webhook answered HTTP 503 (internal_error) after 2 attempts');
    expect((err as EngineError).category).to.equal('notify');
    expect((err as EngineError).exitCode).to.equal(1);
    expect(slack.received).to.have.length(2);
  });

  it('does not retry a 4xx answer', async () => {
    slack.statuses = [404];
    const err = (await postSlack(slack.url, failedRun()).catch((e: unknown) => e)) as Error;
    expect(err.message).to.equal('Slack webhook answered HTTP 404 (internal_error)');
    expect(slack.received).to.have.length(1);
  });

  it('times out without leaking the URL', async () => {
    slack.delayMs = 500;
    const err = (await postSlack(slack.url, failedRun(), { timeoutMs: 100 }).catch((e: unknown) => e)) as Error;
    expect(err.message).to.equal('Slack webhook request failed: no answer within 0.1 s');
  });

  it('reports an unreachable webhook without the URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}${SECRET_PATH}`;
    const err = (await postSlack(url, failedRun()).catch((e: unknown) => e)) as Error;
    expect(err.message).to.equal('Slack webhook request failed: ECONNREFUSED');
    const bad = (await postSlack(`not a url ${SECRET_PATH}`, failedRun()).catch((e: unknown) => e)) as EngineError;
    expect(bad.message).to.equal('SLACK_WEBHOOK_URL is not a valid URL');
    expect(bad.exitCode).to.equal(2);
  });
});

describe('ssm-backup notify (command)', () => {
  const slack = new FakeSlack();
  let dir: string;
  before(() => slack.start());
  after(() => slack.stop());
  beforeEach(() => {
    slack.received.length = 0;
    slack.statuses = [];
    dir = mkdtempSync(path.join(tmpdir(), 'ssm-backup-notify-'));
    writeFileSync(path.join(dir, 'region_summaries.json'), JSON.stringify(summaries));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (args: string[], env: NodeJS.ProcessEnv) => {
    let code = -1;
    let out = '';
    const io = {
      stdout: (t: string) => {
        out += t;
      },
      stderr: (t: string) => {
        out += t;
      },
      env,
    };
    code = await exec(args, io);
    return { code, out };
  };
  const args = () => [
    'notify',
    '--summary-file',
    path.join(dir, 'region_summaries.json'),
    '--environment',
    'dev',
    '--error-file',
    path.join(dir, 'error.json'),
  ];

  it('posts the summary file to the webhook from SLACK_WEBHOOK_URL', async () => {
    const { code, out } = await run(args(), { SLACK_WEBHOOK_URL: slack.url });
    expect(code).to.equal(0);
    expect(slack.received).to.have.length(1);
    expect(allText(slack.received[0].body)).to.contain('`us-west-2` *FAILED*').and.contain('Bucket definition missing for us-west-2');
    expect(out).to.contain('Slack notified').and.not.contain(SECRET_PATH);
  });

  it('exits 2 with a one-line error file when SLACK_WEBHOOK_URL is missing', async () => {
    const { code, out } = await run(args(), {});
    expect(code).to.equal(2);
    const error = JSON.parse(readFileSync(path.join(dir, 'error.json'), 'utf8'));
    expect(error).to.deep.equal({
      exitCode: 2,
      category: 'config',
      message: 'SLACK_WEBHOOK_URL is not set: bind the webhook credential to it (withCredentials string), or pass --out-dir to render only',
    });
    expect(out.trim().split('\n')).to.have.length(1);
    expect(slack.received).to.have.length(0);
  });

  it('exits 1 on an HTTP failure and never writes the URL to the log or the error file', async () => {
    slack.statuses = [500, 500];
    const { code, out } = await run(args(), { SLACK_WEBHOOK_URL: slack.url });
    expect(code).to.equal(1);
    const errorText = readFileSync(path.join(dir, 'error.json'), 'utf8');
    expect(JSON.parse(errorText)).to.include({ exitCode: 1, category: 'notify' });
    for (const text of [out, errorText]) expect(text).to.not.contain(SECRET_PATH).and.not.contain('s3cr3t');
  });

  it('refuses an unreadable summary file with a usage error', async () => {
    const bad = args();
    bad[2] = path.join(dir, 'missing.json');
    const { code } = await run(bad, { SLACK_WEBHOOK_URL: slack.url });
    expect(code).to.equal(2);
    expect(JSON.parse(readFileSync(path.join(dir, 'error.json'), 'utf8')).message).to.match(
      /^--summary-file ".*missing\.json" does not exist: give the path of an existing file/,
    );
  });
  it('with --out-dir renders report.json and junit.xml and posts nothing without a webhook', async () => {
    const out = path.join(dir, 'report');
    const { code } = await run([...args(), '--out-dir', out, '--dry-run'], {});
    expect(code).to.equal(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.result).to.equal('FAILURE');
    expect(report.description).to.equal('DRY RUN FAILED us-west-2: Bucket definition missing for us-west-2');
    expect(report.email.subject).to.equal('[DRY RUN] [FAIL] SSM backup dev');
    expect(report.slack.text).to.match(/^\[DRY RUN\] :x: SSM backup dev: FAILED us-west-2: /);
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).to.contain('<testcase classname="ssm-backup.dev" name="us-west-2"');
    expect(slack.received).to.have.length(0);
  });

  it('renders and posts the same message when both --out-dir and the webhook are given', async () => {
    const out = path.join(dir, 'report');
    const { code } = await run([...args(), '--out-dir', out], { SLACK_WEBHOOK_URL: slack.url });
    expect(code).to.equal(0);
    expect(slack.received[0].body).to.deep.equal(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')).slack);
  });

  it('renders a run without summary file from --failure-message, and refuses neither', async () => {
    const out = path.join(dir, 'report');
    const failed = await run(['notify', '--failure-message', 'Initialize failed: no region-list', '--out-dir', out, '--environment', 'dev'], {});
    expect(failed.code).to.equal(0);
    expect(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')).description).to.equal('FAILED: Initialize failed: no region-list');
    const neither = await run(['notify', '--out-dir', out, '--error-file', path.join(dir, 'error.json')], {});
    expect(neither.code).to.equal(2);
    expect(JSON.parse(readFileSync(path.join(dir, 'error.json'), 'utf8')).message).to.equal(
      '--summary-file is required unless --failure-message says why the run has none',
    );
  });

  it("--region-outcomes puts Jenkins' outcomes in place of entries that do not say what happened", async () => {
    const out = path.join(dir, 'report');
    const file = path.join(dir, 'region_summaries.json');
    writeFileSync(file, JSON.stringify({ a: summaries['ap-northeast-1'], b: { status: 'SKIPPED', failureMessage: 'not started' } }));
    const outcomes = path.join(dir, 'region_outcomes.json');
    writeFileSync(
      outcomes,
      JSON.stringify({
        b: { status: 'FAILED', failureMessage: 'the engine exited with code 2: no backup key in b' },
        c: { status: 'ABORTED', failureMessage: 'not started: the build was aborted' },
      }),
    );
    const { code } = await run(
      ['notify', '--summary-file', file, '--region-outcomes', outcomes, '--out-dir', out, '--environment', 'dev', '--result', 'ABORTED'],
      {},
    );
    expect(code).to.equal(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.result).to.equal('ABORTED');
    expect(report.description).to.equal('FAILED b (+1 more region(s): 1 ABORTED): the engine exited with code 2: no backup key in b');
    expect(
      report.table
        .split('\n')
        .slice(2)
        .map((l: string) => l.split(/ +/).slice(0, 2).join(' ')),
    ).to.deep.equal(['b FAILED', 'c ABORTED']);
    expect(report.email.subject).to.equal('[ABORTED] SSM backup dev');
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).to.contain('<failure type="ABORTED" message="not started: the build was aborted"');
    writeFileSync(outcomes, JSON.stringify({ b: { status: 'SUCCESS', failureMessage: 'x' } }));
    const bad = await run(
      ['notify', '--summary-file', file, '--region-outcomes', outcomes, '--out-dir', out, '--error-file', path.join(dir, 'error.json')],
      {},
    );
    expect(bad.code).to.equal(2);
    expect(JSON.parse(readFileSync(path.join(dir, 'error.json'), 'utf8')).message).to.equal(
      `--region-outcomes ${outcomes}: region "b" needs a status (FAILED, TIMED_OUT, ABORTED) and a failureMessage`,
    );
  });

  it('--region-outcomes of multi-account units keep their account and region: labelled and grouped as units', async () => {
    const out = path.join(dir, 'report');
    const file = path.join(dir, 'region_summaries.json');
    const ok = { ...summaries['ap-northeast-1'], accountId: '111111111111', region: 'ap-northeast-1' };
    writeFileSync(file, JSON.stringify({ '111111111111/ap-northeast-1': ok }));
    const outcomes = path.join(dir, 'region_outcomes.json');
    writeFileSync(outcomes, JSON.stringify({ '222222222222/us-west-2': { status: 'ABORTED', failureMessage: 'the build was aborted while it ran' } }));
    const { code } = await run(
      ['notify', '--summary-file', file, '--region-outcomes', outcomes, '--out-dir', out, '--environment', 'dev', '--result', 'ABORTED'],
      {},
    );
    expect(code).to.equal(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.description).to.equal('ABORTED 222222222222 us-west-2: the build was aborted while it ran');
    expect(report.table, report.table).to.match(/^222222222222 +us-west-2 +ABORTED /m);
  });

  it('refuses a summary of the wrong kind with a usage error naming the file', async () => {
    const file = path.join(dir, 'region_summaries.json');
    const { code } = await run(['notify', '--summary-file', file, '--kind', 'restore', '--out-dir', dir, '--error-file', path.join(dir, 'error.json')], {});
    expect(code).to.equal(2);
    expect(JSON.parse(readFileSync(path.join(dir, 'error.json'), 'utf8')).message).to.equal(
      `--summary-file ${file} is not a restore summary: "mode" must be plan or apply`,
    );
    writeFileSync(file, JSON.stringify({ 'us-west-2': { parameterCount: 1 } }));
    expect((await run(['notify', '--summary-file', file, '--out-dir', dir], {})).code).to.equal(2);
  });
});
