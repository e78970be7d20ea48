/**
 * Every backup is compared with the archive latest.txt names (the last one accepted) before latest.txt moves:
 * what was added, removed and changed (by name index, never values), and the shrink guard that refuses to move
 * latest.txt onto an archive that lost too much.
 */
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getIndex, headArchive, type IndexEntry, type NameIndex } from './archive-facts.js';
import { checkArchiveKey, readLatestPointer } from './archive-source.js';
import { EngineError, describeAwsError } from './errors.js';

/** Names listed per kind in the summary (counts are always exact). */
export const DRIFT_NAMES_MAX = 50;

/**
 * `drift` of a region summary. `comparedWith`: `index` (names compared), `count` (an older previous archive without
 * name index: counts only, the name fields are null/empty), `nothing` (no previous archive, or one that could not be
 * read: `previousArchive` says which).
 */
export interface Drift {
  previousArchive: string | null;
  previousCount: number | null;
  comparedWith: 'index' | 'count' | 'nothing';
  added: number | null;
  removed: number | null;
  changed: number | null;
  addedNames: string[];
  removedNames: string[];
  changedNames: string[];
}

/** What latest.txt names, and what could be learnt about it without downloading it. */
export type Previous =
  | { kind: 'none' }
  | { kind: 'index'; key: string; index: NameIndex }
  | { kind: 'count'; key: string; count: number; why: string }
  | { kind: 'unknown'; key: string; why: string }
  /** latest.txt exists but names no archive (empty, blank, not an archive key): nothing to compare with. */
  | { kind: 'unreadable'; why: string };

/**
 * Reads the previous archive's facts: GetObject latest.txt, then GetObject `<archive>.index.json.gz` (2 requests).
 * An archive made by an older version has no index: its count comes from its metadata (HeadObject) or from the
 * `parameter_count` at the start of its backup.json (one ranged GetObject of 64 KiB); failing both it is `unknown`.
 * S3 errors other than "not found" throw a region EngineError (the caller then does not move latest.txt).
 */
export async function readPrevious(s3: S3Client, bucket: string, region: string): Promise<Previous> {
  const pointer = await readLatestPointer(s3, bucket, region);
  if (pointer === undefined) return { kind: 'none' };
  if (!pointer) return { kind: 'unreadable', why: `s3://${bucket}/latest.txt is empty` };
  let key: string;
  try {
    key = checkArchiveKey(pointer, bucket, `s3://${bucket}/latest.txt holds`, region);
  } catch (err) {
    return { kind: 'unreadable', why: `s3://${bucket}/latest.txt does not name an archive (${(err as Error).message})` };
  }
  const fail = (what: string, err: unknown) =>
    new EngineError('region', `Cannot read ${what} of the previous archive s3://${bucket}/${key}: ${describeAwsError(err)}`, { region, cause: err });
  let damaged: string | undefined;
  try {
    const index = await getIndex(s3, bucket, key);
    if (index) return { kind: 'index', key, index };
  } catch (err) {
    if (isS3Error(err)) throw fail('the name index', err);
    damaged = (err as Error).message;
  }
  const head = await headArchive(s3, bucket, key).catch((err) => {
    throw fail('the metadata', err);
  });
  const noIndex = damaged ? `its ${damaged}` : 'it has no name index (made by an older version)';
  if (!head.exists) return { kind: 'unknown', key, why: `latest.txt names s3://${bucket}/${key}, which no longer exists (expired by the bucket lifecycle?)` };
  if (head.facts) return { kind: 'count', key, count: head.facts.parameterCount, why: `${noIndex}; count from its metadata` };
  // A ranged GET of a 0-byte object is answered 416 InvalidRange (API reference of GetObject, "Range").
  if (head.size === 0) return { kind: 'unknown', key, why: `latest.txt names s3://${bucket}/${key}, which is empty (0 bytes)` };
  const count = await countFromDocumentHead(s3, bucket, key).catch((err) => {
    throw fail('the start', err);
  });
  if (count !== undefined) return { kind: 'count', key, count, why: `${noIndex}; count from the parameter_count of its backup.json` };
  return { kind: 'unknown', key, why: `${noIndex} and no parameter_count at the start of its backup.json` };
}

const isS3Error = (err: unknown): boolean => typeof err === 'object' && err !== null && '$metadata' in err;

const HEAD_BYTES = 65536;

/**
 * `parameter_count` from the first 64 KiB of an archive (a tar.gz whose first entry is backup.json, or a plain
 * backup.json): the header `{backup_date, ..., parameter_count, parameters: [` comes first. Only the text before
 * `"parameters"` is looked at; the bytes are dropped at once.
 */
async function countFromDocumentHead(s3: S3Client, bucket: string, key: string): Promise<number | undefined> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${HEAD_BYTES - 1}` }));
  let bytes = Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString('latin1');
  const end = text.indexOf('"parameters"');
  const m = /"parameter_count"\s*:\s*(\d+)/.exec(end >= 0 ? text.slice(0, end) : '');
  return m ? Number(m[1]) : undefined;
}

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
    return { previousArchive: null, previousCount: null, comparedWith: 'nothing', added: null, removed: null, changed: null, ...none };
  const previousArchive = `s3://${bucket}/${previous.key}`;
  if (previous.kind === 'unknown') return { previousArchive, previousCount: null, comparedWith: 'nothing', added: null, removed: null, changed: null, ...none };
  if (previous.kind === 'count')
    return { previousArchive, previousCount: previous.count, comparedWith: 'count', added: null, removed: null, changed: null, ...none };
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
}

export interface GuardInput {
  count: number;
  key: string;
  bucket: string;
  selection: { path: string; nameContains?: string };
  previous: Previous;
  drift: Drift;
}

/**
 * The shrink guard: why latest.txt must not move onto this archive, or undefined when it may. Refused: zero
 * parameters selected (unless --allow-empty), or a count that fell by more than --max-shrink percent against
 * the previous archive (unless --allow-shrink). The message says what shrank, by how much, and how to accept it.
 */
export function guardRefusal(input: GuardInput, o: GuardOptions): string | undefined {
  const { count, drift, bucket, key } = input;
  const prev = drift.previousCount;
  const kept = `latest.txt was not moved${drift.previousArchive ? ` (it still names ${drift.previousArchive})` : ''}; this archive is kept as s3://${bucket}/${key} for investigation`;
  const selection = `--path ${input.selection.path}${input.selection.nameContains ? ` --name-contains ${input.selection.nameContains}` : ''}`;
  const before = previousSelection(input.previous, input.selection);
  if (count === 0) {
    if (o.allowEmpty) return undefined;
    return `Selected 0 parameters (${selection})${prev !== null ? `; the previous archive holds ${prev}${before}` : ''}. ${kept}. Check --path and --name-contains for a typo; if the selection is meant to be empty, run again with --allow-empty`;
  }
  if (prev === null || prev === 0 || o.allowShrink) return undefined;
  const shrink = ((prev - count) / prev) * 100;
  if (shrink <= o.maxShrink) return undefined;
  const removed =
    drift.removed !== null
      ? `; ${drift.removed} removed${drift.removedNames.length ? ` (${drift.removedNames.slice(0, 3).join(', ')}${drift.removed > 3 ? ', ...' : ''})` : ''}`
      : '';
  return `Parameter count fell from ${prev} to ${count} (-${shrink.toFixed(1)}%, more than --max-shrink ${o.maxShrink}%)${removed}${before}. ${kept}. If the removals are intended, run again with --allow-shrink (or a higher --max-shrink)`;
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
