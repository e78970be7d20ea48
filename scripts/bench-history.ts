/**
 * history's cost over encrypted name indexes (issue 18: format 2 indexes are encrypted, so `history` decrypts one per
 * archive): 30 archives of one region (--history-archives), each index holding --history-params names, written once
 * encrypted (format 2: region key + one DR key) and once in clear (format 1); then `ssm-backup history` over each set,
 * run from ts/ through tsx (the bundle is rebuilt by the release, not by this script). Prints KMS calls by operation,
 * S3 requests and wall time of each run, --history-latency-ms per request (default 0).
 * Run alone: `node --import tsx scripts/bench-history.ts [--history-archives 30] [--history-params 1000]`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { startLocalAws, type LocalAws } from '../local-aws/index.js';
import { seedBackupConfig, bucketFor, HOME } from '../test/helpers/fixtures.js';
import { seedBackupKeys } from '../test/helpers/encryption.js';
import { putIndex, archiveKey, INDEX_VERSION, type NameIndex } from '../ts/lib/store/index.js';
import { timestamps } from '../ts/lib/archive/index.js';

const REGION = 'us-west-2';
const MAIN = path.resolve('ts/main.ts');

export interface HistoryFigures {
  archives: number;
  names: number;
  runs: { mode: string; code: number; wallSec: number; kms: Record<string, number>; s3Requests: number; searched: number }[];
}

function history(aws: LocalAws, env: string, name: string): Promise<{ code: number; wallSec: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const args = ['--import', 'tsx', MAIN, 'history', '--environment', env, '--ssm-home-region', HOME, '--region', REGION, '--name', name, '--json'];
    const child = spawn(process.execPath, args, { env: { ...process.env, ...aws.env, AWS_REGION: REGION }, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ code: code ?? 1, wallSec: (performance.now() - started) / 1000, stdout }));
  });
}

/** Writes `archives` indexes (and a placeholder object per archive key: history lists keys and reads indexes only). */
async function seedIndexes(aws: LocalAws, env: string, archives: number, names: number, sealed: boolean): Promise<void> {
  const creds = { accessKeyId: 'local', secretAccessKey: 'local' };
  const s3 = new S3Client({ region: REGION, endpoint: aws.endpoint, forcePathStyle: true, credentials: creds });
  const kms = new Map<string, KMSClient>();
  const kmsFor = (r: string) => kms.get(r) ?? kms.set(r, new KMSClient({ region: r, endpoint: aws.endpoint, credentials: creds })).get(r)!;
  const keys = sealed ? seedBackupKeys(aws, [REGION], { env, dr: ['sa-east-1'] }) : undefined;
  const parameters = Array.from({ length: names }, (_, i) => ({
    Name: `/bench/p${i}`,
    Type: 'String',
    Version: 1,
    LastModifiedDate: '2026-01-01T00:00:00.000Z',
  }));
  try {
    for (let a = 0; a < archives; a += 1) {
      const now = new Date(Date.UTC(2026, 0, 1 + a));
      const key = archiveKey(env, REGION, timestamps(now));
      await s3.send(new PutObjectCommand({ Bucket: bucketFor(REGION, env), Key: key, Body: 'placeholder', ServerSideEncryption: 'AES256' }));
      const index: NameIndex = {
        indexVersion: INDEX_VERSION,
        archive: key,
        formatVersion: sealed ? 2 : 1,
        environment: env,
        region: REGION,
        parameterCount: names,
        backupJsonSha256: 'bench',
        createdAt: now.toISOString(),
        toolVersion: 'bench',
        selection: { path: '/', nameContains: null },
        parameters,
      };
      const sealer = keys ? { kms: kmsFor, keyArn: `arn:aws:kms:${REGION}:123456789012:alias/ssm-backup`, drKeyArns: keys.drArns } : undefined;
      await putIndex(s3, bucketFor(REGION, env), index, sealer);
    }
  } finally {
    s3.destroy();
    for (const c of kms.values()) c.destroy();
  }
}

export async function benchHistory(opts: { archives: number; names: number; latencyMs: number }): Promise<HistoryFigures> {
  const figures: HistoryFigures = { archives: opts.archives, names: opts.names, runs: [] };
  for (const [mode, sealed] of [
    ['format 1 (plaintext indexes)', false],
    ['format 2 (encrypted indexes)', true],
  ] as const) {
    const aws = await startLocalAws({ latencyMs: opts.latencyMs });
    try {
      seedBackupConfig(aws, [REGION]);
      await seedIndexes(aws, 'dev', opts.archives, opts.names, sealed);
      aws.resetStats();
      const run = await history(aws, 'dev', `/bench/p${opts.names - 1}`);
      const ops = aws.stats().operations;
      const kms = Object.fromEntries(Object.entries(ops).filter(([k]) => k.startsWith('kms:')));
      const s3Requests = Object.entries(ops)
        .filter(([k]) => k.startsWith('s3:'))
        .reduce((n, [, v]) => n + v, 0);
      const searched = run.code === 0 ? (JSON.parse(run.stdout) as { searched: number }).searched : -1;
      figures.runs.push({ mode, code: run.code, wallSec: run.wallSec, kms, s3Requests, searched });
    } finally {
      await aws.stop();
    }
  }
  return figures;
}

/** Table rows for bench.ts. */
export function historyRows(f: HistoryFigures): [string, string][] {
  return f.runs.flatMap((r) => [
    [`${r.mode}: exit, wall, archives searched`, `${r.code}, ${r.wallSec.toFixed(2)} s, ${r.searched} of ${f.archives}`],
    [`${r.mode}: KMS calls, S3 requests`, `${JSON.stringify(r.kms)}, ${r.s3Requests}`],
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      'history-archives': { type: 'string', default: '30' },
      'history-params': { type: 'string', default: '1000' },
      'history-latency-ms': { type: 'string', default: '0' },
    },
  });
  const f = await benchHistory({
    archives: Number(values['history-archives']),
    names: Number(values['history-params']),
    latencyMs: Number(values['history-latency-ms']),
  });
  for (const [k, v] of historyRows(f)) console.log(`${k.padEnd(60)} ${v}`);
}
