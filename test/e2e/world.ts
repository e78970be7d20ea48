import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  SSMClient,
  PutParameterCommand,
  DeleteParameterCommand,
  GetParametersByPathCommand,
  ListTagsForResourceCommand,
  type Parameter,
  type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import { S3Client, CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { runCli, type CliRun } from '../helpers/cli.js';
import { clientConfig, type Emulator } from '../helpers/emulators.js';

export const ENV = 'dev';
export const HOME = 'ap-northeast-1';
export const ACCOUNT = '123456789012'; // local-aws's default and moto's default account
export const SOURCE = 'us-west-2';
export const DR = 'eu-central-1';
export const SECRET_MARKER = 'S3cr3t-E2E-';
export const bucketFor = (region: string) => `jenkins-infra-ssm-backup-${ENV}-${ACCOUNT}-${region}`;

const EXPIRATION = JSON.stringify([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '2030-12-31T00:00:00.000Z' } }]);

export type Summary = Record<
  string,
  {
    status: string;
    parameterCount?: number;
    archiveBytes?: number;
    lastSuccessAt?: string | null;
    failureCategory?: string;
    failureMessage?: string;
    drift?: Record<string, unknown>;
    warnings?: string[];
  }
>;

/**
 * One scenario's world on an emulator, seeded through the AWS API only, the way the Pulumi stack seeds AWS
 * (test/helpers/fixtures.ts and encryption.ts do the same on local-aws directly): region list, default region and
 * bucket keys in HOME; per region a bucket, a backup key `alias/ssm-backup` named by `/jenkins/dev/backup/{region}/kms-key-arn`
 * (format 2 archives) and an application key `alias/app-secrets`.
 */
export class World {
  readonly work = mkdtempSync(path.join(tmpdir(), 'ssm-e2e-'));
  readonly outputs: string[] = [];
  private readonly clients = new Map<string, { destroy(): void }>();

  constructor(readonly emulator: Emulator) {}

  ssm(region: string): SSMClient {
    return this.keep(`ssm:${region}`, () => new SSMClient(clientConfig(this.emulator.endpoint, region)));
  }

  s3(region: string): S3Client {
    return this.keep(`s3:${region}`, () => new S3Client({ ...clientConfig(this.emulator.endpoint, region), forcePathStyle: true }));
  }

  async seed(regions: string[]): Promise<void> {
    const home = this.ssm(HOME);
    const put = (client: SSMClient, Name: string, Value: string) => client.send(new PutParameterCommand({ Name, Value, Type: 'String' }));
    await put(home, `/jenkins/${ENV}/backup/region-list`, JSON.stringify(regions));
    await put(home, `/jenkins/${ENV}/backup/default-region`, regions[0]);
    await put(home, `/jenkins/${ENV}/backup/s3-bucket-name`, bucketFor(regions[0]));
    for (const region of regions) {
      const ssm = this.ssm(region);
      await put(ssm, `/jenkins/${ENV}/backup/${region}/s3-bucket-name`, bucketFor(region));
      // Without the stack's bucket policy (deny PutObject without SSE AES256): moto stores bucket policies but does not
      // evaluate them (no IAM evaluation unless configured), so a condition would prove nothing there; local-aws plays
      // that policy with `requireSse` in test/engine. The engine sends SSE AES256 either way.
      await this.s3(region).send(
        new CreateBucketCommand({ Bucket: bucketFor(region), CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      );
      await this.emulator.createKey(region, 'alias/ssm-backup');
      await put(ssm, `/jenkins/${ENV}/backup/${region}/kms-key-arn`, `arn:aws:kms:${region}:${ACCOUNT}:alias/ssm-backup`);
      await this.emulator.createKey(region, 'alias/app-secrets');
    }
  }

  /** Application parameters of `region`: String with tags, SecureString under the default and a custom key, StringList. */
  async seedApp(region: string): Promise<PutParameterCommandInput[]> {
    const params: PutParameterCommandInput[] = [
      {
        Name: `/app/${region}/db/host`,
        Value: `db.${region}.internal`,
        Type: 'String',
        Description: 'Database host',
        Tags: [{ Key: 'team', Value: 'platform' }],
      },
      { Name: `/app/${region}/db/password`, Value: `${SECRET_MARKER}db-${region}`, Type: 'SecureString' },
      {
        Name: `/app/${region}/api/key`,
        Value: `${SECRET_MARKER}api-${region}`,
        Type: 'SecureString',
        KeyId: 'alias/app-secrets',
        Tags: [{ Key: 'rotation', Value: '90d' }],
      },
      { Name: `/app/${region}/hosts`, Value: 'a.example.com,b.example.com', Type: 'StringList' },
      { Name: `/app/${region}/feature/flags`, Value: '{"beta":true}', Type: 'String', AllowedPattern: '^\\{.*\\}$' },
      { Name: `/app/${region}/single`, Value: 'one', Type: 'String' },
      { Name: `/app/${region}/ami`, Value: 'ami-0123456789abcdef0', Type: 'String', DataType: 'aws:ec2:image' },
      {
        Name: `/app/${region}/big/config`,
        Value: 'x'.repeat(5000),
        Type: 'String',
        Tier: 'Advanced',
        // moto 5.2.1 describes Policies as [{PolicyText: <the parsed policy object>, PolicyType: <the same object>,
        // PolicyStatus: 'Finished'}] (moto/ssm/models.py, describe_response_object); the API reference of
        // ParameterInlinePolicy has PolicyText "The JSON text of the policy" (a string) and PolicyType one of
        // Expiration, ExpirationNotification, NoChangeNotification. The engine rightly refuses moto's shape in verify,
        // so Policies are seeded on local-aws only.
        Policies: this.emulator.name === 'moto' ? undefined : EXPIRATION,
      },
    ];
    for (const p of params) await this.ssm(region).send(new PutParameterCommand(p));
    return params;
  }

  /**
   * `count` more parameters under /bulk/{region}: a region then lists over several DescribeParameters pages (moto
   * answers 10 a page whatever MaxResults asks, moto/ssm/responses.py; AWS honours MaxResults up to 50, with pages that
   * may run short). moto's DescribeParameters also omits `ARN`, which the API reference of ParameterMetadata lists;
   * the engine takes ARNs from GetParameters, which both emulators answer with one.
   */
  async seedBulk(region: string, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) await this.put(region, { Name: `/bulk/${region}/p${String(i).padStart(2, '0')}`, Value: `v${i}`, Type: 'String' });
  }

  put(region: string, p: PutParameterCommandInput) {
    return this.ssm(region).send(new PutParameterCommand(p));
  }

  remove(region: string, name: string) {
    return this.ssm(region).send(new DeleteParameterCommand({ Name: name }));
  }

  /** Every parameter under `path` in `region`, decrypted, by name. */
  async live(region: string, path: string): Promise<Map<string, Parameter>> {
    const out = new Map<string, Parameter>();
    let NextToken: string | undefined;
    do {
      const page = await this.ssm(region).send(new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: true, NextToken }));
      for (const p of page.Parameters ?? []) out.set(p.Name!, p);
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    return out;
  }

  async tags(region: string, name: string): Promise<Record<string, string>> {
    const out = await this.ssm(region).send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
    return Object.fromEntries((out.TagList ?? []).map((t) => [t.Key, t.Value]));
  }

  async keys(region: string): Promise<string[]> {
    const out = await this.s3(region).send(new ListObjectsV2Command({ Bucket: bucketFor(region) }));
    return (out.Contents ?? []).map((o) => o.Key!).sort();
  }

  async latest(region: string): Promise<string | undefined> {
    try {
      const out = await this.s3(region).send(new GetObjectCommand({ Bucket: bucketFor(region), Key: 'latest.txt' }));
      return (await out.Body!.transformToString()).trim();
    } catch {
      return undefined;
    }
  }

  async cli(command: string, ...args: string[]): Promise<CliRun> {
    const run = await runCli(this.emulator, [command, '--environment', ENV, '--ssm-home-region', HOME, ...args]);
    this.outputs.push(run.stdout, run.stderr);
    return run;
  }

  async backup(...args: string[]): Promise<CliRun & { summary: Summary }> {
    const file = path.join(this.work, 'region_summaries.json');
    rmSync(file, { force: true });
    const run = await this.cli('backup', '--work-dir', this.work, '--include-tags', ...args);
    return { ...run, summary: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {} };
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
    rmSync(this.work, { recursive: true, force: true });
  }

  private keep<T extends { destroy(): void }>(id: string, make: () => T): T {
    if (!this.clients.has(id)) this.clients.set(id, make());
    return this.clients.get(id) as T;
  }
}
