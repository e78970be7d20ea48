/**
 * Reading side of restore, verify and diff, run through the shipped bundle (figures, not pass/fail timings):
 *   memory: N parameters of 4 KB backed up, then verify, diff and a restore plan of the whole archive; peak RSS of
 *           each engine process sampled from /proc/<pid>/status VmHWM (target <= 250 MB), and two decompression
 *           bombs (a 1.6 GB backup.json of blanks, a 1 GB string) refused with one line (target < 300 MB RSS).
 *   quota:  diff and a restore plan of N parameters, every one tagged, against the Get* quota (emulated and
 *           --get-rate, default 40/s; ListTagsForResource 20/s) with latency; ratio to the lower bound the quota
 *           implies (target <= 1.25); API calls of the diff by operation.
 * Run alone: `node --import tsx scripts/bench-restore-read.ts [--scenario memory|quota] [--params N]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import tar from 'tar-stream';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { startLocalAws, type LocalAws } from '../local-aws/index.js';
import { seedBackupConfig, bucketFor } from '../test/helpers/fixtures.js';

const BUNDLE = path.resolve('resources/ssm-multi-region-backup/ssm-backup.cjs');
const REGION = 'us-west-2';

interface Run {
  code: number;
  sec: number;
  peakRssMb: number;
  lastError: string;
}

/** Runs the bundle; samples the child's VmHWM every 100 ms. */
function engine(aws: LocalAws, args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const where = args[0] === 'backup' ? [] : ['--region', REGION];
    const child = spawn(process.execPath, [BUNDLE, ...args, '--environment', 'dev', '--ssm-home-region', REGION, ...where], {
      env: { ...process.env, ...aws.env, AWS_REGION: REGION, NODE_OPTIONS: process.env.ENGINE_NODE_OPTIONS || undefined },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let peak = 0;
    let lastError = '';
    const sampler = setInterval(() => {
      try {
        const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Math.round(Number(m[1]) / 1024));
      } catch {
        /* exited */
      }
    }, 100);
    child.stderr.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (/ ERROR /.test(line)) lastError = line.replace(/^\S+ ERROR\s+/, '').slice(0, 160);
    });
    child.on('close', (code) => {
      clearInterval(sampler);
      resolve({ code: code ?? 1, sec: (performance.now() - started) / 1000, peakRssMb: peak, lastError });
    });
  });
}

function seed(aws: LocalAws, count: number, valueBytes: number, tagged = false): void {
  seedBackupConfig(aws, [REGION]);
  for (let i = 0; i < count; i += 1) {
    const value = randomBytes(Math.ceil((valueBytes * 3) / 4))
      .toString('base64')
      .slice(0, valueBytes);
    aws.ssm.put(REGION, {
      Name: `/bench/svc${Math.floor(i / 100)}/p${i}`,
      Value: value,
      Type: i % 5 === 0 ? 'SecureString' : 'String',
      Tags: tagged ? [{ Key: 'team', Value: `t${i % 7}` }] : undefined,
    });
  }
}

/** A tar.gz whose backup.json is `size` bytes produced by `fill` (streamed: the bench never holds it). */
async function bomb(header: string, size: number, fill: Buffer, tail: string): Promise<Buffer> {
  const pack = tar.pack();
  const gz = pack.pipe(createGzip({ level: 9 }));
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const entry = pack.entry({ name: 'backup.json', size: header.length + size + tail.length });
  entry.write(header);
  for (let left = size; left > 0; left -= fill.length)
    if (!entry.write(left >= fill.length ? fill : fill.subarray(0, left))) await new Promise<void>((r) => entry.once('drain', () => r()));
  entry.end(tail);
  pack.finalize();
  await new Promise((r) => gz.on('end', r));
  return Buffer.concat(out);
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

export async function benchRestoreMemory(opts: { parameters?: number } = {}): Promise<Record<string, number | string>> {
  const n = opts.parameters ?? 100000;
  const aws = await startLocalAws({ getTps: 2000 });
  const work = mkdtempSync(path.join(tmpdir(), 'bench-restore-read-'));
  const s3 = new S3Client({ region: REGION, endpoint: aws.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    seed(aws, n, 4096);
    const backup = await engine(aws, ['backup', '--regions', REGION, '--work-dir', work, '--get-rate', '2000']);
    if (backup.code !== 0) throw new Error(`backup failed: ${backup.lastError}`);
    const archive = aws.s3.listObjects(bucketFor(REGION)).find((o) => o.key.endsWith('.tar.gz'));
    const verify = await engine(aws, ['verify']);
    const diff = await engine(aws, ['diff', '--get-rate', '2000']);
    const plan = await engine(aws, ['restore', '--get-rate', '2000', '--work-dir', work]);
    const blanks = await bomb(`{"environment":"dev","region":"${REGION}","parameters":[]`, 1600 * 1048576, Buffer.alloc(1048576, 0x20), '}');
    const string = await bomb(
      `{"environment":"dev","region":"${REGION}","parameters":[{"Name":"/a","Type":"String","Value":"`,
      1000 * 1048576,
      Buffer.alloc(1048576, 0x41),
      '"}]}',
    );
    await s3.send(new PutObjectCommand({ Bucket: bucketFor(REGION), Key: 'bomb/blanks.tar.gz', Body: blanks, ServerSideEncryption: 'AES256' }));
    await s3.send(new PutObjectCommand({ Bucket: bucketFor(REGION), Key: 'bomb/string.tar.gz', Body: string, ServerSideEncryption: 'AES256' }));
    const bombBlanks = await engine(aws, ['verify', '--archive', 'bomb/blanks.tar.gz']);
    const bombString = await engine(aws, ['verify', '--archive', 'bomb/string.tar.gz']);
    return {
      parameters: n,
      archiveMb: archive ? round(archive.size / 1048576, 1) : '?',
      backupPeakRssMb: backup.peakRssMb,
      verify: `exit ${verify.code}, ${round(verify.sec)} s, peak RSS ${verify.peakRssMb} MB (target <= 250)`,
      diff: `exit ${diff.code}, ${round(diff.sec)} s, peak RSS ${diff.peakRssMb} MB (target <= 250)`,
      restorePlan: `exit ${plan.code}, ${round(plan.sec)} s, peak RSS ${plan.peakRssMb} MB (target <= 250)`,
      bombBlanks: `${round(blanks.length / 1048576)} MB gzip: exit ${bombBlanks.code}, ${round(bombBlanks.sec)} s, peak RSS ${bombBlanks.peakRssMb} MB (target < 300): ${bombBlanks.lastError}`,
      bombString: `${round(string.length / 1048576)} MB gzip: exit ${bombString.code}, ${round(bombString.sec)} s, peak RSS ${bombString.peakRssMb} MB (target < 300): ${bombString.lastError}`,
    };
  } finally {
    s3.destroy();
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export async function benchRestoreQuota(opts: { parameters?: number; getTps?: number; latencyMs?: number } = {}): Promise<Record<string, number | string>> {
  const n = opts.parameters ?? 10000;
  const tps = opts.getTps ?? 40;
  const latency = opts.latencyMs ?? 30;
  const aws = await startLocalAws({ getTps: 2000 });
  const work = mkdtempSync(path.join(tmpdir(), 'bench-restore-quota-'));
  try {
    // Every parameter tagged (tags are backed up by default): diff and restore read the live tags too.
    seed(aws, n, 64, true);
    const backup = await engine(aws, ['backup', '--regions', REGION, '--work-dir', work, '--get-rate', '2000']);
    if (backup.code !== 0) throw new Error(`backup failed: ${backup.lastError}`);
    aws.setOptions({ getTps: tps, latencyMs: latency, tagTps: 20 });
    const total = aws.ssm.list(REGION).length;
    // Same bound as backup's: Get* calls cannot beat the quota (one second of burst), Describe pages are sequential.
    const bound = Math.max((Math.ceil(total / 10) - tps) / tps, (Math.ceil(total / 50) * latency) / 1000) + (2 * latency) / 1000;
    aws.resetStats();
    const diff = await engine(aws, ['diff', '--get-rate', String(tps)]);
    const diffCalls = aws.stats().operations;
    const plan = await engine(aws, ['restore', '--get-rate', String(tps), '--work-dir', work]);
    return {
      parameters: total,
      getQuotaPerSec: tps,
      lowerBoundSec: round(bound),
      diff: `exit ${diff.code}, ${round(diff.sec)} s, ratio to bound ${round(diff.sec / bound, 3)} (target <= 1.25)`,
      restorePlan: `exit ${plan.code}, ${round(plan.sec)} s, ratio to bound ${round(plan.sec / bound, 3)} (target <= 1.25)`,
      diffApiCalls: JSON.stringify(diffCalls),
      throttles: aws.stats().throttles,
    };
  } finally {
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { scenario: { type: 'string', default: 'memory,quota' }, params: { type: 'string' } } });
  const parameters = values.params ? Number(values.params) : undefined;
  for (const s of String(values.scenario).split(',')) {
    const figures = s === 'memory' ? await benchRestoreMemory({ parameters }) : await benchRestoreQuota({ parameters });
    console.log(`# restore ${s}`);
    for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(20)} ${v}`);
  }
}
