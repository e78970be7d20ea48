/** KMS key store (JSON 1.1: DescribeKey, ListAliases, DisableKey, EnableKey) and STS (query: GetCallerIdentity). */
import { createHash, randomBytes } from 'node:crypto';
import { AwsError } from './types.js';
import { escapeXml, xmlEl } from './http-util.js';

export const DEFAULT_SSM_ALIAS = 'alias/aws/ssm';

export interface KmsKey {
  keyId: string;
  aliases: string[];
  managed: 'AWS' | 'CUSTOMER';
  created: Date;
  /** Disabled keys refuse Encrypt, Decrypt and GenerateDataKey with DisabledException. */
  enabled: boolean;
  /** The key's 256-bit master secret (AES-256-GCM); never leaves the emulator. */
  secret: Buffer;
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class KmsStore {
  private readonly regions = new Map<string, Map<string, KmsKey>>();

  constructor(private readonly accountId: () => string) {}

  private keys(region: string): Map<string, KmsKey> {
    let m = this.regions.get(region);
    if (!m) {
      m = new Map();
      const id = uuidFrom(`aws-managed-ssm-key|${region}`);
      m.set(id, { keyId: id, aliases: [DEFAULT_SSM_ALIAS], managed: 'AWS', created: new Date('2020-01-01T00:00:00Z'), enabled: true, secret: randomBytes(32) });
      this.regions.set(region, m);
    }
    return m;
  }

  keyArn(region: string, keyId: string): string {
    return `arn:aws:kms:${region}:${this.accountId()}:key/${keyId}`;
  }

  aliasArn(region: string, alias: string): string {
    return `arn:aws:kms:${region}:${this.accountId()}:${alias}`;
  }

  /** Creates a customer managed key (or adds aliases to an existing one); `enabled` false creates or sets it disabled. */
  createKey(region: string, keyId: string, aliases: string[] = [], enabled?: boolean): KmsKey {
    if (typeof keyId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(keyId)) throw new Error(`keyId must be 1-64 letters, digits or dashes: ${String(keyId)}`);
    const keys = this.keys(region);
    const existing = keys.get(keyId);
    for (const a of aliases) {
      if (!a.startsWith('alias/')) throw new Error(`alias must start with alias/: ${a}`);
      for (const k of keys.values()) k.aliases = k.aliases.filter((x) => x !== a);
    }
    const key = existing ?? { keyId, aliases: [], managed: 'CUSTOMER', created: new Date(), enabled: true, secret: randomBytes(32) };
    key.aliases = [...new Set([...key.aliases, ...aliases])];
    if (enabled !== undefined) key.enabled = enabled;
    keys.set(keyId, key);
    return key;
  }

  /** Enables or disables a key given by id, ARN, alias or alias ARN; NotFoundException when unknown here. */
  setEnabled(region: string, ref: string, enabled: boolean): KmsKey {
    const k = this.mustResolve(region, ref);
    k.enabled = enabled;
    return k;
  }

  /** resolve() or NotFoundException with AWS's wording. */
  mustResolve(region: string, ref: string): KmsKey {
    const k = this.resolve(region, ref);
    if (k) return k;
    const what = ref.includes('alias/')
      ? `Alias ${ref.startsWith('arn:') ? ref : this.aliasArn(region, ref)} is not found.`
      : `Key '${ref.startsWith('arn:') ? ref : this.keyArn(region, ref)}' does not exist`;
    throw new AwsError('NotFoundException', what);
  }

  /** Resolves a key id, key ARN, alias name or alias ARN; undefined when unknown. */
  resolve(region: string, ref: string): KmsKey | undefined {
    const keys = this.keys(region);
    let r = ref;
    const arn = /^arn:aws:kms:([^:]+):([^:]*):(.+)$/.exec(ref);
    if (arn) {
      if (arn[1] !== region) return undefined;
      r = arn[3].startsWith('key/') ? arn[3].slice(4) : arn[3];
    }
    if (r.startsWith('alias/')) {
      for (const k of keys.values()) if (k.aliases.includes(r)) return k;
      return undefined;
    }
    return keys.get(r);
  }

  clear(): void {
    this.regions.clear();
  }

  describeKey(region: string, input: Record<string, unknown>): unknown {
    const ref = typeof input.KeyId === 'string' ? input.KeyId : '';
    if (!ref)
      throw new AwsError('ValidationException', "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    const k = this.mustResolve(region, ref);
    return {
      KeyMetadata: {
        AWSAccountId: this.accountId(),
        KeyId: k.keyId,
        Arn: this.keyArn(region, k.keyId),
        CreationDate: k.created.getTime() / 1000,
        Enabled: k.enabled,
        Description: k.managed === 'AWS' ? 'Default key that protects my SSM parameters when no other key is defined' : '',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: k.enabled ? 'Enabled' : 'Disabled',
        Origin: 'AWS_KMS',
        KeyManager: k.managed,
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false,
      },
    };
  }

  listAliases(region: string, input: Record<string, unknown>): unknown {
    const filter = typeof input.KeyId === 'string' ? this.resolve(region, input.KeyId) : undefined;
    if (typeof input.KeyId === 'string' && !filter) throw new AwsError('NotFoundException', `Key '${input.KeyId}' does not exist`);
    const aliases = [...this.keys(region).values()]
      .filter((k) => !filter || k === filter)
      .flatMap((k) =>
        k.aliases.map((a) => ({ AliasName: a, AliasArn: this.aliasArn(region, a), TargetKeyId: k.keyId, CreationDate: k.created.getTime() / 1000 })),
      )
      .sort((a, b) => a.AliasName.localeCompare(b.AliasName));
    return { Aliases: aliases, Truncated: false };
  }
}

export function callerIdentityXml(accountId: string, requestId: string, arn = `arn:aws:iam::${accountId}:user/local`): string {
  return (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
    '<GetCallerIdentityResult>' +
    xmlEl('Arn', arn) +
    xmlEl('UserId', 'AIDALOCALAWSEMULATOR') +
    xmlEl('Account', accountId) +
    '</GetCallerIdentityResult>' +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
    '</GetCallerIdentityResponse>'
  );
}

/** STS query-protocol error body. */
export function stsErrorXml(code: string, message: string, requestId: string, status: number): string {
  return (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
    `<Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>${xmlEl('Code', code)}${xmlEl('Message', message)}</Error>` +
    xmlEl('RequestId', requestId) +
    '</ErrorResponse>'
  );
}
