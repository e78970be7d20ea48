/**
 * Slack notification of a backup or restore run: a message built from the rendered report (backup.ts, restore.ts) and a small
 * webhook poster. The webhook URL is a secret: it is never put into a message, an error or a log line.
 */
import { EngineError, oneLine } from '../support/index.js';
import { escapeMrkdwn, type Report, type RunResult } from './backup.js';

export interface SlackBlock {
  type: 'section' | 'context' | 'divider';
  text?: { type: 'mrkdwn'; text: string };
  elements?: { type: 'mrkdwn'; text: string }[];
}

export interface SlackAttachment {
  color: string;
  fallback: string;
  blocks: SlackBlock[];
}

/** Incoming-webhook payload; `text` and `attachments` are also what `slackSend(message:, attachments:)` takes. */
export interface SlackMessage {
  text: string;
  channel?: string;
  attachments: SlackAttachment[];
}

const COLORS: Record<RunResult, string> = { SUCCESS: '#2eb67d', FAILURE: '#e01e5a', ABORTED: '#868686', UNSTABLE: '#ecb22e' };
const PLAN_COLOR = '#439fe0';
const ICONS: Record<RunResult, string> = { SUCCESS: ':white_check_mark:', FAILURE: ':x:', ABORTED: ':no_entry_sign:', UNSTABLE: ':warning:' };
/** Slack rejects section texts over 3000 characters. */
const MAX_SECTION = 2900;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}\n… (truncated)`;
}

/** A URL inside `<url|label>`: mrkdwn's three control characters escaped, and `|` (which would end the URL) percent-encoded. */
export function escapeUrl(url: string): string {
  return escapeMrkdwn(url.replace(/\|/g, '%7C'));
}

/**
 * Builds the message: a one-line `text` (notification preview, `[DRY RUN]` first: report.preview, else result and totals) and a coloured
 * attachment with one line per region (status, count, change, duration, its cause), the cause of a failure no region
 * shows (once), and links to the build, the summary artifact and the runbook.
 */
export function buildSlackMessage(report: Report, channel?: string): SlackMessage {
  const dry = report.dryRun ? '[DRY RUN] ' : '';
  // A restore plan is not a green success: nothing was restored yet.
  const plan = report.kind === 'restore' && report.headline.startsWith('PLAN');
  const text = `${dry}${plan ? ':clipboard:' : ICONS[report.result]} ${escapeMrkdwn(report.title)}: ${escapeMrkdwn(report.preview ?? report.headline)}`;
  const blocks: SlackBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `${dry}*${escapeMrkdwn(report.title)}*: ${escapeMrkdwn(report.headline)}` } }];
  if (report.slackLines.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(report.slackLines.join('\n'), MAX_SECTION) } });
  if (report.cause) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Cause:* ${escapeMrkdwn(oneLine(report.cause))}`, MAX_SECTION) } });
  if (report.links.length > 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: report.links.map((l) => `<${escapeUrl(l.url)}|${escapeMrkdwn(l.label)}>`).join(' · ') }],
    });
  }
  const message: SlackMessage = { text, attachments: [{ color: plan ? PLAN_COLOR : COLORS[report.result], fallback: text, blocks }] };
  if (channel) message.channel = channel;
  return message;
}

export interface PostOptions {
  fetchImpl?: typeof fetch;
  /** Per attempt. */
  timeoutMs?: number;
  /** Wait before the one retry (a Retry-After header up to 10 s wins). */
  retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Posts the message; retries once on HTTP 5xx or 429. Errors never contain the URL. */
export async function postSlack(url: string, message: SlackMessage, options: PostOptions = {}): Promise<void> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EngineError('config', 'SLACK_WEBHOOK_URL is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new EngineError('config', 'SLACK_WEBHOOK_URL must be an http(s) URL');
  const secretPath = parsed.pathname.length > 1 ? parsed.pathname : undefined;
  const redact = (text: string) => {
    const out = text.split(url).join('<webhook>');
    return secretPath ? out.split(secretPath).join('/<webhook>') : out;
  };

  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.message);
      throw new EngineError('notify', redact(oneLine(`Slack webhook request failed: ${why}`)), { cause: err });
    }
    if (response.ok) {
      await response.text().catch(() => '');
      return;
    }
    const body = oneLine(await response.text().catch(() => '')).slice(0, 200);
    if (attempt === 1 && retryable(response.status)) {
      const retryAfter = Number(response.headers.get('retry-after'));
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 10) * 1000 : (options.retryDelayMs ?? 1000));
      continue;
    }
    const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
    throw new EngineError('notify', redact(`Slack webhook answered HTTP ${response.status}${body ? ` (${body})` : ''}${tries}`));
  }
}
