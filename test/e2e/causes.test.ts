import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { restoreWorld, SOURCE, DR, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor, HOME, seedBackupConfig } from '../helpers/fixtures.js';
import { seedBackupKeys } from '../helpers/encryption.js';

const MAIN = path.resolve('ts/main.ts');

/** Runs ts/main.ts (through tsx) as a separate process, so that it can be sent a signal. */
function engine(w: RestoreWorld, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, ...w.aws.env, AWS_REGION: HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, done };
}

/** Issue 19 item 11: every failure names its real cause (a full TMPDIR: test/lib/archive/spool.test.ts and test/lib/collect/collect.test.ts). */
describe('failures name their real cause (through the local AWS)', function () {
  this.timeout(90000);
  let w: RestoreWorld;
  const summaries = () => JSON.parse(readFileSync(path.join(w.work, 'region_summaries.json'), 'utf8'));

  beforeEach(async () => {
    w = await restoreWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('a KMS GenerateDataKey denial is a KMS error naming the key, not a failed upload; nothing is uploaded', async () => {
    const { keyArns } = seedBackupKeys(w.aws, [SOURCE]);
    w.aws.faults.add({ service: 'kms', operation: 'GenerateDataKey', error: { code: 'AccessDeniedException', status: 400, message: 'not allowed' } });
    const run = await w.backup('--error-file', path.join(w.work, 'error.json'));
    expect(run.code).to.equal(1);
    const s = summaries()[SOURCE];
    expect(s.failureCategory).to.equal('aws');
    expect(s.failureMessage).to.match(/^KMS GenerateDataKey with arn:aws:kms:us-west-2:123456789012:alias\/ssm-backup failed: AccessDeniedException/);
    expect(s.failureMessage).not.to.match(/Upload .* failed/);
    expect(keyArns[SOURCE]).to.match(/^arn:aws:kms:us-west-2:/);
    expect(w.aws.s3.listObjects(bucketFor(SOURCE)).filter((o) => o.key.endsWith('.tar.gz'))).to.deep.equal([]);
  });

  it('after a signal, the message says which latest.txt moved, and that none did when none did', async () => {
    seedBackupConfig(w.aws, [SOURCE, DR]);
    for (let i = 0; i < 150; i += 1) w.aws.ssm.put(DR, { Name: `/slow/p${i}`, Value: `v${i}` });
    w.aws.setOptions({ getTps: 3 }); // DR's 15 GetParameters batches take seconds; us-west-2's 1 batch does not
    const args = ['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--regions', `${SOURCE},${DR}`, '--work-dir', w.work];
    const first = engine(w, args);
    const deadline = Date.now() + 60000;
    while (!w.aws.s3.getObject(bucketFor(SOURCE), 'latest.txt') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const moved = w.aws.s3.getObject(bucketFor(SOURCE), 'latest.txt')!.toString().trim();
    first.child.kill('SIGTERM');
    const a = await first.done;
    expect(a.code).to.equal(143);
    expect(a.stderr).to.contain(`interrupted by SIGTERM; temporary files removed; s3://${bucketFor(SOURCE)}/latest.txt moved to ${moved}`);
    expect(a.stderr).not.to.contain('latest.txt not moved');
    expect(w.aws.s3.getObject(bucketFor(DR), 'latest.txt')).to.equal(undefined);

    const second = engine(w, [...args.slice(0, 6), DR, ...args.slice(7)]);
    await new Promise((r) => setTimeout(r, 2500));
    second.child.kill('SIGTERM');
    const b = await second.done;
    expect(b.code).to.equal(143);
    expect(b.stderr).to.contain('interrupted by SIGTERM; temporary files removed; latest.txt not moved by this run');
  });
});
