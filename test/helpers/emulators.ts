import { KMSClient, CreateKeyCommand, CreateAliasCommand } from '@aws-sdk/client-kms';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { startMoto, type MotoServer } from './moto.js';

/**
 * One AWS emulator the end-to-end scenarios run against, driven only through the AWS API (plus a key factory:
 * local-aws has no CreateKey). `start` once per test file, `reset` before each scenario, `stop` after the file.
 */
export interface Emulator {
  readonly name: 'local-aws' | 'moto';
  /** AWS_ENDPOINT_URL, credentials and region for the engine (valid after start/reset). */
  readonly env: Record<string, string>;
  readonly endpoint: string;
  start(): Promise<void>;
  /** Drops every parameter, bucket, object and key. */
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** A symmetric key in `region` with `alias` pointing at it; returns the key ARN. */
  createKey(region: string, alias: string): Promise<string>;
}

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
const envFor = (endpoint: string): Record<string, string> => ({
  AWS_ENDPOINT_URL: endpoint,
  ...CREDENTIALS,
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

/**
 * Our own emulator; a fresh in-process instance per scenario (it starts in milliseconds), as AWS-like as it gets:
 * filtered listings page over the unfiltered set and may answer an empty first page with a NextToken.
 */
const STRICT = { filterAfterPaging: true, emptyFirstPage: true };

export function localAwsEmulator(): Emulator & { aws(): LocalAws } {
  let aws: LocalAws | undefined;
  const current = (): LocalAws => {
    if (!aws) throw new Error('local-aws is not started');
    return aws;
  };
  let keys = 0;
  return {
    name: 'local-aws',
    get env() {
      return envFor(current().endpoint);
    },
    get endpoint() {
      return current().endpoint;
    },
    aws: current,
    start: async () => {
      aws = await startLocalAws(STRICT);
    },
    reset: async () => {
      await aws?.stop();
      aws = await startLocalAws(STRICT);
    },
    stop: async () => {
      await aws?.stop();
      aws = undefined;
    },
    createKey: async (region, alias) => current().kms.createKey(region, `key-${(keys += 1)}`, [alias]),
  };
}

/** moto (an independent emulator): one server per test file, reset between scenarios. */
export function motoEmulator(): Emulator {
  let server: MotoServer | undefined;
  const current = (): MotoServer => {
    if (!server) throw new Error('moto is not started');
    return server;
  };
  return {
    name: 'moto',
    get env() {
      return envFor(current().endpoint);
    },
    get endpoint() {
      return current().endpoint;
    },
    start: async () => {
      server = await startMoto();
    },
    reset: () => current().reset(),
    stop: async () => {
      await server?.stop();
      server = undefined;
    },
    createKey: async (region, alias) => {
      const kms = new KMSClient(clientConfig(current().endpoint, region));
      try {
        const key = await kms.send(new CreateKeyCommand({ Description: alias }));
        await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyMetadata!.KeyId }));
        return key.KeyMetadata!.Arn!;
      } finally {
        kms.destroy();
      }
    },
  };
}

/** SDK client settings for seeding and inspecting an emulator. */
export const clientConfig = (endpoint: string, region: string) => ({
  region,
  endpoint,
  credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
});
