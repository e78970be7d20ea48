import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { createHash } from 'node:crypto';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import tar from 'tar-stream';
import { startLocalAws, type LocalAws, type StoredParameter } from '../../local-aws/index.js';
import { runCli, type CliRun } from './cli.js';
import { seedBackupConfig, seedRealistic, bucketFor, HOME } from './fixtures.js';

export const SOURCE = 'us-west-2';
export const DR = 'eu-central-1';

/** A local AWS with the backup configuration for us-west-2 and eu-central-1, realistic parameters in us-west-2, and a work dir. */
export interface RestoreWorld {
  aws: LocalAws;
  work: string;
  outputs: string[];
  cli(args: string[]): Promise<CliRun>;
  /** `ssm-backup <command> --environment dev --ssm-home-region HOME --region us-west-2 ...`. */
  run(command: string, ...extra: string[]): Promise<CliRun>;
  backup(...extra: string[]): Promise<CliRun>;
  /** PutObject into us-west-2's bucket, with user metadata (`x-amz-meta-*`) when given. */
  putObject(key: string, body: Buffer | string, metadata?: Record<string, string>): Promise<void>;
  appParams(region?: string): StoredParameter[];
  close(): Promise<void>;
}

export async function restoreWorld(): Promise<RestoreWorld> {
  const aws = await startLocalAws();
  const work = mkdtempSync(path.join(tmpdir(), 'ssm-restore-test-'));
  seedBackupConfig(aws, [SOURCE, DR]);
  seedRealistic(aws, SOURCE);
  const outputs: string[] = [];
  const cli = async (args: string[]) => {
    const r = await runCli(aws, args);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const s3 = new S3Client({ region: SOURCE, endpoint: aws.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    aws,
    work,
    outputs,
    cli,
    run: (command, ...extra) => cli([command, '--environment', 'dev', '--ssm-home-region', HOME, '--region', SOURCE, ...extra]),
    backup: (...extra: string[]) =>
      cli(['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--regions', SOURCE, '--include-tags', '--work-dir', work, ...extra]),
    putObject: async (key, body, metadata) => {
      await s3.send(new PutObjectCommand({ Bucket: bucketFor(SOURCE), Key: key, Body: body, ServerSideEncryption: 'AES256', Metadata: metadata }));
    },
    appParams: (region = SOURCE) => aws.ssm.list(region).filter((p) => p.Name.startsWith('/app/')),
    close: async () => {
      s3.destroy();
      await aws.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** A tar.gz holding the given files (for corrupted and legacy archives). */
export async function makeTarGz(files: Record<string, Buffer | string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name }, typeof body === 'string' ? Buffer.from(body) : body);
  pack.finalize();
  const chunks: Buffer[] = [];
  const gz = pack.pipe(createGzip());
  for await (const c of gz) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

type P = Record<string, unknown>;

/** A backup.json text for environment dev, region SOURCE (header fields overridable). */
export const backupDoc = (parameters: P[], header: P = {}): string =>
  JSON.stringify({ backup_date: '2026-11-28', environment: 'dev', region: SOURCE, ...header, parameter_count: parameters.length, parameters });

/** A well-formed format-1 archive (correct sha256) around the given backup.json text. */
export async function format1Archive(text: string, count: number, manifest: P = {}): Promise<Buffer> {
  const m = {
    formatVersion: 1,
    tool: { name: 'ssm-multi-region-backup', version: 't' },
    environment: 'dev',
    region: SOURCE,
    accountId: null,
    createdAt: '2026-11-28T13:00:00.000Z',
    parameterCount: count,
    backupJson: { sha256: sha256(text), bytes: Buffer.byteLength(text) },
    ...manifest,
  };
  return makeTarGz({ 'backup.json': text, 'manifest.json': JSON.stringify(m) });
}

/** The fields a restore must bring back, from the emulator's store. */
export function restorable(p: StoredParameter): Record<string, unknown> {
  return {
    Name: p.Name,
    Type: p.Type,
    Value: p.Value,
    Description: p.Description,
    Tier: p.Tier,
    AllowedPattern: p.AllowedPattern,
    DataType: p.DataType,
    KeyId: p.KeyId,
    Policies: p.Policies.map((x) => x.PolicyText),
    Tags: [...p.Tags].sort((a, b) => a.Key.localeCompare(b.Key)),
  };
}
