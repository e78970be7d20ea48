/**
 * Every backup is compared with the archive latest.txt names (the last one accepted) before latest.txt moves:
 * what was added, removed and changed (by name index, never values), and the shrink guard that refuses to move
 * latest.txt onto an archive that lost too much.
 */
import type { IndexEntry, Previous } from '../store/index.js';
import type { Drift } from '../../contract/index.js';
import { formatNumber } from '../support/index.js';

/** Names listed per kind in the summary (counts are always exact). */
export const DRIFT_NAMES_MAX = 50;

export type { Drift, Previous };

const time = (d: string | undefined): number | undefined => (d === undefined ? undefined : new Date(d).getTime());

/** Same parameter version: Version, Type and LastModifiedDate agree (a re-created parameter can restart at Version 1). */
function sameVersion(a: IndexEntry, b: IndexEntry): boolean {
  return a.Version === b.Version && a.Type === b.Type && time(a.LastModifiedDate) === time(b.LastModifiedDate);
}

/** Drift of `current` (index entries of the new archive) against the previous archive; names sorted, 50 at most per kind. */
export function computeDrift(current: IndexEntry[], previous: Previous, bucket: string): Drift {
  const none = { addedNames: [], removedNames: [], changedNames: [] };
  if (previous.kind === 'none') {
    return {
      previousArchive: null,
      previousCount: null,
      comparedWith: 'nothing',
      added: current.length,
      removed: 0,
      changed: 0,
      ...none,
      addedNames: sortedHead(current.map((e) => e.Name)),
    };
  }
  if (previous.kind === 'unreadable')
    return {
      previousArchive: null,
      previousCount: null,
      comparedWith: 'nothing',
      added: null,
      removed: null,
      changed: null,
      ...none,
      notComparedReason: previous.why,
    };
  const previousArchive = `s3://${bucket}/${previous.key}`;
  const notCompared = { added: null, removed: null, changed: null, ...none, notComparedReason: previous.kind === 'index' ? undefined : previous.why };
  if (previous.kind === 'unknown') return { previousArchive, previousCount: null, comparedWith: 'nothing', ...notCompared };
  if (previous.kind === 'count') return { previousArchive, previousCount: previous.count, comparedWith: 'count', ...notCompared };
  const before = new Map(previous.index.parameters.map((e) => [e.Name, e]));
  const added: string[] = [];
  const changed: string[] = [];
  for (const e of current) {
    const old = before.get(e.Name);
    if (!old) added.push(e.Name);
    else if (!sameVersion(old, e)) changed.push(e.Name);
    before.delete(e.Name);
  }
  const removed = [...before.keys()];
  return {
    previousArchive,
    previousCount: previous.index.parameterCount,
    comparedWith: 'index',
    added: added.length,
    removed: removed.length,
    changed: changed.length,
    addedNames: sortedHead(added),
    removedNames: sortedHead(removed),
    changedNames: sortedHead(changed),
  };
}

const sortedHead = (names: string[]): string[] => [...names].sort().slice(0, DRIFT_NAMES_MAX);

export interface GuardOptions {
  /** Largest accepted fall of the parameter count against the previous archive, in percent (0-100). */
  maxShrink: number;
  allowShrink: boolean;
  allowEmpty: boolean;
  /** Where the refusal is read, so that its fix is worded there: the CLI (--allow-shrink) or the Jenkins step (allowShrink: true). */
  advice?: GuardAdvice;
  /** --require-guard: a previous archive that cannot be compared with (kind unknown or unreadable) refuses the move. */
  requireGuard?: boolean;
}

export type GuardAdvice = 'cli' | 'jenkins';

/** How to accept a refusal, in the words of where it is read (the Jenkins job's parameter: jobs/admin_ssm_backup_job.groovy). */
export const ACCEPT: Record<GuardAdvice, { shrink: string; empty: string }> = {
  cli: { shrink: 'run again with --allow-shrink', empty: 'run again with --allow-empty' },
  jenkins: { shrink: 'run one build with allowShrink: true (job parameter ALLOW_SHRINK)', empty: 'run one build with allowEmpty: true' },
};

export interface GuardInput {
  count: number;
  /** The new archive's key; undefined in a dry run (nothing was written). */
  key?: string;
  bucket: string;
  selection: { path: string; nameContains?: string };
  previous: Previous;
  drift: Drift;
}

/**
 * The shrink guard: why latest.txt must not move onto this archive, or undefined when it may. Refused: zero
 * parameters selected (unless --allow-empty), or a count that fell by more than --max-shrink percent against
 * the previous archive (unless --allow-shrink). The first sentence is short and names the fix in the words of where
 * it is read (`advice`): the build description and Slack keep it within their limits; details follow.
 */
export function guardRefusal(input: GuardInput, o: GuardOptions): string | undefined {
  const { count, drift, bucket, key } = input;
  const accept = ACCEPT[o.advice ?? 'cli'];
  const prev = drift.previousCount;
  const still = drift.previousArchive ? ` (it still names ${drift.previousArchive})` : '';
  const kept = key
    ? `latest.txt was not moved${still}; this archive is kept as s3://${bucket}/${key} for investigation`
    : `Dry run: nothing was written; latest.txt would not move${still}`;
  const selection = `--path ${input.selection.path}${input.selection.nameContains ? ` --name-contains ${input.selection.nameContains}` : ''}`;
  const before = previousSelection(input.previous, input.selection);
  if (count === 0) {
    if (o.allowEmpty) return undefined;
    return `Selected 0 parameters: if that is intended, ${accept.empty}. Selection ${selection}${prev !== null ? `; the previous archive holds ${formatNumber(prev)}${before}` : ''}: check it for a typo. ${kept}.`;
  }
  if (prev === null || prev === 0 || o.allowShrink) return undefined;
  const shrink = ((prev - count) / prev) * 100;
  if (shrink <= o.maxShrink) return undefined;
  const removed =
    drift.removed !== null
      ? ` ${formatNumber(drift.removed)} removed${drift.removedNames.length ? ` (${drift.removedNames.slice(0, 3).join(', ')}${drift.removed > 3 ? ', ...' : ''})` : ''}${before}.`
      : before
        ? `${before.trim()}.`
        : '';
  return `Parameter count fell ${formatNumber(prev)} → ${formatNumber(count)} (-${shrink.toFixed(1)}%, limit ${o.maxShrink}%): if intended, ${accept.shrink}.${removed} ${kept}.`;
}

function previousSelection(previous: Previous, now: { path: string; nameContains?: string }): string {
  if (previous.kind !== 'index') return '';
  const s = previous.index.selection;
  const same = s && s.path === now.path && (s.nameContains ?? undefined) === (now.nameContains ?? undefined);
  return same || !s ? '' : ` (the previous archive was made with --path ${s.path}${s.nameContains ? ` --name-contains ${s.nameContains}` : ''})`;
}

/** One log line per kind, names included (at most 50 each). */
export function driftLines(d: Drift): string[] {
  if (d.comparedWith === 'nothing') return [];
  const lines = [
    `Drift against ${d.previousArchive}: ${d.comparedWith === 'index' ? `added ${d.added}, removed ${d.removed}, changed ${d.changed}` : 'names not compared (no name index)'}; previous count ${d.previousCount}`,
  ];
  const list = (label: string, n: number | null, names: string[]) => {
    if (n) lines.push(`  ${label} (${n}${n > names.length ? `, first ${names.length}` : ''}): ${names.join(', ')}`);
  };
  list('added', d.added, d.addedNames);
  list('removed', d.removed, d.removedNames);
  list('changed', d.changed, d.changedNames);
  return lines;
}
