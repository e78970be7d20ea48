import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { lockSummaryFile, updateSummaryFile } from '../../../ts/lib/backup/index.js';
import { createLogger, type LogEvent } from '../../../ts/lib/support/index.js';

function capture(): { events: LogEvent[]; logger: ReturnType<typeof createLogger> } {
  const events: LogEvent[] = [];
  return { events, logger: createLogger((e) => events.push(e)) };
}

/** A pid that is certainly not running: a child that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('summary file lock: work directory created, live holder waited for, dead holder taken over', function () {
  this.timeout(30000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ssm-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the missing work directory before locking in it (was ENOENT after 49.6 s)', async () => {
    const file = path.join(dir, 'not', 'yet', 'region_summaries.json');
    const t0 = Date.now();
    const out = await updateSummaryFile(file, ['us-west-2'], () => undefined);
    expect(Date.now() - t0).to.be.below(2000);
    expect(out['us-west-2'].status).to.equal('SKIPPED');
    expect(existsSync(file)).to.equal(true);
    expect(existsSync(`${file}.lock`), 'lock released').to.equal(false);
    expect(existsSync(`${file}.lock.owner`), 'owner file removed').to.equal(false);
  });

  it('takes over at once a lock left by a process that no longer runs, and says so', async () => {
    const file = path.join(dir, 'region_summaries.json');
    mkdirSync(`${file}.lock`);
    writeFileSync(`${file}.lock.owner`, JSON.stringify({ pid: deadPid(), host: hostname() }));
    const { events, logger } = capture();
    const t0 = Date.now();
    const release = await lockSummaryFile(file, logger);
    expect(Date.now() - t0).to.be.below(1000);
    expect(JSON.parse(readFileSync(`${file}.lock.owner`, 'utf8')).pid).to.equal(process.pid);
    await release();
    expect(events.map((e) => e.message).join('\n')).to.match(/Took over the lock .*region_summaries\.json\.lock: its owner, process \d+, is no longer running/);
  });

  it('waits for a live holder with a progress line naming it, then takes the lock when it is released', async () => {
    const file = path.join(dir, 'region_summaries.json');
    // Another process holds the lock for 6 s (a live process: never taken over).
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${path.resolve('ts/lib/backup/summary-lock.ts')}').then(async (m) => { const r = await m.lockSummaryFile(${JSON.stringify(file)}); process.stdout.write('held\\n'); setTimeout(() => r().then(() => process.exit(0)), 6000); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const { events, logger } = capture();
    const t0 = Date.now();
    const release = await lockSummaryFile(file, logger);
    const waited = Date.now() - t0;
    await release();
    expect(waited).to.be.above(4000);
    const lines = events.filter((e) => /^Waiting for the lock/.test(e.message));
    expect(lines.length, JSON.stringify(events)).to.be.at.least(1);
    expect(lines[0].message).to.contain(`process ${holder.pid} on ${hostname()}`);
    expect(events.some((e) => /Took over/.test(e.message))).to.equal(false);
  });
});
