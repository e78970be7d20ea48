import type { BackupParameter } from '../archive/index.js';

/**
 * What the engine notes about a parameter but leaves to AWS to judge: enums and regular expression dialects that AWS
 * extends over time are never grounds to refuse an archive (issue 19). Each note names fields, never values; the
 * restore goes on, and a parameter AWS then refuses fails alone with AWS's error code and field.
 */

/**
 * The DataType values the pinned @aws-sdk/client-ssm documents for PutParameter (PutParameterRequest.DataType in
 * dist-types/models; test/lib/restore/notes.test.ts checks this list against the installed SDK). Used to warn, never
 * to refuse: a value outside it passes with a note.
 */
export const KNOWN_DATA_TYPES = [
  'text',
  'aws:ec2:image',
  'aws:ssm:integration',
  'aws:region',
  'aws:account:id',
  'boolean',
  'integer',
  'float',
  'binary',
  'hostname',
  'email',
  'ipv4-address',
  'ipv6-address',
  'url',
  'json',
  'jsonc',
] as const;

/** Tag keys starting with `aws:` are reserved for AWS (CloudFormation adds three): AddTagsToResource refuses them. */
export const isReservedTagKey = (key: string): boolean => /^aws:/i.test(key);

/** ParameterTier values of the pinned SDK (a value outside them is noted, AWS judges). */
const KNOWN_TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'];
/** Parameter policy types of the PutParameter reference (Policies). */
const KNOWN_POLICY_TYPES = ['Expiration', 'ExpirationNotification', 'NoChangeNotification'];

/**
 * True when `pattern` stays inside a regex subset that Java (AWS's dialect) and JavaScript read alike: literal ASCII,
 * `. ^ $ | ( ) * + ? {m,n}` (no `(?`, no possessive quantifiers), classes of literals, ranges and `\d \D \w \W`,
 * escapes of punctuation. `\s`, `\b`, `\p{..}`, back references, lookarounds, flags, nested classes and `&&` are out.
 */
export function isPortablePattern(pattern: string): boolean {
  if (!/^[\x20-\x7e]*$/.test(pattern) || /\(\?|[*+?}][+]|&&|\[[^\]]*\[/.test(pattern)) return false;
  for (let i = 0; i < pattern.length; i += 1) {
    if (pattern[i] !== '\\') continue;
    const next = pattern[i + 1] ?? '';
    if (!/[dDwW.*+?()[\]{}|^$\\/-]/.test(next)) return false;
    i += 1;
  }
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * AllowedPattern: a note only when the pattern is portable (isPortablePattern), the value is printable ASCII on one
 * line (no `$`/`.` line-terminator or code-point differences between the dialects) and the pattern is found nowhere
 * in it (so neither a full match nor a search, whichever AWS applies, would accept it).
 */
function patternNote(p: BackupParameter): string | undefined {
  const pattern = p.AllowedPattern;
  if (typeof pattern !== 'string' || !isPortablePattern(pattern) || !/^[\x20-\x7e]*$/.test(p.Value)) return undefined;
  return new RegExp(pattern).test(p.Value) ? undefined : 'Value does not appear to match AllowedPattern: AWS will judge';
}

/** The notes of one selected parameter (empty when nothing is worth saying). */
export function parameterNotes(p: BackupParameter): string[] {
  const out: string[] = [];
  if (p.DataType !== undefined && !(KNOWN_DATA_TYPES as readonly string[]).includes(p.DataType))
    out.push(`DataType ${JSON.stringify(String(p.DataType).slice(0, 64))} is not one the SDK documents: AWS will judge`);
  if (p.DataType === 'aws:ec2:image' && (p.Type !== 'String' || !/^ami-[0-9a-f]{8,17}$/.test(p.Value)))
    out.push('DataType aws:ec2:image with a value that is not an AMI id (or not a String): AWS will judge');
  if (p.Tier !== undefined && !KNOWN_TIERS.includes(p.Tier))
    out.push(`Tier ${JSON.stringify(String(p.Tier).slice(0, 64))} is not one the SDK documents: AWS will judge`);
  for (const x of p.Policies ?? []) {
    const type = policyType(x.PolicyText);
    if (type !== undefined && !KNOWN_POLICY_TYPES.includes(type))
      out.push(`a policy of Type ${JSON.stringify(type.slice(0, 64))} is not one AWS documents: AWS will judge`);
  }
  const note = patternNote(p);
  if (note) out.push(note);
  const reserved = (p.Tags ?? []).filter((t) => isReservedTagKey(t.Key ?? '')).map((t) => (/^[\w.:/=+@-]+$/.test(t.Key ?? '') ? t.Key : JSON.stringify(t.Key)));
  if (reserved.length) out.push(`reserved tag${reserved.length > 1 ? 's' : ''} ${reserved.join(', ')} (aws: prefix) not sent`);
  return out;
}

function policyType(text: string | undefined): string | undefined {
  try {
    const type = (JSON.parse(text ?? 'null') as { Type?: unknown } | null)?.Type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
