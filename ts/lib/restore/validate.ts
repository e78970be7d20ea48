import type { BackupParameter } from '../archive/index.js';

/**
 * Parameter Store's rules for one parameter, checked on every selected archive entry before the first write.
 * Sources: the PutParameter API reference (Name: a-zA-Z0-9_.-/, at most 1011 characters, at most 15 levels, not
 * prefixed by "aws" or "ssm" in any case, a hierarchy starts with "/"; Type; Tier; Value at most 4 KB Standard /
 * 8 KB Advanced; DataType text | aws:ec2:image | aws:ssm:integration; Policies JSON with types Expiration,
 * ExpirationNotification, NoChangeNotification; AllowedPattern at most 1024 characters and matched by the value;
 * Description at most 1024 characters) and AddTagsToResource (at most 50 tags, keys 1-128, values 0-256).
 * Problems name fields, never values.
 */
export const NAME_MAX = 1011;
export const MAX_LEVELS = 15;
export const STANDARD_MAX_BYTES = 4096;
export const ADVANCED_MAX_BYTES = 8192;
const TYPES = ['String', 'StringList', 'SecureString'];
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'];
const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'];
const POLICY_TYPES = ['Expiration', 'ExpirationNotification', 'NoChangeNotification'];

/** A name safe to print in a message: JSON-quoted when it is not a plain parameter name, cut at 200 characters. */
export function printableName(name: unknown): string {
  if (typeof name === 'string' && /^[a-zA-Z0-9_.\-/]{1,200}$/.test(name)) return name;
  const s = JSON.stringify(typeof name === 'string' ? name.slice(0, 200) : (name ?? null));
  return s === undefined ? 'null' : s;
}

/** The problems of a parameter name (empty when valid). */
export function nameProblems(name: string): string[] {
  if (name === '') return ['empty Name'];
  const out: string[] = [];
  if (name.length > NAME_MAX) out.push(`Name longer than ${NAME_MAX} characters`);
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) out.push('Name has characters other than a-zA-Z0-9_.-/');
  const bare = name.replace(/^\//, '');
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
  if (p.AllowedPattern !== undefined) {
    if (!isString(p.AllowedPattern) || p.AllowedPattern.length > 1024) out.push('AllowedPattern is not a string of at most 1024 characters');
    else {
      let re: RegExp | undefined;
      try {
        re = new RegExp(`^(?:${p.AllowedPattern})$`, 'u');
      } catch {
        out.push('AllowedPattern is not a regular expression this tool can check');
      }
      if (re && !re.test(p.Value)) out.push('Value does not match AllowedPattern');
    }
  }
  if (p.DataType === 'aws:ec2:image' && (p.Type !== 'String' || !/^ami-[0-9a-f]{8,17}$/.test(p.Value)))
    out.push('DataType aws:ec2:image needs a String whose value is an AMI id');
  return out;
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
    const type = (doc as { Type?: unknown } | undefined)?.Type;
    if (!doc || typeof doc !== 'object' || !POLICY_TYPES.includes(type as string))
      return [`Policies holds a policy that is not JSON with Type ${POLICY_TYPES.join(', ')}`];
  }
  return [];
}

function tagProblems(tags: unknown): string[] {
  if (!Array.isArray(tags)) return ['Tags is not a list'];
  if (tags.length > 50) return ['more than 50 Tags'];
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

/** Every Parameter Store rule for one well-shaped entry; empty when PutParameter would accept it. */
export function parameterProblems(p: BackupParameter): string[] {
  const out = nameProblems(p.Name);
  if (!TYPES.includes(p.Type)) out.push(`Type ${printableName(p.Type)} is not ${TYPES.join(', ')}`);
  if (p.Tier !== undefined && !TIERS.includes(p.Tier)) out.push(`Tier ${printableName(p.Tier)} is not ${TIERS.join(', ')}`);
  if (p.DataType !== undefined && !DATA_TYPES.includes(p.DataType)) out.push(`DataType ${printableName(p.DataType)} is not ${DATA_TYPES.join(', ')}`);
  if (p.Description !== undefined && (!isString(p.Description) || p.Description.length > 1024))
    out.push('Description is not a string of at most 1024 characters');
  if (p.KeyId !== undefined && (!isString(p.KeyId) || p.KeyId.length < 1 || p.KeyId.length > 256)) out.push('KeyId is not a string of 1-256 characters');
  const policies = p.Policies === undefined ? [] : policyProblems(p.Policies);
  out.push(...policies);
  const advanced = p.Tier === 'Advanced' || p.Tier === 'Intelligent-Tiering' || (Array.isArray(p.Policies) && p.Policies.length > 0);
  out.push(...valueProblems(p, advanced));
  if (p.Tags !== undefined) out.push(...tagProblems(p.Tags));
  return out;
}

/**
 * Collects problems across a whole archive read: names given twice (every entry), shapes (every entry) and the
 * rules (selected entries). Bounded: keeps the names of the first `keep` offenders and counts the rest.
 */
export class ArchiveProblems {
  private readonly seen = new Set<string>();
  readonly offenders: string[] = [];
  count = 0;

  constructor(private readonly keep = 20) {}

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
    const problems = parameterProblems(p);
    if (problems.length) this.add(printableName(p.Name), problems);
    return problems.length === 0;
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
