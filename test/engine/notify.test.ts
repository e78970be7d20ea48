import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSlackMessage, postSlack, escapeMrkdwn, formatDuration, type NotifyInput } from '../../ts/lib/notify.js';
import { exec } from '../../ts/cli.js';
import { EngineError } from '../../ts/lib/errors.js';

const SECRET_PATH = '/services/T000/B000/s3cr3tT0k3n';

interface Received { path: string; body: unknown }

/** A stand-in Slack: answers each request with the next scripted status (default 200 "ok"). */
class FakeSlack {
  readonly received: Received[] = [];
  statuses: number[] = [];
  delayMs = 0;
  private server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      this.received.push({ path: req.url ?? '', body: JSON.parse(data) });
      const status = this.statuses.shift() ?? 200;
      setTimeout(() => { res.writeHead(status, { 'content-type': 'text/plain' }); res.end(status === 200 ? 'ok' : 'internal_error'); }, this.delayMs);
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

const failedRun: NotifyInput = {
  result: 'FAILURE',
  environment: 'dev',
  summaries: {
    'ap-northeast-1': { status: 'SUCCESS', parameterCount: 12, artifactPath: 's3://bucket-a/2026-11-28/ssm-backup-dev-ap-northeast-1-20261128_130000.tar.gz', executionTimeSec: 1.2 },
    'us-west-2': { status: 'FAILED', parameterCount: 0, artifactPath: null, failureMessage: 'Bucket definition missing for us-west-2' },
    'eu-west-1': { status: 'SKIPPED', parameterCount: 0, failureMessage: 'not run' },
  },
  buildUrl: 'https://jenkins.example.com/job/Admin_Jobs/job/ssm-multi-region-backup/42/',
  jobName: 'Admin_Jobs/ssm-multi-region-backup',
  buildNumber: '42',
  durationSec: 125,
  failedRegion: 'us-west-2',
  failureMessage: 'Bucket definition missing for us-west-2',
};

const allText = (m: unknown) => JSON.stringify(m);

describe('notify: Slack message', () => {
  it('lists every region with its status, count and artifact or cause', () => {
    const message = buildSlackMessage(failedRun);
    const regions = message.attachments[0].blocks[1].text?.text ?? '';
    expect(regions.split('\n')).to.have.length(3);
    expect(regions).to.contain('`ap-northeast-1` *SUCCESS* · 12 parameters · 1.2s · s3://bucket-a/2026-11-28/');
    expect(regions).to.contain('`us-west-2` *FAILED* · 0 parameters · Bucket definition missing for us-west-2');
    expect(regions).to.contain('`eu-west-1` *SKIPPED*');
  });

  it('summarises result, counts and duration in the preview text and the header', () => {
    const message = buildSlackMessage(failedRun);
    expect(message.text).to.equal(':x: SSM backup dev: FAILURE - 1/3 regions, 12 parameters Admin_Jobs/ssm-multi-region-backup #42');
    expect(message.attachments[0].blocks[0].text?.text).to.contain('*Regions:* 1/3 succeeded').and.contain('*Duration:* 2m 5s');
  });

  it('names the failed region and its cause, and links the build', () => {
    const blocks = buildSlackMessage(failedRun).attachments[0].blocks;
    expect(blocks[2].text?.text).to.equal('*Failed region:* `us-west-2`\n*Cause:* Bucket definition missing for us-west-2');
    expect(blocks[3].elements?.[0].text).to.contain('<https://jenkins.example.com/job/Admin_Jobs/job/ssm-multi-region-backup/42/|Admin_Jobs/ssm-multi-region-backup #42>');
  });

  it('colours by result and marks dry runs', () => {
    const colours = (['SUCCESS', 'FAILURE', 'ABORTED', 'UNSTABLE'] as const).map((result) => buildSlackMessage({ ...failedRun, result }).attachments[0].color);
    expect(new Set(colours).size).to.equal(4);
    const ok = buildSlackMessage({ result: 'SUCCESS', environment: 'prod', dryRun: true, summaries: { 'us-west-2': { status: 'SUCCESS', parameterCount: 3 } } });
    expect(ok.text).to.equal(':white_check_mark: SSM backup prod (dry run): SUCCESS - 1/1 regions, 3 parameters');
    expect(ok.attachments[0].blocks).to.have.length(2);
  });

  it('escapes Slack control characters in causes and keeps them to one line', () => {
    const message = buildSlackMessage({ ...failedRun, failureMessage: 'AccessDenied <arn:aws:iam::1:role/x> & more\nstack line' });
    expect(allText(message)).to.contain('AccessDenied &lt;arn:aws:iam::1:role/x&gt; &amp; more').and.not.contain('stack line');
    expect(escapeMrkdwn('<a&b>')).to.equal('&lt;a&amp;b&gt;');
  });

  it('passes a channel override through and formats durations', () => {
    expect(buildSlackMessage({ ...failedRun, channel: '#ops' }).channel).to.equal('#ops');
    expect(buildSlackMessage(failedRun).channel).to.equal(undefined);
    expect([formatDuration(5), formatDuration(3725), formatDuration(undefined)]).to.deep.equal(['5s', '1h 2m 5s', undefined]);
  });
});

describe('notify: posting to the webhook', () => {
  const slack = new FakeSlack();
  before(() => slack.start());
  after(() => slack.stop());
  beforeEach(() => { slack.received.length = 0; slack.statuses = []; slack.delayMs = 0; });

  it('posts the message as JSON', async () => {
    const message = buildSlackMessage(failedRun);
    await postSlack(slack.url, message);
    expect(slack.received).to.deep.equal([{ path: SECRET_PATH, body: message }]);
  });

  it('retries once on HTTP 500 and on 429', async () => {
    slack.statuses = [500];
    await postSlack(slack.url, buildSlackMessage(failedRun), { retryDelayMs: 0 });
    expect(slack.received).to.have.length(2);
    slack.statuses = [429];
    await postSlack(slack.url, buildSlackMessage(failedRun), { retryDelayMs: 0 });
    expect(slack.received).to.have.length(4);
  });

  it('gives up after the retry with an error that does not contain the URL', async () => {
    slack.statuses = [500, 503];
    const err = await postSlack(slack.url, buildSlackMessage(failedRun), { retryDelayMs: 0 }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(EngineError);
    expect((err as EngineError).message).to.equal('Slack webhook answered HTTP 503 (internal_error) after 2 attempts');
    expect((err as EngineError).category).to.equal('notify');
    expect((err as EngineError).exitCode).to.equal(1);
    expect(slack.received).to.have.length(2);
  });

  it('does not retry a 4xx answer', async () => {
    slack.statuses = [404];
    const err = (await postSlack(slack.url, buildSlackMessage(failedRun)).catch((e: unknown) => e)) as Error;
    expect(err.message).to.equal('Slack webhook answered HTTP 404 (internal_error)');
    expect(slack.received).to.have.length(1);
  });

  it('times out without leaking the URL', async () => {
    slack.delayMs = 500;
    const err = (await postSlack(slack.url, buildSlackMessage(failedRun), { timeoutMs: 100 }).catch((e: unknown) => e)) as Error;
    expect(err.message).to.equal('Slack webhook request failed: no answer within 0.1 s');
  });

  it('reports an unreachable webhook without the URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}${SECRET_PATH}`;
    const err = (await postSlack(url, buildSlackMessage(failedRun)).catch((e: unknown) => e)) as Error;
    expect(err.message).to.equal('Slack webhook request failed: ECONNREFUSED');
    const bad = (await postSlack(`not a url ${SECRET_PATH}`, buildSlackMessage(failedRun)).catch((e: unknown) => e)) as EngineError;
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
    writeFileSync(path.join(dir, 'region_summaries.json'), JSON.stringify(failedRun.summaries));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (args: string[], env: NodeJS.ProcessEnv) => {
    let out = '';
    const io = { stdout: (t: string) => { out += t; }, stderr: (t: string) => { out += t; }, env };
    const code = await exec(args, io);
    return { code, out };
  };
  const args = () => ['notify', '--summary-file', path.join(dir, 'region_summaries.json'), '--result', 'FAILURE', '--environment', 'dev',
    '--failed-region', 'us-west-2', '--failure-message', 'Bucket definition missing for us-west-2', '--error-file', path.join(dir, 'error.json')];

  it('posts the summary file to the webhook from SLACK_WEBHOOK_URL', async () => {
    const { code, out } = await run(args(), { SLACK_WEBHOOK_URL: slack.url });
    expect(code).to.equal(0);
    expect(slack.received).to.have.length(1);
    expect(allText(slack.received[0].body)).to.contain('`us-west-2` *FAILED*').and.contain('*Failed region:* `us-west-2`');
    expect(out).to.contain('Slack notified').and.not.contain(SECRET_PATH);
  });

  it('exits 2 with a one-line error file when SLACK_WEBHOOK_URL is missing', async () => {
    const { code, out } = await run(args(), {});
    expect(code).to.equal(2);
    const error = JSON.parse(readFileSync(path.join(dir, 'error.json'), 'utf8'));
    expect(error).to.deep.equal({ exitCode: 2, category: 'config', message: 'SLACK_WEBHOOK_URL is not set: bind the webhook credential to it (withCredentials string)' });
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
    expect(JSON.parse(readFileSync(path.join(dir, 'error.json'), 'utf8')).message).to.match(/^--summary-file ".*missing\.json" does not exist: give the path of an existing file/);
  });
});
