import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { restoreWorld, backupDoc, format1Archive, SOURCE, DR, type RestoreWorld } from '../helpers/restore.js';
import { HOME } from '../helpers/fixtures.js';

/**
 * Issue 19 and issue 18 item 8 through the CLI and local-aws: the engine refuses what protects the user, notes what
 * AWS judges (DataType, AllowedPattern dialects, reserved tags) and lets AWS refuse one parameter at a time; verify
 * and restore share one validator; the tool's own configuration and unconfirmed aws:ec2:image writes are reported.
 */
describe('restore and verify leave to AWS what AWS judges (through the local AWS)', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const summaryFile = () => path.join(w.work, 'restore_summary.json');
  const summary = () => JSON.parse(readFileSync(summaryFile(), 'utf8'));
  const restore = (...extra: string[]) => w.run('restore', '--work-dir', w.work, '--put-rate', '500', ...extra);
  const put = async (parameters: Record<string, unknown>[], key = 'judge.tar.gz', edit = (text: string) => text) => {
    await w.putObject(key, await format1Archive(edit(backupDoc(parameters)), parameters.length));
    return key;
  };

  beforeEach(async () => {
    w = await restoreWorld();
  });
  afterEach(async () => {
    for (const text of w.outputs) expect(text).not.to.contain('secret-');
    await w.close();
  });

  it('DataType and AllowedPattern never refuse the archive: verify notes them, restore writes the rest and names what AWS refused', async () => {
    const key = await put([
      { Name: '/app/ok', Type: 'String', Value: 'secret-ok' },
      { Name: '/app/json', Type: 'String', Value: '{"a":1}', DataType: 'json' },
      { Name: '/app/future', Type: 'String', Value: 'secret-f', DataType: 'aws:future-type' },
      { Name: '/app/digits', Type: 'String', Value: 'secret-abc', AllowedPattern: '^\\d+$' },
      { Name: '/app/java', Type: 'String', Value: 'secret-ABC', AllowedPattern: '\\p{Alnum}+' },
      { Name: '/app/ami', Type: 'String', Value: 'not-an-ami', DataType: 'aws:ec2:image' },
    ]);
    const verify = await w.run('verify', '--archive', key);
    expect(verify.code, verify.stderr).to.equal(0);
    expect(verify.stdout).to.match(/^OK {2}s3:/);
    expect(verify.stdout).to.contain('note: /app/future: DataType "aws:future-type" is not one the SDK documents: AWS will judge');
    expect(verify.stdout).to.contain('note: /app/digits: Value does not appear to match AllowedPattern: AWS will judge');
    expect(verify.stdout).to.contain('note: /app/ami: DataType aws:ec2:image with a value that is not an AMI id');
    expect(verify.stdout).not.to.contain('/app/java:'); // Java's \p{Alnum}: not portable, nothing said
    const run = await restore('--archive', key, '--apply');
    expect(run.code, run.stderr).to.equal(1);
    const s = summary();
    expect(s.created).to.deep.equal(['/app/json', '/app/ok']);
    // local-aws reads AllowedPattern as a JavaScript regex, AWS as Java: there \p{Alnum}+ may pass; either way it is AWS's call, one parameter.
    expect(s.failed).to.deep.equal([
      { name: '/app/ami', error: 'ValidationException (field: DataType) [HTTP 400]' },
      { name: '/app/digits', error: 'ParameterPatternMismatchException (field: Value (AllowedPattern)) [HTTP 400]' },
      { name: '/app/future', error: 'ValidationException (field: DataType) [HTTP 400]' },
      { name: '/app/java', error: 'ParameterPatternMismatchException (field: Value (AllowedPattern)) [HTTP 400]' },
    ]);
    expect(s.notes).to.have.length(3);
    expect(run.stdout).to.contain('FAILED   /app/future  ValidationException (field: DataType) [HTTP 400]');
    expect(w.aws.ssm.get(SOURCE, '/app/json')?.DataType).to.equal('json');
  });

  it('the ARN before the name counts toward 1011 characters, for the region written to (verify: the archive region; restore: --target-region)', async () => {
    // 1011 - 'arn:aws:ssm:us-west-2:123456789012:parameter/'.length = 966 characters fit in us-west-2; eu-central-1 is 3 longer.
    const name = `/${'n'.repeat(966)}`;
    const key = await put([{ Name: name, Type: 'String', Value: 'v' }]);
    expect((await w.run('verify', '--archive', key)).code).to.equal(0);
    const longer = await put([{ Name: `${name}x`, Type: 'String', Value: 'v' }], 'longer.tar.gz');
    const refused = await w.run('verify', '--archive', longer);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain(`(Name with its ARN in ${SOURCE} longer than 1011 characters)`);
    const dr = await restore('--archive', key, '--target-region', DR, '--apply');
    expect(dr.code).to.equal(2);
    expect(dr.stderr).to.contain(`(Name with its ARN in ${DR} longer than 1011 characters)`);
    expect(dr.stderr).to.contain('nothing was written');
  });

  it('verify refuses exactly what restore refuses: deeply nested JSON and invalid labels (exit 2, nothing written)', async () => {
    // 20,000 nested arrays: JSON.stringify and JSON.parse of such an entry overflow the stack.
    const deep = (text: string) => text.replace('"DEEP"', `${'['.repeat(20000)}"x"${']'.repeat(20000)}`);
    const cases: [string, Record<string, unknown>[], RegExp, ((t: string) => string)?][] = [
      [
        'deep',
        [{ Name: '/app/deep', Type: 'String', Value: 'v', Tags: [{ Key: 'k', Value: 'v', Extra: 'DEEP' }] }],
        /nests JSON deeper than 4 levels in parameter #1/,
        deep,
      ],
      ['shallow extra', [{ Name: '/app/d2', Type: 'String', Value: 'v', Extra: [[[['x']]]] }], /nests JSON deeper than 4 levels/],
      ['label', [{ Name: '/app/l', Type: 'String', Value: 'v', Labels: ['9lives'] }], /\/app\/l \(1 label LabelParameterVersion would refuse/],
    ];
    for (const [what, parameters, message, edit] of cases) {
      const key = await put(parameters, 'judge.tar.gz', edit);
      const verify = await w.run('verify', '--archive', key);
      const run = await restore('--archive', key, '--apply');
      for (const r of [verify, run]) {
        expect(r.code, `${what}: ${r.stderr}`).to.equal(2);
        expect(r.stderr, what).to.match(message);
      }
    }
    expect(w.aws.ssm.list(SOURCE).filter((p) => /^\/app\/(deep|d2|l)$/.test(p.Name))).to.deep.equal([]);
  });

  it("restore keeps the tool's own configuration aside unless --include-config (plan and summary say so)", async () => {
    const regionList = `/jenkins/dev/backup/region-list`;
    const live = JSON.stringify([SOURCE, DR, 'ap-south-1']);
    w.aws.ssm.put(HOME, { Name: regionList, Value: live });
    const key = await put([
      { Name: '/app/a', Type: 'String', Value: 'v' },
      { Name: regionList, Type: 'String', Value: JSON.stringify([SOURCE]) },
    ]);
    const plan = await restore('--archive', key, '--target-region', HOME, '--overwrite');
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stdout).to.contain(`kept     ${regionList}  (the tool's configuration: not written without --include-config)`);
    expect(plan.stdout).not.to.match(/update +\/jenkins/);
    expect(summary().keptAside).to.deep.equal([regionList]);
    expect(summary().planned.update).to.deep.equal([]);
    const apply = await restore('--archive', key, '--target-region', HOME, '--overwrite', '--apply');
    expect(apply.code).to.equal(0);
    expect(w.aws.ssm.get(HOME, regionList)?.Value).to.equal(live);
    expect(summary().created).to.deep.equal(['/app/a']);
    const include = await restore('--archive', key, '--target-region', HOME, '--overwrite', '--apply', '--include-config');
    expect(include.code).to.equal(0);
    expect(summary().keptAside).to.deep.equal([]);
    expect(summary().updated).to.deep.equal([regionList]);
    expect(w.aws.ssm.get(HOME, regionList)?.Value).to.equal(JSON.stringify([SOURCE]));
  });

  it('aws:ec2:image: created only once GetParameter shows it; an AMI missing in the target region is pending, exit 1', async () => {
    const key = await put([
      { Name: '/app/ami-here', Type: 'String', Value: 'ami-0123456789abcdef0', DataType: 'aws:ec2:image' },
      { Name: '/app/ami-gone', Type: 'String', Value: 'ami-0fedcba9876543210', DataType: 'aws:ec2:image' },
      { Name: '/app/plain', Type: 'String', Value: 'v' },
    ]);
    w.aws.ssm.withdrawImage(DR, 'ami-0fedcba9876543210');
    w.aws.resetStats();
    const run = await restore('--archive', key, '--target-region', DR, '--apply', '--image-confirm-seconds', '2');
    expect(run.code, run.stderr).to.equal(1);
    const s = summary();
    expect(s.created).to.deep.equal(['/app/ami-here', '/app/plain']);
    expect(s.pending).to.deep.equal(['/app/ami-gone']);
    expect(s.failed).to.deep.equal([]);
    expect(s.counts.pending).to.equal(1);
    expect(run.stdout).to.contain('PENDING  /app/ami-gone');
    expect(run.stdout).not.to.match(/created +\/app\/ami-gone/);
    expect(run.stderr).to.contain('not confirmed (pending)');
    expect(w.aws.stats().operations['ssm:GetParameter']).to.be.at.least(3); // one for the AMI present, polls for the missing one
    expect(w.aws.ssm.get(DR, '/app/ami-gone')).to.equal(undefined);
  });

  it('reserved aws: tags are reported and never sent (CloudFormation-made parameters restore with their own tags)', async () => {
    const Tags = [
      { Key: 'team', Value: 'a' },
      { Key: 'aws:cloudformation:stack-name', Value: 'stack' },
      { Key: 'aws:cloudformation:logical-id', Value: 'Param' },
    ];
    const key = await put([{ Name: '/app/cfn', Type: 'String', Value: 'v', Tags }]);
    const run = await restore('--archive', key, '--target-region', DR, '--apply');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.contain('reserved tags aws:cloudformation:stack-name, aws:cloudformation:logical-id (aws: prefix) not sent');
    expect(summary().created).to.deep.equal(['/app/cfn']);
    expect(summary().notes).to.deep.equal(['/app/cfn: reserved tags aws:cloudformation:stack-name, aws:cloudformation:logical-id (aws: prefix) not sent']);
    expect(w.aws.ssm.get(DR, '/app/cfn')?.Tags).to.deep.equal([{ Key: 'team', Value: 'a' }]);
    // Live with the reserved tags (as CloudFormation made it): nothing to do, and --exact-tags never removes them.
    w.aws.ssm.put(SOURCE, { Name: '/app/cfn', Value: 'v', Tags });
    const again = await restore('--archive', key, '--apply', '--overwrite', '--exact-tags');
    expect(again.code, again.stderr).to.equal(0);
    expect(summary().planned.update).to.deep.equal([]);
    expect(w.aws.ssm.get(SOURCE, '/app/cfn')?.Tags).to.have.length(3);
  });
});
