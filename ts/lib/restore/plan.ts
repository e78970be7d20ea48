import { createHash } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-ssm';
import { withoutUndefined, type BackupParameter } from '../archive/index.js';
import { usageError, EngineError } from '../support/index.js';
import { canonicalName } from '../aws/index.js';
import { isReservedTagKey } from './notes.js';

export const DEFAULT_SSM_KEY = 'alias/aws/ssm';

/**
 * A parameter as plan and diff compare it: the fields a restore writes, with the value replaced by its SHA-256
 * (base64). Plans hold digests, never values, so a plan of 100,000 parameters stays small and value-free.
 */
export type ParameterDigest = Pick<
  BackupParameter,
  'Name' | 'Type' | 'Version' | 'Description' | 'Tier' | 'AllowedPattern' | 'DataType' | 'KeyId' | 'Policies' | 'Tags' | 'Labels'
> & { ValueSha256: string };

/** The digest of a parameter (drops Value, Version, dates, ARN). */
export function digestParameter(p: BackupParameter): ParameterDigest {
  const d: Record<string, unknown> = { Name: p.Name, Type: p.Type };
  for (const k of ['Version', 'Description', 'Tier', 'AllowedPattern', 'DataType', 'KeyId', 'Policies', 'Tags', 'Labels'] as const)
    if (p[k] !== undefined) d[k] = p[k];
  // A JSON round trip makes fresh strings: strings cut from a streamed chunk would keep the whole chunk alive. The
  // digest is added as a property, not spread: a spread of parsed objects gives each digest its own hidden class.
  const digest = JSON.parse(JSON.stringify(d)) as ParameterDigest;
  digest.ValueSha256 = createHash('sha256').update(p.Value, 'utf8').digest('base64');
  return digest;
}

/** What a restore does with one parameter. `differs`: changed in the archive but left alone (no --overwrite). `delete`: --prune. */
export type RestoreAction = 'create' | 'update' | 'unchanged' | 'differs' | 'delete';

export interface PlannedItem {
  name: string;
  action: RestoreAction;
  /** Fields that differ from live SSM (names only, never values). */
  fields: string[];
  /** The parameter as it should be: the archive's, with KeyId mapped for the target region (absent for delete). */
  desired?: ParameterDigest;
}

export interface RestorePlan {
  items: PlannedItem[];
  counts: Record<RestoreAction, number>;
}

export interface Selection {
  path?: string;
  names?: string[];
}

export interface PlanOptions {
  overwrite: boolean;
  /** --exact-tags: live tags the archive lacks count as a difference (and are removed on update). */
  exactTags?: boolean;
  /** --prune: live parameters under `pruneUnder` (the selected path, itself included) the archive lacks are deleted. */
  pruneUnder?: string;
  /** Names never pruned (the tool's configuration of every environment, /jenkins/{env}/backup). */
  pruneKeep?: (name: string) => boolean;
  /**
   * The path the archive was made with (its name index): only names strictly below it are pruned ('/': all), since a
   * backup with --path P reads what is below P, never P itself.
   */
  pruneHeldBelow?: string;
}

/** --kms-key-map, parsed once at the edge (cli/options.ts `key-map`): source key id, alias or ARN -> target key. */
export type KeyMap = ReadonlyMap<string, string>;

/** The --kms-key-map source that decides `keyId`'s target: the exact entry, else the alias/key part of an ARN; none: undefined. */
export function keyMapSource(keyId: string | undefined, keyMap: KeyMap): string | undefined {
  const own = keyId ?? DEFAULT_SSM_KEY;
  if (keyMap.has(own)) return own;
  const tail = /^arn:aws[\w-]*:kms:[^:]*:[^:]*:(?:key\/)?(.+)$/.exec(own)?.[1];
  return tail !== undefined && keyMap.has(tail) ? tail : undefined;
}

/** The key a SecureString is written with in the target region: the map first (exact, or the alias/key part of an ARN), else its own. */
export function mapKeyId(keyId: string | undefined, keyMap: KeyMap): string {
  const source = keyMapSource(keyId, keyMap);
  return source === undefined ? (keyId ?? DEFAULT_SSM_KEY) : keyMap.get(source)!;
}

/**
 * --kms-key-map sources that no selected SecureString uses: a WARNING line (returned, for the log and the summary's
 * notes). Such a source may be a typo of the key meant, whose secrets would then be written under their own key: when
 * some selected SecureString's key is left unmapped, `apply` is refused (config error, exit 2, before any write), since
 * the tool never acts on a doubt. When every selected SecureString is mapped the unused sources change nothing (one
 * standing DR map serves a restore of a few names), so apply goes on. Key ids are named (never values).
 */
export function checkKeyMapUse(selected: { Type: string; KeyId?: string }[], keyMap: KeyMap, apply: boolean): string | undefined {
  const secure = selected.filter((p) => p.Type === 'SecureString');
  const used = new Set(secure.map((p) => keyMapSource(p.KeyId, keyMap)));
  const unused = [...keyMap.keys()].filter((k) => !used.has(k));
  if (unused.length === 0) return undefined;
  const keys = [...new Set(secure.map((p) => p.KeyId ?? DEFAULT_SSM_KEY))].sort();
  // The keys a mistyped source may have been meant for: those of selected SecureStrings that no source maps.
  const unmapped = [...new Set(secure.filter((p) => keyMapSource(p.KeyId, keyMap) === undefined).map((p) => p.KeyId ?? DEFAULT_SSM_KEY))].sort();
  const what = `--kms-key-map ${unused.length > 1 ? 'sources' : 'source'} ${unused.join(', ')} ${unused.length > 1 ? 'are' : 'is'} the key of no selected SecureString`;
  const fix = `correct or remove ${unused.length > 1 ? 'them' : 'it'} (the selection's SecureStrings use ${keys.length ? keys.join(', ') : 'no key: it holds none'})`;
  if (apply && unmapped.length)
    throw new EngineError(
      'config',
      `${what}, while ${unmapped.join(', ')} ${unmapped.length > 1 ? 'are' : 'is'} not mapped: if a source is a typo for ${unmapped.length > 1 ? 'one of them' : 'it'}, secrets would be written under the wrong key; ${fix}; nothing was written`,
    );
  return `${what}: ${fix}${unmapped.length ? '' : '; every selected SecureString is mapped, so it changes nothing (a map does not chain)'}`;
}

/** True when `name` is `path` itself (`app` and `/app` are one parameter: canonicalName) or below it ('/' selects everything). */
export function underPath(name: string, path: string | undefined): boolean {
  const prefix = path && path !== '/' ? path.replace(/\/+$/, '') : undefined;
  return !prefix || canonicalName(name) === canonicalName(prefix) || name.startsWith(prefix + '/');
}

/**
 * Streaming selection by --path (P itself and everything below it) and --names: `test` each archive name as it
 * streams by, then `check()` throws a usage error naming --names entries the archive does not hold.
 */
export function makeSelector(sel: Selection): { test(name: string): boolean; check(): void } {
  const wanted = sel.names ? new Set(sel.names) : undefined;
  const found = new Set<string>();
  return {
    test(name) {
      if (!underPath(name, sel.path) || (wanted && !wanted.has(name))) return false;
      if (wanted) found.add(name);
      return true;
    },
    check() {
      const missing = (sel.names ?? []).filter((n) => !found.has(n));
      if (missing.length) throw usageError(`Not in the archive${sel.path && sel.path !== '/' ? ` under ${sel.path}` : ''}: ${missing.join(', ')}`);
    },
  };
}

const policyTexts = (p: Pick<BackupParameter, 'Policies'>): string[] => (p.Policies ?? []).map((x) => normalizeJson(x.PolicyText ?? '')).sort();

function normalizeJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** The tags a restore may send: reserved `aws:` tags (CloudFormation's) are AWS's own, never sent, added or removed. */
export const sendableTags = (tags: Tag[] | undefined): Tag[] => (tags ?? []).filter((t) => !isReservedTagKey(t.Key ?? ''));

/** Tags of the archive that live SSM lacks or holds with another value (reserved `aws:` tags left out). */
export function missingTags(desired: Tag[] | undefined, live: Tag[] | undefined): Tag[] {
  const have = new Map((live ?? []).map((t) => [t.Key, t.Value]));
  return sendableTags(desired).filter((t) => have.get(t.Key) !== t.Value);
}

/**
 * --exact-tags: keys of live tags the archive does not hold (never a reserved `aws:` one). Nothing when the archive
 * holds no tag list (backup without --include-tags).
 */
export function extraTagKeys(desired: Tag[] | undefined, live: Tag[] | undefined): string[] {
  if (desired === undefined) return [];
  const keep = new Set(desired.map((t) => t.Key));
  return sendableTags(live)
    .map((t) => t.Key as string)
    .filter((k) => !keep.has(k));
}

/** Labels of the archive that live SSM's current version lacks (labels are only ever added or moved, never removed). */
export function missingLabels(desired: string[] | undefined, live: string[] | undefined): string[] {
  const have = new Set(live ?? []);
  return (desired ?? []).filter((l) => !have.has(l));
}

/**
 * Field names other than Tags and Labels in which live SSM differs from the archive. Fields the archive does not hold
 * are not compared (a restore never removes anything); Standard in the archive vs Advanced live is not a difference
 * (SSM cannot downgrade a tier). Values are compared by digest, never returned.
 */
export function valueFields(want: ParameterDigest, live: ParameterDigest): string[] {
  const out: string[] = [];
  if (want.Type !== live.Type) out.push('Type');
  if (want.ValueSha256 !== live.ValueSha256) out.push('Value');
  if (want.Description !== undefined && want.Description !== live.Description) out.push('Description');
  if (want.Tier === 'Advanced' && live.Tier !== 'Advanced') out.push('Tier');
  if (want.AllowedPattern !== undefined && want.AllowedPattern !== live.AllowedPattern) out.push('AllowedPattern');
  if ((want.DataType ?? 'text') !== (live.DataType ?? 'text')) out.push('DataType');
  if (want.Policies?.length && JSON.stringify(policyTexts(want)) !== JSON.stringify(policyTexts(live))) out.push('Policies');
  if (want.Type === 'SecureString' && (want.KeyId ?? DEFAULT_SSM_KEY) !== (live.KeyId ?? DEFAULT_SSM_KEY)) out.push('KeyId');
  return out;
}

/** 'Tags' and 'Labels' when live SSM lacks some of the archive's (or, with exactTags, holds tags the archive lacks). */
export function tagLabelFields(want: Pick<ParameterDigest, 'Tags' | 'Labels'>, live: Pick<ParameterDigest, 'Tags' | 'Labels'>, exactTags = false): string[] {
  const out: string[] = [];
  if (missingTags(want.Tags, live.Tags).length || (exactTags && extraTagKeys(want.Tags, live.Tags).length)) out.push('Tags');
  if (missingLabels(want.Labels, live.Labels).length) out.push('Labels');
  return out;
}

/**
 * What a plan keeps of a live parameter once it was compared with the archive as it arrived: the differing fields
 * other than Tags and Labels (undefined when the archive lacks the name), the Version, and Tags and Labels when they
 * were read. The live digest is dropped after the comparison, so 100,000 live parameters add a few bytes each.
 */
export interface LiveFacts {
  fields: string[] | undefined;
  Version?: number;
  Tags?: Tag[];
  Labels?: string[];
}

const NO_FIELDS: string[] = Object.freeze([]) as unknown as string[];
const ONLY_LIVE: LiveFacts = Object.freeze({ fields: undefined });

/**
 * The facts of one live parameter (its digest; may be left out when the archive lacks the name) against the archive's
 * entry of that name (`want`, KeyId mapped as a restore writes it).
 */
export function liveFacts(want: ParameterDigest | undefined, live: ParameterDigest | undefined): LiveFacts {
  if (!want || !live) return ONLY_LIVE;
  const fields = valueFields(want, live);
  const facts: LiveFacts = { fields: fields.length ? fields : NO_FIELDS, Version: live.Version };
  if (live.Tags !== undefined) facts.Tags = live.Tags;
  if (live.Labels !== undefined) facts.Labels = live.Labels;
  return facts;
}

/** The archive's parameter as it should exist in the target region (the same object when nothing changes). */
export function desiredParameter<T extends { Type: string; KeyId?: string }>(p: T, keyMap: KeyMap): T {
  if (p.Type !== 'SecureString') return p.KeyId === undefined ? p : withoutUndefined(p, 'KeyId');
  const keyId = mapKeyId(p.KeyId, keyMap);
  if (keyId === p.KeyId) return p;
  const d = withoutUndefined(p);
  d.KeyId = keyId;
  return d;
}

/**
 * Decides create / update / unchanged / differs for each selected archive parameter and, with `pruneUnder`, delete
 * for each live parameter under that path the archive lacks. `archive`: the selected entries as the restore writes them
 * (desiredParameter applied once by the caller: KMS keys mapped); `live`: liveFacts of every live parameter read, by
 * name. Pure.
 */
export function planRestore(archive: ParameterDigest[], live: Map<string, LiveFacts>, opts: PlanOptions): RestorePlan {
  const counts: Record<RestoreAction, number> = { create: 0, update: 0, unchanged: 0, differs: 0, delete: 0 };
  const items = archive.map((p): PlannedItem => {
    const fields = changedFields(p, live.get(p.Name), opts.exactTags);
    const action: RestoreAction = !fields ? 'create' : fields.length === 0 ? 'unchanged' : opts.overwrite ? 'update' : 'differs';
    counts[action] += 1;
    return { name: p.Name, action, fields: fields ?? [], desired: p };
  });
  if (opts.pruneUnder !== undefined) {
    for (const name of [...live.keys()].sort()) {
      if (live.get(name)?.fields || !underPath(name, opts.pruneUnder) || opts.pruneKeep?.(name) || !heldBelow(name, opts.pruneHeldBelow)) continue;
      items.push({ name, action: 'delete', fields: [] });
      counts.delete += 1;
    }
  }
  return { items, counts };
}

/** True when an archive made with --path `path` could hold `name`: strictly below it, or anything for '/' (or no path). */
const heldBelow = (name: string, path: string | undefined): boolean => !path || path === '/' || name.startsWith(`${path.replace(/\/+$/, '')}/`);

/** Every field in which live differs from the archive's entry `want`; undefined when it does not exist live. */
export function changedFields(want: ParameterDigest, facts: LiveFacts | undefined, exactTags = false): string[] | undefined {
  if (!facts?.fields) return undefined;
  const more = tagLabelFields(want, facts, exactTags);
  return more.length ? [...facts.fields, ...more] : facts.fields;
}

/** `Value` shows as "value differs"; other fields by name. Never a value. */
export const describeFields = (fields: string[]): string => fields.map((f) => (f === 'Value' ? 'value differs' : f)).join(', ');
