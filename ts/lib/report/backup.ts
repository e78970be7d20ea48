/**
 * The report of a backup run, rendered from region_summaries.json (the file the engine owns): build result, build
 * description, console/email table, email. Pure functions, no I/O. Jenkins reads the rendered report.json and never
 * rebuilds the summary; Slack (slack.ts), JUnit (junit.ts) and restore (restore.ts) use the same pieces.
 */
import { oneLine, formatNumber } from '../support/index.js';
import {
  BACKUP_SUMMARY_FILE,
  FAILED_STATUSES as ENGINE_FAILED_STATUSES,
  type Drift as SummaryDrift,
  type Link,
  type Report,
  type RunResult,
} from '../../contract/index.js';

export { RUN_RESULTS, type Link, type Report, type RunResult } from '../../contract/index.js';

/** The drift fields the report reads (contract/backup-summary.ts Drift); counts are null when names were not compared. */
export type Drift = Partial<Omit<SummaryDrift, 'added' | 'removed' | 'changed'>> & { added: number | null; removed: number | null; changed: number | null };

/**
 * Region statuses the report counts as failures: the engine's FAILED and TIMED_OUT (contract/backup-summary.ts), and
 * ABORTED, which only Jenkins' region outcomes (notify --region-outcomes) carry: the build was aborted before or while
 * the region ran.
 */
export const FAILED_STATUSES: readonly string[] = [...ENGINE_FAILED_STATUSES, 'ABORTED'];

/** The fields of one region_summaries.json entry that the report reads; others are ignored. */
export interface RegionReport {
  status: string;
  /** Multi-account summaries: the unit's account and region (the entry's key is `{accountId}/{region}`). */
  accountId?: string;
  region?: string;
  parameterCount?: number;
  artifactPath?: string | null;
  executionTimeSec?: number;
  failureMessage?: string | null;
  failureCategory?: string;
  dryRun?: boolean;
  archiveBytes?: number;
  vanished?: string[];
  warnings?: string[];
  drift?: Drift;
  /** A failed region: when it last backed up successfully (null: never; absent: unknown). */
  lastSuccessAt?: string | null;
}

/** What the report knows besides the summary: the build, and a failure the summary cannot show (e.g. Initialize). */
export interface RunContext {
  title?: string;
  environment?: string;
  dryRun?: boolean;
  /** A result the caller knows better (ABORTED; FAILURE before any region ran); the worse of it and the summary's wins. */
  result?: RunResult;
  failureMessage?: string;
  buildUrl?: string;
  jobName?: string;
  buildNumber?: string;
  durationSec?: number;
  runbookUrl?: string;
  summaryUrl?: string;
  /** The status view the build archived (`notify --chart-url`, `--status-url`): linked from Slack and the email too. */
  chartUrl?: string;
  statusUrl?: string;
  /** Who started the run (a restore's notification names them), e.g. from Jenkins' build causes. */
  startedBy?: string;
  /** Name options as the Jenkins step does (`failFast: false`) rather than as CLI flags (`--no-fail-fast`). */
  stepOptionNames?: boolean;
}

const SEVERITY: Record<RunResult, number> = { SUCCESS: 0, UNSTABLE: 1, FAILURE: 2, ABORTED: 3 };
const SUBJECT_TAGS: Record<RunResult, string> = { SUCCESS: '[OK]', UNSTABLE: '[UNSTABLE]', FAILURE: '[FAIL]', ABORTED: '[ABORTED]' };
const DESCRIPTION_MAX = 200;

export const worse = (a: RunResult, b: RunResult | undefined): RunResult => (b && SEVERITY[b] > SEVERITY[a] ? b : a);

/** 12345 -> `12,345` (the engine's one number format, support/format.ts). */
export const formatCount = formatNumber;

/** Seconds -> `4m 12s`, `1h 2m 5s`, `0s`; undefined for a missing or invalid value. */
export function formatDuration(seconds: number | undefined): string | undefined {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return undefined;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [h ? `${h}h` : '', m ? `${m}m` : '', h || m ? (s % 60 ? `${s % 60}s` : '') : `${s}s`].filter(Boolean).join(' ');
}

/** Bytes -> `512 B`, `1.5 KiB`, `12.3 MiB` (binary units). */
export function formatBytes(bytes: number | undefined): string | undefined {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return undefined;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * `+3 -1 ~2` (added, removed, changed since the previous backup), `first backup`, `no change` (only when the names were compared),
 * `not compared: <why>` (a previous archive whose names could not be compared), or undefined without drift.
 */
export function formatDrift(drift: Drift | undefined): string | undefined {
  if (!drift) return undefined;
  // No latest.txt before this run (contract: previousArchive null with counts): nothing to compare with.
  if (drift.previousArchive === null && drift.comparedWith === 'nothing' && drift.added != null) return 'first backup';
  if (drift.notComparedReason !== undefined || drift.added == null || drift.removed == null || drift.changed == null)
    return `not compared: ${drift.notComparedReason ?? 'the previous archive could not be compared'}`;
  if (!drift.added && !drift.removed && !drift.changed) return 'no change';
  return `+${drift.added} -${drift.removed} ~${drift.changed}`;
}

export function clip(text: string, max = DESCRIPTION_MAX): string {
  const line = oneLine(text);
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** Aligns columns with two spaces; `right` lists the columns aligned right (numbers). The last column is not padded. */
export function alignTable(head: string[], rows: string[][], right: number[] = []): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        if (right.includes(i)) return c.padStart(widths[i]);
        return i === cells.length - 1 ? c : c.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

export function buildLinks(ctx: RunContext, summaryLabel: string): Link[] {
  const build = ctx.jobName ? `${ctx.jobName}${ctx.buildNumber ? ` #${ctx.buildNumber}` : ''}` : 'Jenkins build';
  const links: Link[] = [];
  if (ctx.buildUrl) links.push({ label: build, url: ctx.buildUrl });
  if (ctx.summaryUrl) links.push({ label: summaryLabel, url: ctx.summaryUrl });
  if (ctx.chartUrl) links.push({ label: 'Parameter chart', url: ctx.chartUrl });
  if (ctx.statusUrl) links.push({ label: 'Status page', url: ctx.statusUrl });
  if (ctx.runbookUrl) links.push({ label: 'Runbook', url: ctx.runbookUrl });
  return links;
}

/** The plain-text email: headline, cause (only when no row shows it), table, notes, links, aligned for fixed-width reading. */
export function emailFor(r: Omit<Report, 'email'>, ctx: RunContext): { subject: string; body: string } {
  const dry = r.dryRun ? '[DRY RUN] ' : '';
  const build = ctx.jobName ? ` - ${ctx.jobName}${ctx.buildNumber ? ` #${ctx.buildNumber}` : ''}` : '';
  // A restore plan that succeeded restored nothing yet: [PLAN], not [OK].
  const tag = r.kind === 'restore' && r.headline.startsWith('PLAN') ? '[PLAN]' : SUBJECT_TAGS[r.result];
  const subject = `${dry}${tag} ${r.title}${build}`.replace(/[\r\n]+/g, ' ');
  const lines = [`${dry}${r.title}: ${r.headline}`];
  if (r.cause) lines.push(`Cause: ${r.cause}`);
  lines.push('', r.table);
  if (r.notes.length) lines.push('', ...r.notes);
  if (r.links.length) {
    const width = Math.max(...r.links.map((l) => l.label.length)) + 1;
    lines.push('', ...r.links.map((l) => `${`${l.label}:`.padEnd(width)}  ${l.url}`));
  }
  return { subject, body: lines.join('\n') + '\n' };
}

/** How a unit is named in reports: `111111111111 us-west-2` in a multi-account summary, else the region. */
export const unitLabel = (key: string, s: RegionReport): string => (s.accountId ? `${s.accountId} ${s.region ?? key}` : key);

/** The accounts of a multi-account summary, in order; empty for a single-account one. */
export const accountsOf = (summaries: Record<string, RegionReport>): string[] => [
  ...new Set(Object.values(summaries).flatMap((s) => (s.accountId ? [s.accountId] : []))),
];

const isFailed = (s: RegionReport) => (FAILED_STATUSES as readonly string[]).includes(s.status);

/**
 * SUCCESS only when every region is SUCCESS; UNSTABLE when one has warnings; FAILURE when a region is anything else
 * (failed, timed out, skipped, unknown), when no region ran, or with ctx.failureMessage (issue 20: never greener).
 */
export function backupResult(summaries: Record<string, RegionReport>, ctx: RunContext): RunResult {
  const all = Object.values(summaries);
  let result: RunResult = 'SUCCESS';
  if (all.length === 0 || all.some((s) => s.status !== 'SUCCESS') || ctx.failureMessage) result = 'FAILURE';
  else if (all.some((s) => s.status === 'SUCCESS' && s.warnings?.length)) result = 'UNSTABLE';
  return worse(result, ctx.result);
}

function regionRow(region: string, s: RegionReport, byAccount: boolean): string[] {
  const skipped = s.status === 'SKIPPED';
  let detail = s.failureMessage ? oneLine(s.failureMessage) : '';
  if (s.status === 'SUCCESS') {
    const size = formatBytes(s.archiveBytes);
    detail = s.dryRun ? 'dry run: nothing uploaded' : `${s.artifactPath ?? '-'}${size ? ` (${size})` : ''}`;
  }
  return [
    ...(byAccount ? [s.accountId ?? '-', s.region ?? region] : [region]),
    s.status,
    skipped ? '-' : formatCount(s.parameterCount),
    formatDrift(s.drift) ?? '',
    skipped ? '' : (formatDuration(s.executionTimeSec) ?? ''),
    detail,
  ];
}

function backupNotes(summaries: Record<string, RegionReport>): string[] {
  const notes: string[] = [];
  for (const [key, s] of Object.entries(summaries)) {
    const region = unitLabel(key, s);
    for (const w of s.warnings ?? []) notes.push(`WARNING ${region}: ${oneLine(w)}`);
    if (s.vanished?.length) {
      const shown = s.vanished.slice(0, 5).join(', ');
      notes.push(`${region}: ${s.vanished.length} parameter(s) deleted while the backup ran: ${shown}${s.vanished.length > 5 ? ', ...' : ''}`);
    }
  }
  return notes;
}

/** ` failed` when every other unit failed; else what each status counts (`: 1 FAILED, 3 ABORTED`): an abort is not a failure. */
function howOthersEnded(others: RegionReport[]): string {
  if (others.every((o) => (ENGINE_FAILED_STATUSES as readonly string[]).includes(o.status))) return ' failed';
  const counts = new Map<string, number>();
  for (const o of others) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  return `: ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ')}`;
}

function backupDescription(summaries: Record<string, RegionReport>, result: RunResult, ctx: RunContext, totals: string): string {
  const failed = Object.entries(summaries).filter(([, s]) => isFailed(s) || !['SUCCESS', 'SKIPPED'].includes(s.status));
  let text: string;
  if (failed.length) {
    const [key, s] = failed[0];
    const more =
      failed.length > 1 ? ` (+${failed.length - 1} more ${s.accountId ? 'unit' : 'region'}(s)${howOthersEnded(failed.slice(1).map(([, o]) => o))})` : '';
    text = `${s.status} ${unitLabel(key, s)}${more}: ${s.failureMessage ?? 'no cause recorded'}`;
  } else if (result === 'ABORTED') text = `ABORTED ${totals}`;
  else if (result === 'FAILURE') text = `FAILED: ${clip(ctx.failureMessage ?? (Object.keys(summaries).length ? 'see the console log' : 'no region ran'))}`;
  else if (result === 'UNSTABLE') {
    const warned = Object.entries(summaries)
      .filter(([, s]) => s.warnings?.length)
      .map(([r, s]) => unitLabel(r, s));
    text = `UNSTABLE ${totals}, warnings in ${warned.join(', ')}`;
  } else text = `OK ${totals}`;
  // Jenkins shows 200 characters: the cause's first sentence (a guard refusal's fix) comes before anything that may be cut.
  return clip(`${ctx.dryRun ? 'DRY RUN ' : ''}${text}`);
}

/** Renders the report of a backup run from its region summaries (region order = the file's order = the plan's). */
export function renderBackupReport(given: Record<string, RegionReport>, context: RunContext): Report {
  const summaries = context.stepOptionNames ? withStepOptionNames(given) : given;
  const entries = Object.entries(summaries);
  const ctx = { ...context, dryRun: Boolean(context.dryRun || entries.some(([, s]) => s.dryRun)) };
  const result = backupResult(summaries, ctx);
  const ok = entries.filter(([, s]) => s.status === 'SUCCESS');
  const parameters = ok.reduce((n, [, s]) => n + (s.parameterCount ?? 0), 0);
  const accounts = accountsOf(summaries);
  const byAccount = accounts.length > 0;
  const units = byAccount ? `units in ${accounts.length} account${accounts.length === 1 ? '' : 's'}` : 'regions';
  const totals = `${ok.length}/${entries.length} ${units}, ${formatCount(parameters)} parameters`;
  const duration = formatDuration(ctx.durationSec);
  const headline = `${result} - ${totals}${duration ? ` in ${duration}` : ''}`;
  const regionsShowCause = entries.some(([, s]) => s.status !== 'SUCCESS' && s.status !== 'SKIPPED' && s.failureMessage);
  const cause = ctx.failureMessage && !regionsShowCause ? clip(ctx.failureMessage, 500) : undefined;
  const rows = entries.map(([r, s]) => regionRow(r, s, byAccount));
  const head = [...(byAccount ? ['ACCOUNT'] : []), 'REGION', 'STATUS', 'PARAMETERS', 'CHANGE', 'TIME', 'ARCHIVE / CAUSE'];
  const table = entries.length ? alignTable(head, rows, [byAccount ? 3 : 2]) : '(no region ran)';
  const base = {
    kind: 'backup' as const,
    result,
    dryRun: ctx.dryRun,
    title: `${ctx.title ?? 'SSM backup'}${ctx.environment ? ` ${ctx.environment}` : ''}`,
    headline,
    description: backupDescription(summaries, result, ctx, totals),
    preview: backupPreview(summaries, result, headline),
    table,
    cause,
    notes: backupNotes(summaries),
    links: buildLinks(ctx, BACKUP_SUMMARY_FILE),
    slackLines: entries.map(([r, s]) => slackRegionLine(unitLabel(r, s), s)),
  };
  return { ...base, email: emailFor(base, ctx) };
}

const STATUS_ICONS: Record<string, string> = {
  SUCCESS: ':white_check_mark:',
  FAILED: ':x:',
  TIMED_OUT: ':hourglass:',
  ABORTED: ':no_entry_sign:',
  SKIPPED: ':black_square_button:',
};

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `:white_check_mark: `us-west-2` *SUCCESS* · 4,120 parameters (+3 -1 ~2 since the previous backup) · 4m 12s` */
function slackRegionLine(region: string, s: RegionReport): string {
  const parts = [`${STATUS_ICONS[s.status] ?? ':grey_question:'} \`${escapeMrkdwn(region)}\` *${escapeMrkdwn(s.status)}*`];
  if (s.status !== 'SKIPPED') {
    const drift = formatDrift(s.drift);
    const since =
      drift === 'first backup'
        ? ' (first backup)'
        : drift?.startsWith('not compared')
          ? ` (previous backup ${drift})`
          : drift
            ? ` (${drift} since the previous backup)`
            : '';
    parts.push(escapeMrkdwn(`${formatCount(s.parameterCount)} parameters${since}`));
    const time = formatDuration(s.executionTimeSec);
    if (time) parts.push(time);
  }
  if (s.status !== 'SUCCESS' && s.failureMessage) parts.push(escapeMrkdwn(clip(s.failureMessage, 300)));
  if (s.warnings?.length) parts.push(`:warning: ${s.warnings.length} warning(s)`);
  return parts.join(' · ');
}

/** CLI flags in engine messages and the Jenkins step options that set them (ssmMultiRegionBackup). */
const STEP_OPTIONS: [RegExp, string][] = [
  [/--no-fail-fast/g, 'failFast: false'],
  [/--allow-shrink/g, 'allowShrink: true'],
  [/--allow-empty/g, 'allowEmpty: true'],
  [/--max-shrink/g, 'maxShrink'],
  [/--require-client-encryption/g, 'requireClientEncryption: true'],
  [/--include-labels/g, 'includeLabels: true'],
  [/--name-contains/g, "the job's name filter"],
  [/--path\b/g, 'path'],
];

/** `text` with each CLI flag replaced by the step option that sets it (a Jenkins reader has no command line). */
export function stepWording(text: string): string {
  return STEP_OPTIONS.reduce((t, [flag, option]) => t.replace(flag, option), text);
}

function withStepOptionNames(summaries: Record<string, RegionReport>): Record<string, RegionReport> {
  return Object.fromEntries(
    Object.entries(summaries).map(([r, s]) => [
      r,
      { ...s, failureMessage: s.failureMessage ? stepWording(s.failureMessage) : s.failureMessage, warnings: s.warnings?.map(stepWording) },
    ]),
  );
}

/** When a failed region last backed up: `2026-12-03 02:00 UTC`, `never`, or `unknown`. */
const lastSuccess = (at: string | null | undefined) => (at ? `${at.slice(0, 10)} ${at.slice(11, 16)} UTC` : at === null ? 'never' : 'unknown');

/**
 * The line a phone shows: for a failure, the first failed region, its cause in a few words and when it last backed up
 * successfully; for UNSTABLE, the first warning and its region; otherwise the headline.
 */
/**
 * The cause as a phone shows it: its first sentence when that is short enough (a guard refusal's first sentence holds
 * its fix, issue 22), else the cause clipped to 100 characters.
 */
function leadSentence(cause: string, max = 160): string {
  const end = oneLine(cause).search(/\.(\s|$)/);
  return end > 0 && end < max ? oneLine(cause).slice(0, end + 1) : clip(cause, 100);
}

function backupPreview(summaries: Record<string, RegionReport>, result: RunResult, headline: string): string {
  const entries = Object.entries(summaries);
  const failed = entries.filter(([, s]) => isFailed(s));
  if (failed.length) {
    const [region, s] = failed[0];
    const more = failed.length > 1 ? ` (+${failed.length - 1} more)` : '';
    const cause = leadSentence(s.failureMessage ?? 'no cause recorded');
    return `${s.status === 'TIMED_OUT' ? 'TIMED OUT' : s.status === 'ABORTED' ? 'ABORTED' : 'FAILED'} ${region}${more}: ${cause}; last success ${lastSuccess(s.lastSuccessAt)}`;
  }
  const warned = entries.find(([, s]) => s.status === 'SUCCESS' && s.warnings?.length);
  if (result === 'UNSTABLE' && warned) return `UNSTABLE ${warned[0]}: ${clip(warned[1].warnings![0], 110)}`;
  return headline;
}
