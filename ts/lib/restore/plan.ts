import type { Tag } from '@aws-sdk/client-ssm';
import type { BackupParameter } from '../parameter.js';
import { usageError } from '../errors.js';

export const DEFAULT_SSM_KEY = 'alias/aws/ssm';

/** What a restore does with one parameter. `differs`: changed in the archive but left alone (no --overwrite). */
export type RestoreAction = 'create' | 'update' | 'unchanged' | 'differs';

export interface PlannedItem {
  name: string;
  action: RestoreAction;
  /** Fields that differ from live SSM (names only, never values). */
  fields: string[];
  /** The parameter to write: the archive's, with KeyId mapped for the target region. */
  desired: BackupParameter;
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
  keyMap: Record<string, string>;
}

/** Parses `alias/aws/ssm=alias/other,key-id=alias/x` into a map. */
export function parseKeyMap(text: string | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw usageError(`--kms-key-map entry "${pair}" is invalid: use FROM=TO, e.g. alias/app-secrets=alias/dr-secrets`);
    map[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return map;
}

/** The key a SecureString is written with in the target region: the map first (exact, or the alias/key part of an ARN), else its own. */
export function mapKeyId(keyId: string | undefined, keyMap: Record<string, string>): string {
  const own = keyId ?? DEFAULT_SSM_KEY;
  if (keyMap[own] !== undefined) return keyMap[own];
  const tail = /^arn:aws[\w-]*:kms:[^:]*:[^:]*:(?:key\/)?(.+)$/.exec(own)?.[1];
  if (tail !== undefined && keyMap[tail] !== undefined) return keyMap[tail];
  return own;
}

/** Archive parameters selected by --path (recursive) and --names; names missing from the archive are an error. */
export function selectParameters(params: BackupParameter[], sel: Selection): BackupParameter[] {
  const prefix = sel.path && sel.path !== '/' ? sel.path.replace(/\/+$/, '') : undefined;
  let out = prefix ? params.filter((p) => p.Name === prefix || p.Name.startsWith(prefix + '/')) : params;
  if (sel.names) {
    const wanted = new Set(sel.names);
    out = out.filter((p) => wanted.has(p.Name));
    const missing = sel.names.filter((n) => !out.some((p) => p.Name === n));
    if (missing.length) throw usageError(`Not in the archive${prefix ? ` under ${prefix}` : ''}: ${missing.join(', ')}`);
  }
  return out;
}

const policyTexts = (p: BackupParameter): string[] => (p.Policies ?? []).map((x) => normalizeJson(x.PolicyText ?? '')).sort();

function normalizeJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Tags of the archive that live SSM lacks or holds with another value (tags are only ever added). */
export function missingTags(desired: Tag[] | undefined, live: Tag[] | undefined): Tag[] {
  const have = new Map((live ?? []).map((t) => [t.Key, t.Value]));
  return (desired ?? []).filter((t) => have.get(t.Key) !== t.Value);
}

/** Labels of the archive that live SSM's current version lacks (labels are only ever added or moved, never removed). */
export function missingLabels(desired: string[] | undefined, live: string[] | undefined): string[] {
  const have = new Set(live ?? []);
  return (desired ?? []).filter((l) => !have.has(l));
}

/**
 * Field names in which live SSM differs from the archive. Fields the archive does not hold are not
 * compared (a restore never removes anything); Standard in the archive vs Advanced live is not a
 * difference (SSM cannot downgrade a tier). Values are compared, never returned.
 */
export function differingFields(want: BackupParameter, live: BackupParameter): string[] {
  const out: string[] = [];
  if (want.Type !== live.Type) out.push('Type');
  if (want.Value !== live.Value) out.push('Value');
  if (want.Description !== undefined && want.Description !== live.Description) out.push('Description');
  if (want.Tier === 'Advanced' && live.Tier !== 'Advanced') out.push('Tier');
  if (want.AllowedPattern !== undefined && want.AllowedPattern !== live.AllowedPattern) out.push('AllowedPattern');
  if ((want.DataType ?? 'text') !== (live.DataType ?? 'text')) out.push('DataType');
  if (want.Policies?.length && JSON.stringify(policyTexts(want)) !== JSON.stringify(policyTexts(live))) out.push('Policies');
  if (want.Type === 'SecureString' && (want.KeyId ?? DEFAULT_SSM_KEY) !== (live.KeyId ?? DEFAULT_SSM_KEY)) out.push('KeyId');
  if (missingTags(want.Tags, live.Tags).length) out.push('Tags');
  if (missingLabels(want.Labels, live.Labels).length) out.push('Labels');
  return out;
}

/** The archive's parameter as it should exist in the target region. */
export function desiredParameter(p: BackupParameter, keyMap: Record<string, string>): BackupParameter {
  const d: BackupParameter = { ...p };
  if (d.Type === 'SecureString') d.KeyId = mapKeyId(p.KeyId, keyMap);
  else delete d.KeyId;
  return d;
}

/** Decides create / update / unchanged / differs for each selected archive parameter. Pure; deletes nothing. */
export function planRestore(archive: BackupParameter[], live: Map<string, BackupParameter>, opts: PlanOptions): RestorePlan {
  const counts: Record<RestoreAction, number> = { create: 0, update: 0, unchanged: 0, differs: 0 };
  const items = archive.map((p): PlannedItem => {
    const desired = desiredParameter(p, opts.keyMap);
    const current = live.get(p.Name);
    let item: PlannedItem;
    if (!current) item = { name: p.Name, action: 'create', fields: [], desired };
    else {
      const fields = differingFields(desired, current);
      const action: RestoreAction = fields.length === 0 ? 'unchanged' : opts.overwrite ? 'update' : 'differs';
      item = { name: p.Name, action, fields, desired };
    }
    counts[item.action] += 1;
    return item;
  });
  return { items, counts };
}

/** `Value` shows as "value differs"; other fields by name. Never a value. */
export const describeFields = (fields: string[]): string => fields.map((f) => (f === 'Value' ? 'value differs' : f)).join(', ');
