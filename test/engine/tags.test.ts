import { expect } from 'chai';
import { AddTagsToResourceCommand, RemoveTagsFromResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { collectParameters, type CollectOptions } from '../../ts/lib/collect.js';
import { ssmReader, selectionFilters } from '../../ts/lib/aws/ssm.js';
import { PAGED_ARN_LIST, taggingReader, type TaggingReader } from '../../ts/lib/aws/tagging.js';
import { createLogger, type LogEvent } from '../../ts/lib/log.js';
import type { BackupParameter } from '../../ts/lib/parameter.js';

const REGION = 'us-west-2';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sortTags = (t: { Key?: string; Value?: string }[] | undefined) =>
  [...(t ?? [])].map((x) => ({ Key: x.Key, Value: x.Value })).sort((a, b) => String(a.Key).localeCompare(String(b.Key)));

describe('tags through the Resource Groups Tagging API sweep (local AWS)', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let ssm: SSMClient;
  let tagging: ResourceGroupsTaggingAPIClient;
  let events: LogEvent[];

  const collect = async (extra: Partial<CollectOptions> = {}, reader: TaggingReader = taggingReader(tagging)) => {
    const out: BackupParameter[] = [];
    const result = await collectParameters(ssmReader(ssm), {
      region: REGION,
      filters: [],
      includeTags: true,
      tagging: reader,
      concurrency: 4,
      logger: createLogger((e) => events.push(e)),
      sink: async (p) => {
        out.push(...p);
      },
      ...extra,
    });
    return { out, result };
  };

  /** Every collected parameter carries exactly the tags the emulator holds for it now. */
  const expectExact = (out: BackupParameter[]) => {
    for (const p of out) expect(sortTags(p.Tags), p.Name).to.deep.equal(sortTags(aws.ssm.get(REGION, p.Name)?.Tags));
  };

  beforeEach(async () => {
    aws = await startLocalAws();
    ssm = new SSMClient({ region: REGION, endpoint: aws.endpoint, credentials, maxAttempts: 3 });
    tagging = new ResourceGroupsTaggingAPIClient({ region: REGION, endpoint: aws.endpoint, credentials, maxAttempts: 3 });
    events = [];
    for (let i = 0; i < 260; i++) {
      const tags =
        i % 2 === 0
          ? [
              { Key: 'team', Value: `t${i % 7}` },
              { Key: 'cost', Value: String(i) },
            ]
          : undefined;
      aws.ssm.put(REGION, { Name: `/app/s${Math.floor(i / 26)}/p${String(i).padStart(3, '0')}`, Value: `v${i}`, Tags: tags });
    }
    // Tagged once, untagged since: GetResources lists it with no tags.
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/s0/p000', TagKeys: ['team', 'cost'] }));
    aws.resetStats();
  });

  afterEach(async () => {
    ssm.destroy();
    tagging.destroy();
    await aws.stop();
  });

  it('joins tags by ARN: exact for tagged, untagged and once-tagged parameters, a sweep of 100 a page, no ListTagsForResource', async () => {
    const { out, result } = await collect();
    expect(out).to.have.length(260);
    expectExact(out);
    expect(out.find((p) => p.Name === '/app/s0/p000')?.Tags).to.deep.equal([]);
    expect(out.find((p) => p.Name === '/app/s0/p001')?.Tags).to.deep.equal([]);
    expect(result).to.deep.include({ tagMode: 'sweep' });
    expect(await result.tagCheck).to.deep.equal([]);
    const ops = aws.stats().operations;
    // The sweep (2 pages for 130 tagged), then the check: 3 ARN lists for 260 collected (at most a quarter more calls).
    expect(ops['tagging:GetResources']).to.equal(Math.ceil(130 / 100) + Math.ceil(260 / 100));
    expect(ops['ssm:ListTagsForResource'] ?? 0).to.equal(0);
  });

  it('reports a parameter tagged after the sweep started, and keeps the tags the sweep read', async () => {
    const inner = taggingReader(tagging);
    let pages = 0;
    const reader: TaggingReader = {
      byArns: (arns) => inner.byArns(arns),
      sweepPage: async (token) => {
        const page = await inner.sweepPage(token);
        pages += 1;
        if (pages === 1)
          await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/s0/p003', Tags: [{ Key: 'late', Value: 'yes' }] }));
        return page;
      },
    };
    const { out, result } = await collect({}, reader);
    expect(out.find((p) => p.Name === '/app/s0/p003')?.Tags).to.deep.equal([]);
    expect(await result.tagCheck).to.deep.equal(['/app/s0/p003']);
    const warn = events.filter((e) => e.level === 'warn').map((e) => e.message);
    expect(warn).to.have.length(1);
    expect(warn[0]).to.match(/^Tags of 1 parameter\(s\) changed while the backup ran; .*: \/app\/s0\/p003$/);
  });

  it('names changed tags exactly by ARN: a flat name, a one-level name, and never a parameter outside the selection', async () => {
    // Mostly untagged: 2 sweep pages against 6 ARN lists, so the check sweeps again and maps ARNs back to names.
    for (let i = 0; i < 300; i++) aws.ssm.put(REGION, { Name: `/untagged/p${i}`, Value: 'u' });
    aws.ssm.put(REGION, { Name: 'flat', Value: 'f', Tags: [{ Key: 'a', Value: '1' }] });
    aws.ssm.put(REGION, { Name: '/one', Value: 'o' });
    aws.ssm.put(REGION, { Name: '/elsewhere/p', Value: 'e' });
    const inner = taggingReader(tagging);
    let sweeps = 0;
    const reader: TaggingReader = {
      // Tags change once the first sweep has read its last page.
      byArns: (arns) => inner.byArns(arns),
      sweepPage: async (token) => {
        const page = await inner.sweepPage(token);
        if (page.nextToken === undefined && (sweeps += 1) === 1) {
          for (const [name, value] of [
            ['flat', '2'],
            ['/one', '1'],
            ['/elsewhere/p', '1'],
          ])
            await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: [{ Key: 'a', Value: value }] }));
          await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/s0/p002', TagKeys: ['team'] }));
        }
        return page;
      },
    };
    aws.resetStats();
    const all = await collect({}, reader);
    expect(await all.result.tagCheck).to.deep.equal(['/app/s0/p002', '/elsewhere/p', '/one', 'flat']);
    expect(aws.stats().operations['tagging:GetResources']).to.equal(4);
    // A selection of /app: a change outside it is not named.
    let done = false;
    const second: TaggingReader = {
      byArns: (arns) => inner.byArns(arns),
      sweepPage: async (token) => {
        const page = await inner.sweepPage(token);
        if (page.nextToken === undefined && !done) {
          done = true;
          await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/elsewhere/p', Tags: [{ Key: 'a', Value: '9' }] }));
          await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/s0/p004', Tags: [{ Key: 'cost', Value: '9' }] }));
        }
        return page;
      },
    };
    const app = await collect({ filters: selectionFilters('/app') }, second);
    expect(await app.result.tagCheck).to.deep.equal(['/app/s0/p004']);
  });

  it('checks a selection by ARN list (GetResources ResourceARNList, 100 a call) when that costs no more calls than a sweep', async () => {
    aws.ssm.put(REGION, { Name: 'flatname', Value: 'f', Tags: [{ Key: 'a', Value: '1' }] });
    const inner = taggingReader(tagging);
    const retag = async (name: string, value: string) =>
      ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: [{ Key: 'late', Value: value }] }));
    let step = 0;
    let round = 0;
    const reader: TaggingReader = {
      byArns: (arns) => inner.byArns(arns),
      sweepPage: async (token) => {
        const page = await inner.sweepPage(token);
        if (page.nextToken === undefined && step++ === 0) {
          round += 1;
          await retag('/app/s0/p004', 'x');
          await retag('/app/s0/p005', 'y');
          await retag('/app/s1/p030', 'outside');
          await retag('flatname', `z${round}`);
        }
        return page;
      },
    };
    aws.resetStats();
    const s0 = await collect({ filters: selectionFilters('/app/s0'), selective: true }, reader);
    expect(s0.out).to.have.length(26);
    expect(await s0.result.tagCheck).to.deep.equal(['/app/s0/p004', '/app/s0/p005']);
    // The sweep (2 pages of 100), then one ResourceARNList call for the 26 selected parameters.
    expect(aws.stats().operations['tagging:GetResources']).to.equal(3);

    step = 0;
    const flat = await collect({ filters: selectionFilters('/', 'flatname'), selective: true }, reader);
    expect(flat.out.map((p) => p.Name)).to.deep.equal(['flatname']);
    expect(await flat.result.tagCheck).to.deep.equal(['flatname']);
  });

  it('checks a mostly tagged region by ARN lists of 100 without false alarms, and sweeps if an ARN-list answer comes paged', async () => {
    aws.ssm.clear(REGION);
    for (let i = 0; i < 150; i++) aws.ssm.put(REGION, { Name: `/t/p${String(i).padStart(3, '0')}`, Value: 'v', Tags: [{ Key: 'k', Value: String(i) }] });
    aws.resetStats();
    const { out, result } = await collect();
    expect(out).to.have.length(150);
    expect(await result.tagCheck).to.deep.equal([]);
    // The sweep: 2 pages (100 + 50); the check: 2 ARN lists (100 + 50), not a second sweep.
    expect(aws.stats().operations['tagging:GetResources']).to.equal(4);

    const inner = taggingReader(tagging);
    const paged: TaggingReader = {
      sweepPage: (token) => inner.sweepPage(token),
      byArns: async () => {
        throw Object.assign(new Error('paged'), { name: PAGED_ARN_LIST });
      },
    };
    const again = await collect({}, paged);
    expect(await again.result.tagCheck).to.deep.equal([]);
    expect(events.some((e) => /sweeping the region instead/.test(e.message))).to.equal(true);
  });

  it('falls back to ListTagsForResource per parameter when GetResources is denied, and says so once', async () => {
    aws.faults.add({ service: 'tagging', operation: 'GetResources', error: { code: 'AccessDeniedException', status: 400 } });
    const { out, result } = await collect();
    expect(out).to.have.length(260);
    expectExact(out);
    expect(result.tagMode).to.equal('per-parameter');
    const ops = aws.stats().operations;
    expect(ops['ssm:ListTagsForResource']).to.equal(260);
    expect(ops['tagging:GetResources']).to.equal(1);
    const warn = events.filter((e) => e.level === 'warn').map((e) => e.message);
    expect(warn).to.deep.equal([
      `Tags: the Resource Groups Tagging API is not available in ${REGION} (AccessDeniedException); falling back to ListTagsForResource, one call per parameter (paced by --tag-rate)`,
    ]);
  });

  it('fails the region when the sweep fails for another reason (never backs up without tags silently)', async () => {
    aws.faults.add({ service: 'tagging', operation: 'GetResources', error: { code: 'InternalServiceException', status: 500 } });
    const err = await collect().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/^GetResources \(tag sweep\) failed in us-west-2: InternalServiceException/);
  });

  it('collects exactly once through sparse and empty pages (filter after paging, 7-item pages) with a --path of 10%', async () => {
    aws.setOptions({ pageSize: 7, filterAfterPaging: true });
    const { out, result } = await collect({ filters: selectionFilters('/app/s3'), selective: true });
    const expected = aws.ssm
      .list(REGION)
      .filter((p) => p.Name.startsWith('/app/s3/'))
      .map((p) => p.Name)
      .sort();
    expect(out.map((p) => p.Name)).to.deep.equal(expected);
    expect(expected).to.have.length(26);
    expectExact(out);
    expect(result.described).to.equal(26);
    const ops = aws.stats().operations;
    // Filter after paging: the whole region is paged, 7 names at a time, most pages empty.
    expect(ops['ssm:DescribeParameters']).to.equal(Math.ceil(aws.ssm.list(REGION).length / 7));
    // Names from sparse pages are gathered into full batches: 3 GetParameters for 26 names, not one per non-empty page.
    expect(ops['ssm:GetParameters']).to.equal(3);
  });
});
