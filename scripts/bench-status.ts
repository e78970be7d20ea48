/**
 * `status` at scale (figures, not pass/fail timings): R regions x A archives a day apart, each with its object
 * metadata and name index, latest.txt naming the newest, a 400-day lifecycle rule; local-aws answers every request
 * after --latency-ms. Runs `status` from ts/ (tsx) with --last 14 (the default) and --last A, and prints the requests
 * by operation (counted by local-aws) and the wall time of each. No archive body is read: GetObject must stay 0.
 * Run alone: `node --import tsx scripts/bench-status.ts [--regions 3] [--archives 365] [--latency-ms 30]`.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { S3Client, PutObjectCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { startLocalAws, type LocalAws } from '../local-aws/index.js';
import { seedBackupConfig, bucketFor, HOME } from '../test/helpers/fixtures.js';
import { archiveKey, factsToMetadata, indexKey, LATEST_META_KEY, LATEST_POINTER_KEY } from '../ts/lib/store/index.js';

const ALL_REGIONS = ['us-west-2', 'eu-central-1', 'ap-northeast-1', 'us-east-1', 'sa-east-1'];

/**
 * A archives per region, one a day back from now, with facts in their metadata and an (empty-bodied) index object;
 * `count(region, i)` is the parameter count of the i-th newest (default 5000 - 3i).
 */
export async function seedArchives(aws: LocalAws, regions: string[], archives: number, count = (_r: string, i: number) => 5000 - i * 3): Promise<void> {
  const limit = pLimit(16);
  for (const region of regions) {
    const s3 = new S3Client({ region, endpoint: aws.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    const bucket = bucketFor(region);
    const keys: string[] = [];
    await Promise.all(
      Array.from({ length: archives }, (_, i) => {
        const at = new Date(Date.now() - i * 86400_000 - 3600_000);
        const iso = at.toISOString();
        const key = archiveKey('dev', region, { day: iso.slice(0, 10), stamp: iso.slice(0, 19).replace(/[-:]/g, '').replace('T', '_') });
        keys[i] = key;
        const Metadata = factsToMetadata({
          formatVersion: 2,
          environment: 'dev',
          region,
          parameterCount: count(region, i),
          backupJsonSha256: 'encrypted',
          createdAt: iso,
          toolVersion: 'bench',
        });
        return limit(async () => {
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(64), ServerSideEncryption: 'AES256', Metadata }));
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: indexKey(key), Body: Buffer.alloc(16), ServerSideEncryption: 'AES256', Metadata }));
        });
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: LATEST_POINTER_KEY,
        Body: `${keys[0]}\n`,
        ServerSideEncryption: 'AES256',
        Metadata: { [LATEST_META_KEY]: keys[0] },
      }),
    );
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 400 } }] },
      }),
    );
    s3.destroy();
  }
}

function status(aws: LocalAws, last: number): Promise<{ code: number; sec: number; engineMs: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const args = ['--import', 'tsx', 'ts/main.ts', 'status', '--environment', 'dev', '--ssm-home-region', HOME, '--last', String(last), '--output', 'json'];
    const child = spawn(process.execPath, args, { env: { ...process.env, ...aws.env, AWS_REGION: HOME }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    // The engine's own figure (plan read + status), without the process start-up.
    child.on('close', (code) =>
      resolve({ code: code ?? 1, sec: (performance.now() - started) / 1000, engineMs: /requests in (\d+) ms/.exec(err)?.[1] ?? '?' }),
    );
  });
}

/** Figures of `status` over R regions x A archives: requests by operation and wall time, for --last 14 and --last A. */
export async function benchStatus(o: { regions: number; archives: number; latencyMs: number }): Promise<Record<string, string>> {
  const regions = ALL_REGIONS.slice(0, o.regions);
  const aws = await startLocalAws();
  try {
    seedBackupConfig(aws, regions);
    await seedArchives(aws, regions, o.archives);
    aws.setOptions({ latencyMs: o.latencyMs });
    const out: Record<string, string> = {};
    for (const last of [14, o.archives]) {
      aws.resetStats();
      const run = await status(aws, last);
      const s = aws.stats();
      const ops = Object.entries(s.operations)
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      out[`--last ${last}: exit, time`] = `${run.code}, ${run.engineMs} ms in the engine (${run.sec.toFixed(2)} s with the tsx process start-up)`;
      out[`--last ${last}: requests`] = `${s.totalRequests} (${ops})`;
    }
    return out;
  } finally {
    await aws.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { regions: { type: 'string', default: '3' }, archives: { type: 'string', default: '365' }, 'latency-ms': { type: 'string', default: '30' } },
  });
  const figures = await benchStatus({ regions: Number(values.regions), archives: Number(values.archives), latencyMs: Number(values['latency-ms']) });
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(34)} ${v}`);
}
