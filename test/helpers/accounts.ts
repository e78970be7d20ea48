import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { SSMClient, PutParameterCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { S3Client, CreateBucketCommand, ListObjectsV2Command, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { KMSClient, CreateKeyCommand, CreateAliasCommand } from '@aws-sdk/client-kms';
import { clientConfig, type Emulator } from './emulators.js';
import type { LocalAws } from '../../local-aws/index.js';

/**
 * An organisation on an emulator for the multi-account scenarios: the central account (the emulator's default,
 * 123456789012) holds the accounts parameter; each member account holds its own configuration, buckets, keys and
 * parameters, seeded through the AWS API with the member's assumed role (moto: AssumeRole lands in the role's account;
 * local-aws: the same, once the role exists and trusts the caller).
 */
export const ENV = 'dev';
export const HOME = 'ap-northeast-1';
export const CENTRAL = '123456789012';
export const CENTRAL_PRINCIPAL = `arn:aws:iam::${CENTRAL}:user/local`;
export const MEMBERS = ['111111111111', '222222222222', '333333333333'];
export const REGIONS = ['us-west-2', 'eu-central-1'];
export const backupRole = (account: string) => `arn:aws:iam::${account}:role/jenkins-ssm-backup-${ENV}`;
export const restoreRole = (account: string) => `arn:aws:iam::${account}:role/jenkins-ssm-restore-${ENV}`;
export const externalId = (account: string) => `ext-${account.slice(0, 4)}`;
export const memberBucket = (account: string, region: string) => `ssm-backup-${ENV}-${account}-${region}`;
/** A central backup account (issue 21's optional mode): it owns the buckets every member's archives go to. */
export const BACKUP_ACCOUNT = '999999999999';
export const centralRole = `arn:aws:iam::${BACKUP_ACCOUNT}:role/backup-admin`;
export const appName = (account: string, region: string, i: number) => `/app/${account}/${region}/p${i}`;

type Client = { destroy(): void };

export class Organisation {
  private readonly clients: Client[] = [];

  constructor(
    readonly emulator: Emulator,
    /** local-aws only: its admin API (roles and their trust; keys). */
    readonly local?: LocalAws,
  ) {}

  /** Credentials of `account` through `roleArn` (AssumeRole with the central account's credentials). */
  async credentials(account: string, roleArn = backupRole(account)) {
    const sts = this.keep(new STSClient(clientConfig(this.emulator.endpoint, HOME)));
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'seed', ExternalId: externalId(account) }));
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
  }

  async ssm(account: string, region: string): Promise<SSMClient> {
    return this.keep(new SSMClient({ ...clientConfig(this.emulator.endpoint, region), credentials: await this.credentials(account) }));
  }

  async s3(account: string, region: string): Promise<S3Client> {
    return this.keep(new S3Client({ ...clientConfig(this.emulator.endpoint, region), credentials: await this.credentials(account), forcePathStyle: true }));
  }

  /** Member roles trusting the central account's caller with the account's external id (local-aws; moto does not evaluate trust). */
  trust(account: string, id: string | undefined = externalId(account)): void {
    for (const role of [backupRole(account), restoreRole(account)]) this.local?.iam.createRole(role, { principals: [CENTRAL_PRINCIPAL], externalId: id });
  }

  /**
   * The accounts parameter in the central account, then each member's configuration and `count` parameters per region.
   * With `backupAccount`, the members' entries name it as `backupAccountId` and their bucket parameters name its
   * buckets (memberBucket(backupAccount, region)), which it owns; the members have no bucket of their own.
   */
  async seed(count: number, accounts = MEMBERS, backupAccount?: string): Promise<void> {
    const central = this.keep(new SSMClient(clientConfig(this.emulator.endpoint, HOME)));
    const entries = accounts.map((a) => ({
      accountId: a,
      roleArn: backupRole(a),
      externalId: externalId(a),
      ...(backupAccount ? { backupAccountId: backupAccount } : {}),
    }));
    if (backupAccount) await this.backupBuckets(backupAccount);
    await central.send(new PutParameterCommand({ Name: `/jenkins/${ENV}/backup/accounts`, Value: JSON.stringify(entries), Type: 'String', Overwrite: true }));
    for (const account of accounts) {
      this.trust(account);
      const put = async (region: string, Name: string, Value: string, Type: 'String' | 'SecureString' = 'String') =>
        (await this.ssm(account, region)).send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));
      await put(HOME, `/jenkins/${ENV}/backup/region-list`, JSON.stringify(REGIONS));
      await put(HOME, `/jenkins/${ENV}/backup/default-region`, REGIONS[0]);
      for (const region of REGIONS) {
        await put(region, `/jenkins/${ENV}/backup/${region}/s3-bucket-name`, memberBucket(backupAccount ?? account, region));
        if (!backupAccount) await this.createBucket(account, region, memberBucket(account, region));
        await put(region, `/jenkins/${ENV}/backup/${region}/kms-key-arn`, await this.createKey(account, region, 'alias/ssm-backup'));
        for (let i = 0; i < count; i += 1) await put(region, appName(account, region, i), `value-${account}-${region}-${i}`, i % 2 ? 'SecureString' : 'String');
      }
    }
  }

  /** Creates `bucket` in `region` with the credentials of `account`, which owns it. */
  async createBucket(account: string, region: string, bucket: string, roleArn?: string): Promise<void> {
    const s3 = this.keep(
      new S3Client({ ...clientConfig(this.emulator.endpoint, region), credentials: await this.credentials(account, roleArn), forcePathStyle: true }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }));
    this.local?.s3.setBucketOwner(bucket, account);
  }

  /** The backup account's buckets, one per region, created through a role of that account. */
  async backupBuckets(backupAccount: string): Promise<void> {
    this.local?.iam.createRole(centralRole, { principals: [CENTRAL_PRINCIPAL], externalId: externalId(backupAccount) });
    for (const region of REGIONS) await this.createBucket(backupAccount, region, memberBucket(backupAccount, region), centralRole);
  }

  /** Every object key of a bucket (any owner), listed with `account`'s credentials. */
  async keys(account: string, region: string, bucket: string, roleArn?: string): Promise<string[]> {
    const s3 = this.keep(
      new S3Client({ ...clientConfig(this.emulator.endpoint, region), credentials: await this.credentials(account, roleArn), forcePathStyle: true }),
    );
    return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
  }

  /** A KMS key of `account` in `region` with `alias`; returns the alias ARN. */
  async createKey(account: string, region: string, alias: string): Promise<string> {
    if (this.local) this.local.account(account).kms.createKey(region, `key-${account}-${region}`, [alias]);
    else {
      const kms = this.keep(new KMSClient({ ...clientConfig(this.emulator.endpoint, region), credentials: await this.credentials(account) }));
      const key = await kms.send(new CreateKeyCommand({ Description: alias }));
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyMetadata!.KeyId }));
    }
    return `arn:aws:kms:${region}:${account}:${alias}`;
  }

  async objects(account: string, region: string): Promise<string[]> {
    const out = await (await this.s3(account, region)).send(new ListObjectsV2Command({ Bucket: memberBucket(account, region) }));
    return (out.Contents ?? []).map((o) => o.Key!);
  }

  async value(account: string, region: string, name: string): Promise<string | undefined> {
    const ssm = await this.ssm(account, region);
    return ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true })).then(
      (o) => o.Parameter?.Value,
      (e: Error) => (e.name === 'ParameterNotFound' ? undefined : Promise.reject(e)),
    );
  }

  close(): void {
    for (const c of this.clients) c.destroy();
  }

  private keep<T extends Client>(client: T): T {
    this.clients.push(client);
    return client;
  }
}
