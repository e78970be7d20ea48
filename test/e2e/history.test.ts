import { expect } from 'chai';
import sinon from 'sinon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { seedBackupConfig, HOME } from '../helpers/fixtures.js';
import { archiveAsOf } from '../../ts/lib/store/history.js';
import { parseDate } from '../../ts/cli/options.js';

const parseAsOf = (raw: string) => parseDate(raw, '--as-of');
import type { ArchiveEntry } from '../../ts/lib/store/archives.js';

const R = 'us-west-2';
const day = (d: number) => `2026-11-0${d}/ssm-backup-dev-us-west-2-2026110${d}_100000.tar.gz`;

describe('history and restore --as-of over three archives (through the local AWS)', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let work: string;
  let clock: sinon.SinonFakeTimers;
  const cli = (...args: string[]): Promise<CliRun> => runCli(aws, [...args.slice(0, 1), '--environment', 'dev', '--ssm-home-region', HOME, ...args.slice(1)]);

  before(async () => {
    clock = sinon.useFakeTimers({ now: new Date('2026-11-01T09:00:00Z'), toFake: ['Date'] });
    aws = await startLocalAws();
    work = mkdtempSync(path.join(tmpdir(), 'ssm-history-test-'));
    seedBackupConfig(aws, [R]);
    const backupAt = async (at: string) => {
      clock.setSystemTime(new Date(at));
      const run = await cli('backup', '--regions', R, '--path', '/app', '--work-dir', work);
      expect(run.code, run.stderr).to.equal(0);
    };
    aws.ssm.put(R, { Name: '/app/a', Value: 'a1', Type: 'String' });
    aws.ssm.put(R, { Name: '/app/b', Value: 'b1', Type: 'String' });
    aws.ssm.put(R, { Name: '/app/c', Value: 'c1', Type: 'String' });
    await backupAt('2026-11-01T10:00:00Z');
    clock.setSystemTime(new Date('2026-11-01T12:00:00Z'));
    aws.ssm.put(R, { Name: '/app/a', Value: 'a2', Type: 'String', Overwrite: true } as never);
    await backupAt('2026-11-02T10:00:00Z');
    aws.ssm.delete(R, '/app/c'); // 3 -> 2 is a 33% drop: accepted explicitly
    clock.setSystemTime(new Date('2026-11-03T10:00:00Z'));
    expect((await cli('backup', '--regions', R, '--path', '/app', '--work-dir', work, '--allow-shrink')).code).to.equal(0);
  });

  after(async () => {
    clock.restore();
    await aws.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('history lists the archives holding a name, newest first, with its Version and LastModifiedDate', async () => {
    const run = await cli('history', '--region', R, '--name', '/app/a', '--json');
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout);
    expect(out.archives.map((a: Record<string, unknown>) => [a.archive, a.Version, a.latest])).to.deep.equal([
      [day(3), 2, true],
      [day(2), 2, false],
      [day(1), 1, false],
    ]);
    expect(out.archives[2].LastModifiedDate).to.equal('2026-11-01T09:00:00.000Z');
    expect(out.archives[0].LastModifiedDate).to.equal('2026-11-01T12:00:00.000Z');
    expect(JSON.stringify(out)).not.to.match(/a1|a2/);
    const gone = await cli('history', '--region', R, '--name', '/app/c');
    expect(gone.stdout).to.contain(day(2)).and.to.contain(day(1)).and.not.to.contain(day(3));
    expect(gone.stdout).to.contain('/app/c: in 2 of 3 indexed archives');
    expect((await cli('history', '--region', R, '--name', 'bad name')).code).to.equal(2);
  });

  it('restore --as-of picks the newest archive created at or before the time', async () => {
    const plan = async (asOf: string) => {
      const r = await cli('restore', '--region', R, '--as-of', asOf, '--work-dir', work);
      expect(r.code, r.stderr).to.equal(0);
      return /--as-of \S+: archive (\S+)/.exec(r.stderr)?.[1];
    };
    expect(await plan('2026-11-02T10:00:00Z')).to.equal(day(2));
    expect(await plan('2026-11-02T09:59:59Z')).to.equal(day(1));
    expect(await plan('2026-11-02T19:00:00+09:00')).to.equal(day(2));
    expect(await plan('2026-11-02')).to.equal(day(2));
    expect(await plan('2030-01-01')).to.equal(day(3));
    const early = await cli('restore', '--region', R, '--as-of', '2026-10-01', '--work-dir', work);
    expect(early.code).to.equal(2);
    expect(early.stderr)
      .to.contain(`No archive in s3://`)
      .and.to.contain(`the oldest is ${day(1)}`);
  });

  it('restore --names of a name missing from the chosen archive names the newest archive that holds it', async () => {
    const run = await cli('restore', '--region', R, '--names', '/app/c', '--work-dir', work);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(
      `Not in the archive ${day(3)}: /app/c (newest archive holding it: ${day(2)}, created 2026-11-02T10:00:00.000Z; pass --archive ${day(2)})`,
    );
    const asOf = await cli('restore', '--region', R, '--names', '/app/c', '--as-of', '2026-11-02', '--work-dir', work);
    expect(asOf.code, asOf.stderr).to.equal(0);
    expect(asOf.stdout).to.contain('create   /app/c');
  });

  it('refuses a bad --as-of, or --as-of with --archive, before any AWS call', async () => {
    aws.resetStats();
    for (const bad of ['yesterday', '2026-11-02T10:00:00', '2026-02-30']) {
      const r = await cli('restore', '--region', R, '--as-of', bad);
      expect(r.code, bad).to.equal(2);
      expect(r.stderr).to.contain(`--as-of "${bad}" is not an ISO-8601 date`);
    }
    expect((await cli('restore', '--region', R, '--as-of', '2026-11-02', '--archive', day(1))).stderr).to.contain(
      '--as-of and --archive both choose the archive',
    );
    expect(aws.stats().totalRequests).to.equal(0);
  });
});

describe('archive selection by time', () => {
  const entry = (key: string, createdAt: string): ArchiveEntry => ({
    key,
    createdAt,
    size: 1,
    lastModified: createdAt,
    latest: false,
    indexed: true,
    refused: false,
  });
  it('takes the newest at or before the time; a date means the end of that day in UTC', () => {
    const list = [entry('c', '2026-11-03T00:00:00.000Z'), entry('b', '2026-11-02T23:59:59.000Z'), entry('a', '2026-11-01T00:00:00.000Z')];
    expect(archiveAsOf(list, parseAsOf('2026-11-02'), 'b').key).to.equal('b');
    expect(archiveAsOf(list, parseAsOf('2026-11-02T23:59:58Z'), 'b').key).to.equal('a');
    expect(parseAsOf('2026-11-02T10:00:00.5+09:00').toISOString()).to.equal('2026-11-02T01:00:00.500Z');
  });

  it('refuses impossible dates and times instead of rolling them over (2026-02-30T10:00:00Z is not 2 March)', () => {
    for (const bad of [
      '2026-02-30T10:00:00Z',
      '2026-04-31T00:00:00Z',
      '2025-02-29',
      '2026-13-01T00:00:00Z',
      '2026-11-02T24:00:00Z',
      '2026-11-02T10:60:00Z',
      '2026-11-02T10:00:60Z',
      '2026-11-02T10:00:00+24:00',
    ])
      expect(() => parseAsOf(bad), bad).to.throw(`--as-of "${bad}" is not an ISO-8601 date`);
    expect(parseAsOf('2024-02-29T10:00:00Z').toISOString()).to.equal('2024-02-29T10:00:00.000Z');
    expect(parseAsOf('2026-11-02T23:59:59-23:59').toISOString()).to.equal('2026-11-03T23:58:59.000Z');
  });
});
