import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { AddTagsToResourceCommand, DescribeParametersCommand, LabelParameterVersionCommand, SSMClient } from '@aws-sdk/client-ssm';
import { restoreWorld, SOURCE, DR, type RestoreWorld } from '../helpers/restore.js';
import { admin, taggingClient } from '../local-aws/helpers.js';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { collectParameters } from '../../ts/lib/collect/collect.js';
import { ssmReader } from '../../ts/lib/aws/ssm.js';
import { taggingReader } from '../../ts/lib/aws/tagging.js';
import { createLogger } from '../../ts/lib/support/log.js';

// From a break test of diff/restore live facts, the tag sweep of diff/restore, the tag check by ARN list and the local
// AWS caches: each `it` states a behaviour README, the runbook or CHANGELOG promise.

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('diff and restore against live state, the tag check (break test, through the CLI)', function () {
  this.timeout(120000);
  let w: RestoreWorld;
  const summaryFile = () => path.join(w.work, 'restore_summary.json');
  const summary = () => JSON.parse(readFileSync(summaryFile(), 'utf8'));
  const restore = (...extra: string[]) => w.run('restore', '--work-dir', w.work, '--put-rate', '500', ...extra);
  const diff = async (...extra: string[]) => {
    const r = await w.run('diff', '--json', ...extra);
    expect(r.code, r.stderr).to.equal(0);
    return JSON.parse(r.stdout);
  };
  const ssm = (region = SOURCE) => new SSMClient({ region, endpoint: w.aws.endpoint, credentials });

  beforeEach(async () => {
    w = await restoreWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  describe('found and fixed', () => {
    it('backup tag check: 80 tagged parameters, nothing retagged during the backup -> no "tags changed" warning', async () => {
      for (let i = 0; i < 80; i += 1)
        w.aws.ssm.put(SOURCE, { Name: `/bulk/p${String(i).padStart(3, '0')}`, Value: 'v', Tags: [{ Key: 'k', Value: String(i) }] });
      const run = await w.backup();
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).not.to.match(/Tags of \d+ parameter\(s\) changed while the backup ran/);
    });

    it('local AWS: GetResources with a ResourceARNList of 80 ARNs answers all 80 (ARN lists are not paged: API reference)', async () => {
      for (let i = 0; i < 80; i += 1)
        w.aws.ssm.put(SOURCE, { Name: `/bulk/p${String(i).padStart(3, '0')}`, Value: 'v', Tags: [{ Key: 'k', Value: String(i) }] });
      const arns = w.aws.ssm
        .list(SOURCE)
        .filter((p) => p.Name.startsWith('/bulk/'))
        .map((p) => p.ARN);
      const tagging = taggingClient(w.aws, SOURCE);
      try {
        const out = await tagging.send(new GetResourcesCommand({ ResourceARNList: arns }));
        expect(out.ResourceTagMappingList ?? []).to.have.length(80);
        expect(out.PaginationToken ?? '').to.equal('');
      } finally {
        tagging.destroy();
      }
    });

    it('restore --prune --path /svc never deletes /svc itself when the archive (backup --path /svc) could not hold it', async () => {
      w.aws.ssm.put(SOURCE, { Name: '/svc', Value: 'the path is a parameter' });
      w.aws.ssm.put(SOURCE, { Name: '/svc/a', Value: 'a' });
      const backup = await w.backup('--path', '/svc');
      expect(backup.code, backup.stderr).to.equal(0);
      const plan = await restore('--path', '/svc', '--prune');
      expect(plan.code, plan.stderr).to.equal(0);
      // Either the archive holds /svc (then it is unchanged) or it was never made to hold it: never a delete.
      expect(summary().planned.delete).not.to.include('/svc');
      const run = await restore('--path', '/svc', '--prune', '--apply');
      expect(run.code, run.stderr).to.equal(0);
      expect(w.aws.ssm.get(SOURCE, '/svc'), 'live /svc after restore --prune --apply').to.exist;
    });

    it('the engine starts with --heap-growing-percent on the node command line (which wins over its own) and without it', () => {
      const bundle = path.resolve('resources/ssm-multi-region-backup/ssm-backup.cjs');
      for (const args of [
        ['--heap-growing-percent=50', bundle, '--help'],
        [bundle, '--help'],
      ]) {
        const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.contain('ssm-backup');
      }
    });

    it("restore --prune of environment dev never deletes another environment's tool configuration (/jenkins/prod/backup/...) newer than the archive", async () => {
      expect((await w.backup()).code).to.equal(0);
      w.aws.ssm.put(SOURCE, { Name: `/jenkins/prod/backup/${SOURCE}/s3-bucket-name`, Value: 'prod-bucket' });
      const plan = await restore('--prune');
      expect(plan.code, plan.stderr).to.equal(0);
      expect(summary().planned.delete).not.to.include(`/jenkins/prod/backup/${SOURCE}/s3-bucket-name`);
    });
  });

  describe('held up', () => {
    it('--kms-key-map chain a=b,b=c: diff, plan and apply map one step (archive alias/app-secrets -> alias/b); the unused source b is warned', async () => {
      expect((await w.backup()).code).to.equal(0);
      w.aws.kms.createKey(DR, 'k-b', ['alias/b']);
      w.aws.kms.createKey(DR, 'k-c', ['alias/c']);
      const map = 'alias/app-secrets=alias/b,alias/b=alias/c,alias/aws/ssm=alias/b';
      const plan = await restore('--target-region', DR, '--path', `/app/${SOURCE}/api`, '--kms-key-map', map);
      expect(plan.code, plan.stderr).to.equal(0);
      expect(plan.stderr).to.contain('KMS keys present in eu-central-1: alias/b');
      expect(plan.stderr).to.contain('--kms-key-map sources alias/b, alias/aws/ssm are the key of no selected SecureString');
      // Every selected SecureString is mapped, so the unused second step changes nothing: apply maps one step, warned.
      const run = await restore('--target-region', DR, '--path', `/app/${SOURCE}/api`, '--kms-key-map', map, '--apply');
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.contain('every selected SecureString is mapped, so it changes nothing (a map does not chain)');
      expect(w.aws.ssm.get(DR, `/app/${SOURCE}/api/key`)!.KeyId).to.match(/alias\/b$|k-b/);
      const d = await diff('--target-region', DR, '--path', `/app/${SOURCE}/api`, '--kms-key-map', map);
      expect(d.changed).to.deep.equal([]);
      expect(d.unchanged).to.deep.equal([`/app/${SOURCE}/api/key`]);
      // A second plan finds nothing to do (the live key equals the mapped one).
      const again = await restore('--target-region', DR, '--path', `/app/${SOURCE}/api`, '--kms-key-map', map, '--overwrite');
      expect(summary().planned.update, again.stdout).to.deep.equal([]);
    });

    it('a name in archive and live with a different Type: diff shows Type, --overwrite --apply writes the archive Type', async () => {
      const name = `/app/${SOURCE}/hosts`;
      expect((await w.backup()).code).to.equal(0);
      w.aws.ssm.delete(SOURCE, name);
      w.aws.ssm.put(SOURCE, { Name: name, Value: 'a.example.com,b.example.com', Type: 'String' });
      const d = await diff('--path', `/app/${SOURCE}`);
      expect(d.changed).to.deep.equal([{ name, fields: ['Type'] }]);
      const run = await restore('--path', `/app/${SOURCE}`, '--overwrite', '--apply');
      expect(run.code, run.stderr).to.equal(0);
      expect(w.aws.ssm.get(SOURCE, name)!.Type).to.equal('StringList');
      expect((await diff('--path', `/app/${SOURCE}`)).changed).to.deep.equal([]);
    });

    it('tags: archive tags:[] vs live tags (exact-tags removes them), archive without tags (no --include-tags) is never stripped', async () => {
      w.aws.ssm.put(SOURCE, { Name: '/t/none', Value: 'n' });
      w.aws.ssm.put(SOURCE, {
        Name: '/t/some',
        Value: 's',
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      });
      expect((await w.backup('--path', '/t')).code).to.equal(0);
      const c = ssm();
      await c.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/t/none', Tags: [{ Key: 'x', Value: '1' }] }));
      await c.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: '/t/some',
          Tags: [
            { Key: 'b', Value: 'changed' },
            { Key: 'c', Value: '3' },
          ],
        }),
      );
      c.destroy();
      const d = await diff('--path', '/t');
      expect(d.changed).to.deep.equal([{ name: '/t/some', fields: ['Tags'] }]);
      expect(d.unchanged).to.deep.equal(['/t/none']);
      const plain = await restore('--path', '/t', '--overwrite');
      expect(plain.code, plain.stderr).to.equal(0);
      expect(summary().planned.update).to.deep.equal(['/t/some']);
      const exact = await restore('--path', '/t', '--overwrite', '--exact-tags', '--apply');
      expect(exact.code, exact.stderr).to.equal(0);
      expect(w.aws.ssm.get(SOURCE, '/t/none')!.Tags).to.deep.equal([]);
      expect([...w.aws.ssm.get(SOURCE, '/t/some')!.Tags].sort((a, b) => a.Key.localeCompare(b.Key))).to.deep.equal([
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ]);
      // An archive made without tags never strips live tags, even with --exact-tags.
      await new Promise((r) => setTimeout(r, 1100));
      const noTags = await w.cli([
        'backup',
        '--environment',
        'dev',
        '--ssm-home-region',
        'ap-northeast-1',
        '--regions',
        SOURCE,
        '--no-include-tags',
        '--work-dir',
        w.work,
        '--path',
        '/t',
      ]);
      expect(noTags.code, noTags.stderr).to.equal(0);
      const c2 = ssm();
      await c2.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/t/none', Tags: [{ Key: 'y', Value: '1' }] }));
      c2.destroy();
      const keep = await restore('--path', '/t', '--overwrite', '--exact-tags', '--apply');
      expect(keep.code, keep.stderr).to.equal(0);
      expect(w.aws.ssm.get(SOURCE, '/t/none')!.Tags).to.deep.equal([{ Key: 'y', Value: '1' }]);
    });

    it('tags of flat and one-level names come from the sweep by ARN (diff)', async () => {
      w.aws.ssm.put(SOURCE, { Name: 'flat', Value: 'f', Tags: [{ Key: 'a', Value: '1' }] });
      w.aws.ssm.put(SOURCE, { Name: '/one', Value: 'o', Tags: [{ Key: 'a', Value: '1' }] });
      for (let i = 0; i < 5; i += 1) w.aws.ssm.put(SOURCE, { Name: `/z/p${i}`, Value: 'v', Tags: [{ Key: 'k', Value: '1' }] });
      expect((await w.backup()).code).to.equal(0);
      const c = ssm();
      await c.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: 'flat', Tags: [{ Key: 'a', Value: '2' }] }));
      c.destroy();
      w.aws.resetStats();
      const d = await diff();
      expect(d.changed).to.deep.equal([{ name: 'flat', fields: ['Tags'] }]);
      expect(w.aws.stats().operations['ssm:ListTagsForResource'] ?? 0).to.equal(0);
    });

    it('labels: a label moved to another version live is planned (Labels) and re-attached', async () => {
      const name = `/app/${SOURCE}/db/host`;
      const c = ssm();
      await c.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['prod'] }));
      expect((await w.backup('--include-labels')).code).to.equal(0);
      w.aws.ssm.put(SOURCE, {
        Name: name,
        Value: `db.${SOURCE}.internal`,
        Type: 'String',
        Description: 'Database host',
        Tags: [{ Key: 'team', Value: 'platform' }],
      });
      const d = await diff('--path', `/app/${SOURCE}`);
      c.destroy();
      expect(d.changed).to.deep.equal([{ name, fields: ['Labels'] }]);
      const run = await restore('--path', `/app/${SOURCE}`, '--overwrite', '--apply');
      expect(run.code, run.stderr).to.equal(0);
      expect((await diff('--path', `/app/${SOURCE}`)).changed).to.deep.equal([]);
    });

    it('prune keeps /jenkins/dev/backup and below, deletes /jenkins/dev/backupX and parameters absent from the archive', async () => {
      expect((await w.backup()).code).to.equal(0);
      w.aws.ssm.put(SOURCE, { Name: '/jenkins/dev/backup/new-key', Value: 'n' });
      w.aws.ssm.put(SOURCE, { Name: '/jenkins/dev/backupX', Value: 'n' });
      w.aws.ssm.put(SOURCE, { Name: 'flatnew', Value: 'n' });
      w.aws.ssm.put(SOURCE, { Name: `/app/${SOURCE}/new`, Value: 'n' });
      const plan = await restore('--prune');
      expect(plan.code, plan.stderr).to.equal(0);
      expect(summary().planned.delete).to.deep.equal([`/app/${SOURCE}/new`, '/jenkins/dev/backupX', 'flatnew']);
      expect(summary().planned.create).to.deep.equal([]);
    });

    it('the path itself as a parameter: its tags are read (sweep) and --exact-tags removes an extra one', async () => {
      w.aws.ssm.put(SOURCE, { Name: '/svc', Value: 'p', Tags: [{ Key: 'a', Value: '1' }] });
      w.aws.ssm.put(SOURCE, { Name: '/svc/child', Value: 'c' });
      expect((await w.backup()).code).to.equal(0);
      const c = ssm();
      await c.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc', Tags: [{ Key: 'extra', Value: 'x' }] }));
      c.destroy();
      const run = await restore('--path', '/svc', '--exact-tags', '--overwrite', '--apply');
      expect(run.code, run.stderr).to.equal(0);
      expect(summary().updated).to.deep.equal(['/svc']);
      expect(w.aws.ssm.get(SOURCE, '/svc')!.Tags).to.deep.equal([{ Key: 'a', Value: '1' }]);
    });

    it('diff under sparse pages (pageSize 3, filterAfterPaging): the live tag sweep still finds exactly the retagged parameter', async () => {
      for (let i = 0; i < 12; i += 1)
        w.aws.ssm.put(SOURCE, { Name: `/sp/p${String(i).padStart(2, '0')}`, Value: 'v', Tags: i % 2 ? [{ Key: 'k', Value: String(i) }] : undefined });
      expect((await w.backup('--path', '/sp')).code).to.equal(0);
      expect((await admin(w.aws, 'options', { pageSize: 3, filterAfterPaging: true })).status).to.equal(200);
      const c = ssm();
      await c.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/sp/p11', Tags: [{ Key: 'k', Value: 'new' }] }));
      c.destroy();
      const d = await diff('--path', '/sp');
      expect(d.changed).to.deep.equal([{ name: '/sp/p11', fields: ['Tags'] }]);
      expect(d.unchanged).to.have.length(11);
    });

    it('local AWS caches: put then DescribeParameters, delete then GetResources, tag then ARN-list lookup', async () => {
      const c = ssm();
      const tagging = taggingClient(w.aws, SOURCE);
      try {
        const names = async () => {
          const out: string[] = [];
          let NextToken: string | undefined;
          do {
            const page = await c.send(new DescribeParametersCommand({ NextToken, MaxResults: 50 }));
            out.push(...(page.Parameters ?? []).map((p) => p.Name as string));
            NextToken = page.NextToken;
          } while (NextToken);
          return out;
        };
        const before = await names();
        w.aws.ssm.put(SOURCE, { Name: '/cache/new', Value: 'v', Tags: [{ Key: 'k', Value: '1' }] });
        expect(await names()).to.deep.equal([...before, '/cache/new'].sort());
        const sweep = async () =>
          (await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['ssm:parameter'] }))).ResourceTagMappingList!.map((m) => m.ResourceARN);
        const arn = w.aws.ssm.get(SOURCE, '/cache/new')!.ARN;
        expect(await sweep()).to.include(arn);
        await c.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/cache/new', Tags: [{ Key: 'k', Value: '2' }] }));
        const byArn = await tagging.send(new GetResourcesCommand({ ResourceARNList: [arn] }));
        expect(byArn.ResourceTagMappingList).to.deep.equal([{ ResourceARN: arn, Tags: [{ Key: 'k', Value: '2' }] }]);
        w.aws.ssm.delete(SOURCE, '/cache/new');
        expect(await sweep()).not.to.include(arn);
        expect((await tagging.send(new GetResourcesCommand({ ResourceARNList: [arn] }))).ResourceTagMappingList).to.deep.equal([]);
        expect(await names()).to.deep.equal(before);
      } finally {
        c.destroy();
        tagging.destroy();
      }
    });
  });
});

describe('the backup tag check and a parameter deleted during the backup (collect through the local AWS)', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let ssmc: SSMClient;
  let tagging: ResourceGroupsTaggingAPIClient;
  beforeEach(async () => {
    aws = await startLocalAws();
    ssmc = new SSMClient({ region: SOURCE, endpoint: aws.endpoint, credentials, maxAttempts: 3 });
    tagging = new ResourceGroupsTaggingAPIClient({ region: SOURCE, endpoint: aws.endpoint, credentials, maxAttempts: 3 });
    for (let i = 0; i < 20; i += 1) aws.ssm.put(SOURCE, { Name: `/d/p${String(i).padStart(2, '0')}`, Value: 'v', Tags: [{ Key: 'k', Value: String(i) }] });
  });
  afterEach(async () => {
    ssmc.destroy();
    tagging.destroy();
    await aws.stop();
  });

  it('a parameter read, then deleted before the tag check, is not reported as "tags changed" (its tags did not change)', async () => {
    const warnings: string[] = [];
    let deleted = false;
    const result = await collectParameters(ssmReader(ssmc), {
      region: SOURCE,
      filters: [],
      includeTags: true,
      tagging: taggingReader(tagging),
      concurrency: 4,
      logger: createLogger((e) => {
        if (e.level === 'warn') warnings.push(e.message);
      }),
      sink: async () => {
        if (!deleted) {
          deleted = true;
          aws.ssm.delete(SOURCE, '/d/p00');
        }
      },
    });
    expect(deleted).to.equal(true);
    expect(await result.tagCheck).not.to.include('/d/p00');
  });
});
