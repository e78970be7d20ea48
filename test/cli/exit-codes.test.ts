import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { seedBackupConfig, bucketFor, HOME } from '../helpers/fixtures.js';

const R = 'us-west-2';

/** Every "exit N" / "exit code N" a run prints (stdout and stderr), as numbers. */
const namedCodes = (run: CliRun): number[] => [...`${run.stdout}\n${run.stderr}`.matchAll(/\bexit(?:s| code)? (\d+)\b/g)].map((m) => Number(m[1]));

/**
 * A message that names an exit code names the one the process exits with: `check` of an environment that does not
 * exist exits 2 (bad configuration), and its table must not say "exit 1".
 */
describe('messages that name an exit code tell the truth', function () {
  this.timeout(60000);
  let aws: LocalAws;
  before(async () => {
    aws = await startLocalAws();
    seedBackupConfig(aws, [HOME, R]);
  });
  after(() => aws.stop());

  const cli = (...args: string[]) => runCli(aws, [...args, '--ssm-home-region', HOME]);
  /** [what, argv, expected code, whether the output must name the code]. */
  const runs: [string, string[], number, boolean][] = [
    ['check of an environment that does not exist (table)', ['check', '--environment', 'nope'], 2, true],
    ['check of a region whose bucket parameter names no bucket', ['check', '--environment', 'dev', '--regions', 'eu-west-1'], 1, true],
    ['status of an environment that does not exist', ['status', '--environment', 'nope'], 2, false],
    ['plan of an environment that does not exist', ['plan', '--environment', 'nope'], 2, false],
    ['backup of an environment that does not exist', ['backup', '--environment', 'nope', '--dry-run'], 2, false],
  ];
  for (const [what, argv, code, names] of runs) {
    it(`${what}: exit ${code}, and every code the output names is ${code}`, async () => {
      const run = await cli(...argv);
      expect(run.code, run.stderr).to.equal(code);
      const named = namedCodes(run);
      if (names) expect(named, run.stdout).to.have.length.greaterThan(0);
      expect(
        named.filter((n) => n !== code),
        `${run.stdout}${run.stderr}`,
      ).to.deep.equal([]);
    });
  }

  it('check with a FAIL exits 1, says so; the JSON says not ready either way', async () => {
    aws.ssm.put(R, { Name: `/jenkins/dev/backup/${R}/s3-bucket-name`, Value: `${bucketFor(R)}-typo`, Type: 'String' });
    try {
      const run = await cli('check', '--environment', 'dev', '--regions', R);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.match(/FAIL: not ready \(exit 1\)\n$/);
      const nope = await cli('check', '--environment', 'nope', '--output', 'json');
      expect(nope.code).to.equal(2);
      expect(JSON.parse(nope.stdout).ready).to.equal(false);
    } finally {
      aws.ssm.put(R, { Name: `/jenkins/dev/backup/${R}/s3-bucket-name`, Value: bucketFor(R), Type: 'String' });
    }
  });

  it("the error file of a run that exits 1 says what that command's exit 1 means, not another command's", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'err-')), 'error.json');
    // No archive in any region yet: status exits 1 (FAILING rows).
    const status = await cli('status', '--environment', 'dev', '--error-file', file);
    expect(status.code, status.stderr).to.equal(1);
    const error = JSON.parse(readFileSync(file, 'utf8')) as { exitCode: number; message: string };
    expect(error).to.include({ exitCode: 1, message: 'A region is not OK (STALE or FAILING): see the status output, each row names its reason' });
    expect(error.message).not.to.contain('summary file');
  });
});
