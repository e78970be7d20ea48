import { expect } from 'chai';
import { SSMClient } from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../../../local-aws/index.js';
import { collectParameters } from '../../../ts/lib/collect/collect.js';
import { ssmReader, type SsmReader } from '../../../ts/lib/aws/ssm.js';
import type { BackupParameter } from '../../../ts/lib/archive/parameter.js';
import { silentLogger } from '../../helpers/log.js';
import { computeDrift, guardRefusal, type Previous } from '../../../ts/lib/backup/drift.js';
import { gzipIndex, type IndexEntry, type NameIndex } from '../../../ts/lib/store/facts.js';
import { gunzipSync } from 'node:zlib';

const e = (Name: string, Version = 1, LastModifiedDate = '2026-11-01T00:00:00.000Z', Type = 'String'): IndexEntry => ({
  Name,
  Type,
  Version,
  LastModifiedDate,
});
const previousOf = (parameters: IndexEntry[]): Previous => ({
  kind: 'index',
  key: 'k',
  index: { parameters, parameterCount: parameters.length, selection: { path: '/', nameContains: null } } as unknown as NameIndex,
});
const many = (n: number) => Array.from({ length: n }, (_, i) => e(`/p${String(i).padStart(3, '0')}`));
const guard = { maxShrink: 10, allowShrink: false, allowEmpty: false };

describe('drift and the shrink guard (pure)', () => {
  it('counts added, removed and changed (Version, Type or LastModifiedDate), names sorted and capped at 50', () => {
    const before = [...many(100), e('/same'), e('/ver', 1), e('/type'), e('/recreated', 1, '2026-11-01T00:00:00.000Z')];
    const now = [
      ...many(100).slice(40),
      ...Array.from({ length: 60 }, (_, i) => e(`/new${i}`)),
      e('/same'),
      e('/ver', 2),
      e('/type', 1, undefined, 'SecureString'),
      e('/recreated', 1, '2026-11-02T00:00:00.000Z'),
    ];
    now.find((x) => x.Name === '/type')!.LastModifiedDate = '2026-11-01T00:00:00.000Z';
    const d = computeDrift(now, previousOf(before), 'b');
    expect(d).to.include({ added: 60, removed: 40, changed: 3, previousCount: 104, comparedWith: 'index', previousArchive: 's3://b/k' });
    expect(d.addedNames).to.have.length(50);
    expect(d.removedNames).to.deep.equal(many(40).map((x) => x.Name));
    expect(d.changedNames).to.deep.equal(['/recreated', '/type', '/ver']);
  });

  it('says why names were not compared: a previous archive without index, or one that cannot be read', () => {
    const now = many(3);
    const count = computeDrift(now, { kind: 'count', key: 'old', count: 3, why: 'it has no name index; count from its metadata' }, 'b');
    expect(count).to.include({ comparedWith: 'count', previousCount: 3, added: null, removed: null, changed: null });
    expect(count.notComparedReason).to.equal('it has no name index; count from its metadata');
    const unknown = computeDrift(now, { kind: 'unknown', key: 'old', why: 'latest.txt names s3://b/old, which no longer exists' }, 'b');
    expect(unknown).to.include({ comparedWith: 'nothing', previousArchive: 's3://b/old', added: null });
    expect(unknown.notComparedReason).to.equal('latest.txt names s3://b/old, which no longer exists');
    expect(computeDrift(now, previousOf(now), 'b')).to.not.have.property('notComparedReason');
    expect(computeDrift(now, { kind: 'none' }, 'b').notComparedReason).to.equal(undefined);
  });

  it('refuses above --max-shrink only, and zero parameters unless --allow-empty', () => {
    const input = (count: number, prev: number) => {
      const previous = previousOf(many(prev));
      return { count, key: 'new', bucket: 'b', selection: { path: '/' }, previous, drift: computeDrift(many(count), previous, 'b') };
    };
    expect(guardRefusal(input(90, 100), guard)).to.equal(undefined);
    expect(guardRefusal(input(89, 100), guard)).to.match(
      /^Parameter count fell 100 → 89 \(-11\.0%, limit 10%\): if intended, run again with --allow-shrink\. 11 removed/,
    );
    expect(guardRefusal(input(89, 100), { ...guard, advice: 'jenkins' })).to.match(
      /: if intended, run one build with allowShrink: true \(job parameter ALLOW_SHRINK\)\. /,
    );
    expect(guardRefusal({ ...input(89, 100), key: undefined }, guard)).to.match(
      /Dry run: nothing was written; latest\.txt would not move \(it still names s3:\/\/b\/\S+\)\.$/,
    );
    expect(guardRefusal(input(89, 100), { ...guard, allowShrink: true })).to.equal(undefined);
    expect(guardRefusal(input(50, 100), { ...guard, maxShrink: 50 })).to.equal(undefined);
    expect(guardRefusal(input(0, 100), { ...guard, allowShrink: true })).to.match(/^Selected 0 parameters/);
    expect(guardRefusal(input(0, 100), { ...guard, allowEmpty: true })).to.equal(undefined);
    const first = {
      count: 0,
      key: 'new',
      bucket: 'b',
      selection: { path: '/x' },
      previous: { kind: 'none' } as Previous,
      drift: computeDrift([], { kind: 'none' }, 'b'),
    };
    expect(guardRefusal(first, guard)).to.match(
      /^Selected 0 parameters: if that is intended, run again with --allow-empty\. Selection --path \/x: check it for a typo\. latest\.txt was not moved;/,
    );
    expect(guardRefusal({ ...first, count: 5 }, guard)).to.equal(undefined);
  });
});

describe('the name index file', () => {
  it('is gzipped JSON of the whole index, written in pieces (0, 1, 1000 and 2,345 entries)', async () => {
    for (const n of [0, 1, 1000, 2345]) {
      const parameters: IndexEntry[] = Array.from({ length: n }, (_, i) => ({ Name: `/a/"p${i}\u00e9`, Type: 'String', Version: i + 1 }));
      const index = { indexVersion: 1, archive: 'k.tar.gz', selection: { path: '/', nameContains: null }, parameters } as unknown as NameIndex;
      expect(JSON.parse(gunzipSync(await gzipIndex(index)).toString('utf8'))).to.deep.equal(index);
    }
    expect(JSON.parse(gunzipSync(await gzipIndex({ parameters: [] } as unknown as NameIndex)).toString('utf8'))).to.deep.equal({ parameters: [] });
  });
});

describe('a parameter replaced during the backup (through the local AWS)', function () {
  this.timeout(30000);
  let aws: LocalAws;
  let client: SSMClient;
  const R = 'us-west-2';

  beforeEach(async () => {
    aws = await startLocalAws();
    aws.kms.createKey(R, '1234abcd-12ab-34cd-56ef-1234567890ab', ['alias/app-secrets']);
    client = new SSMClient({ region: R, endpoint: aws.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterEach(async () => {
    client.destroy();
    await aws.stop();
  });

  /** The real reader, with `between` run once after DescribeParameters and before the first GetParameters. */
  const collect = async (between: () => void) => {
    const real = ssmReader(client);
    let done = false;
    const reader: SsmReader = {
      ...real,
      getBatch: async (names) => {
        if (!done) {
          done = true;
          between();
        }
        return real.getBatch(names);
      },
    };
    const out: BackupParameter[] = [];
    const result = await collectParameters(reader, {
      region: R,
      filters: [],
      includeTags: false,
      concurrency: 1,
      logger: silentLogger,
      sink: async (p) => {
        out.push(...p);
      },
    });
    return { out, result };
  };

  it('archives a parameter deleted and re-created as another Type with the metadata of the version read', async () => {
    aws.ssm.put(R, { Name: '/app/x', Value: 'plain', Type: 'String', Description: 'old description' });
    const { out, result } = await collect(() => {
      aws.ssm.delete(R, '/app/x');
      aws.ssm.put(R, { Name: '/app/x', Value: 'secret', Type: 'SecureString', KeyId: 'alias/app-secrets', Description: 'new description' });
    });
    expect(result).to.include({ described: 1, collected: 1 });
    expect(out[0]).to.include({
      Name: '/app/x',
      Type: 'SecureString',
      Value: 'secret',
      Version: 1,
      Description: 'new description',
      KeyId: 'alias/app-secrets',
    });
  });

  it('archives a parameter overwritten meanwhile with its new metadata, and one deleted meanwhile as vanished', async () => {
    aws.ssm.put(R, { Name: '/app/a', Value: 'v1', Type: 'String', Description: 'd1' });
    aws.ssm.put(R, { Name: '/app/b', Value: 'b', Type: 'String' });
    const { out, result } = await collect(() => {
      aws.ssm.put(R, { Name: '/app/a', Value: 'v2', Type: 'StringList', Description: 'd2', Overwrite: true } as never);
      aws.ssm.delete(R, '/app/b');
    });
    expect(out).to.have.length(1);
    expect(out[0]).to.include({ Name: '/app/a', Type: 'StringList', Value: 'v2', Version: 2, Description: 'd2' });
    expect(result.vanished).to.deep.equal(['/app/b']);
  });
});
