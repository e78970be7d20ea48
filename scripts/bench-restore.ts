/**
 * Restore throughput against PutParameter's quota: N parameters are backed up, deleted and restored
 * by the shipped bundle with --put-rate equal to the emulated quota (default 3/s, as AWS). Target:
 * parameters/s >= 90% of the quota. Every 4th parameter carries a label (backed up with --include-labels): the restore
 * makes one LabelParameterVersion per labelled parameter and no other extra call (API calls by operation printed). Run alone: `node --import tsx scripts/bench-restore.ts [--params N] [--put-tps T] [--latency-ms L]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { GetParameterHistoryCommand, LabelParameterVersionCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../local-aws/index.js';
import { seedBackupConfig } from '../test/helpers/fixtures.js';

const BUNDLE = path.resolve('resources/ssm-multi-region-backup/ssm-backup.cjs');
const REGION = 'us-west-2';

export interface BenchRestoreOptions {
  /** Parameters to restore (default 60: about 20 s at 3/s). */
  parameters?: number;
  /** Emulated PutParameter quota per second, also passed as --put-rate (default 3). */
  putTps?: number;
  /** Latency added to every AWS answer in ms (default 20). */
  latencyMs?: number;
}

function engine(aws: LocalAws, args: string[]): Promise<{ code: number; sec: number; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUNDLE, ...args, '--environment', 'dev', '--ssm-home-region', REGION], {
      env: { ...process.env, ...aws.env, AWS_REGION: REGION },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code: code ?? 1, sec: (performance.now() - started) / 1000, stderr }));
  });
}

export async function benchRestore(opts: BenchRestoreOptions = {}): Promise<Record<string, number | string>> {
  const n = opts.parameters ?? 60;
  const quota = opts.putTps ?? 3;
  const aws = await startLocalAws({ latencyMs: opts.latencyMs ?? 20 });
  const work = mkdtempSync(path.join(tmpdir(), 'bench-restore-'));
  try {
    seedBackupConfig(aws, [REGION]);
    for (let i = 0; i < n; i += 1)
      aws.ssm.put(REGION, {
        Name: `/bench/p${String(i).padStart(5, '0')}`,
        Value: `value-${i}-${'x'.repeat(64)}`,
        Type: i % 3 === 0 ? 'SecureString' : 'String',
        Tags: i % 10 === 0 ? [{ Key: 'team', Value: 'bench' }] : undefined,
      });
    const ssm = new SSMClient({ region: REGION, endpoint: aws.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    let labelled = 0;
    for (let i = 0; i < n; i += 4) {
      await ssm.send(new LabelParameterVersionCommand({ Name: `/bench/p${String(i).padStart(5, '0')}`, Labels: ['release'] }));
      labelled += 1;
    }
    ssm.destroy();
    const backup = await engine(aws, ['backup', '--regions', REGION, '--work-dir', work, '--include-tags', '--include-labels']);
    if (backup.code !== 0) throw new Error(`backup failed: ${backup.stderr}`);
    for (const p of aws.ssm.list(REGION)) if (p.Name.startsWith('/bench/')) aws.ssm.delete(REGION, p.Name);
    aws.setOptions({ putTps: quota });
    aws.resetStats();
    const run = await engine(aws, ['restore', '--region', REGION, '--path', '/bench', '--apply', '--put-rate', String(quota), '--work-dir', work]);
    if (run.code !== 0) throw new Error(`restore failed: ${run.stderr}`);
    const summary = JSON.parse(readFileSync(path.join(work, 'restore_summary.json'), 'utf8'));
    const restored = aws.ssm.list(REGION).filter((p) => p.Name.startsWith('/bench/')).length;
    const perSec = summary.parametersPerSec as number;
    const ops = aws.stats().operations;
    // Read after the counts: how many labelled parameters carry their label again.
    const check = new SSMClient({ region: REGION, endpoint: aws.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    let labelsBack = 0;
    for (let i = 0; i < n; i += 4) {
      const h = await check.send(new GetParameterHistoryCommand({ Name: `/bench/p${String(i).padStart(5, '0')}` }));
      if ((h.Parameters ?? []).some((v) => v.Labels?.includes('release'))) labelsBack += 1;
    }
    check.destroy();
    return {
      restoreParameters: restored,
      restorePutQuotaPerSec: quota,
      restoreParametersPerSec: perSec,
      restoreQuotaUtilisationPct: Math.round((perSec / quota) * 1000) / 10,
      restoreWallSec: Math.round(run.sec * 100) / 100,
      restoreWallParametersPerSec: Math.round((restored / run.sec) * 100) / 100,
      restoreThrottles: aws.stats().throttles,
      restoreApiCalls: JSON.stringify(ops),
      restoreLabelled: `${labelled} labelled, ${labelsBack} labelled again after the restore`,
      restoreLabelCalls: `${ops['ssm:LabelParameterVersion'] ?? 0} LabelParameterVersion for ${labelled} labelled, ${ops['ssm:GetParameterHistory'] ?? 0} GetParameterHistory, ${ops['ssm:PutParameter'] ?? 0} PutParameter for ${n} (target: one label call per labelled parameter, nothing else extra)`,
      restoreTarget: '>= 90% of the quota',
      restoreVerdict:
        restored === n &&
        perSec >= 0.9 * quota &&
        ops['ssm:LabelParameterVersion'] === labelled &&
        labelsBack === labelled &&
        (ops['ssm:GetParameterHistory'] ?? 0) === 0
          ? 'MET'
          : 'MISSED',
    };
  } finally {
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { params: { type: 'string' }, 'put-tps': { type: 'string' }, 'latency-ms': { type: 'string' } } });
  const figures = await benchRestore({
    parameters: values.params ? Number(values.params) : undefined,
    putTps: values['put-tps'] ? Number(values['put-tps']) : undefined,
    latencyMs: values['latency-ms'] ? Number(values['latency-ms']) : undefined,
  });
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(28)} ${v}`);
}
