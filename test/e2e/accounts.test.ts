import { expect } from 'chai';
import sinon from 'sinon';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localAwsEmulator, motoEmulator, type Emulator } from '../helpers/emulators.js';
import { runCli } from '../helpers/cli.js';
import { Organisation, ENV, HOME, MEMBERS, REGIONS, appName, memberBucket, externalId } from '../helpers/accounts.js';
import { AwsClientFactory } from '../../ts/lib/aws/index.js';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { renderBackupReport } from '../../ts/lib/report/index.js';

const COUNT = 4;
const [A, B, C] = MEMBERS;
type Entry = { status: string; accountId?: string; region?: string; parameterCount: number; artifactPath: string | null; failureMessage?: string };

/**
 * Multi-account backups (issue 21) on both emulators: the central account's accounts parameter lists three member
 * accounts; each member has two regions with its own buckets, keys and parameters. The engine assumes each member's
 * role and must back up each account into that account's buckets. local-aws also evaluates trust policies (moto
 * does not: it lets any caller assume any role), so the scenarios of a refused role run there only.
 */
for (const emulator of [localAwsEmulator(), motoEmulator()] as Emulator[]) {
  describe(`multi-account backups on ${emulator.name}`, function () {
    this.timeout(120000);
    let org: Organisation;
    let work: string;
    const local = () => (emulator.name === 'local-aws' ? (emulator as ReturnType<typeof localAwsEmulator>).aws() : undefined);
    const cli = (command: string, ...args: string[]) => runCli(emulator, [command, '--environment', ENV, '--ssm-home-region', HOME, ...args]);
    const backup = async (...args: string[]) => {
      const file = path.join(work, 'region_summaries.json');
      const run = await cli('backup', '--work-dir', work, ...args);
      const summary = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Entry>) : undefined;
      return { ...run, summary };
    };

    before(() => emulator.start());
    after(() => emulator.stop());
    beforeEach(async () => {
      await emulator.reset();
      work = mkdtempSync(path.join(tmpdir(), 'ssm-accounts-'));
      org = new Organisation(emulator, local());
      await org.seed(COUNT);
    });
    afterEach(() => {
      org.close();
      rmSync(work, { recursive: true, force: true });
    });

    it("backs up 3 accounts x 2 regions, each into its own account's buckets, one summary entry per unit", async () => {
      const run = await backup('--parallel-regions', '3');
      expect(run.code, run.stderr).to.equal(0);
      expect(Object.keys(run.summary!)).to.deep.equal(MEMBERS.flatMap((a) => REGIONS.map((r) => `${a}/${r}`)));
      for (const account of MEMBERS) {
        for (const region of REGIONS) {
          const entry = run.summary![`${account}/${region}`];
          expect(entry).to.include({ status: 'SUCCESS', accountId: account, region, parameterCount: COUNT + 2 });
          expect(entry.artifactPath).to.match(new RegExp(`^s3://${memberBucket(account, region)}/`));
          const keys = await org.objects(account, region);
          expect(keys.filter((k) => k.endsWith('.tar.gz'))).to.have.length(1);
        }
      }
      expect(run.stdout).to.contain('ACCOUNT').and.to.contain(`${A}  us-west-2`);
      const verify = await cli('verify', '--account', B, '--region', REGIONS[1]);
      expect(verify.code, verify.stderr).to.equal(0);
      expect(verify.stdout).to.contain('format: v2');
    });

    it("plan lists every account x region unit with each account's own plan, read through its role", async () => {
      const run = await cli('plan', '--accounts', `${A},${B}`);
      expect(run.code, run.stderr).to.equal(0);
      const plan = JSON.parse(run.stdout) as { units: string[]; accounts: { accountId: string; plan: { buckets: Record<string, string> } }[] };
      expect(plan.units).to.deep.equal([A, B].flatMap((a) => REGIONS.map((r) => `${a}/${r}`)));
      expect(plan.accounts[1].plan.buckets[REGIONS[0]]).to.equal(memberBucket(B, REGIONS[0]));
    });

    it('--accounts backs up a subset; an account id not in the accounts parameter is a usage error before anything acts', async () => {
      const subset = await backup('--accounts', C);
      expect(subset.code, subset.stderr).to.equal(0);
      expect(Object.keys(subset.summary!)).to.deep.equal(REGIONS.map((r) => `${C}/${r}`));
      expect(await org.objects(A, REGIONS[0])).to.deep.equal([]);
      rmSync(path.join(work, 'region_summaries.json'));
      const unknown = await backup('--accounts', `${A},444444444444`);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.contain('--accounts 444444444444 is not in /jenkins/dev/backup/accounts');
      expect(unknown.summary).to.equal(undefined);
      expect(await org.objects(A, REGIONS[0])).to.deep.equal([]);
    });

    it('branches write summary fragments of their own units; merge-summaries joins them into the one summary file', async () => {
      const fragments = [path.join(work, 'f1.json'), path.join(work, 'f2.json')];
      const one = await cli('backup', '--accounts', A, '--regions', REGIONS[0], '--work-dir', path.join(work, 'b1'), '--summary-fragment', fragments[0]);
      const two = await cli(
        'backup',
        '--accounts',
        `${B},${C}`,
        '--regions',
        REGIONS[1],
        '--work-dir',
        path.join(work, 'b2'),
        '--summary-fragment',
        fragments[1],
      );
      expect([one.code, two.code], one.stderr + two.stderr).to.deep.equal([0, 0]);
      const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, Entry>;
      expect(Object.keys(read(fragments[0]))).to.deep.equal([`${A}/${REGIONS[0]}`]);
      const summaryFile = path.join(work, 'merged.json');
      const merge = await runCli(emulator, ['merge-summaries', '--fragments', fragments.join(','), '--summary-file', summaryFile]);
      expect(merge.code, merge.stderr).to.equal(0);
      expect(read(summaryFile)).to.deep.equal({ ...read(fragments[0]), ...read(fragments[1]) });
      expect(Object.keys(read(summaryFile))).to.deep.equal([`${A}/${REGIONS[0]}`, `${B}/${REGIONS[1]}`, `${C}/${REGIONS[1]}`]);
    });

    it("a branch handed the build's multi-account plan (--plan-file) backs up its unit from that plan, without reading the account's configuration again", async () => {
      const planFile = path.join(work, 'plan.json');
      expect((await cli('plan', '--output-file', planFile)).code).to.equal(0);
      // The member's bucket parameter changes after the build planned: the branch keeps to the plan.
      await (
        await org.ssm(B, REGIONS[1])
      ).send(
        new PutParameterCommand({
          Name: `/jenkins/${ENV}/backup/${REGIONS[1]}/s3-bucket-name`,
          Value: 'ssm-backup-changed-after-plan',
          Type: 'String',
          Overwrite: true,
        }),
      );
      const fragment = path.join(work, 'fragment.json');
      const run = await cli('backup', '--plan-file', planFile, '--accounts', B, '--regions', REGIONS[1], '--work-dir', work, '--summary-fragment', fragment);
      expect(run.code, run.stderr).to.equal(0);
      const entries = JSON.parse(readFileSync(fragment, 'utf8')) as Record<string, Entry>;
      expect(Object.keys(entries)).to.deep.equal([`${B}/${REGIONS[1]}`]);
      expect(entries[`${B}/${REGIONS[1]}`]).to.include({ status: 'SUCCESS', accountId: B, parameterCount: COUNT + 2 });
      expect(entries[`${B}/${REGIONS[1]}`].artifactPath).to.match(new RegExp(`^s3://${memberBucket(B, REGIONS[1])}/`));
      expect(run.stderr).not.to.contain('ssm-backup-changed-after-plan');
    });

    it('--plan-file of a multi-account plan is checked before anything acts: accounts and regions must be planned, units must match', async () => {
      const planFile = path.join(work, 'plan.json');
      expect((await cli('plan', '--output-file', planFile, '--accounts', `${A},${B}`)).code).to.equal(0);
      const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { units: string[]; accounts: { accountId: string; roleArn: string }[] };
      const tampered = (change: (p: typeof plan) => void) => {
        const copy = JSON.parse(JSON.stringify(plan)) as typeof plan;
        change(copy);
        const f = path.join(work, `bad-${Math.random().toString(36).slice(2)}.json`);
        writeFileSync(f, JSON.stringify(copy));
        return f;
      };
      const cases: [string[], string][] = [
        [['--plan-file', planFile, '--accounts', C], `--accounts ${C} is not in --plan-file ${planFile}`],
        [['--plan-file', planFile, '--accounts', A, '--regions', 'ap-south-1'], `--regions ap-south-1 is not in the plan of account ${A}`],
        [['--plan-file', tampered((p) => p.units.push(`${C}/${REGIONS[0]}`))], 'units must be the {accountId}/{region} units'],
        [['--plan-file', tampered((p) => (p.accounts[0].roleArn = `arn:aws:iam::${C}:role/x`))], `is a role of account ${C}, not ${A}`],
        [['--plan-file', tampered((p) => (p.accounts[1] = { ...p.accounts[0] }))], `accounts lists account ${A} twice`],
      ];
      for (const [args, message] of cases) {
        const run = await cli('backup', ...args, '--work-dir', work);
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(2);
        expect(run.stderr, args.join(' ')).to.contain(message);
        expect(existsSync(path.join(work, 'region_summaries.json'))).to.equal(false);
      }
      for (const account of MEMBERS) expect(await org.objects(account, REGIONS[0])).to.deep.equal([]);
    });

    it('a branch given the merged summary of finished branches decides fail-fast from their recorded failures', async () => {
      const merged = path.join(work, 'merged.json');
      const failed = { status: 'FAILED', accountId: A, region: REGIONS[0], parameterCount: 0, artifactPath: null, executionTimeSec: 1, failureMessage: 'x' };
      writeFileSync(merged, JSON.stringify({ [`${A}/${REGIONS[0]}`]: failed }));
      const fragment = path.join(work, 'f3.json');
      const branch = (...extra: string[]) =>
        cli('backup', '--accounts', B, '--regions', REGIONS[1], '--work-dir', work, '--summary-file', merged, '--summary-fragment', fragment, ...extra);
      const skipped = await branch();
      expect(skipped.code, skipped.stderr).to.equal(0);
      const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, Entry>;
      expect(read(fragment)[`${B}/${REGIONS[1]}`]).to.include({ status: 'SKIPPED', accountId: B });
      expect(read(fragment)[`${B}/${REGIONS[1]}`].failureMessage).to.contain(`${A}/${REGIONS[0]} failed (fail-fast`);
      expect(read(merged)[`${A}/${REGIONS[0]}`]).to.deep.equal(failed);
      const ran = await branch('--no-fail-fast');
      expect(ran.code, ran.stderr).to.equal(0);
      expect(read(fragment)[`${B}/${REGIONS[1]}`].status).to.equal('SUCCESS');
    });

    it('refuses a role that lands in another account (config error naming both, exit 2, nothing written)', async () => {
      const real = AwsClientFactory.prototype.accountId;
      const stub = sinon.stub(AwsClientFactory.prototype, 'accountId').callsFake(async function (this: AwsClientFactory, region: string) {
        const answer = await real.call(this, region);
        return answer === B ? '999999999999' : answer;
      });
      try {
        const run = await backup('--no-fail-fast');
        expect(run.code, run.stderr).to.equal(2);
        expect(run.stderr).to.contain(`landed in account 999999999999, not the configured ${B}`);
        expect(run.summary).to.equal(undefined);
        for (const account of MEMBERS) expect(await org.objects(account, REGIONS[0])).to.deep.equal([]);
      } finally {
        stub.restore();
      }
    });

    it("restore --account puts one account's archive back into another region of that account only", async () => {
      expect((await backup()).code).to.equal(0);
      const name = appName(B, REGIONS[0], 1);
      const restore = await cli(
        'restore',
        '--account',
        B,
        '--region',
        REGIONS[0],
        '--target-region',
        REGIONS[1],
        '--names',
        name,
        '--apply',
        '--work-dir',
        work,
      );
      expect(restore.code, restore.stderr).to.equal(0);
      expect(await org.value(B, REGIONS[1], name)).to.equal(`value-${B}-${REGIONS[0]}-1`);
      expect(await org.value(A, REGIONS[1], name)).to.equal(undefined);
      const list = await cli('list', '--account', B, '--region', REGIONS[0]);
      expect(list.code, list.stderr).to.equal(0);
      expect(list.stdout).to.contain(`s3://${memberBucket(B, REGIONS[0])}`);
      const history = await cli('history', '--account', B, '--region', REGIONS[0], '--name', name);
      expect(history.code, history.stderr).to.equal(0);
      expect(history.stdout).to.contain(memberBucket(B, REGIONS[0]));
      const diff = await cli('diff', '--account', C, '--region', REGIONS[1]);
      expect(diff.code, diff.stderr).to.equal(0);
      expect(diff.stderr).to.contain(`Account ${C} through arn:aws:iam::${C}:role/jenkins-ssm-restore-${ENV}`);
    });

    it("restore --account B --target-account C puts B's archive into C's region, each through its restore role; B and A unchanged", async () => {
      expect((await backup()).code).to.equal(0);
      const region = REGIONS[0];
      const names = [appName(B, region, 0), appName(B, region, 1)]; // a String and a SecureString
      const args = ['--account', B, '--region', region, '--target-account', C, '--names', names.join(','), '--work-dir', work];
      const plan = await cli('restore', ...args);
      expect(plan.code, plan.stderr).to.equal(0);
      expect(plan.stdout).to.contain(`create   ${names[0]}`).and.to.contain(`create   ${names[1]}`);
      expect(plan.stderr).to.contain(`Archive of account ${B}; live parameters of account ${C}`);
      for (const n of names) expect(await org.value(C, region, n)).to.equal(undefined);
      const applied = await cli('restore', ...args, '--apply', '--output', 'json');
      expect(applied.code, applied.stderr).to.equal(0);
      const summary = JSON.parse(applied.stdout) as { sourceAccountId: string; targetAccountId: string; created: string[]; targetRegion: string };
      expect(summary).to.include({ sourceAccountId: B, targetAccountId: C, targetRegion: region });
      expect(summary.created).to.have.members(names);
      expect(await org.value(C, region, names[0])).to.equal(`value-${B}-${region}-0`);
      expect(await org.value(C, region, names[1])).to.equal(`value-${B}-${region}-1`);
      for (const account of [A]) for (const n of names) expect(await org.value(account, region, n)).to.equal(undefined);
      expect(applied.stdout + applied.stderr).not.to.contain(`value-${B}-${region}-1`);
      // diff compares the same archive with the target account: nothing left to create
      const diff = await cli('diff', '--account', B, '--region', region, '--target-account', C, '--output', 'json');
      expect(diff.code, diff.stderr).to.equal(0);
      const d = JSON.parse(diff.stdout) as { targetAccountId: string; created: string[]; unchanged: string[] };
      expect(d.targetAccountId).to.equal(C);
      expect(d.unchanged).to.include.members(names);
      expect(d.created).not.to.include.members(names);
    });

    it("a SecureString under a key of the archive's account is refused in the target account until --kms-key-map names a key there", async () => {
      const region = REGIONS[0];
      const name = '/app/keyed/secret';
      await org.createKey(B, region, 'alias/app-only-in-b');
      await (
        await org.ssm(B, region)
      ).send(new PutParameterCommand({ Name: name, Value: 'keyed-secret-value', Type: 'SecureString', KeyId: 'alias/app-only-in-b' }));
      expect((await backup('--accounts', B)).code).to.equal(0);
      const args = ['--account', B, '--region', region, '--target-account', C, '--names', name, '--apply', '--work-dir', work];
      const refused = await cli('restore', ...args);
      expect(refused.code, refused.stderr).to.equal(2);
      expect(refused.stderr).to.contain('alias/app-only-in-b').and.to.contain('--kms-key-map');
      expect(await org.value(C, region, name)).to.equal(undefined);
      const mapped = await cli('restore', ...args, '--kms-key-map', 'alias/app-only-in-b=alias/ssm-backup');
      expect(mapped.code, mapped.stderr).to.equal(0);
      expect(await org.value(C, region, name)).to.equal('keyed-secret-value');
      expect(refused.stderr + mapped.stderr + mapped.stdout).not.to.contain('keyed-secret-value');
    });

    it('--target-account not in the accounts parameter, or --target-role-arn without it or of another account, is a usage error before anything acts', async () => {
      const before = await org.objects(B, REGIONS[0]);
      for (const [args, message] of [
        [['--account', B, '--target-account', '444444444444'], `--target-account 444444444444 is not in /jenkins/${ENV}/backup/accounts`],
        [['--target-account', '12345'], '--target-account "12345" is not a 12-digit account id'],
        [['--target-role-arn', `arn:aws:iam::${C}:role/x`], '--target-role-arn needs --target-account'],
        [
          ['--target-account', C, '--target-role-arn', `arn:aws:iam::${A}:role/x`],
          `--target-role-arn arn:aws:iam::${A}:role/x is not a role ARN of account ${C}`,
        ],
      ] as [string[], string][]) {
        for (const command of ['restore', 'diff']) {
          const run = await cli(command, '--region', REGIONS[0], ...args, ...(command === 'restore' ? ['--work-dir', work] : []));
          expect(run.code, `${command} ${args.join(' ')}: ${run.stderr}`).to.equal(2);
          expect(
            run.stderr
              .trim()
              .split('\n')
              .filter((l) => l.includes(message)),
            run.stderr,
          ).to.have.length(1);
        }
      }
      expect(await org.objects(B, REGIONS[0])).to.deep.equal(before);
      expect(existsSync(path.join(work, 'restore_summary.json'))).to.equal(false);
    });

    if (emulator.name === 'local-aws') {
      it('a central account that cannot read the accounts parameter fails the run naming it (exit 1), nothing written', async () => {
        local()!.faults.add({
          service: 'ssm',
          operation: 'GetParameter',
          match: `/jenkins/${ENV}/backup/accounts`,
          error: { code: 'AccessDeniedException', status: 400 },
        });
        const run = await backup();
        expect(run.code).to.equal(1);
        expect(run.stderr).to.contain(`Could not read /jenkins/${ENV}/backup/accounts in ${HOME}: AccessDeniedException`);
        expect(run.summary).to.equal(undefined);
      });

      it("a role that cannot be assumed fails that account's units with the AWS cause; --no-fail-fast backs up the others", async () => {
        org.trust(B, 'another-external-id');
        const run = await backup('--no-fail-fast');
        expect(run.code).to.equal(1);
        // Its region list could not be read: one entry at the home region, where its configuration lives.
        expect(Object.keys(run.summary!).filter((k) => k.startsWith(B))).to.deep.equal([`${B}/${HOME}`]);
        for (const account of [A, C]) for (const region of REGIONS) expect(run.summary![`${account}/${region}`].status).to.equal('SUCCESS');
        expect(run.summary![`${B}/${HOME}`]).to.include({ status: 'FAILED', accountId: B });
        expect(run.summary![`${B}/${HOME}`].failureMessage).to.contain('AccessDenied').and.to.contain('is not authorized to perform: sts:AssumeRole');
        const report = renderBackupReport(run.summary!, { environment: ENV });
        expect(report.headline).to.match(/^FAILURE - 4\/5 units in 3 accounts, 24 parameters/);
        expect(report.description).to.match(new RegExp(`^FAILED ${B} ${HOME}: Could not assume`));
      });

      it('a target account whose restore role does not trust the caller: restore fails with the AWS cause, nothing is written anywhere', async () => {
        expect((await backup()).code).to.equal(0);
        org.trust(C, 'another-external-id');
        const name = appName(B, REGIONS[0], 0);
        const run = await cli('restore', '--account', B, '--region', REGIONS[0], '--target-account', C, '--names', name, '--apply', '--work-dir', work);
        expect(run.code, run.stderr).to.equal(1);
        expect(run.stderr).to.contain('AccessDenied').and.to.contain('sts:AssumeRole');
        expect(existsSync(path.join(work, 'restore_summary.json'))).to.equal(false);
        org.trust(C);
        expect(await org.value(C, REGIONS[0], name)).to.equal(undefined);
      });

      it('an account the build could not plan fails its unit with the planned cause when handed the plan file, without assuming its role again', async () => {
        org.trust(B, 'another-external-id');
        const planFile = path.join(work, 'plan.json');
        const plan = await cli('plan', '--output-file', planFile);
        expect(plan.code).to.equal(1);
        org.trust(B); // the role would work now: the branch keeps to what the build planned
        const run = await cli('backup', '--plan-file', planFile, '--accounts', B, '--work-dir', work);
        expect(run.code).to.equal(1);
        const summary = JSON.parse(readFileSync(path.join(work, 'region_summaries.json'), 'utf8')) as Record<string, Entry>;
        expect(Object.keys(summary)).to.deep.equal([`${B}/${HOME}`]);
        expect(summary[`${B}/${HOME}`]).to.include({ status: 'FAILED', accountId: B });
        expect(summary[`${B}/${HOME}`].failureMessage).to.contain('sts:AssumeRole');
        for (const region of REGIONS) expect(await org.objects(B, region)).to.deep.equal([]);
        // Planned with --regions, the unplannable account has a unit per region; each fails with the planned cause.
        org.trust(B, 'another-external-id');
        expect((await cli('plan', '--output-file', planFile, '--regions', REGIONS.join(','))).code).to.equal(1);
        org.trust(B);
        const units = JSON.parse(readFileSync(planFile, 'utf8')).units as string[];
        expect(units.filter((u) => u.startsWith(B))).to.deep.equal(REGIONS.map((r) => `${B}/${r}`));
        for (const region of REGIONS) {
          const fragment = path.join(work, `f-${region}.json`);
          const unit = await cli('backup', '--plan-file', planFile, '--accounts', B, '--regions', region, '--work-dir', work, '--summary-fragment', fragment);
          expect(unit.code, unit.stderr).to.equal(1);
          const entry = (JSON.parse(readFileSync(fragment, 'utf8')) as Record<string, Entry>)[`${B}/${region}`];
          expect(entry).to.include({ status: 'FAILED', accountId: B });
          expect(entry.failureMessage).to.contain('sts:AssumeRole');
        }
        const other = await cli(
          'backup',
          '--plan-file',
          planFile,
          '--accounts',
          A,
          '--regions',
          REGIONS[0],
          '--work-dir',
          work,
          '--summary-fragment',
          path.join(work, 'fa.json'),
        );
        expect(other.code, other.stderr).to.equal(0);
      });

      it('with fail-fast, a role that cannot be assumed stops every other unit before it starts', async () => {
        org.trust(A, undefined);
        org.trust(C, externalId(A));
        const run = await backup('--regions', REGIONS.join(','));
        expect(run.code).to.equal(1);
        for (const region of REGIONS) {
          expect(run.summary![`${C}/${region}`].status).to.equal('FAILED');
          expect(run.summary![`${A}/${region}`].status).to.equal('SKIPPED');
          expect(run.summary![`${B}/${region}`].status).to.equal('SKIPPED');
        }
        expect(await org.objects(A, REGIONS[0])).to.deep.equal([]);
      });
    }
  });
}
