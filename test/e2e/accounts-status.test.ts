import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SSMClient, PutParameterCommand, DeleteParameterCommand } from '@aws-sdk/client-ssm';
import { clientConfig, localAwsEmulator, motoEmulator, type Emulator } from '../helpers/emulators.js';
import { runCli } from '../helpers/cli.js';
import { Organisation, ENV, HOME, MEMBERS, REGIONS, backupRole, externalId, memberBucket } from '../helpers/accounts.js';

const [A, B, C] = MEMBERS;
interface Row {
  accountId?: string;
  region: string;
  bucket: string | null;
  verdict: string;
  reason: string;
  latest: { parameterCount: number } | null;
}

/**
 * `status --accounts` (issue 23 across issue 21's accounts) on both emulators: every member account's own
 * configuration and buckets, read through its role as backup reads them. local-aws evaluates trust policies and
 * bucket owners; moto lets any caller assume any role and does not check ExpectedBucketOwner, so the refused-role and
 * wrong-owner scenarios run on local-aws only.
 */
for (const emulator of [localAwsEmulator(), motoEmulator()] as Emulator[]) {
  describe(`status across accounts on ${emulator.name}`, function () {
    this.timeout(120000);
    let org: Organisation;
    let work: string;
    const local = () => (emulator.name === 'local-aws' ? (emulator as ReturnType<typeof localAwsEmulator>).aws() : undefined);
    const cli = (command: string, ...args: string[]) => runCli(emulator, [command, '--environment', ENV, '--ssm-home-region', HOME, ...args]);
    const json = async (...args: string[]) => {
      const run = await cli('status', '--output', 'json', ...args);
      return { ...run, rows: (JSON.parse(run.stdout || '{"regions":[]}') as { regions: Row[] }).regions };
    };

    before(() => emulator.start());
    after(() => emulator.stop());
    beforeEach(async () => {
      await emulator.reset();
      work = mkdtempSync(path.join(tmpdir(), 'ssm-accounts-status-'));
      org = new Organisation(emulator, local());
      await org.seed(2);
      const run = await cli('backup', '--work-dir', work, '--accounts', `${A},${B}`);
      expect(run.code, run.stderr).to.equal(0);
    });
    afterEach(() => {
      org.close();
      rmSync(work, { recursive: true, force: true });
    });

    it("shows one row per account x region from each account's own buckets; an account never backed up is FAILING", async () => {
      const run = await json();
      expect(run.code, run.stderr).to.equal(1);
      expect(run.rows.map((r) => `${r.accountId} ${r.region}`)).to.deep.equal(MEMBERS.flatMap((a) => REGIONS.map((r) => `${a} ${r}`)));
      for (const r of run.rows) expect(r.bucket).to.equal(memberBucket(r.accountId!, r.region));
      for (const r of run.rows.filter((r) => r.accountId !== C))
        expect(r, r.reason).to.include({ verdict: 'OK' }) && expect(r.latest!.parameterCount).to.equal(4);
      for (const r of run.rows.filter((r) => r.accountId === C))
        expect(r).to.include({ verdict: 'FAILING', reason: `no archive in s3://${memberBucket(C, r.region)}` });
      expect(run.stderr).to.contain(`status: 6 account x region units`);

      const subset = await json('--accounts', `${B},${A}`, '--regions', REGIONS[1]);
      expect(subset.code, subset.stderr).to.equal(0);
      expect(subset.rows.map((r) => `${r.accountId} ${r.region}`)).to.deep.equal([`${A} ${REGIONS[1]}`, `${B} ${REGIONS[1]}`]);
    });

    it('prints an ACCOUNT column and a tally of units in accounts; the page and the chart name each account', async () => {
      const run = await cli('status');
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).to.match(/^ACCOUNT\s+REGION\s+VERDICT\s+LATEST/);
      expect(lines[1]).to.match(new RegExp(`^${A}\\s+${REGIONS[0]}\\s+OK\\s`));
      expect(lines).to.include(`${C} ${REGIONS[0]}: FAILING: no archive in s3://${memberBucket(C, REGIONS[0])}`);
      expect(lines[lines.length - 1]).to.equal(`${ENV}: 4/6 units OK in 3 accounts`);

      // An alias labels the account's chart series; the table keeps the id beside it.
      const central = new SSMClient(clientConfig(emulator.endpoint, HOME));
      const entries = MEMBERS.map((a) => ({ accountId: a, roleArn: backupRole(a), externalId: externalId(a), ...(a === B ? { alias: 'payments-prod' } : {}) }));
      await central.send(new PutParameterCommand({ Name: `/jenkins/${ENV}/backup/accounts`, Value: JSON.stringify(entries), Type: 'String', Overwrite: true }));
      central.destroy();
      const page = path.join(work, 'report', 'nested', 'status.html'); // directories created
      const chart = path.join(work, 'report', 'parameters.svg');
      const html = await cli('status', '--output', 'html', '--output-file', page, '--chart', chart);
      expect(html.code, html.stderr).to.equal(1);
      const text = readFileSync(page, 'utf8');
      expect(text)
        .to.contain('<th>ACCOUNT</th><th>REGION</th>')
        .and.to.contain(`<td>${B} (payments-prod)</td>`)
        .and.to.contain(`<b>${C} ${REGIONS[1]}</b> FAILING`);
      const svg = readFileSync(chart, 'utf8');
      expect(svg).to.contain(`>${A} ${REGIONS[0]} (4)<`).and.to.contain(`>payments-prod ${REGIONS[1]} (4)<`).and.to.contain(`>${C} ${REGIONS[0]} (no data)<`);
    });

    it('without the accounts parameter nothing changes: no ACCOUNT column, no accountId; --accounts then is a usage error', async () => {
      const central = new SSMClient(clientConfig(emulator.endpoint, HOME));
      await central.send(new PutParameterCommand({ Name: `/jenkins/${ENV}/backup/region-list`, Value: JSON.stringify([HOME]), Type: 'String' }));
      await central.send(new PutParameterCommand({ Name: `/jenkins/${ENV}/backup/default-region`, Value: HOME, Type: 'String' }));
      await central.send(new DeleteParameterCommand({ Name: `/jenkins/${ENV}/backup/accounts` }));
      central.destroy();
      const run = await json();
      expect(run.code, run.stderr).to.equal(1);
      expect(run.rows.map((r) => [r.region, r.accountId])).to.deep.equal([[HOME, undefined]]);
      expect((await cli('status')).stdout).to.match(/^REGION\s+VERDICT/);
      const refused = await cli('status', '--accounts', A);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.contain(`--accounts needs /jenkins/${ENV}/backup/accounts in ${HOME}, which does not exist`);
    });

    it('refuses an unknown account id, a bad id, and an output whose directory cannot be created (exit 2, one line, nothing written)', async () => {
      const unknown = await cli('status', '--accounts', '444444444444');
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.contain('--accounts 444444444444 is not in /jenkins/dev/backup/accounts');
      const bad = await cli('status', '--accounts', '1234');
      expect(bad.code).to.equal(2);
      expect(bad.stderr.trim().split('\n')).to.have.length(1);
      for (const option of ['--chart', '--output-file']) {
        const file = path.join(work, 'region_summaries.json', 'x.svg'); // its "directory" is a file
        const run = await cli('status', option, file);
        expect(run.code).to.equal(2);
        expect(run.stderr.trim()).to.equal(
          `ssm-backup: ${option} "${file}": ${path.join(work, 'region_summaries.json')} is a file, not a directory: choose another path (see ssm-backup --help)`,
        );
        expect(existsSync(file)).to.equal(false);
      }
    });

    if (emulator.name === 'local-aws') {
      it("a role that cannot be assumed is a FAILING row with the AWS cause; the other accounts' rows stand", async () => {
        org.trust(B, 'another-external-id');
        const run = await json();
        expect(run.code).to.equal(1);
        const rows = run.rows.filter((r) => r.accountId === B);
        expect(rows.map((r) => r.region)).to.deep.equal([HOME]); // its region list could not be read
        expect(rows[0].verdict).to.equal('FAILING');
        expect(rows[0].reason)
          .to.contain(`Could not assume ${backupRole(B)}`)
          .and.to.contain('AccessDenied');
        expect(run.rows.filter((r) => r.accountId === A).map((r) => r.verdict)).to.deep.equal(['OK', 'OK']);
        const listed = await json('--regions', REGIONS.join(','));
        expect(listed.rows.filter((r) => r.accountId === B).map((r) => `${r.region} ${r.verdict}`)).to.deep.equal(REGIONS.map((r) => `${r} FAILING`));
      });

      it('reads each bucket with ExpectedBucketOwner = its account: a bucket another account owns is FAILING', async () => {
        local()!.s3.setBucketOwner(memberBucket(A, REGIONS[0]), B);
        const run = await json('--accounts', A);
        const [taken, own] = run.rows;
        expect(taken).to.include({ accountId: A, region: REGIONS[0], verdict: 'FAILING' });
        expect(taken.reason).to.contain('AccessDenied');
        expect(own).to.include({ accountId: A, region: REGIONS[1], verdict: 'OK' });
      });
    }
  });
}
