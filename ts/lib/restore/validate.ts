import type { BackupParameter } from '../archive/index.js';
import { partitionOf } from '../../contract/index.js';
import { isReservedTagKey, parameterNotes } from './notes.js';

/**
 * Parameter Store's rules for one parameter that protect the user, checked on every selected archive entry before the
 * first write, by verify and restore alike (one validator: "verify OK" means restore would not refuse the archive).
 * Refused: names (PutParameter Name: a-zA-Z0-9_.-/, at most 15 levels, not prefixed by "aws" or "ssm" in any case, a
 * hierarchy starts with "/", and at most 1011 characters counting the ARN before the name: the Name note of the
 * PutParameter reference), Type (it decides whether a value is encrypted), the value size (8 KB Advanced, 4 KB
 * Standard), Policies that are not JSON, Description and KeyId lengths, tags that are not {Key, Value} (at most 50
 * besides the reserved `aws:` ones, keys 1-128, values 0-256: AddTagsToResource) and labels (LabelParameterVersion:
 * at most 10, 1-100 characters of letters, digits, `.`, `-`, `_`, not starting with a digit, "aws" or "ssm").
 * Noted only (notes.ts), AWS judges: DataType, Tier, policy types, AllowedPattern, reserved tags.
 * Problems name fields, never values.
 */
export const NAME_MAX = 1011;
export const MAX_LEVELS = 15;
export const STANDARD_MAX_BYTES = 4096;
export const ADVANCED_MAX_BYTES = 8192;
const TYPES = ['String', 'StringList', 'SecureString'];

/**
 * The part of a parameter's ARN before its name, which counts toward NAME_MAX: `arn:<partition>:ssm:<region>:` +
 * a 12-digit account + `:parameter/` (45 characters in us-east-2 of partition aws). The name's own leading "/" is
 * the ARN's separator and is not counted twice.
 */
export function arnPrefixLength(region: string): number {
  const partition = partitionOf(region)?.id ?? 'aws';
  return `arn:${partition}:ssm:${region}:123456789012:parameter/`.length;
}

/** A name safe to print in a message: JSON-quoted when it is not a plain parameter name, cut at 200 characters. */
export function printableName(name: unknown): string {
  if (typeof name === 'string' && /^[a-zA-Z0-9_.\-/]{1,200}$/.test(name)) return name;
  const s = JSON.stringify(typeof name === 'string' ? name.slice(0, 200) : (name ?? null));
  return s === undefined ? 'null' : s;
}

/**
 * The problems of a parameter name (empty when valid). `region`: the region it is written to, whose ARN prefix counts
 * toward the 1011 characters (without it, only the name is counted).
 */
export function nameProblems(name: string, region?: string): string[] {
  if (name === '') return ['empty Name'];
  const out: string[] = [];
  const bare = name.replace(/^\//, '');
  if ((region === undefined ? name.length : arnPrefixLength(region) + bare.length) > NAME_MAX)
    out.push(region === undefined ? `Name longer than ${NAME_MAX} characters` : `Name with its ARN in ${region} longer than ${NAME_MAX} characters`);
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) out.push('Name has characters other than a-zA-Z0-9_.-/');
  if (/^(aws|ssm)/i.test(bare)) out.push('Name starts with the reserved prefix aws or ssm');
  if (name.includes('/') && !name.startsWith('/')) out.push('a hierarchical Name must start with /');
  if (bare.split('/').some((s) => s === '')) out.push('Name has an empty level');
  if (name.split('/').length - 1 > MAX_LEVELS) out.push(`Name has more than ${MAX_LEVELS} levels`);
  return out;
}

const isString = (v: unknown): v is string => typeof v === 'string';

function valueProblems(p: BackupParameter, advanced: boolean): string[] {
  const out: string[] = [];
  const bytes = Buffer.byteLength(p.Value, 'utf8');
  if (bytes > ADVANCED_MAX_BYTES) out.push(`Value is ${bytes} bytes, over ${ADVANCED_MAX_BYTES} (Advanced tier limit)`);
  else if (p.Tier === 'Standard' && bytes > STANDARD_MAX_BYTES && !advanced)
    out.push(`Value is ${bytes} bytes, over ${STANDARD_MAX_BYTES} for the Standard tier`);
  if (p.AllowedPattern !== undefined && (!isString(p.AllowedPattern) || p.AllowedPattern.length > 1024))
    out.push('AllowedPattern is not a string of at most 1024 characters');
  return out;
}

/** LabelParameterVersion's rules (API reference): at most 10 a version, 1-100 of a-zA-Z0-9._-, not starting with a digit, aws or ssm. */
export function labelProblems(labels: unknown): string[] {
  if (!Array.isArray(labels) || labels.length > 10) return ['Labels is not a list of at most 10'];
  const bad = labels.filter((l) => !isString(l) || !/^[a-zA-Z0-9._-]{1,100}$/.test(l) || /^([0-9]|aws|ssm)/i.test(l));
  return bad.length
    ? [`${bad.length} label${bad.length > 1 ? 's' : ''} LabelParameterVersion would refuse (1-100 of a-zA-Z0-9._-, not starting with a digit, aws or ssm)`]
    : [];
}

function policyProblems(policies: unknown): string[] {
  if (!Array.isArray(policies)) return ['Policies is not a list'];
  for (const x of policies) {
    const text = (x as { PolicyText?: unknown } | null)?.PolicyText;
    let doc: unknown;
    try {
      doc = isString(text) ? JSON.parse(text) : undefined;
    } catch {
      doc = undefined;
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !isString((doc as { Type?: unknown }).Type))
      return ['Policies holds a policy that is not a JSON object with a Type'];
  }
  return [];
}

function tagProblems(tags: unknown): string[] {
  if (!Array.isArray(tags)) return ['Tags is not a list'];
  // Reserved aws: tags (CloudFormation's) are never sent (notes.ts) and do not count toward the 50.
  if (tags.filter((t) => !isReservedTagKey(String((t as { Key?: unknown } | null)?.Key ?? ''))).length > 50) return ['more than 50 Tags'];
  const keys = new Set<string>();
  for (const t of tags as { Key?: unknown; Value?: unknown }[]) {
    if (!t || !isString(t.Key) || t.Key.length < 1 || t.Key.length > 128 || !isString(t.Value) || t.Value.length > 256)
      return ['a Tag is not {Key: 1-128 characters, Value: 0-256 characters}'];
    if (keys.has(t.Key)) return [`Tag key ${printableName(t.Key)} given twice`];
    keys.add(t.Key);
  }
  return [];
}

/** The shape every archive entry must have (checked on all of them): an object with string Name, Type and Value. */
export function shapeProblems(p: unknown): string[] {
  const q = p as Partial<Record<keyof BackupParameter, unknown>> | null;
  if (!q || typeof q !== 'object' || Array.isArray(q)) return ['not a JSON object'];
  const missing = (['Name', 'Type', 'Value'] as const).filter((k) => !isString(q[k]));
  return missing.length ? [`${missing.join(', ')} missing or not a string`] : [];
}

/**
 * Every rule the engine refuses on, for one well-shaped entry; empty when the archive may be written. `region`: the
 * region it is written to (its ARN prefix counts toward the name limit).
 */
export function parameterProblems(p: BackupParameter, region?: string): string[] {
  const out = nameProblems(p.Name, region);
  if (!TYPES.includes(p.Type)) out.push(`Type ${printableName(p.Type)} is not ${TYPES.join(', ')}`);
  if (p.Tier !== undefined && !isString(p.Tier)) out.push('Tier is not a string');
  if (p.DataType !== undefined && (!isString(p.DataType) || p.DataType.length > 128)) out.push('DataType is not a string of at most 128 characters');
  if (p.Description !== undefined && (!isString(p.Description) || p.Description.length > 1024))
    out.push('Description is not a string of at most 1024 characters');
  if (p.KeyId !== undefined && (!isString(p.KeyId) || p.KeyId.length < 1 || p.KeyId.length > 256)) out.push('KeyId is not a string of 1-256 characters');
  const policies = p.Policies === undefined ? [] : policyProblems(p.Policies);
  out.push(...policies);
  const advanced = p.Tier === 'Advanced' || p.Tier === 'Intelligent-Tiering' || (Array.isArray(p.Policies) && p.Policies.length > 0);
  out.push(...valueProblems(p, advanced));
  if (p.Tags !== undefined) out.push(...tagProblems(p.Tags));
  if (p.Labels !== undefined) out.push(...labelProblems(p.Labels));
  return out;
}

/**
 * Collects problems across a whole archive read: names given twice (every entry), shapes (every entry) and the
 * rules (selected entries), and the notes of the selected entries (notes.ts: AWS judges, the restore goes on).
 * Bounded: keeps the names of the first `keep` offenders and notes, and counts the rest.
 */
export class ArchiveProblems {
  private readonly seen = new Set<string>();
  readonly offenders: string[] = [];
  readonly notes: string[] = [];
  count = 0;
  noteCount = 0;

  /** `region`: where the entries would be written (its ARN prefix counts toward the name limit). */
  constructor(
    private readonly keep = 20,
    private readonly region?: string,
  ) {}

  /** Checks the shape and duplicates; returns the parameter when it is well shaped and seen for the first time. */
  entry(value: unknown, index: number): BackupParameter | undefined {
    const shape = shapeProblems(value);
    if (shape.length) return (this.add(`#${index + 1} ${printableName((value as { Name?: unknown } | null)?.Name)}`, shape), undefined);
    const p = value as BackupParameter;
    if (this.seen.has(p.Name)) return (this.add(printableName(p.Name), ['given twice (ambiguous)']), undefined);
    this.seen.add(Buffer.from(p.Name, 'utf8').toString('utf8')); // a fresh copy: a name cut from a streamed chunk keeps the chunk alive
    return p;
  }

  /** Checks Parameter Store's rules on a selected parameter. */
  rules(p: BackupParameter): boolean {
    const problems = parameterProblems(p, this.region);
    if (problems.length) this.add(printableName(p.Name), problems);
    else this.note(p);
    return problems.length === 0;
  }

  private note(p: BackupParameter): void {
    const notes = parameterNotes(p);
    if (notes.length === 0) return;
    this.noteCount += 1;
    if (this.notes.length < this.keep) this.notes.push(`${printableName(p.Name)}: ${notes.join('; ')}`);
  }

  /** One line per noted parameter (bounded), and how many more there are. */
  noteLines(): string[] {
    const more = this.noteCount - this.notes.length;
    return more > 0 ? [...this.notes, `and ${more} more parameter(s) with notes`] : [...this.notes];
  }

  private add(name: string, problems: string[]): void {
    this.count += 1;
    if (this.offenders.length < this.keep) this.offenders.push(`${name} (${problems.join('; ')})`);
  }

  /** One line naming the offenders, or undefined when there are none. */
  summary(): string | undefined {
    if (this.count === 0) return undefined;
    const more = this.count > this.offenders.length ? `, and ${this.count - this.offenders.length} more` : '';
    return `${this.count} entr${this.count === 1 ? 'y breaks' : 'ies break'} Parameter Store's rules: ${this.offenders.join(', ')}${more}`;
  }
}
