/**
 * The report of a restore (plan, then apply), rendered from restore_summary.json: names and counts only, never
 * values. Same shape as a backup's report (backup.ts), so Jenkins shows and sends both the same way.
 */
import { RESTORE_SUMMARY_FILE } from '../../contract/index.js';
import { oneLine } from '../support/index.js';
import {
  alignTable,
  buildLinks,
  clip,
  emailFor,
  escapeMrkdwn,
  formatCount,
  formatDuration,
  worse,
  type Report,
  type RunContext,
  type RunResult,
} from './backup.js';

/** The fields of restore_summary.json (ts/lib/restore/run.ts RestoreSummary) that the report reads. */
export interface RestoreReportSummary {
  mode: 'plan' | 'apply';
  sourceRegion?: string;
  targetRegion?: string;
  /** Multi-account restores: the archive's account and the account written. */
  sourceAccountId?: string;
  targetAccountId?: string;
  archive?: { key?: string; verified?: boolean; parameterCount?: number };
  counts?: Record<string, number>;
  /** Planned create + update + delete (contract/restore-summary.ts); older summaries lack it. */
  writeCount?: number;
  planned?: { create?: string[]; update?: string[]; delete?: string[] };
  created?: string[];
  updated?: string[];
  deleted?: string[];
  failed?: { name: string; error: string }[];
  /** What the engine noted and AWS judges (unknown DataType, an unused --kms-key-map source): names and field names only. */
  notes?: string[];
  /** The tool's own configuration found in the selection and not written. */
  keptAside?: string[];
}

/** `us-west-2`, or `111111111111 us-west-2` in a multi-account restore. */
const place = (account: string | undefined, region: string | undefined) => [account, region ?? '-'].filter(Boolean).join(' ');

const SHOWN_FAILURES = 10;
const SHOWN_NOTES = 10;

/** The summary's notes and kept-aside names, bounded: shown before approval, so a warning is read before anything is written. */
function restoreNotes(s: RestoreReportSummary | undefined): string[] {
  const notes = (s?.notes ?? []).map((n) => `NOTE ${oneLine(n)}`);
  if (s?.keptAside?.length) notes.push(`KEPT ASIDE (the tool's own configuration, not written): ${s.keptAside.join(', ')}`);
  return notes.length > SHOWN_NOTES ? [...notes.slice(0, SHOWN_NOTES), `... and ${notes.length - SHOWN_NOTES} more (see restore_summary.json)`] : notes;
}
const SHOWN_DELETES = 20;

const planCounts = (c: Record<string, number> = {}) =>
  `create=${c.create ?? 0} update=${c.update ?? 0} unchanged=${c.unchanged ?? 0} differs-not-overwritten=${c.differs ?? 0}${c.delete ? ` delete=${c.delete}` : ''}`;

/** How many writes the apply makes: the summary's writeCount, else (older summaries) create + update + delete. */
const writeCount = (s: RestoreReportSummary): number => s.writeCount ?? (s.counts?.create ?? 0) + (s.counts?.update ?? 0) + (s.counts?.delete ?? 0);

function restoreResult(s: RestoreReportSummary | undefined, ctx: RunContext): RunResult {
  const failed = (s?.failed?.length ?? 0) > 0 || Boolean(ctx.failureMessage);
  return worse(failed ? 'FAILURE' : 'SUCCESS', ctx.result);
}

/** What happens next after a plan: dry run, nothing to write, or the apply. */
function planOutcome(s: RestoreReportSummary, dryRun: boolean): string {
  const writes = writeCount(s);
  if (dryRun) return 'dry run: nothing was written';
  return writes ? 'apply pending (after approval unless autoApprove)' : 'nothing to write: SSM already matches the archive';
}

function restoreFacts(s: RestoreReportSummary | undefined, dryRun: boolean): string[][] {
  if (!s) return [];
  const archive = s.archive?.key
    ? `${s.archive.key} (${s.archive.verified ? 'verified' : 'UNVERIFIED legacy backup.json'}` +
      `${s.archive.parameterCount !== undefined ? `, ${formatCount(s.archive.parameterCount)} parameters` : ''})`
    : '-';
  const facts = [
    ['ARCHIVE', archive],
    ['FROM', place(s.sourceAccountId, s.sourceRegion)],
    ['INTO', place(s.targetAccountId, s.targetRegion)],
    ['PLAN', planCounts(s.counts)],
  ];
  // The names a plan writes or deletes; after an apply, the names SSM confirmed (also what an aborted apply wrote).
  const named: [string, string[] | undefined][] =
    s.mode === 'plan'
      ? [
          ['CREATE', s.planned?.create],
          ['UPDATE', s.planned?.update],
          ['DELETE', s.planned?.delete],
        ]
      : [
          ['CREATED', s.created],
          ['UPDATED', s.updated],
          ['DELETED', s.deleted],
          ['NOT DELETED', s.planned?.delete?.filter((n) => !s.deleted?.includes(n))],
        ];
  for (const [what, names = []] of named) {
    for (const name of names.slice(0, SHOWN_DELETES)) facts.push([what, name]);
    if (names.length > SHOWN_DELETES) facts.push([what, `... and ${names.length - SHOWN_DELETES} more (see restore_summary.json)`]);
  }
  if (s.mode === 'plan') facts.push(['NEXT', planOutcome(s, dryRun)]);
  else
    facts.push([
      'APPLIED',
      `created=${s.created?.length ?? 0} updated=${s.updated?.length ?? 0}${s.deleted?.length ? ` deleted=${s.deleted.length}` : ''} failed=${s.failed?.length ?? 0}`,
    ]);
  for (const f of (s.failed ?? []).slice(0, SHOWN_FAILURES)) facts.push(['FAILED', `${f.name}  ${oneLine(f.error)}`]);
  if ((s.failed?.length ?? 0) > SHOWN_FAILURES) facts.push(['FAILED', `... and ${s.failed!.length - SHOWN_FAILURES} more (see restore_summary.json)`]);
  return facts;
}

function restoreDescription(s: RestoreReportSummary | undefined, result: RunResult, ctx: RunContext): string {
  const route = s ? ` ${place(s.sourceAccountId, s.sourceRegion)} -> ${place(s.targetAccountId, s.targetRegion)}` : '';
  const dry = ctx.dryRun ? 'DRY RUN ' : '';
  if (s?.failed?.length)
    return `${dry}FAILED restore${route}: ${s.failed.length} parameter(s) failed, first ${s.failed[0].name}: ${clip(s.failed[0].error, 120)}`;
  if (result === 'FAILURE') return `${dry}FAILED restore${route}: ${clip(ctx.failureMessage ?? 'see the console log')}`;
  if (result === 'ABORTED')
    return `${dry}ABORTED restore${route}: ${
      s?.mode === 'apply'
        ? `written before the abort: created ${s.created?.length ?? 0}, updated ${s.updated?.length ?? 0}, deleted ${s.deleted?.length ?? 0} (names below and in restore_summary.json)`
        : 'nothing was written'
    }`;
  if (!s) return `${dry}restore: no summary`;
  if (s.mode === 'plan') return `${dry}RESTORE PLAN${route}: ${planCounts(s.counts)}`;
  return `${dry}RESTORED${route}: created ${s.created?.length ?? 0}, updated ${s.updated?.length ?? 0}`;
}

/** Renders a restore's report; `summary` is undefined when the plan failed before writing restore_summary.json. */
export function renderRestoreReport(summary: RestoreReportSummary | undefined, context: RunContext): Report {
  const ctx = { ...context, dryRun: Boolean(context.dryRun) };
  const result = restoreResult(summary, ctx);
  const stage = summary?.mode === 'plan' ? 'plan' : 'apply';
  const title = `${ctx.title ?? 'SSM restore'}${summary?.mode === 'plan' ? ' plan' : ''}${ctx.environment ? ` ${ctx.environment}` : ''}`;
  const duration = formatDuration(ctx.durationSec);
  const counts =
    summary?.mode === 'apply'
      ? `created ${summary.created?.length ?? 0}, updated ${summary.updated?.length ?? 0}, failed ${summary.failed?.length ?? 0}`
      : summary
        ? planCounts(summary.counts)
        : `no ${stage}`;
  const facts = restoreFacts(summary, ctx.dryRun);
  if (ctx.startedBy) facts.unshift(['STARTED BY', ctx.startedBy]);
  // (The preview leaves out DRY RUN: the Slack text puts [DRY RUN] first.)
  // A plan that succeeded is a PLAN, not a green SUCCESS: nothing was restored yet.
  const shown = summary?.mode === 'plan' && result === 'SUCCESS' ? 'PLAN' : result;
  const cause = ctx.failureMessage && !summary?.failed?.length ? clip(ctx.failureMessage, 500) : undefined;
  const base = {
    kind: 'restore' as const,
    result,
    dryRun: ctx.dryRun,
    title,
    headline: `${shown} - ${counts}${duration ? ` in ${duration}` : ''}`,
    description: restoreDescription(summary, result, ctx),
    preview: `${restoreDescription(summary, result, { ...ctx, dryRun: false })}${ctx.startedBy ? ` (started by ${ctx.startedBy})` : ''}`,
    table: facts.length ? alignTable(['WHAT', 'DETAIL'], facts).split('\n').slice(1).join('\n') : '(no restore summary)',
    cause,
    notes: restoreNotes(summary),
    links: buildLinks(ctx, RESTORE_SUMMARY_FILE),
    slackLines: facts.map(([k, v]) => `*${k.toLowerCase()}:* ${escapeMrkdwn(v)}`),
  };
  return { ...base, email: emailFor(base, ctx) };
}
