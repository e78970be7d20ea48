/**
 * `npm run demo`: starts the local AWS on 127.0.0.1, seeds two regions the way the Pulumi stack and
 * a real team would, runs the shipped bundle's backup against it, prints the per-region summary,
 * lists the archives and what is inside them (SecureString values masked), and stops everything.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws } from '../local-aws/index.js';
import { seedBackupConfig, seedRealistic, bucketFor } from '../test/helpers/fixtures.js';
import { readTarGz } from '../ts/lib/archive/read.js';

const REGIONS = ['ap-northeast-1', 'us-west-2'];
const BUNDLE = path.resolve('resources/ssm-multi-region-backup/ssm-backup.cjs');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], { env, stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const aws = await startLocalAws({ latencyMs: 5 });
const work = mkdtempSync(path.join(tmpdir(), 'ssm-backup-demo-'));
try {
  console.log(`\n== Local AWS listening on ${aws.endpoint} (SSM, S3, STS, KMS) ==`);
  seedBackupConfig(aws, REGIONS);
  for (const r of REGIONS) {
    seedRealistic(aws, r);
    for (let i = 0; i < 120; i += 1)
      aws.ssm.put(r, { Name: `/service/${String(i).padStart(3, '0')}/endpoint`, Value: `https://svc${i}.${r}.example.com`, Type: 'String' });
    console.log(`seeded ${aws.ssm.list(r).length} parameters in ${r}`);
  }
  const env = { ...process.env, ...aws.env, AWS_REGION: REGIONS[0], AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

  console.log('\n== ssm-backup plan --environment dev ==');
  await run(['plan', '--environment', 'dev'], env);
  console.log('\n== ssm-backup backup --environment dev --include-tags ==');
  const code = await run(['backup', '--environment', 'dev', '--include-tags', '--work-dir', work], env);

  console.log('\n== region_summaries.json ==');
  console.log(readFileSync(path.join(work, 'region_summaries.json'), 'utf8'));

  for (const r of REGIONS) {
    const bucket = bucketFor(r);
    console.log(`== s3://${bucket} ==`);
    for (const o of aws.s3.listObjects(bucket)) console.log(`  ${o.key.padEnd(64)} ${String(o.size).padStart(8)} bytes  SSE=${o.sse ?? 'none'}`);
    const latest = aws.s3.getObject(bucket, 'latest.txt')?.toString().trim();
    if (!latest) continue;
    const files = await readTarGz(aws.s3.getObject(bucket, latest)!);
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    const doc = JSON.parse(files.get('backup.json')!.toString());
    console.log(
      `  ${latest}: ${[...files.keys()].join(', ')}; manifest sha256=${manifest.backupJson.sha256.slice(0, 16)}..., ${manifest.parameterCount} parameters`,
    );
    for (const p of doc.parameters.slice(0, 9)) {
      const shown = p.Type === 'SecureString' ? '******** (SecureString)' : String(p.Value).slice(0, 40);
      console.log(`    ${p.Name.padEnd(40)} ${p.Type.padEnd(12)} ${(p.Tier ?? '').padEnd(8)} ${shown}`);
    }
    console.log(`    ... ${doc.parameters.length - 9} more`);
  }
  process.exitCode = code;
} finally {
  await aws.stop();
  rmSync(work, { recursive: true, force: true });
  console.log('\nlocal AWS stopped; demo work directory removed');
}
