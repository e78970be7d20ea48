/**
 * `npm run bench -- --scenario accounts` (issue 21): 3 member accounts x 2 regions x --params parameters (default
 * 5,000), --latency-ms (30) on every answer and a Get* quota of --get-tps (40/s) per account x region, backed up one
 * unit after another (--parallel-regions 1) and 6 side by side (--parallel-regions 6), through the central account's
 * accounts parameter and each member's assumed role. Prints both wall times, the speed-up (target >= 4x) and each
 * unit's time against its quota bound (target <= 1.25x). The engine runs from ts/ through tsx (as the tests do), so the
 * figures are those of this tree, not of the committed bundle. Run alone: `node --import tsx scripts/bench-accounts.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { startLocalAws, type LocalAws } from '../local-aws/index.js';

const ENV = 'dev';
const HOME = 'ap-northeast-1';
const CENTRAL_PRINCIPAL = 'arn:aws:iam::123456789012:user/local';
const MEMBERS = ['111111111111', '222222222222', '333333333333'];
const REGIONS = ['us-west-2', 'eu-central-1'];

export interface BenchAccountsOptions {
  parameters?: number;
  latencyMs?: number;
  getTps?: number;
}

function seed(aws: LocalAws, n: number): void {
  const role = (a: string) => `arn:aws:iam::${a}:role/jenkins-ssm-backup-${ENV}`;
  const accounts = MEMBERS.map((a) => ({ accountId: a, roleArn: role(a), externalId: `ext-${a}` }));
  aws.ssm.put(HOME, { Name: `/jenkins/${ENV}/backup/accounts`, Value: JSON.stringify(accounts) });
  for (const a of MEMBERS) {
    aws.iam.createRole(role(a), { principals: [CENTRAL_PRINCIPAL], externalId: `ext-${a}` });
    const { ssm, kms } = aws.account(a);
    ssm.put(HOME, { Name: `/jenkins/${ENV}/backup/region-list`, Value: JSON.stringify(REGIONS) });
    ssm.put(HOME, { Name: `/jenkins/${ENV}/backup/default-region`, Value: REGIONS[0] });
    for (const r of REGIONS) {
      const bucket = `bench-${a}-${r}`;
      aws.s3.createBucket(r, bucket, { owner: a });
      ssm.put(r, { Name: `/jenkins/${ENV}/backup/${r}/s3-bucket-name`, Value: bucket });
      kms.createKey(r, `key-${a}-${r}`, ['alias/ssm-backup']);
      ssm.put(r, { Name: `/jenkins/${ENV}/backup/${r}/kms-key-arn`, Value: `arn:aws:kms:${r}:${a}:alias/ssm-backup` });
      for (let i = 0; i < n; i += 1)
        ssm.put(r, { Name: `/bench/${a}/${r}/svc${Math.floor(i / 100)}/p${i}`, Value: `v${i}`.padEnd(64, 'x'), Type: i % 5 ? 'String' : 'SecureString' });
    }
  }
}

type Unit = { status: string; executionTimeSec: number; parameterCount: number };

function backup(aws: LocalAws, parallel: number, getTps: number): Promise<{ code: number; wallSec: number; summary: Record<string, Unit> }> {
  const work = mkdtempSync(path.join(tmpdir(), 'bench-accounts-'));
  const file = path.join(work, 'summary.json');
  const args = ['--import', 'tsx', 'ts/main.ts', 'backup', '--environment', ENV, '--ssm-home-region', HOME, '--work-dir', work, '--summary-file', file];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, '--parallel-regions', String(parallel), '--get-rate', String(getTps), '--no-fail-fast'], {
      env: { ...process.env, ...aws.env, AWS_REGION: HOME },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const wallSec = (performance.now() - started) / 1000;
      if (code !== 0) console.error(stderr.split('\n').slice(-5).join('\n'));
      const summary = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Unit>;
      rmSync(work, { recursive: true, force: true });
      resolve({ code: code ?? 1, wallSec, summary });
    });
  });
}

export async function benchAccounts(o: BenchAccountsOptions = {}): Promise<void> {
  const n = o.parameters ?? 5000;
  const latency = o.latencyMs ?? 30;
  const tps = o.getTps ?? 40;
  // One unit's lower bound: its Get* calls against the quota (one second of burst), its DescribeParameters pages one
  // after another, and two more round trips (the same formula as the quota-bound scenario).
  const bound = Math.max((Math.ceil(n / 10) - tps) / tps, (Math.ceil(n / 50) * latency) / 1000) + (2 * latency) / 1000;
  console.log(
    `\n# accounts: ${MEMBERS.length} accounts x ${REGIONS.length} regions x ${n} parameters, latency ${latency} ms, Get* quota ${tps}/s per account x region`,
  );
  const aws = await startLocalAws({ latencyMs: latency, getTps: tps });
  try {
    seed(aws, n);
    const sequential = await backup(aws, 1, tps);
    const parallel = await backup(aws, 6, tps);
    const row = (k: string, v: string) => console.log(`  ${k.padEnd(40)} ${v}`);
    row('exit codes (sequential, parallel)', `${sequential.code}, ${parallel.code}`);
    row('sequential (--parallel-regions 1)', `${sequential.wallSec.toFixed(2)} s`);
    row('6 side by side (--parallel-regions 6)', `${parallel.wallSec.toFixed(2)} s`);
    row('speed-up (target >= 4x)', `${(sequential.wallSec / parallel.wallSec).toFixed(2)}x`);
    row('quota bound per unit', `${bound.toFixed(2)} s`);
    for (const [key, u] of Object.entries(parallel.summary)) {
      const seq = sequential.summary[key];
      row(
        `  ${key} (${u.status}, ${u.parameterCount})`,
        `parallel ${(u.executionTimeSec / bound).toFixed(3)}x, sequential ${(seq.executionTimeSec / bound).toFixed(3)}x of its bound (target <= 1.25)`,
      );
    }
    const stats = aws.stats();
    row('throttles (server)', String(stats.throttles));
  } finally {
    await aws.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { params: { type: 'string' }, 'latency-ms': { type: 'string' }, 'get-tps': { type: 'string' } } });
  await benchAccounts({ parameters: Number(values.params ?? 5000), latencyMs: Number(values['latency-ms'] ?? 30), getTps: Number(values['get-tps'] ?? 40) });
}
