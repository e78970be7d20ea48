/**
 * `npm run demo`: the product in about ten seconds, against the local AWS on 127.0.0.1 seeded from the file that
 * ships for trying it yourself (local-aws/seed/demo.json: two regions, buckets, KMS keys, the configuration the Pulumi
 * stack writes). It runs the committed engine bundle as a child process, exactly as Jenkins does, through: a backup
 * (format 2 archives), a change and a second backup with its drift, a shrink the guard refuses, verify, a restore into
 * the other region (plan, then apply), the Slack and email text of the refused run, the status view the backup job
 * archives and links on its build page (`status`: table, SVG chart, HTML page), then how to try it yourself.
 * `npm run demo -- --chart FILE` keeps a copy of that chart (README's example: docs/images/demo-status-chart.svg).
 * Each step prints its headline and a few lines; warnings and errors of the engine are always shown.
 * Paths come from this file's location, so it runs from any directory; its work directory is removed at the end.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalAws, type LocalAws, type SeedDocument } from '../local-aws/index.js';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const BUNDLE = path.join(ROOT, 'resources/ssm-multi-region-backup/ssm-backup.cjs');
const SEED_FILE = 'local-aws/seed/demo.json';
const ENV = 'dev';
const [HOME, OTHER] = ['ap-northeast-1', 'us-west-2'];

interface Run {
  code: number;
  stdout: string[];
  /** stderr log lines without their timestamp, e.g. `INFO  [us-west-2] Collected 25 parameters ...` */
  logs: string[];
}

interface RegionSummary {
  status: string;
  parameterCount: number;
  encryption?: { clientSide: boolean; keyArn?: string; drKeyArns?: string[] };
  failureMessage?: string;
}

const heading = (text: string): void => console.log(`\n== ${text} ==`);
const show = (lines: string[], max = 8): void => {
  for (const l of lines.slice(0, max)) console.log(`  ${l}`);
  if (lines.length > max) console.log(`  ... ${lines.length - max} more lines`);
};
const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

/** The engine's environment: the local AWS only (no profile, no SSM_BACKUP_* of the caller), home region first. */
function engineEnv(aws: LocalAws): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|SSM_BACKUP_|SSM_HOME_REGION$|SLACK_WEBHOOK_URL$)/.test(k)) env[k] = v;
  return { ...env, ...aws.env, AWS_REGION: HOME, AWS_DEFAULT_REGION: HOME, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

function engine(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: lines(out), logs: lines(err).map((l) => l.replace(/^\S+Z /, '')) }));
  });
}

/** Steps that did not end as the demo expects; any makes it exit 1. */
const surprises: string[] = [];
const surprise = (what: string): void => {
  surprises.push(what);
  console.log(`  UNEXPECTED: ${what}`);
};

/** Prints the command, its warnings and errors, then the log lines `pick` selects and its stdout. */
function report(command: string, run: Run, expectedExit: number, pick: RegExp | null, maxOut = 8): void {
  console.log(`$ ssm-backup ${command}   (exit ${run.code})`);
  if (run.code !== expectedExit) surprise(`ssm-backup ${command.split(' ')[0]} exited ${run.code}, not ${expectedExit}`);
  show(run.logs.filter((l) => /^(WARN|ERROR)/.test(l) || (pick !== null && pick.test(l))).map((l) => l.replace(/^INFO\s+/, '').replace(/^(\w+)\s+/, '$1 ')));
  show(run.stdout, maxOut);
}

const summaries = (work: string): Record<string, RegionSummary> => JSON.parse(readFileSync(path.join(work, 'region_summaries.json'), 'utf8'));
const latest = (aws: LocalAws, bucket: string): string => aws.s3.getObject(bucket, 'latest.txt')?.toString().trim() ?? '(none)';
const bucketOf = (aws: LocalAws, region: string): string => aws.ssm.get(region, `/jenkins/${ENV}/backup/${region}/s3-bucket-name`)?.Value ?? '';

function describeSeed(aws: LocalAws): void {
  heading(`Local AWS on ${aws.endpoint} (SSM, S3, KMS, STS, Tagging), seeded from ${SEED_FILE}`);
  for (const r of [HOME, OTHER]) {
    const key = aws.ssm.get(r, `/jenkins/${ENV}/backup/${r}/kms-key-arn`)?.Value;
    console.log(`  ${r}: ${aws.ssm.list(r).length} parameters, bucket ${bucketOf(aws, r)}, backup key ${key}`);
  }
  console.log(`  disaster-recovery keys: ${aws.ssm.get(HOME, `/jenkins/${ENV}/backup/dr-kms-key-arns`)?.Value}`);
}

async function backups(aws: LocalAws, env: NodeJS.ProcessEnv, work: string): Promise<void> {
  heading('1. Nightly backup of every region in /jenkins/dev/backup/region-list');
  report(`backup --environment ${ENV}`, await engine(['backup', '--environment', ENV, '--work-dir', work], env, work), 0, null);
  for (const [region, s] of Object.entries(summaries(work))) {
    const enc = s.encryption;
    const how = enc?.clientSide
      ? `format 2, client-side encrypted with ${enc.keyArn} + ${enc.drKeyArns?.length ?? 0} DR key(s)`
      : 'format 1: NOT client-side encrypted';
    console.log(`  ${region}: archive ${how}`);
  }

  heading(`2. Someone changes ${HOME}: /app/web/timeout-ms 3000 -> 5000, adds /app/web/feature-x, deletes /app/web/hosts`);
  aws.ssm.put(HOME, { Name: '/app/web/timeout-ms', Value: '5000', Type: 'String' });
  aws.ssm.put(HOME, { Name: '/app/web/feature-x', Value: 'on', Type: 'String' });
  aws.ssm.delete(HOME, '/app/web/hosts');
  const second = await engine(['backup', '--environment', ENV, '--regions', HOME, '--work-dir', work], env, work);
  report(`backup --environment ${ENV} --regions ${HOME}`, second, 0, /Drift against|^INFO\s+\[[^\]]+\]\s+(added|removed|changed) \(/);

  const victims = aws.ssm.list(HOME).filter((p) => p.Name.startsWith('/service/0'));
  heading(`3. A bad deploy deletes ${victims.length} of ${aws.ssm.list(HOME).length} parameters in ${HOME}: the shrink guard refuses`);
  const good = latest(aws, bucketOf(aws, HOME));
  for (const p of victims) aws.ssm.delete(HOME, p.Name);
  const refused = await engine(['backup', '--environment', ENV, '--regions', HOME, '--work-dir', work], env, work);
  report(`backup --environment ${ENV} --regions ${HOME}`, refused, 1, null, 0);
  const kept = latest(aws, bucketOf(aws, HOME));
  if (kept === good) console.log(`  latest.txt still names the last good archive: ${kept}`);
  else surprise(`latest.txt moved from ${good} to ${kept}`);
}

async function verifyAndRestore(env: NodeJS.ProcessEnv, work: string): Promise<void> {
  heading(`4. Verify the archive latest.txt names in ${HOME}`);
  report(`verify --environment ${ENV} --region ${HOME}`, await engine(['verify', '--environment', ENV, '--region', HOME], env, work), 0, null, 3);

  heading(`5. Disaster recovery: restore /app/payments from ${HOME}'s archive into ${OTHER}`);
  const args = ['restore', '--environment', ENV, '--region', HOME, '--target-region', OTHER, '--path', '/app/payments'];
  report(`${args.join(' ')}   (plan: writes nothing)`, await engine([...args, '--work-dir', work], env, work), 0, null, 6);
  const applied = await engine([...args, '--apply', '--put-rate', '20', '--work-dir', work], env, work);
  report(`${args.join(' ')} --apply --put-rate 20`, applied, 0, /Restored:/, 6);
  if (applied.code === 0) console.log(`  restore applied into ${OTHER}`);
}

async function notification(env: NodeJS.ProcessEnv, work: string): Promise<void> {
  heading('6. What Slack and email say about the refused backup (ssm-backup notify --out-dir: no webhook needed)');
  const out = path.join(work, 'report');
  const args = ['notify', '--summary-file', path.join(work, 'region_summaries.json'), '--environment', ENV, '--out-dir', out];
  const run = await engine(args, env, work);
  if (run.code !== 0) return report(`notify ... --out-dir ${out}`, run, 0, null);
  const r = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as {
    slack: { text: string };
    slackLines: string[];
    email: { subject: string; body: string };
  };
  console.log('  Slack:');
  show(
    [r.slack.text, ...r.slackLines].map((l) => `  ${l}`),
    4,
  );
  console.log('  Email:');
  show([`  Subject: ${r.email.subject}`, ...lines(r.email.body).map((l) => `  ${l}`)], 3);
}

/** `status` as the backup job runs it at Finalize Report; keep: where to copy the chart (--chart FILE of the demo). */
async function statusView(env: NodeJS.ProcessEnv, work: string, keep: string | undefined): Promise<void> {
  heading('7. The build page: ssm-backup status, the chart and the page the backup job archives and links');
  const chart = path.join(work, 'report', 'parameters.svg');
  const page = path.join(work, 'report', 'status.html');
  // exit 1: ap-northeast-1 holds the archive the guard refused, so it is FAILING
  report(`status --environment ${ENV} --chart parameters.svg`, await engine(['status', '--environment', ENV, '--chart', chart], env, work), 1, null);
  const html = await engine(['status', '--environment', ENV, '--output', 'html', '--output-file', page], env, work);
  if (html.code !== 1) surprise(`ssm-backup status --output html exited ${html.code}, not 1`);
  console.log(`  chart: parameters.svg (${readFileSync(chart).length} bytes), page: status.html (${readFileSync(page).length} bytes), no JavaScript`);
  if (keep) {
    copyFileSync(chart, path.resolve(keep));
    console.log(`  chart kept as ${path.resolve(keep)}`);
  }
}

function tryItYourself(): void {
  heading('Try it yourself');
  console.log(`  1. Start the local AWS with the seed this demo used (stays up until Ctrl-C), from ${ROOT}:
       node --import tsx local-aws/cli.ts --seed ${SEED_FILE} --port 4566 --max-lifetime-sec 0 --no-stdin-watch
  2. In another shell, point the engine at it and run README's examples:
       export AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=${HOME}
       alias ssm-backup="node ${BUNDLE}"
       ssm-backup plan --environment ${ENV}
       ssm-backup backup --environment ${ENV}
       ssm-backup list --environment ${ENV} --region ${HOME}
       ssm-backup status --environment ${ENV} --output html --output-file status.html --chart parameters.svg
       ssm-backup restore --environment ${ENV} --region ${HOME} --target-region ${OTHER} --path /app/payments
  README.md, "The engine CLI", lists every command; docs/runbooks/ssm-backup.md says what to do when one fails.`);
}

const chartArg = process.argv.indexOf('--chart');
const keepChart = chartArg > 0 ? process.argv[chartArg + 1] : undefined;
const aws = await startLocalAws({ latencyMs: 2 });
const work = mkdtempSync(path.join(tmpdir(), 'ssm-backup-demo-'));
try {
  aws.seed(JSON.parse(readFileSync(path.join(ROOT, SEED_FILE), 'utf8')) as SeedDocument);
  mkdirSync(path.join(work, 'report'));
  const env = engineEnv(aws);
  describeSeed(aws);
  await backups(aws, env, work);
  await verifyAndRestore(env, work);
  await notification(env, work);
  await statusView(env, work, keepChart);
  tryItYourself();
  if (surprises.length) {
    console.log(`\ndemo: ${surprises.length} step(s) did not end as expected: ${surprises.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await aws.stop();
  rmSync(work, { recursive: true, force: true });
  console.log('\nlocal AWS stopped; demo work directory removed');
}
