import { expect } from 'chai';
import sinon from 'sinon';
import type { Parameter, ParameterMetadata } from '@aws-sdk/client-ssm';
import { collectParameters } from '../../../ts/lib/collect/collect.js';
import type { SsmReader } from '../../../ts/lib/aws/ssm.js';
import type { BackupParameter } from '../../../ts/lib/archive/parameter.js';
import { silentLogger } from '../../helpers/log.js';
import { EngineError } from '../../../ts/lib/support/errors.js';

/** An in-memory SsmReader over `count` parameters, paged by 50 like DescribeParameters. */
function fakeReader(count: number) {
  const names = Array.from({ length: count }, (_, i) => `/app/p${String(i).padStart(5, '0')}`);
  const live = new Set(names);
  let inFlight = 0;
  let maxInFlight = 0;
  const reader: SsmReader = {
    describePage: async (_f, token) => {
      const start = token ? Number(token) : 0;
      const items: ParameterMetadata[] = names
        .slice(start, start + 50)
        .map((Name) => ({ Name, Type: 'String', Version: 1, Description: `d ${Name}`, Tier: 'Standard' }));
      return { items, nextToken: start + 50 < names.length ? String(start + 50) : undefined };
    },
    getBatch: async (batch) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight -= 1;
      const found: Parameter[] = batch.filter((n) => live.has(n)).map((Name) => ({ Name, Type: 'String', Value: `v${Name}`, Version: 1 }));
      return { found, invalid: batch.filter((n) => !live.has(n)) };
    },
    getOne: async (name) => (live.has(name) ? { Name: name, Type: 'String', Value: `v${name}`, Version: 1 } : undefined),
    describeOne: async (name) => (live.has(name) ? { Name: name, Type: 'String', Version: 1 } : undefined),
    tags: async (name) => [{ Key: 'owner', Value: name.slice(-2) }],
    labels: async () => [],
  };
  return { reader, names, live, maxInFlight: () => maxInFlight };
}

async function collect(reader: SsmReader, extra: Partial<Parameters<typeof collectParameters>[1]> = {}) {
  const out: BackupParameter[] = [];
  const result = await collectParameters(reader, {
    region: 'us-west-2',
    filters: [],
    includeTags: false,
    concurrency: 4,
    logger: silentLogger,
    sink: async (p) => {
      out.push(...p);
    },
    ...extra,
  });
  return { out, result };
}

async function rejected(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected a rejection');
}

describe('collectParameters', () => {
  it('collects every described parameter, in DescribeParameters order, merging metadata', async () => {
    const { reader, names, maxInFlight } = fakeReader(1234);
    const { out, result } = await collect(reader);
    expect(out.map((p) => p.Name)).to.deep.equal(names);
    expect(result).to.deep.include({ described: 1234, collected: 1234 });
    expect(out[7]).to.deep.include({ Value: `v${names[7]}`, Description: `d ${names[7]}`, Tier: 'Standard' });
    expect(maxInFlight()).to.be.at.most(4);
  });

  it('re-checks a name deleted between the two calls and reports it instead of failing', async () => {
    const fake = fakeReader(30);
    const getBatch = fake.reader.getBatch;
    fake.reader.getBatch = async (names) => {
      fake.live.delete('/app/p00012');
      return getBatch(names);
    };
    const { out, result } = await collect(fake.reader);
    expect(result.vanished).to.deep.equal(['/app/p00012']);
    expect(out).to.have.length(29);
  });

  it('fails the region when a described parameter cannot be read (never a partial success)', async () => {
    const fake = fakeReader(30);
    fake.reader.getBatch = async (names) => ({ found: [], invalid: names });
    fake.reader.getOne = async () => undefined;
    const err = await rejected(collect(fake.reader));
    expect(err.message).to.match(/^Parameter \/app\/p000\d\d is described but cannot be read$/);
    expect(err.region).to.equal('us-west-2');
  });

  it('names the parameter whose KMS decrypt is denied, without its value', async () => {
    const fake = fakeReader(25);
    const denied = Object.assign(new Error('User is not authorized to perform kms:Decrypt on key alias/app'), { name: 'AccessDeniedException' });
    fake.reader.getBatch = async (names) => {
      if (names.includes('/app/p00017')) throw denied;
      return { found: names.map((Name) => ({ Name, Value: 'x', Type: 'String' })), invalid: [] };
    };
    const getOne = sinon.stub().callsFake(async (name: string) => {
      if (name === '/app/p00017') throw denied;
      return { Name: name, Value: 'x' };
    });
    fake.reader.getOne = getOne;
    const err = await rejected(collect(fake.reader));
    expect(err.message).to.equal('Cannot read parameter /app/p00017: AccessDeniedException: User is not authorized to perform kms:Decrypt on key alias/app');
  });

  it('adds tags with --include-tags', async () => {
    const { reader } = fakeReader(3);
    const { out } = await collect(reader, { includeTags: true });
    expect(out[2].Tags).to.deep.equal([{ Key: 'owner', Value: '02' }]);
  });

  it('a sink that fails on the local disk (ENOSPC) is named as such, not as "DescribeParameters failed"', async () => {
    const { reader } = fakeReader(120);
    const sink = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    };
    const err = await rejected(collect(reader, { sink }));
    expect(err.message).to.equal('Collecting us-west-2 failed on the local disk: ENOSPC (no space left on device, write)');
    const aws = await rejected(
      collect({
        ...reader,
        describePage: async () => {
          throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
        },
      }),
    );
    expect(aws.message).to.match(/^DescribeParameters failed in us-west-2: AccessDeniedException/);
  });

  it('stops collecting after the first failed batch', async () => {
    const fake = fakeReader(2000);
    const spy = sinon.spy(fake.reader, 'getBatch');
    fake.reader.getBatch = async (names) => {
      await spy(names);
      throw Object.assign(new Error('boom'), { name: 'InternalServerError' });
    };
    fake.reader.getOne = async () => {
      throw Object.assign(new Error('boom'), { name: 'InternalServerError' });
    };
    await rejected(collect(fake.reader));
    expect(spy.callCount).to.be.lessThan(60);
  });
});

describe('describeAwsError', () => {
  it('masks a value AWS echoes in a validation message, and any known secret', async () => {
    const { describeAwsError } = await import('../../../ts/lib/support/errors.js');
    const err = Object.assign(
      new Error(
        "1 validation error detected: Value 'hunter2-secret' at 'value' failed to satisfy constraint: Member must have length less than or equal to 4096",
      ),
      { name: 'ValidationException' },
    );
    expect(describeAwsError(err)).to.equal(
      "ValidationException: 1 validation error detected: Value '***' at 'value' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
    expect(describeAwsError(new Error('bad token hunter2 here'), ['hunter2'])).to.equal('bad token *** here');
  });
});
