import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startLocalAws } from '../local-aws/index.js';
import { seedBackupConfig } from '../test/helpers/fixtures.js';
import { seedBackupKeys } from '../test/helpers/encryption.js';
const BUNDLE = path.resolve('resources/ssm-multi-region-backup/ssm-backup.cjs');
const REGION = 'us-west-2';
const aws = await startLocalAws({ getTps: 2000 });
seedBackupConfig(aws, [REGION]);
if (process.env.ENC) seedBackupKeys(aws, [REGION], { dr: ['sa-east-1'] });
const n = Number(process.env.N ?? 100000);
for (let i = 0; i < n; i += 1) aws.ssm.put(REGION, { Name: `/bench/svc${Math.floor(i / 100)}/p${i}`, Value: randomBytes(3072).toString('base64').slice(0, 4096), Type: i % 5 === 0 ? 'SecureString' : 'String' });
for (const o of (process.env.OPTS ?? '').split(';')) {
  const work = mkdtempSync(path.join(tmpdir(), 'probe-'));
  await new Promise<void>((resolve) => {
    const t = performance.now();
    const c = spawn(process.execPath, [...(o ? o.split(' ') : []), BUNDLE, 'backup', '--regions', REGION, '--work-dir', work, '--get-rate', '2000', ...(process.env.ARGS ? process.env.ARGS.split(' ') : []), '--environment', 'dev', '--ssm-home-region', REGION], { env: { ...process.env, ...aws.env, AWS_REGION: REGION }, stdio: ['ignore', 'ignore', 'pipe'] });
    let peak = 0;
    const s = setInterval(() => { try { const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${c.pid}/status`, 'utf8')); if (m) peak = Math.max(peak, Math.round(Number(m[1]) / 1024)); } catch { /* gone */ } }, 100);
    let err = ''; c.stderr.on('data', (d) => { err += d; });
    c.on('close', (code) => { clearInterval(s); console.log('backup', o, process.env.ARGS ?? '', `exit ${code} ${((performance.now() - t) / 1000).toFixed(1)}s peak ${peak} MB`, code ? err.slice(-300) : ''); resolve(); });
  });
}
await aws.stop();
