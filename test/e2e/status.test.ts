import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { S3Client, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { restoreWorld, SOURCE, DR, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor, HOME } from '../helpers/fixtures.js';

interface StatusJson {
  regions: {
    region: string;
    verdict: string;
    reason: string;
    latest: { key: string; parameterCount: number; formatVersion: number; encryption: string } | null;
    recent: { parameterCount: number | null }[];
    archiveCount: number;
    oldest: { key: string; expiresAt: string | null } | null;
    refused: { key: string }[];
    pending: { key: string }[];
  }[];
}

describe('ssm-backup status (through the local AWS)', function () {
  this.timeout(30000);
  let w: RestoreWorld;
  let out: string;
  const status = (...extra: string[]) => w.cli(['status', '--environment', 'dev', '--ssm-home-region', HOME, ...extra]);
  const json = async (...extra: string[]) => {
    const run = await status('--output', 'json', ...extra);
    return { code: run.code, stderr: run.stderr, body: JSON.parse(run.stdout) as StatusJson };
  };

  beforeEach(async () => {
    w = await restoreWorld();
    out = mkdtempSync(path.join(tmpdir(), 'ssm-status-'));
    expect((await w.backup()).code).to.equal(0);
    w.aws.ssm.put(SOURCE, { Name: '/app/added', Value: 'x' });
    await new Promise((r) => setTimeout(r, 1100)); // a fresh archive key (second precision)
    expect((await w.backup()).code).to.equal(0);
  });
  afterEach(async () => {
    await w.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('says OK for a fresh region, FAILING for one without archive, and exits 1; reads no archive body', async () => {
    w.aws.resetStats();
    const run = await json();
    expect(run.code, run.stderr).to.equal(1);
    const [src, dr] = run.body.regions;
    expect(src).to.include({ region: SOURCE, verdict: 'OK', archiveCount: 2 });
    expect(src.latest).to.include({ formatVersion: 1, encryption: 'SSE-S3 only' });
    expect(src.recent.map((p) => p.parameterCount)).to.deep.equal([src.latest!.parameterCount, src.latest!.parameterCount - 1]);
    expect(src.oldest!.expiresAt).to.equal(null);
    expect(dr).to.include({ region: DR, verdict: 'FAILING', reason: `no archive in s3://${bucketFor(DR)}` });
    const ops = w.aws.stats().operations;
    expect(ops['s3:GetObject'] ?? 0).to.equal(0);
    expect(ops['s3:ListObjectsV2']).to.equal(2);

    expect((await json('--regions', SOURCE)).code).to.equal(0);
  });

  it('prints a table with a line per region that is not OK', async () => {
    const run = await status();
    expect(run.code).to.equal(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).to.match(
      /^REGION\s+VERDICT\s+LATEST\s+AGE\s+PARAMETERS\s+FORMAT\s+ENCRYPTION\s+LAST N \(min-max\)\s+ARCHIVES\s+OLDEST\s+EXPIRES\s+REFUSED$/,
    );
    expect(lines[1]).to.match(
      new RegExp(`^${SOURCE}\\s+OK\\s+\\S+Z\\s+0(\\.\\d)?h\\s+\\d+\\s+1\\s+SSE-S3 only\\s+\\d+-\\d+ \\(2\\)\\s+2\\s+\\S+Z\\s+never\\s+0$`),
    );
    expect(lines[2]).to.match(new RegExp(`^${DR}\\s+FAILING\\s+-`));
    expect(lines).to.include(`${DR}: FAILING: no archive in s3://${bucketFor(DR)}`);
    expect(lines[lines.length - 1]).to.equal('dev: 1/2 regions OK');
  });

  it('is STALE past --max-age, FAILING when newer archives were refused', async () => {
    const clock = sinon.useFakeTimers({ now: Date.now() + 27 * 3600_000, toFake: ['Date'] });
    try {
      const stale = (await json('--regions', SOURCE)).body.regions[0];
      expect(stale.verdict).to.equal('STALE');
      expect(stale.reason).to.match(/^last successful backup 2[67](\.\d)? h ago \(more than 26 h\)$/);
      expect((await json('--regions', SOURCE, '--max-age', '2d')).body.regions[0].verdict).to.equal('OK');
    } finally {
      clock.restore();
    }
    const newer = '2099-01-01/ssm-backup-dev-us-west-2-20990101_000000.tar.gz';
    await w.putObject(newer, 'not accepted');
    // Just uploaded, no refusal mark: a backup still comparing, not a failure (yet).
    const running = (await json('--regions', SOURCE)).body.regions[0];
    expect(running.verdict).to.equal('OK');
    expect(running.pending.map((r) => r.key)).to.deep.equal([newer]);
    expect(running.refused).to.deep.equal([]);
    expect(running.reason).to.match(/; 1 newer archive\(s\) uploaded in the last 10 min not accepted yet \(a backup is running\)$/);
    // Ten minutes later it is still not accepted: the run failed after the upload.
    const later = sinon.useFakeTimers({ now: Date.now() + 11 * 60_000, toFake: ['Date'] });
    try {
      const refused = (await json('--regions', SOURCE)).body.regions[0];
      expect(refused.verdict).to.equal('FAILING');
      expect(refused.refused.map((r) => r.key)).to.deep.equal([newer]);
      expect(refused.reason).to.contain('1 newer archive(s) not accepted');
    } finally {
      later.restore();
    }
    // A refusal mark makes it refused at once.
    await w.putObject(`${newer}.refused`, '{}');
    expect((await json('--regions', SOURCE)).body.regions[0].verdict).to.equal('FAILING');
  });

  it('gives when the lifecycle expires the oldest archive (creation + Days, rounded up to midnight UTC)', async () => {
    const s3 = new S3Client({ region: SOURCE, endpoint: w.aws.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucketFor(SOURCE),
        LifecycleConfiguration: { Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 30 } }] },
      }),
    );
    s3.destroy();
    const src = (await json('--regions', SOURCE)).body.regions[0];
    const created = w.aws.s3.objectMeta(bucketFor(SOURCE), src.oldest!.key)!.lastModified.getTime();
    const expected = new Date(Math.ceil((created + 30 * 86400_000) / 86400_000) * 86400_000).toISOString();
    expect(src.oldest!.expiresAt).to.equal(expected);
  });

  it('writes one HTML page without script, and the SVG chart', async () => {
    const page = path.join(out, 'status.html');
    const chart = path.join(out, 'chart.svg');
    const run = await status('--output', 'html', '--output-file', page, '--chart', chart);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal('');
    const html = readFileSync(page, 'utf8');
    expect(html)
      .to.match(/^<!DOCTYPE html>/)
      .and.to.contain('<svg')
      .and.to.contain(`<li class="FAILING"><b>${DR}</b> FAILING`);
    expect(html).not.to.match(/<script|javascript:|\son[a-z]+=|<link|src="http/i);
    const svg = readFileSync(chart, 'utf8');
    expect(svg)
      .to.match(/^<svg xmlns/)
      .and.to.contain('<polyline')
      .and.to.contain(`${SOURCE} (`)
      .and.to.contain(`${DR} (no data)`);
    expect(svg).not.to.match(/<script|\son[a-z]+=/i);
  });

  it('refuses a --max-age it cannot read (exit 2)', async () => {
    const run = await status('--max-age', '26');
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('--max-age "26" is invalid');
  });
});
