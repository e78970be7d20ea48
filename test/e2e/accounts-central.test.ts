import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, localAwsEmulator, motoEmulator, type Emulator } from '../helpers/emulators.js';
import { runCli } from '../helpers/cli.js';
import { Organisation, ENV, HOME, MEMBERS, REGIONS, BACKUP_ACCOUNT, appName, memberBucket, centralRole, backupRole, externalId } from '../helpers/accounts.js';

const COUNT = 4;
const [A, B] = MEMBERS;
type Entry = { status: string; accountId?: string; parameterCount: number; artifactPath: string | null; failureMessage?: string };

/**
 * Issue 21's optional central backup account: the accounts entries name `backupAccountId`; each member's bucket
 * parameters name that account's buckets; the engine writes each member's archives under `{member}/` there, with
 * ExpectedBucketOwner = the backup account, and every reader (list, verify, restore, status) finds them there.
 */
for (const emulator of [localAwsEmulator(), motoEmulator()] as Emulator[]) {
  describe(`a central backup account on ${emulator.name}`, function () {
    this.timeout(120000);
    let org: Organisation;
    let work: string;
    const local = () => (emulator.name === 'local-aws' ? (emulator as ReturnType<typeof localAwsEmulator>).aws() : undefined);
    const cli = (command: string, ...args: string[]) => runCli(emulator, [command, '--environment', ENV, '--ssm-home-region', HOME, ...args]);
    const central = (region: string) => memberBucket(BACKUP_ACCOUNT, region);
    const centralKeys = (region: string) => org.keys(BACKUP_ACCOUNT, region, central(region), centralRole);
    const summary = () => JSON.parse(readFileSync(path.join(work, 'region_summaries.json'), 'utf8')) as Record<string, Entry>;

    before(() => emulator.start());
    after(() => emulator.stop());
    beforeEach(async () => {
      await emulator.reset();
      work = mkdtempSync(path.join(tmpdir(), 'ssm-central-'));
      org = new Organisation(emulator, local());
      await org.seed(COUNT, [A, B], BACKUP_ACCOUNT);
    });
    afterEach(() => {
      org.close();
      rmSync(work, { recursive: true, force: true });
    });

    it("backs up each member into the backup account's buckets under its own prefix; reports name the real place", async () => {
      const run = await cli('backup', '--work-dir', work);
      expect(run.code, run.stderr).to.equal(0);
      for (const account of [A, B]) {
        for (const region of REGIONS) {
          const entry = summary()[`${account}/${region}`];
          expect(entry).to.include({ status: 'SUCCESS', accountId: account, parameterCount: COUNT + 2 });
          expect(entry.artifactPath).to.match(
            new RegExp(`^s3://${central(region)}/${account}/\\d{4}-\\d\\d-\\d\\d/ssm-backup-${ENV}-${region}-\\d{8}_\\d{6}\\.tar\\.gz$`),
          );
        }
      }
      for (const region of REGIONS) {
        const keys = await centralKeys(region);
        // every object under a member's prefix: its archive, index and latest.txt; nothing at the bucket's root
        expect(keys.filter((k) => !k.startsWith(`${A}/`) && !k.startsWith(`${B}/`))).to.deep.equal([]);
        for (const account of [A, B]) {
          expect(keys).to.include(`${account}/latest.txt`);
          expect(keys.filter((k) => k.startsWith(`${account}/`) && k.endsWith('.tar.gz'))).to.have.length(1);
        }
      }
      expect(run.stdout + run.stderr).not.to.contain(`value-${A}-${REGIONS[0]}-1`);
    });

    it('list, verify, restore and status of a member read its prefix only; a second backup compares with its own previous', async () => {
      expect((await cli('backup', '--work-dir', work)).code).to.equal(0);
      const list = await cli('list', '--account', A, '--region', REGIONS[0], '--output', 'json');
      expect(list.code, list.stderr).to.equal(0);
      const listed = JSON.parse(list.stdout) as { bucket: string; archives: { key: string; latest: boolean }[] };
      expect(listed.archives).to.have.length(1);
      expect(listed.archives[0].latest).to.equal(true);
      const verify = await cli('verify', '--account', B, '--region', REGIONS[1]);
      expect(verify.code, verify.stderr).to.equal(0);
      // the address the summary prints is what --archive takes
      const printed = summary()[`${B}/${REGIONS[1]}`].artifactPath as string;
      const byUrl = await cli('verify', '--account', B, '--region', REGIONS[1], '--archive', printed);
      expect(byUrl.code, byUrl.stderr).to.equal(0);
      const other = await cli('verify', '--account', A, '--region', REGIONS[1], '--archive', printed);
      expect(other.code).to.equal(2);
      expect(other.stderr).to.contain('not in this region');
      const name = appName(A, REGIONS[0], 1);
      const restore = await cli(
        'restore',
        '--account',
        A,
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
      expect(await org.value(A, REGIONS[1], name)).to.equal(`value-${A}-${REGIONS[0]}-1`);
      const status = await cli('status', '--output', 'json');
      expect(status.code, status.stderr).to.equal(0);
      const rows = (JSON.parse(status.stdout) as { regions: { accountId: string; verdict: string; bucket: string }[] }).regions;
      expect(rows.map((r) => [r.accountId, r.verdict])).to.deep.equal([A, A, B, B].map((a) => [a, 'OK']));
      expect(rows[0].bucket).to.equal(`${central(REGIONS[0])}/${A}`);
      // the bucket's lifecycle is the backup account's: not read from a member, said so
      const oldest = (JSON.parse(status.stdout) as { regions: { oldest: { expiresAt: string } }[] }).regions[0].oldest;
      expect(oldest.expiresAt).to.equal('unknown');
      // A's second backup: drift against A's own previous archive (B's archives in the same bucket are not its)
      const again = await cli('backup', '--accounts', A, '--work-dir', work);
      expect(again.code, again.stderr).to.equal(0);
      expect(summary()[`${A}/${REGIONS[0]}`]).to.include({ status: 'SUCCESS', parameterCount: COUNT + 2 });
    });

    it("a branch handed the build's plan writes to the same place; a plan file whose prefix names another member is refused", async () => {
      const planFile = path.join(work, 'plan.json');
      expect((await cli('plan', '--output-file', planFile)).code).to.equal(0);
      const plan = JSON.parse(readFileSync(planFile, 'utf8')) as {
        accounts: { accountId: string; backupAccountId: string; plan: { buckets: Record<string, string> } }[];
      };
      expect(plan.accounts[0]).to.include({ accountId: A, backupAccountId: BACKUP_ACCOUNT });
      expect(plan.accounts[0].plan.buckets[REGIONS[0]]).to.equal(`${central(REGIONS[0])}/${A}`);
      const unit = await cli(
        'backup',
        '--plan-file',
        planFile,
        '--accounts',
        B,
        '--regions',
        REGIONS[1],
        '--work-dir',
        work,
        '--summary-fragment',
        path.join(work, 'f.json'),
      );
      expect(unit.code, unit.stderr).to.equal(0);
      expect((await centralKeys(REGIONS[1])).filter((k) => k.endsWith('.tar.gz')).map((k) => k.split('/')[0])).to.deep.equal([B]);
      // A's plan pointing at B's prefix (to overwrite B's latest.txt): refused before anything acts
      plan.accounts[0].plan.buckets[REGIONS[0]] = `${central(REGIONS[0])}/${B}`;
      const tampered = path.join(work, 'tampered.json');
      writeFileSync(tampered, JSON.stringify(plan));
      const refused = await cli('backup', '--plan-file', tampered, '--accounts', A, '--work-dir', work);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.contain(`not a bucket of the backup account followed by /${A}`);
      expect((await centralKeys(REGIONS[0])).filter((k) => k.endsWith('.tar.gz'))).to.deep.equal([]);
    });

    it("a dry run checks the member's prefix in the backup account's bucket, not settings that are the backup account's", async () => {
      const run = await cli('backup', '--dry-run', '--accounts', A, '--regions', REGIONS[0], '--work-dir', work);
      expect(run.code, run.stderr).to.equal(0);
      expect(summary()[`${A}/${REGIONS[0]}`].status).to.equal('SUCCESS');
      expect(run.stderr).not.to.match(/check (FAIL|WARN): (versioning|public access block|bucket policy|lifecycle)/);
      expect(await centralKeys(REGIONS[0])).to.deep.equal([]);
    });

    if (emulator.name === 'local-aws') {
      // moto does not check ExpectedBucketOwner on object calls; local-aws answers as S3 does (403 AccessDenied).
      it('a bucket that the backup account does not own is refused (ExpectedBucketOwner), nothing written there', async () => {
        const stranger = '444444444444';
        local()!.s3.setBucketOwner(central(REGIONS[0]), stranger);
        const run = await cli('backup', '--no-fail-fast', '--work-dir', work);
        expect(run.code).to.equal(1);
        for (const account of [A, B]) {
          expect(summary()[`${account}/${REGIONS[0]}`].status).to.equal('FAILED');
          expect(summary()[`${account}/${REGIONS[0]}`].failureMessage).to.contain('AccessDenied');
          expect(summary()[`${account}/${REGIONS[1]}`].status).to.equal('SUCCESS');
        }
        // a dry run says so before anything: the prefix check fails, naming the backup account
        const dry = await cli('backup', '--dry-run', '--accounts', A, '--regions', REGIONS[0], '--work-dir', work);
        expect(dry.code).to.equal(1);
        expect(summary()[`${A}/${REGIONS[0]}`].failureMessage).to.contain(`the bucket is not owned by the backup account ${BACKUP_ACCOUNT}`);
        local()!.s3.setBucketOwner(central(REGIONS[0]), BACKUP_ACCOUNT);
        expect(await centralKeys(REGIONS[0])).to.deep.equal([]);
      });
    }

    it('a backupAccountId that is not 12 digits, or a bucket parameter holding a slash, is refused before anything acts', async () => {
      const ssm = await org.ssm(A, REGIONS[0]);
      const entries = [{ accountId: A, roleArn: backupRole(A), externalId: externalId(A), backupAccountId: 99 }];
      // the central account's own credentials write the accounts parameter
      const home = new SSMClient(clientConfig(emulator.endpoint, HOME));
      try {
        await home.send(new PutParameterCommand({ Name: `/jenkins/${ENV}/backup/accounts`, Value: JSON.stringify(entries), Type: 'String', Overwrite: true }));
        const bad = await cli('backup', '--work-dir', work);
        expect(bad.code).to.equal(2);
        expect(bad.stderr).to.contain('backupAccountId must be the 12-digit id of the central backup account');
        const good = [{ ...entries[0], backupAccountId: BACKUP_ACCOUNT }];
        await home.send(new PutParameterCommand({ Name: `/jenkins/${ENV}/backup/accounts`, Value: JSON.stringify(good), Type: 'String', Overwrite: true }));
        await ssm.send(
          new PutParameterCommand({
            Name: `/jenkins/${ENV}/backup/${REGIONS[0]}/s3-bucket-name`,
            Value: `${central(REGIONS[0])}/${B}`,
            Type: 'String',
            Overwrite: true,
          }),
        );
        const slash = await cli('backup', '--work-dir', work, '--regions', REGIONS[0]);
        expect(slash.code).to.equal(2);
        expect(slash.stderr).to.contain("an S3 bucket name has no '/'");
        expect(existsSync(path.join(work, 'region_summaries.json'))).to.equal(false);
      } finally {
        home.destroy();
      }
      expect(await centralKeys(REGIONS[0])).to.deep.equal([]);
    });
  });
}
