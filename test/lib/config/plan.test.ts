import { expect } from 'chai';
import { loadPlan, parseRegionList, resolvePlan, validateEnvironment, validateRegionList, type PlanInput } from '../../../ts/lib/config/plan.js';
import type { AwsClientFactory } from '../../../ts/lib/aws/clients.js';
import { EngineError } from '../../../ts/lib/support/errors.js';

function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected an error');
}

const base: PlanInput = {
  environment: 'dev',
  homeRegion: 'ap-northeast-1',
  regions: ['ap-northeast-1', 'us-west-2'],
  regionsFromOverride: false,
  defaultRegion: 'ap-northeast-1',
  legacyBucket: 'b-apne1',
  buckets: { 'ap-northeast-1': 'b-apne1', 'us-west-2': 'b-usw2' },
};

describe('plan resolution (pure)', () => {
  it('parses a JSON region list in order', () => {
    expect(parseRegionList('["us-west-2","ap-northeast-1"]', 'dev', 'ap-northeast-1')).to.deep.equal(['us-west-2', 'ap-northeast-1']);
  });

  const bad: [string | undefined, RegExp][] = [
    [undefined, /^\/jenkins\/dev\/backup\/region-list not found in ap-northeast-1: create it/],
    ['[us-west-2]', /^\/jenkins\/dev\/backup\/region-list is not valid JSON .*: set it to a JSON array/],
    ['{"a":1}', /must be a JSON array of region names, got object/],
    ['[]', /^No regions configured: \/jenkins\/dev\/backup\/region-list is an empty array/],
    ['["us_west_2"]', /contains an invalid region name "us_west_2": use AWS region names such as us-west-2/],
    ['["us-west-2","us-west-2"]', /lists "us-west-2" twice: remove the duplicate/],
    ['[42]', /must contain only region name strings, got 42/],
  ];
  for (const [raw, message] of bad) {
    it(`rejects region-list ${raw} with one clear line (exit 2)`, () => {
      const err = thrown(() => parseRegionList(raw, 'dev', 'ap-northeast-1'));
      expect(err.message).to.match(message);
      expect(err.message).not.to.contain('\n');
      expect(err.exitCode).to.equal(2);
    });
  }

  it('rejects a default region outside the list, naming both parameters', () => {
    const err = thrown(() => resolvePlan({ ...base, defaultRegion: 'eu-west-1' }));
    expect(err.message).to.equal(
      '/jenkins/dev/backup/default-region "eu-west-1" is not in /jenkins/dev/backup/region-list ["ap-northeast-1","us-west-2"]: add it to the list or change the default',
    );
  });

  it('refuses two regions that resolve to one bucket (exit 2, config), whether set per region or through the home region', () => {
    const err = thrown(() => resolvePlan({ ...base, buckets: { 'ap-northeast-1': 'shared', 'us-west-2': 'shared' } }));
    expect(err.category).to.equal('config');
    expect(err.message).to.contain('ap-northeast-1 and us-west-2 both resolve to bucket shared');
    const three = { ...base, regions: ['ap-northeast-1', 'us-west-2', 'eu-west-1'] };
    expect(() => resolvePlan({ ...three, buckets: { 'ap-northeast-1': 'a', 'us-west-2': 'b', 'eu-west-1': 'a' } })).to.throw(
      'ap-northeast-1 and eu-west-1 both',
    );
    expect(resolvePlan({ ...three, buckets: { 'ap-northeast-1': 'a', 'us-west-2': 'b', 'eu-west-1': 'c' } }).regions).to.have.length(3);
  });

  it('requires default-region unless regions were overridden', () => {
    expect(thrown(() => resolvePlan({ ...base, defaultRegion: undefined })).message).to.match(/default-region not found in ap-northeast-1/);
    expect(resolvePlan({ ...base, defaultRegion: undefined, regionsFromOverride: true }).defaultRegion).to.equal('ap-northeast-1');
  });

  it('warns when the legacy bucket differs from the default region bucket', () => {
    const plan = resolvePlan({ ...base, legacyBucket: 'old-bucket' });
    expect(plan.legacyBucketMatches).to.equal(false);
    expect(plan.warnings.join()).to.match(/s3-bucket-name is "old-bucket" but the default region ap-northeast-1 uses "b-apne1"/);
    expect(resolvePlan(base).legacyBucketMatches).to.equal(true);
  });

  it('marks a region without bucket definition as null with a warning', () => {
    const plan = resolvePlan({ ...base, buckets: { 'ap-northeast-1': 'b-apne1' } });
    expect(plan.buckets['us-west-2']).to.equal(null);
    expect(plan.warnings.join()).to.contain('Bucket definition missing for us-west-2');
  });

  it('validates environment names', () => {
    expect(validateEnvironment('prod-2')).to.equal('prod-2');
    for (const env of ['Prod', '-dev', 'a'.repeat(33), 'dev/x'])
      expect(thrown(() => validateEnvironment(env)).message).to.contain(`--environment "${env}" is invalid`);
    expect(thrown(() => validateEnvironment(undefined)).message).to.match(/^--environment is required/);
  });

  it('validates --regions overrides', () => {
    expect(thrown(() => validateRegionList(['us-west-2', 'US-EAST-1'], '--regions')).message).to.equal(
      '--regions contains an invalid region name "US-EAST-1": use AWS region names such as us-west-2',
    );
  });
});

describe('loadPlan: configuration errors (exit 2) vs AWS errors (exit 1)', () => {
  const config: Record<string, string> = {
    '/jenkins/dev/backup/region-list': '["us-west-2"]',
    '/jenkins/dev/backup/default-region': 'us-west-2',
    '/jenkins/dev/backup/us-west-2/s3-bucket-name': 'bucket-usw2',
  };
  /** A fake factory whose SSM client answers from `config`, after `before` had its say (throw or override). */
  const factory = (before: (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => unknown) =>
    ({
      ssm: () => ({
        send: async (cmd: { constructor: { name: string }; input: { Names?: string[]; Name?: string } }) => {
          const override = before(cmd as never);
          if (override !== undefined) return override;
          if (cmd.constructor.name === 'GetParametersCommand') {
            const names = cmd.input.Names ?? [];
            return {
              Parameters: names.filter((n) => config[n]).map((n) => ({ Name: n, Value: config[n] })),
              InvalidParameters: names.filter((n) => !config[n]),
            };
          }
          const name = cmd.input.Name as string;
          if (!config[name]) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
          return { Parameter: { Name: name, Value: config[name] } };
        },
      }),
      archiveLocation: (bucket: string) => bucket,
    }) as unknown as AwsClientFactory;

  it('throttling while reading the configuration is an AWS error (exit 1) with the cause, not "create it with Pulumi"', async () => {
    const aws = factory(() => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    const err = await loadPlan(aws, { environment: 'dev', homeRegion: 'ap-northeast-1' }).then(
      () => undefined,
      (e: EngineError) => e,
    );
    expect(err).to.be.instanceOf(EngineError);
    expect(err?.category).to.equal('aws');
    expect(err?.exitCode).to.equal(1);
    expect(err?.message).to.contain('ThrottlingException: Rate exceeded').and.not.contain('Pulumi');
  });

  it('an unreachable endpoint is an AWS error too', async () => {
    const aws = factory(() => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Error', code: 'ECONNREFUSED' });
    });
    const err = await loadPlan(aws, { environment: 'dev', homeRegion: 'ap-northeast-1' }).then(
      () => undefined,
      (e: EngineError) => e,
    );
    expect(err?.exitCode).to.equal(1);
    expect(err?.message).to.contain('ECONNREFUSED');
  });

  it('re-checks a configuration key that one GetParameters answer lists under InvalidParameters', async () => {
    let once = true;
    const aws = factory((cmd) => {
      if (cmd.constructor.name === 'GetParametersCommand' && once) {
        once = false;
        const names = cmd.input.Names as string[];
        return {
          Parameters: names.filter((n) => n.endsWith('default-region')).map((n) => ({ Name: n, Value: config[n] })),
          InvalidParameters: names.filter((n) => !n.endsWith('default-region')),
        };
      }
      return undefined;
    });
    const plan = await loadPlan(aws, { environment: 'dev', homeRegion: 'ap-northeast-1' });
    expect(plan.regions).to.deep.equal(['us-west-2']);
    expect(plan.defaultRegion).to.equal('us-west-2');
  });

  it('a key that stays missing after the re-check is a configuration error (exit 2)', async () => {
    const aws = factory(() => undefined);
    const err = await loadPlan(aws, { environment: 'nope', homeRegion: 'ap-northeast-1' }).then(
      () => undefined,
      (e: EngineError) => e,
    );
    expect(err?.category).to.equal('config');
    expect(err?.exitCode).to.equal(2);
  });
});
