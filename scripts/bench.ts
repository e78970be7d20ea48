/**
 * `npm run bench`: figures, not pass/fail timings (machines here are shared and noisy).
 *   1. quota-bound: N parameters x R regions, injected latency, Get* quota (default 2 x 10,000, 30 ms, 40/s);
 *      prints the lower bound the quota and latency imply and the ratio to it (target <= 1.25).
 *   2. quota lifted (1000/s): the engine vs `aws ssm get-parameters-by-path --recursive --with-decryption`
 *      on the same data when the AWS CLI is installed (target >= 5x faster).
 *   3. memory: 100,000 parameters of 4 KB in one region; peak RSS of the engine process (target <= 200 MB).
 *   4. restore throughput against PutParameter's quota, with labels (scripts/bench-restore.ts, when present).
 *   5. guard: the comparison with the previous archive in one region (extra requests, share of the backup time; target <= 2 requests, <= 2%).
 *   6. restore-memory: verify, diff and a restore plan of --memory-params x 4 KB, and two decompression bombs; peak RSS
 *      (targets <= 250 MB, bombs < 300 MB). 7. restore-quota: diff and restore plan against the Get* quota (<= 1.25x).
 *      Both in scripts/bench-restore-read.ts.
 *   8. tags: every parameter tagged, ListTagsForResource quota 20/s: backup with tags (the default: one GetResources
 *      sweep per region) vs --no-include-tags (target <= 1.1x); API calls by operation.
 *   9. paging: the quota-bound run with 10-item DescribeParameters pages (GetResources pages stay at 100), and with
 *      filter-after-paging on a --path that selects 10% of the region; ratio to the bound for each (target <= 1.25).
 *  10. encryption: the memory workload (--encryption-params, default 100,000 x 4 KB) backed up with SSE only and with
 *      client-side encryption (a region key and one DR key), --encryption-runs times each, alternating; the fastest
 *      run of each: wall time ratio (target <= 1.10), CPU seconds, peak RSS.
 *  11. accounts: 3 accounts x 2 regions x 5,000 parameters (--params), one unit at a time vs 6 side by side: speed-up
 *      (target >= 4x) and each unit's ratio to its quota bound (target <= 1.25); scripts/bench-accounts.ts.
 *  12. history: `ssm-backup history` over 30 archives whose name indexes are plaintext (format 1) or encrypted (format 2):
 *      KMS calls (one Decrypt per encrypted index), S3 requests, wall time (scripts/bench-history.ts).
 *  13. status: `status` over --regions (default here 3) x 365 archives with --latency-ms per request (scripts/bench-status.ts):
 *      requests by operation and wall time, with --last 14 and --last 365.
 * Scenarios 1-3 back up with client-side encryption (keys seeded) unless --no-client-encryption.
 * Options: --scenario all|quota|lifted|memory|restore|guard|restore-memory|restore-quota|tags|paging|encryption|accounts|history|status  --encryption-params N  --encryption-runs N  --no-client-encryption  --params N  --regions R  --latency-ms L  --get-tps T  --memory-params N
 *          --engine-node-options '...' (NODE_OPTIONS for the engine process only, e.g. --max-old-space-size=64)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { startLocalAws, type LocalAws } from '../local-aws/index.js';
import { seedBackupConfig } from '../test/helpers/fixtures.js';
import { seedBackupKeys } from '../test/helpers/encryption.js';
import { benchAccounts } from './bench-accounts.js';

const BUNDLE = path.resolve('resources/ssm-multi-region-backup/ssm-backup.cjs');
const ALL_REGIONS = ['ap-northeast-1', 'us-west-2', 'eu-central-1', 'us-east-1'];
const { values: opt } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    params: { type: 'string', default: '10000' },
    regions: { type: 'string', default: '2' },
    'latency-ms': { type: 'string', default: '30' },
    'get-tps': { type: 'string', default: '40' },
    'memory-params': { type: 'string', default: '100000' },
    'engine-node-options': { type: 'string', default: '' },
    'encryption-params': { type: 'string', default: '100000' },
    'encryption-runs': { type: 'string', default: '2' },
    'client-encryption': { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const N = Number(opt.params);
const REGIONS = ALL_REGIONS.slice(0, Number(opt.regions));
const LATENCY = Number(opt['latency-ms']);
const TPS = Number(opt['get-tps']);

interface EngineRun {
  wallSec: number;
  code: number;
  peakRssMb?: number;
  apiCalls?: Record<string, number>;
  throttles?: number;
  compareMs?: number;
  cpuSec?: number;
}

function runEngine(aws: LocalAws, args: string[], command = 'backup'): Promise<EngineRun> {
  const work = mkdtempSync(path.join(tmpdir(), 'bench-work-'));
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUNDLE, command, '--environment', 'dev', '--work-dir', work, '--log-format', 'json', ...args], {
      env: { ...process.env, ...aws.env, AWS_REGION: REGIONS[0], NODE_OPTIONS: opt['engine-node-options'] || undefined },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let last: Partial<EngineRun> = {};
    // The benchmark also samples the child's own high-water mark (VmHWM), independent of what it reports.
    let sampledHwm = 0;
    // CPU seconds (utime + stime, 100 ticks/s) of the engine: steadier than wall time on a shared machine.
    let cpuSec = 0;
    const sampler = setInterval(() => {
      try {
        const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) sampledHwm = Math.max(sampledHwm, Math.round(Number(m[1]) / 1024));
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
        if (stat) cpuSec = (Number(stat[11]) + Number(stat[12])) / 100;
      } catch {
        /* exited, or not Linux */
      }
    }, 100);
    let buf = '';
    child.stderr.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const e = JSON.parse(line);
          if (e.peakRssMb !== undefined) last = { ...last, peakRssMb: e.peakRssMb, apiCalls: e.apiCalls, throttles: e.throttles };
          if (e.compareMs !== undefined) last = { ...last, compareMs: e.compareMs };
          if (e.level === 'error') console.error(`  engine: ${e.message}`);
        } catch {
          /* not JSON */
        }
      }
    });
    child.on('close', (code) => {
      clearInterval(sampler);
      rmSync(work, { recursive: true, force: true });
      resolve({ ...last, peakRssMb: Math.max(last.peakRssMb ?? 0, sampledHwm), cpuSec, code: code ?? 1, wallSec: (performance.now() - started) / 1000 });
    });
  });
}

function seed(aws: LocalAws, count: number, valueBytes: number, regions: string[], tagged = false, clientEncryption = opt['client-encryption']): void {
  seedBackupConfig(aws, regions);
  if (clientEncryption) seedBackupKeys(aws, regions, { dr: ['sa-east-1'] });
  for (const r of regions) {
    for (let i = 0; i < count; i += 1) {
      const secure = i % 5 === 0;
      // Random (incompressible) values: the archive is as large as the data, as with real secrets.
      const value = randomBytes(Math.ceil((valueBytes * 3) / 4))
        .toString('base64')
        .slice(0, valueBytes);
      aws.ssm.put(r, {
        Name: `/bench/g${Math.floor((i * 10) / count)}/${r}/svc${Math.floor(i / 100)}/p${i}`,
        Value: value,
        Type: secure ? 'SecureString' : 'String',
        Tags: tagged ? [{ Key: 'team', Value: `t${i % 7}` }] : undefined,
      });
    }
  }
}

const fmt = (n: number, d = 1) => n.toFixed(d);
const table = (rows: [string, string][]) => {
  for (const [k, v] of rows) console.log(`  ${k.padEnd(34)} ${v}`);
};

/** Per-region lower bound: Get* calls against the quota (one second of burst), DescribeParameters pages one after another. */
function quotaBoundSec(selected: number, describePages: number): number {
  const perRegion = Math.max((Math.ceil(selected / 10) - TPS) / TPS, (describePages * LATENCY) / 1000) + (2 * LATENCY) / 1000;
  return perRegion * REGIONS.length;
}

async function quotaBound(): Promise<void> {
  console.log(`\n# 1. quota-bound: ${REGIONS.length} regions x ${N} parameters, latency ${LATENCY} ms, Get* quota ${TPS}/s per region`);
  const aws = await startLocalAws({ latencyMs: LATENCY, getTps: TPS });
  try {
    seed(aws, N, 64, REGIONS);
    const total = aws.ssm.list(REGIONS[0]).length;
    const run = await runEngine(aws, ['--get-rate', String(TPS)]);
    const getCalls = Math.ceil(total / 10);
    const describeCalls = Math.ceil(total / 50);
    // Per region: Get* calls cannot beat the quota (one second of burst allowed), Describe pages are sequential.
    const perRegion = Math.max((getCalls - TPS) / TPS, (describeCalls * LATENCY) / 1000) + (2 * LATENCY) / 1000;
    const bound = perRegion * REGIONS.length;
    const stats = aws.stats();
    table([
      ['exit code', String(run.code)],
      ['parameters', `${total * REGIONS.length} (${total} per region)`],
      ['API calls (engine)', JSON.stringify(run.apiCalls)],
      ['API calls (server)', JSON.stringify(stats.operations)],
      ['throttles (server)', String(stats.throttles)],
      ['wall time', `${fmt(run.wallSec, 2)} s`],
      ['lower bound (quota, latency)', `${fmt(bound, 2)} s`],
      ['ratio to bound (target <= 1.25)', fmt(run.wallSec / bound, 3)],
      ['peak RSS', `${run.peakRssMb} MB`],
    ]);
  } finally {
    await aws.stop();
  }
}

function runAwsCli(aws: LocalAws, region: string): Promise<{ sec: number; count: number; code: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      'aws',
      [
        'ssm',
        'get-parameters-by-path',
        '--path',
        '/',
        '--recursive',
        '--with-decryption',
        '--region',
        region,
        '--endpoint-url',
        aws.endpoint,
        '--output',
        'json',
      ],
      { env: { ...process.env, ...aws.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => {
      let count = 0;
      try {
        count = JSON.parse(out).Parameters.length;
      } catch {
        /* failed run */
      }
      resolve({ sec: (performance.now() - started) / 1000, count, code: code ?? 1 });
    });
  });
}

async function lifted(): Promise<void> {
  console.log(`\n# 2. quota lifted (1000/s): ${REGIONS.length} regions x ${N} parameters, latency ${LATENCY} ms`);
  const aws = await startLocalAws({ latencyMs: LATENCY, getTps: 1000 });
  try {
    seed(aws, N, 64, REGIONS);
    const run = await runEngine(aws, ['--get-rate', '1000', '--concurrency', '16']);
    const par = await runEngine(aws, ['--get-rate', '1000', '--concurrency', '16', '--parallel-regions', String(REGIONS.length)]);
    const rows: [string, string][] = [
      ['engine, regions in turn', `${fmt(run.wallSec, 2)} s (exit ${run.code}, peak RSS ${run.peakRssMb} MB)`],
      [`engine, --parallel-regions ${REGIONS.length}`, `${fmt(par.wallSec, 2)} s (exit ${par.code}, peak RSS ${par.peakRssMb} MB)`],
      ['DescribeParameters chain bound', `${fmt((Math.ceil(N / 50) * LATENCY) / 1000, 2)} s per region (50 a page, one page after another)`],
    ];
    const hasCli = spawnSync('aws', ['--version'], { encoding: 'utf8' });
    if (hasCli.status === 0) {
      let cliSec = 0;
      let cliCount = 0;
      for (const r of REGIONS) {
        const c = await runAwsCli(aws, r);
        cliSec += c.sec;
        cliCount += c.count;
      }
      rows.push([
        `aws ssm get-parameters-by-path`,
        `${fmt(cliSec, 2)} s for ${cliCount} parameters (${(hasCli.stdout || hasCli.stderr).trim().split(' ')[0]})`,
      ]);
      rows.push(['speed-up, regions in turn', `${fmt(cliSec / run.wallSec, 1)}x`]);
      rows.push(['speed-up, parallel regions (target >= 5x)', `${fmt(cliSec / par.wallSec, 1)}x`]);
    } else {
      rows.push(['aws CLI', 'not installed: comparison skipped (apt-get install awscli)']);
    }
    table(rows);
  } finally {
    await aws.stop();
  }
}

async function memory(): Promise<void> {
  const count = Number(opt['memory-params']);
  console.log(`\n# 3. memory: 1 region x ${count} parameters of 4 KB, quota lifted, no latency`);
  const aws = await startLocalAws({ getTps: 2000 });
  try {
    seed(aws, count, 4096, [REGIONS[0]]);
    const run = await runEngine(aws, ['--regions', REGIONS[0], '--get-rate', '2000']);
    const archive = aws.s3.listObjects(`jenkins-infra-ssm-backup-dev-123456789012-${REGIONS[0]}`).find((o) => o.key.endsWith('.tar.gz'));
    table([
      ['exit code', String(run.code)],
      ['wall time', `${fmt(run.wallSec, 2)} s (${fmt(count / run.wallSec, 0)} parameters/s)`],
      ['archive size', `${archive ? fmt(archive.size / 1048576) : '?'} MB`],
      ['peak RSS (target <= 200 MB)', `${run.peakRssMb} MB`],
    ]);
  } finally {
    await aws.stop();
  }
}

async function restore(): Promise<void> {
  const file = path.resolve('scripts/bench-restore.ts');
  if (!existsSync(file)) {
    console.log('\n# 4. restore: scripts/bench-restore.ts not present');
    return;
  }
  const mod = await import(file);
  console.log('\n# 4. restore throughput against the PutParameter quota');
  const figures: Record<string, number | string> = await mod.benchRestore({});
  table(Object.entries(figures).map(([k, v]) => [k, String(v)]));
}

/** 5. The comparison with the previous archive: extra requests and time in one region of N parameters (target <= 2 requests, <= 2%). */
async function guard(): Promise<void> {
  console.log(`\n# 5. comparison with the previous archive: 1 region x ${N} parameters, latency ${LATENCY} ms, Get* quota ${TPS}/s`);
  const aws = await startLocalAws({ latencyMs: LATENCY, getTps: TPS });
  try {
    seed(aws, N, 64, [REGIONS[0]]);
    const args = ['--regions', REGIONS[0], '--get-rate', String(TPS), '--verbose'];
    const first = await runEngine(aws, args);
    await new Promise((r) => setTimeout(r, 1100)); // the next archive key is a second later
    const second = await runEngine(aws, args);
    const s3 = (run: EngineRun) =>
      Object.entries(run.apiCalls ?? {})
        .filter(([k]) => /Object|Upload/.test(k))
        .map(([k, v]) => `${k.replace(/Command$/, '')}=${v}`)
        .join(' ');
    table([
      ['exit codes', `${first.code}, ${second.code}`],
      ['S3 calls, first backup', s3(first)],
      ['S3 calls, with a previous archive', s3(second)],
      ['wall time, first / second', `${fmt(first.wallSec, 2)} s / ${fmt(second.wallSec, 2)} s`],
      [
        'comparison (read previous + drift)',
        `${second.compareMs ?? '?'} ms = ${fmt(((second.compareMs ?? 0) / 1000 / second.wallSec) * 100, 2)}% of the backup (target <= 2%)`,
      ],
    ]);
  } finally {
    await aws.stop();
  }
}

async function tags(): Promise<void> {
  console.log(`\n# 8. tags: ${REGIONS.length} regions x ${N} parameters, every one tagged, latency ${LATENCY} ms, Get* ${TPS}/s, ListTagsForResource 20/s`);
  const aws = await startLocalAws({ latencyMs: LATENCY, getTps: TPS, tagTps: 20 });
  try {
    seed(aws, N, 64, REGIONS, true);
    aws.resetStats();
    const withTags = await runEngine(aws, ['--get-rate', String(TPS)]);
    const server = aws.stats().operations;
    const without = await runEngine(aws, ['--get-rate', String(TPS), '--no-include-tags']);
    table([
      ['exit codes', `${withTags.code} / ${without.code}`],
      ['with tags (default)', `${fmt(withTags.wallSec, 2)} s`],
      ['--no-include-tags', `${fmt(without.wallSec, 2)} s`],
      ['ratio (target <= 1.1)', fmt(withTags.wallSec / without.wallSec, 3)],
      ['API calls with tags (engine)', JSON.stringify(withTags.apiCalls)],
      ['API calls with tags (server)', JSON.stringify(server)],
      ['ListTagsForResource per parameter would be', `${N * REGIONS.length} calls, >= ${fmt((N / 20) * REGIONS.length, 0)} s at 20/s`],
    ]);
  } finally {
    await aws.stop();
  }
}

async function restoreRead(which: 'memory' | 'quota'): Promise<void> {
  const mod = await import(path.resolve('scripts/bench-restore-read.ts'));
  console.log(
    which === 'memory'
      ? `\n# 6. restore-memory: verify, diff, restore plan of ${opt['memory-params']} x 4 KB; decompression bombs`
      : `\n# 7. restore-quota: diff and restore plan of ${N} parameters, Get* quota ${TPS}/s, latency ${LATENCY} ms`,
  );
  const figures: Record<string, number | string> =
    which === 'memory'
      ? await mod.benchRestoreMemory({ parameters: Number(opt['memory-params']) })
      : await mod.benchRestoreQuota({ parameters: N, getTps: TPS, latencyMs: LATENCY });
  table(Object.entries(figures).map(([k, v]) => [k, String(v)]));
}

async function paging(): Promise<void> {
  console.log(`\n# 9. paging: quota-bound (${REGIONS.length} x ${N}, ${LATENCY} ms, ${TPS}/s), default mode (tags on)`);
  const aws = await startLocalAws({ latencyMs: LATENCY, getTps: TPS });
  try {
    seed(aws, N, 64, REGIONS, true);
    const total = aws.ssm.list(REGIONS[0]).length;
    // 10-item DescribeParameters pages; GetResources keeps its 100 (AWS fills those pages to ResourcesPerPage).
    aws.setOptions({ pageSize: 10, resourcesPageSize: 100 });
    const small = await runEngine(aws, ['--get-rate', String(TPS)]);
    const smallBound = quotaBoundSec(total, Math.ceil(total / 10));
    aws.setOptions({ pageSize: undefined, resourcesPageSize: undefined, filterAfterPaging: true });
    // /bench/g0/... holds the first tenth of every region's parameters. --allow-shrink: the previous archive (above)
    // holds the whole region, so the guard would refuse a tenth of it, as it refuses a --path typo.
    const filtered = await runEngine(aws, ['--get-rate', String(TPS), '--path', '/bench/g0', '--allow-shrink']);
    const sel = aws.ssm.list(REGIONS[0]).filter((p) => p.Name.startsWith('/bench/g0/')).length;
    const filteredBound = quotaBoundSec(sel, Math.ceil(total / 50));
    table([
      ['10-item pages: exit, wall', `${small.code}, ${fmt(small.wallSec, 2)} s`],
      ['10-item pages: bound, ratio (<= 1.25)', `${fmt(smallBound, 2)} s, ${fmt(small.wallSec / smallBound, 3)}`],
      ['10-item pages: API calls', JSON.stringify(small.apiCalls)],
      [`filter after paging (${sel} of ${total}): exit, wall`, `${filtered.code}, ${fmt(filtered.wallSec, 2)} s`],
      ['filter after paging: bound, ratio (<= 1.25)', `${fmt(filteredBound, 2)} s, ${fmt(filtered.wallSec / filteredBound, 3)}`],
      ['filter after paging: API calls', JSON.stringify(filtered.apiCalls)],
    ]);
  } finally {
    await aws.stop();
  }
}

async function encryption(): Promise<void> {
  const count = Number(opt['encryption-params']);
  const runs = Number(opt['encryption-runs']);
  console.log(
    `\n# 10. client-side encryption: 1 region x ${count} parameters of 4 KB, quota lifted, no latency; SSE only vs encrypted, ${runs} run(s) each, alternating`,
  );
  const best: Record<string, EngineRun> = {};
  for (let i = 0; i < runs; i += 1) {
    for (const mode of ['SSE only', 'client-side encrypted']) {
      const encrypted = mode !== 'SSE only';
      const aws = await startLocalAws({ getTps: 2000 });
      try {
        seed(aws, count, 4096, [REGIONS[0]], false, encrypted);
        const run = await runEngine(aws, ['--regions', REGIONS[0], '--get-rate', '2000', ...(encrypted ? ['--require-client-encryption'] : [])]);
        console.log(`  run ${i + 1} ${mode}: ${fmt(run.wallSec, 2)} s wall, ${fmt(run.cpuSec ?? 0, 2)} s CPU, exit ${run.code}, peak RSS ${run.peakRssMb} MB`);
        if (!best[mode] || run.wallSec < best[mode].wallSec) best[mode] = run;
      } finally {
        await aws.stop();
      }
    }
  }
  const [off, on] = [best['SSE only'], best['client-side encrypted']];
  table([
    ['SSE only (fastest run)', `${fmt(off.wallSec, 2)} s wall, ${fmt(off.cpuSec ?? 0, 2)} s CPU, peak RSS ${off.peakRssMb} MB`],
    ['encrypted (fastest run)', `${fmt(on.wallSec, 2)} s wall, ${fmt(on.cpuSec ?? 0, 2)} s CPU, peak RSS ${on.peakRssMb} MB`],
    ['wall time ratio (target <= 1.10)', fmt(on.wallSec / off.wallSec, 3)],
    ['CPU time ratio', fmt((on.cpuSec ?? 0) / Math.max(0.01, off.cpuSec ?? 0), 3)],
  ]);
}

async function historyCost(): Promise<void> {
  const { benchHistory, historyRows } = await import(path.resolve('scripts/bench-history.ts'));
  console.log(`\n# 12. history: 30 archives x 1,000 names, plaintext vs encrypted name indexes, latency ${LATENCY} ms (scripts/bench-history.ts)`);
  table(historyRows(await benchHistory({ archives: 30, names: 1000, latencyMs: LATENCY })));
}

async function status(): Promise<void> {
  const mod = await import(path.resolve('scripts/bench-status.ts'));
  const regions = Math.max(3, REGIONS.length);
  console.log(`\n# 13. status: ${regions} regions x 365 archives, latency ${LATENCY} ms per request`);
  table(Object.entries(await mod.benchStatus({ regions, archives: 365, latencyMs: LATENCY })).map(([k, v]) => [k, String(v)]));
}

const scenarios: Record<string, () => Promise<void>> = {
  quota: quotaBound,
  lifted,
  memory,
  restore,
  guard,
  'restore-memory': () => restoreRead('memory'),
  'restore-quota': () => restoreRead('quota'),
  tags,
  paging,
  encryption,
  accounts: () => benchAccounts({ parameters: opt.scenario === 'accounts' && opt.params !== '10000' ? N : 5000, latencyMs: LATENCY, getTps: TPS }),
  history: historyCost,
  status,
};
const chosen = opt.scenario === 'all' ? Object.keys(scenarios) : String(opt.scenario).split(',');
console.log(`ssm-backup benchmark (node ${process.version}, ${new Date().toISOString()})`);
for (const name of chosen) {
  if (!scenarios[name]) throw new Error(`unknown --scenario ${name}: use all, ${Object.keys(scenarios).join(', ')}`);
  await scenarios[name]();
}
