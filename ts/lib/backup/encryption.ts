import type { Readable } from 'node:stream';
import type { AwsClientFactory } from '../aws/index.js';
import { EngineError } from '../support/index.js';
import { configKeys, type PlanWithKeys } from '../config/index.js';
import { archiveStream, type BackupHeader, type Manifest, sealedArchiveStream } from '../archive/index.js';

import type { EncryptionSummary } from '../../contract/index.js';

export type { EncryptionSummary };

export interface RegionEncryption {
  summary: EncryptionSummary;
  /** Set when the region is backed up with SSE-S3 only: the WARNING line (the summary says `clientSide: false`). */
  warning?: string;
  keys?: { keyArn: string; drKeyArns: string[] };
}

/**
 * How a region's archive is protected, from the plan's key parameters. A key parameter that could not be read
 * fails the region (EngineError 'region'); a missing one means SSE-S3 only, with a warning.
 */
export function regionEncryption(plan: PlanWithKeys, region: string): RegionEncryption {
  const readError = plan.kmsKeyErrors?.[region];
  if (readError) throw new EngineError('region', readError, { region });
  const keyArn = plan.kmsKeys?.[region];
  if (!keyArn) {
    return {
      summary: { clientSide: false },
      warning: `Archive of ${region} is NOT client-side encrypted (SSE-S3 only; anyone who can read the bucket can read the values): ${configKeys(plan.environment).kmsKeyArn(region)} not found`,
    };
  }
  const drKeyArns = plan.drKmsKeys ?? [];
  return { summary: { clientSide: true, keyArn, drKeyArns }, keys: { keyArn, drKeyArns } };
}

/** The archive stream: format 2 (format2.ts) when the region has a key, else format 1. */
export function regionArchiveStream(
  aws: AwsClientFactory,
  encryption: RegionEncryption,
  spool: { read(): AsyncIterable<Buffer>; count: number; bytes: number },
  header: BackupHeader,
  manifestBase: Omit<Manifest, 'parameterCount' | 'backupJson'>,
): Readable {
  if (!encryption.keys) return archiveStream(spool, header, manifestBase);
  const { formatVersion: _plain, ...base } = manifestBase;
  return sealedArchiveStream(spool, header, base, { kms: (r) => aws.kms(r), ...encryption.keys });
}

/** "client-side encrypted with KEY (+N DR keys); SSE AES256" or "SSE AES256 only", for the upload log line. */
export function describeProtection(e: RegionEncryption): string {
  if (!e.keys) return 'SSE AES256 only, NOT client-side encrypted';
  return `client-side encrypted with ${e.keys.keyArn}${e.keys.drKeyArns.length ? ` + ${e.keys.drKeyArns.length} DR key(s)` : ''}; SSE AES256`;
}
