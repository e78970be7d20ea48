import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { restoreWorld, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { bucketFor } from '../helpers/fixtures.js';
import { ARCHIVE_LIST_ENTRY_FIELDS, ARCHIVE_LIST_FIELDS } from '../../ts/contract/index.js';

describe('ssm-backup list (through the local AWS)', function () {
  this.timeout(30000);
  let w: RestoreWorld;

  beforeEach(async () => {
    w = await restoreWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('lists archives newest first, marking the one latest.txt points at (text and JSON)', async () => {
    await w.putObject('2024-05-01/backup.json', '{"parameters":[]}');
    await new Promise((r) => setTimeout(r, 1100)); // S3 LastModified has second precision
    expect((await w.backup()).code).to.equal(0);
    await new Promise((r) => setTimeout(r, 1100));
    await w.putObject('2099-01-01/ssm-backup-dev-us-west-2-20990101_000000.tar.gz', 'not pointed at');
    const latest = w.aws.s3.getObject(bucketFor(SOURCE), 'latest.txt')!.toString().trim();
    // Only the engine's own naming for this environment and region counts (not 2024-05-01/backup.json, nor another's).
    await w.putObject('2099-01-02/ssm-backup-prod-us-west-2-20990102_000000.tar.gz', 'another environment');
    await w.putObject('2099-01-03/evil.tar.gz', 'planted');

    const json = await w.run('list', '--json');
    expect(json.code, json.stderr).to.equal(0);
    const out = JSON.parse(json.stdout);
    expect(out.bucket).to.equal(bucketFor(SOURCE));
    expect(out.archives.map((a: { key: string }) => a.key)).to.deep.equal(['2099-01-01/ssm-backup-dev-us-west-2-20990101_000000.tar.gz', latest]);
    expect(out.archives.map((a: { latest: boolean }) => a.latest)).to.deep.equal([false, true]);

    const text = await w.run('list');
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).to.match(/CREATED\s+PARAMETERS\s+BYTES\s+KEY/);
    expect(lines[2]).to.match(new RegExp(`^\\* \\S+\\s+8\\s+\\d+  ${latest}$`));
    expect(lines[1]).to.match(/^ {2}\S+\s+\?\s+\d+ {2}2099-01-01\//);
    expect(lines[1].startsWith('  ')).to.equal(true);
  });

  it('--output-file writes the output there, its directory created, and nothing to stdout (the Jenkins restore reads it)', async () => {
    expect((await w.backup()).code).to.equal(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'ssm-list-'));
    try {
      const file = path.join(dir, 'work', 'archives.json');
      const run = await w.run('list', '--output', 'json', '--output-file', file);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal('');
      const out = JSON.parse(readFileSync(file, 'utf8'));
      // The shape the Jenkins restore step reads, as ts/contract declares it.
      expect(Object.keys(out)).to.have.members([...ARCHIVE_LIST_FIELDS]);
      expect(Object.keys(out.archives[0])).to.have.members([...ARCHIVE_LIST_ENTRY_FIELDS]);
      expect(out.archives).to.have.length(1);
      expect(out.archives[0]).to.include({ latest: true, refused: false, parameterCount: 8 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when the bucket is empty, and needs --region', async () => {
    const run = await w.run('list');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal(`No archives in s3://${bucketFor(SOURCE)}\n`);
    expect((await w.cli(['list', '--environment', 'dev', '--ssm-home-region', 'ap-northeast-1'])).code).to.equal(2);
  });
});
