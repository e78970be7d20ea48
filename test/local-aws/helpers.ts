import { SSMClient } from '@aws-sdk/client-ssm';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { LocalAws } from '../../local-aws/index.js';

export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function ssmClient(aws: LocalAws, region = 'us-east-1', maxAttempts = 1): SSMClient {
  return new SSMClient({ region, endpoint: aws.endpoint, credentials, maxAttempts });
}

export function s3Client(aws: LocalAws, region = 'us-east-1'): S3Client {
  return new S3Client({ region, endpoint: aws.endpoint, credentials, forcePathStyle: true, maxAttempts: 1 });
}

export function stsClient(aws: LocalAws, region = 'us-east-1'): STSClient {
  return new STSClient({ region, endpoint: aws.endpoint, credentials, maxAttempts: 1 });
}

export function kmsClient(aws: LocalAws, region = 'us-east-1'): KMSClient {
  return new KMSClient({ region, endpoint: aws.endpoint, credentials, maxAttempts: 1 });
}

export function taggingClient(aws: LocalAws, region = 'us-east-1', maxAttempts = 1): ResourceGroupsTaggingAPIClient {
  return new ResourceGroupsTaggingAPIClient({ region, endpoint: aws.endpoint, credentials, maxAttempts });
}

/** POST to the admin API; returns the status and the JSON answer. */
export async function admin(aws: LocalAws, route: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${aws.endpoint}/__local/${route}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Awaits a promise that must reject; returns the error. */
export async function rejects(p: Promise<unknown>): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string };
  }
  throw new Error('expected a rejection');
}

/** Signed-looking JSON 1.1 call for services without an installed SDK client (KMS). */
export async function jsonCall(aws: LocalAws, target: string, region: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(aws.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${region}/kms/aws4_request, SignedHeaders=host, Signature=00`,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
