/** SSM parameter storage per region and PutParameter validation rules. */
import { createHash } from 'node:crypto';
import { AwsError } from './types.js';
import type { ParameterPolicy, ParameterType, SeedParameter, StoredParameter, Tag } from './types.js';
import { DEFAULT_SSM_ALIAS, type KmsStore } from './kms-sts.js';
import { SsmVersions } from './ssm-versions.js';

const STANDARD_MAX = 4096;
const ADVANCED_MAX = 8192;
const TYPES: ParameterType[] = ['String', 'StringList', 'SecureString'];
const POLICY_TYPES = ['Expiration', 'ExpirationNotification', 'NoChangeNotification'];
const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

export interface PutInput extends SeedParameter {
  Overwrite?: boolean;
}

const validation = (message: string): AwsError => new AwsError('ValidationException', message);

/**
 * The key of a parameter: `dup` and `/dup` are one single-level parameter with one ARN `...:parameter/dup`
 * (PutParameter's API reference: "A parameter name must be unique within an Amazon Web Services Region"; the slash is
 * required only "for parameters in a hierarchy"). moto's `ParameterDict.normalize_name` (moto/ssm/models.py) keys
 * parameters the same way and keeps the spelling the parameter was created with, as we do (the API reference does
 * not say which spelling AWS answers with; the engine accepts both).
 */
export function canonicalName(name: string): string {
  return name.startsWith('/') && !name.includes('/', 1) ? name.slice(1) : name;
}

export function validateName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0)
    throw validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  if (name.length > 2048)
    throw validation("1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048");
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || /^(aws|ssm)/i.test(bare) || bare.split('/').some((s) => s === '')) throw validation(NAME_RULES);
  if (name.includes('/') && !name.startsWith('/')) throw validation('Parameter name must be a fully qualified name.');
  if (name.split('/').length - 1 > 15)
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      'A hierarchy can have a maximum of 15 levels. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html',
    );
  return name;
}

/**
 * Tag keys starting with `aws:` (any case) are reserved for AWS (CloudFormation sets aws:cloudformation:*): callers
 * cannot add or remove them (tagging best practices, "Tag naming limits and requirements"). Seeded parameters may
 * carry them, as CloudFormation-made ones do.
 */
export function refuseReservedTagKeys(keys: unknown[]): void {
  if (keys.some((k) => typeof k === 'string' && /^aws:/i.test(k)))
    throw validation("Tag keys starting with 'aws:' are reserved for internal use and can't be added, changed or removed.");
}

/**
 * DataType values the PutParameter reference (PutParameterRequest.DataType of @aws-sdk/client-ssm) lists; anything
 * else is answered ValidationException as AWS does ("The following data type is not supported"). Values of these
 * types are stored without checking, except aws:ec2:image (see put).
 */
const DATA_TYPES = [
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
];

function validateTags(tags: unknown, seed = false): Tag[] {
  if (tags === undefined) return [];
  if (!seed && Array.isArray(tags)) refuseReservedTagKeys(tags.map((t) => (t as Partial<Tag> | null)?.Key));
  if (!Array.isArray(tags)) throw validation('Tags must be a list');
  if (tags.length > 50) throw new AwsError('TooManyTagsError', 'The Tag limit of 50 has been exceeded.');
  return tags.map((t: unknown) => {
    const tag = t as Partial<Tag>;
    if (typeof tag?.Key !== 'string' || tag.Key.length === 0 || tag.Key.length > 128)
      throw validation("1 validation error detected: Value at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128");
    if (typeof tag.Value !== 'string' || tag.Value.length > 256)
      throw validation(
        "1 validation error detected: Value at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
      );
    return { Key: tag.Key, Value: tag.Value };
  });
}

function parsePolicies(text: string): ParameterPolicy[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AwsError('InvalidPolicyAttributeException', 'The policy is not a valid JSON document.');
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((p: unknown) => {
    const type = p && typeof p === 'object' && 'Type' in p ? String(p.Type) : '';
    if (!POLICY_TYPES.includes(type))
      throw new AwsError('InvalidPolicyTypeException', `The policy type ${type || '(missing)'} is not supported. Valid types: ${POLICY_TYPES.join(', ')}`);
    return { PolicyText: JSON.stringify(p), PolicyType: type, PolicyStatus: 'Pending' };
  });
}

export class SsmStore {
  private readonly regions = new Map<string, Map<string, StoredParameter>>();
  /** History and labels of every parameter. */
  readonly versions = new SsmVersions();
  /** Names per region that carry or ever carried a tag (GetResources lists those, with `Tags: []` once untagged). */
  private readonly everTagged = new Map<string, Set<string>>();

  constructor(
    private readonly kms: KmsStore,
    private readonly accountId: () => string,
  ) {}

  private params(region: string): Map<string, StoredParameter> {
    let m = this.regions.get(region);
    if (!m) this.regions.set(region, (m = new Map()));
    return m;
  }

  arn(region: string, name: string): string {
    return `arn:aws:ssm:${region}:${this.accountId()}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  }

  /** Accepts a plain name or a parameter ARN; answers the stored spelling of a known parameter (see canonicalName). */
  normalizeName(region: string, ref: string): string {
    const m = /^arn:aws:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(ref);
    const name = m ? m[1] : ref;
    return this.get(region, name)?.Name ?? name;
  }

  private readonly sorted = new Map<string, { byName?: StoredParameter[]; byArn?: StoredParameter[] }>();

  get(region: string, name: string): StoredParameter | undefined {
    return this.params(region).get(canonicalName(name));
  }

  /** All parameters of a region, ordered by name (shared until the region's names change: do not modify). */
  list(region: string): readonly StoredParameter[] {
    return this.ordered(region, 'byName', (p) => p.Name);
  }

  /** All parameters of a region, ordered by ARN (GetResources order; shared like list()). */
  listByArn(region: string): readonly StoredParameter[] {
    return this.ordered(region, 'byArn', (p) => p.ARN);
  }

  /** Sorted once per change of the region's parameters: a paged listing of 10,000 no longer sorts them on every page. */
  private ordered(region: string, which: 'byName' | 'byArn', key: (p: StoredParameter) => string): readonly StoredParameter[] {
    let c = this.sorted.get(region);
    if (!c) this.sorted.set(region, (c = {}));
    return (c[which] ??= [...this.params(region).values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
  }

  regionNames(): string[] {
    return [...this.regions.keys()];
  }

  delete(region: string, ref: string): boolean {
    const p = this.get(region, ref);
    if (!p) return false;
    this.sorted.delete(region);
    this.versions.drop(region, p.Name);
    this.tagged(region).delete(p.Name);
    return this.params(region).delete(canonicalName(p.Name));
  }

  clear(region?: string): void {
    if (region === undefined) this.sorted.clear();
    else this.sorted.delete(region);
    this.versions.clear(region);
    if (region === undefined) this.regions.clear();
    else this.regions.delete(region);
    if (region === undefined) this.everTagged.clear();
    else this.everTagged.delete(region);
  }

  private tagged(region: string): Set<string> {
    let s = this.everTagged.get(region);
    if (!s) this.everTagged.set(region, (s = new Set()));
    return s;
  }

  /** Replaces a parameter's tags (AddTagsToResource / RemoveTagsFromResource). */
  setTags(region: string, p: StoredParameter, tags: Tag[]): void {
    p.Tags = tags;
    if (tags.length > 0) this.tagged(region).add(p.Name);
  }

  /** True when the parameter carries or once carried a tag. */
  everTaggedName(region: string, name: string): boolean {
    return this.tagged(region).has(name);
  }

  /** Deterministic ciphertext-like value returned for SecureString without decryption. */
  cipherText(region: string, p: StoredParameter): string {
    const key = this.kms.resolve(region, p.KeyId ?? DEFAULT_SSM_ALIAS);
    const keyArn = this.kms.keyArn(region, key?.keyId ?? 'unknown');
    const digest = createHash('sha256').update(`${keyArn}\0${p.Name}\0${p.Value}`).digest();
    return Buffer.concat([Buffer.from([1, 2, 2, 0, 0x78]), Buffer.from(keyArn), digest]).toString('base64');
  }

  /** AMI ids per region that are not available there (aws:ec2:image writes of them are dropped: see put). */
  private readonly missingImages = new Map<string, Set<string>>();

  /** Makes `amiId` unavailable in `region`, as an AMI that exists only in another region (test control). */
  withdrawImage(region: string, amiId: string): void {
    this.missingImages.set(region, (this.missingImages.get(region) ?? new Set()).add(amiId));
  }

  /**
   * PutParameter with AWS validation rules. `seed` relaxes a few API-only rules:
   * Type defaults to String, existing parameters are overwritten and Tags are replaced.
   */
  put(region: string, input: PutInput, seed = false): { Version: number; Tier: string } {
    const existing = this.get(region, validateName(input.Name));
    const name = existing?.Name ?? (input.Name as string); // the spelling it was created with
    const overwrite = seed || input.Overwrite === true;
    if (typeof input.Value !== 'string' || input.Value.length === 0)
      throw validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (!seed && input.Tags !== undefined && input.Overwrite === true) {
      throw validation(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    }
    if (existing && !overwrite)
      throw new AwsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    const type = input.Type ?? existing?.Type ?? (seed ? 'String' : undefined);
    if (type === undefined) throw validation('A parameter type is required when you create a parameter.');
    if (!TYPES.includes(type))
      throw validation(
        `1 validation error detected: Value '${String(type)}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
      );
    const tags = validateTags(input.Tags, seed);

    let keyId: string | undefined;
    if (type === 'SecureString') {
      keyId = input.KeyId ?? DEFAULT_SSM_ALIAS;
      if (!this.kms.resolve(region, keyId)) throw new AwsError('InvalidKeyId', `Invalid KeyId: key ${keyId} does not exist in region ${region}.`);
    } else if (input.KeyId !== undefined) {
      throw validation('KeyId is required for SecureString type parameter only.');
    }

    const dataType = input.DataType ?? existing?.DataType ?? 'text';
    if (!DATA_TYPES.includes(dataType)) throw validation(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
    if (dataType === 'aws:ec2:image' && (type !== 'String' || !/^ami-[0-9a-f]{8,17}$/.test(input.Value))) {
      throw validation('Parameter value must be a valid AMI ID (ami-xxxxxxxx) stored as a String parameter for data type aws:ec2:image.');
    }

    const allowedPattern = input.AllowedPattern ?? existing?.AllowedPattern;
    if (allowedPattern !== undefined) {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${allowedPattern})$`);
      } catch {
        throw validation(`The allowed pattern ${allowedPattern} is not a valid regular expression.`);
      }
      if (!re.test(input.Value))
        throw new AwsError('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`);
    }
    if (input.Description !== undefined && input.Description.length > 1024)
      throw validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024");

    const policies = input.Policies !== undefined ? parsePolicies(input.Policies) : (existing?.Policies ?? []);
    const size = Buffer.byteLength(input.Value, 'utf8');
    let tier: 'Standard' | 'Advanced';
    if (input.Tier === undefined) tier = existing?.Tier ?? 'Standard';
    else if (input.Tier === 'Advanced') tier = 'Advanced';
    else if (input.Tier === 'Intelligent-Tiering') tier = size > STANDARD_MAX || policies.length > 0 || existing?.Tier === 'Advanced' ? 'Advanced' : 'Standard';
    else if (input.Tier === 'Standard') {
      if (existing?.Tier === 'Advanced')
        throw validation(
          "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
        );
      tier = 'Standard';
    } else
      throw validation(
        `1 validation error detected: Value '${input.Tier}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]`,
      );
    if (size > ADVANCED_MAX)
      throw validation(
        `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${ADVANCED_MAX}`,
      );
    if (tier === 'Standard' && size > STANDARD_MAX) {
      throw validation(
        'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
      );
    }
    if (tier === 'Standard' && policies.length > 0)
      throw validation(
        'Parameter policies are not supported in the standard-parameter tier. Use the advanced-parameter tier (Tier=Advanced or Tier=Intelligent-Tiering) to attach policies.',
      );

    // aws:ec2:image is validated after PutParameter answers (PutParameter reference, DataType): an AMI that is not
    // available in the region is answered 200 with a version, and the parameter is neither created nor updated.
    if (!seed && dataType === 'aws:ec2:image' && this.missingImages.get(region)?.has(input.Value))
      return { Version: (existing?.Version ?? 0) + 1, Tier: existing?.Tier ?? tier };

    const stored: StoredParameter = {
      Name: name,
      ARN: this.arn(region, name),
      Value: input.Value,
      Type: type,
      KeyId: keyId,
      Description: input.Description ?? existing?.Description,
      AllowedPattern: allowedPattern,
      Tier: tier,
      DataType: dataType,
      Policies: policies,
      Version: (existing?.Version ?? 0) + 1,
      LastModifiedDate: new Date(),
      LastModifiedUser: `arn:aws:iam::${this.accountId()}:user/local`,
      Tags: seed && input.Tags !== undefined ? tags : (existing?.Tags ?? tags),
    };
    this.versions.record(region, stored);
    this.params(region).set(canonicalName(name), stored);
    this.sorted.delete(region);
    if (stored.Tags.length > 0) this.tagged(region).add(name);
    return { Version: stored.Version, Tier: stored.Tier };
  }
}
