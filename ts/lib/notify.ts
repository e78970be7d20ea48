/**
 * Slack notification of a backup (or restore) run: a pure message builder and a small webhook poster.
 * The webhook URL is a secret: it is never put into a message, an error or a log line.
 */
import { EngineError, oneLine } from './errors.js';

export type RunResult = 'SUCCESS' | 'FAILURE' | 'ABORTED' | 'UNSTABLE';
export const RUN_RESULTS: readonly RunResult[] = ['SUCCESS', 'FAILURE', 'ABORTED', 'UNSTABLE'];

/** One region's entry of region_summaries.json (the fields the message uses). */
export interface NotifyRegionSummary {
  status: string;
  parameterCount?: number;
  artifactPath?: string | null;
  executionTimeSec?: number;
  failureMessage?: string | null;
  dryRun?: boolean;
  failureCategory?: string;
  /** Comparison with the previous archive (backup summaries); see ts/lib/drift.ts. */
  drift?: { comparedWith?: string; added?: number | null; removed?: number | null; changed?: number | null; previousCount?: number | null; previousArchive?: string | null };
}

export interface NotifyInput {
  result: RunResult;
  summaries: Record<string, NotifyRegionSummary>;
  title?: string;
  environment?: string;
  dryRun?: boolean;
  channel?: string;
  buildUrl?: string;
  jobName?: string;
  buildNumber?: string;
  durationSec?: number;
  failedRegion?: string;
  failureMessage?: string;
}

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

export interface SlackMessage {
  text: string;
  channel?: string;
  attachments: SlackAttachment[];
}

const COLORS: Record<RunResult, string> = { SUCCESS: '#2eb67d', FAILURE: '#e01e5a', ABORTED: '#868686', UNSTABLE: '#ecb22e' };
const ICONS: Record<RunResult, string> = { SUCCESS: ':white_check_mark:', FAILURE: ':x:', ABORTED: ':no_entry_sign:', UNSTABLE: ':warning:' };
const STATUS_ICONS: Record<string, string> = { SUCCESS: ':white_check_mark:', FAILED: ':x:', SKIPPED: ':black_square_button:' };
/** Slack rejects section texts over 3000 characters. */
const MAX_SECTION = 2900;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function formatDuration(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', `${s % 60}s`].filter(Boolean);
  return parts.join(' ');
}

function regionLine(region: string, s: NotifyRegionSummary): string {
  const icon = STATUS_ICONS[s.status] ?? ':grey_question:';
  const parts = [`${icon} \`${escapeMrkdwn(region)}\` *${escapeMrkdwn(s.status)}*`, `${s.parameterCount ?? 0} parameters`];
  if (s.executionTimeSec !== undefined) parts.push(`${s.executionTimeSec}s`);
  const drift = driftText(s.drift);
  if (drift) parts.push(drift);
  if (s.failureMessage && s.failureCategory === 'guard') parts.push(`*guard:* ${escapeMrkdwn(oneLine(s.failureMessage))}`);
  else if (s.failureMessage) parts.push(escapeMrkdwn(oneLine(s.failureMessage)));
  else if (s.artifactPath) parts.push(escapeMrkdwn(s.artifactPath));
  return parts.join(' · ');
}

/** `drift +3 -1 ~2`, `was 1201` (counts only), `first backup`; undefined when there is no drift. */
function driftText(d: NotifyRegionSummary['drift']): string | undefined {
  if (!d) return undefined;
  if (d.comparedWith === 'index') return `drift +${d.added ?? 0} -${d.removed ?? 0} ~${d.changed ?? 0} (was ${d.previousCount ?? '?'})`;
  if (d.comparedWith === 'count') return `was ${d.previousCount ?? '?'}`;
  return d.previousArchive ? 'not compared with the previous archive' : 'first backup';
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}\n… (truncated)`;
}

/** Builds the webhook payload: a one-line `text` (notification preview) and a coloured attachment with the details. */
export function buildSlackMessage(input: NotifyInput): SlackMessage {
  const regions = Object.entries(input.summaries);
  const succeeded = regions.filter(([, s]) => s.status === 'SUCCESS').length;
  const parameters = regions.reduce((n, [, s]) => n + (s.parameterCount ?? 0), 0);
  const title = input.title ?? 'SSM backup';
  const env = input.environment ? ` ${input.environment}` : '';
  const dry = input.dryRun ? ' (dry run)' : '';
  const build = input.jobName ? ` ${input.jobName}${input.buildNumber ? ` #${input.buildNumber}` : ''}` : '';
  const text = `${ICONS[input.result]} ${title}${env}${dry}: ${input.result} - ${succeeded}/${regions.length} regions, ${parameters} parameters${build}`;

  const facts = [`*Result:* ${input.result}`, `*Regions:* ${succeeded}/${regions.length} succeeded`, `*Parameters:* ${parameters}`];
  const duration = formatDuration(input.durationSec);
  if (duration) facts.push(`*Duration:* ${duration}`);
  const blocks: SlackBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(title)}${escapeMrkdwn(env)}${dry}*\n${facts.join('   ')}` } },
  ];
  if (regions.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(regions.map(([r, s]) => regionLine(r, s)).join('\n'), MAX_SECTION) } });
  }
  if (input.failedRegion || input.failureMessage) {
    const cause = input.failureMessage ? escapeMrkdwn(oneLine(input.failureMessage)) : 'see the build log';
    const where = input.failedRegion ? `*Failed region:* \`${escapeMrkdwn(input.failedRegion)}\`\n` : '';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`${where}*Cause:* ${cause}`, MAX_SECTION) } });
  }
  if (input.buildUrl) {
    const label = escapeMrkdwn(input.jobName ? `${input.jobName}${input.buildNumber ? ` #${input.buildNumber}` : ''}` : 'Jenkins build');
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${input.buildUrl}|${label}> · console log and region_summaries.json` }] });
  }
  const message: SlackMessage = { text, attachments: [{ color: COLORS[input.result], fallback: text, blocks }] };
  if (input.channel) message.channel = input.channel;
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
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs / 1000} s` : e.cause?.code ?? e.message;
      throw new EngineError('notify', redact(oneLine(`Slack webhook request failed: ${why}`)), { cause: err });
    }
    if (response.ok) {
      await response.text().catch(() => '');
      return;
    }
    const body = oneLine(await response.text().catch(() => '')).slice(0, 200);
    if (attempt === 1 && retryable(response.status)) {
      const retryAfter = Number(response.headers.get('retry-after'));
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 10) * 1000 : options.retryDelayMs ?? 1000);
      continue;
    }
    const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
    throw new EngineError('notify', redact(`Slack webhook answered HTTP ${response.status}${body ? ` (${body})` : ''}${tries}`));
  }
}
