import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { runCli, runCliUnprivileged } from '../helpers/cli.js';
import { seedBackupConfig, seedRealistic, HOME } from '../helpers/fixtures.js';

/**
 * Refuse before acting: every bad usage of every command ends with exit 2 and one stderr line, before a single
 * request reaches the local AWS and before any file is written in the work dir.
 */
describe('bad usage is refused before anything runs (every command)', function () {
  this.timeout(60000);
  let aws: LocalAws;
  let root: string;
  let work: string;
  let summaries: string;

  before(async () => {
    aws = await startLocalAws();
    seedBackupConfig(aws, ['ap-northeast-1', 'us-west-2']);
    seedRealistic(aws, 'us-west-2');
    root = mkdtempSync(path.join(tmpdir(), 'ssm-backup-usage-'));
    chmodSync(root, 0o755); // the unprivileged run must reach root/locked, which it may not write to
    summaries = path.join(root, 'summaries.json');
    writeFileSync(summaries, '{}');
    writeFileSync(path.join(root, 'a-file'), 'x');
    mkdirSync(path.join(root, 'locked'));
    symlinkSync('/sys/kernel', path.join(root, 'to-sys'));
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    chmodSync(path.join(root, 'locked'), 0o500);
  });
  after(async () => {
    await aws.stop();
    chmodSync(path.join(root, 'locked'), 0o700);
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    work = path.join(root, 'work');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work);
    aws.resetStats();
  });

  const base: Record<string, string[]> = {
    plan: ['plan', '--environment', 'dev', '--ssm-home-region', HOME],
    backup: ['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--work-dir', '@work'],
    list: ['list', '--environment', 'dev', '--ssm-home-region', HOME, '--region', 'us-west-2'],
    verify: ['verify', '--environment', 'dev', '--ssm-home-region', HOME, '--region', 'us-west-2'],
    diff: ['diff', '--environment', 'dev', '--ssm-home-region', HOME, '--region', 'us-west-2'],
    restore: ['restore', '--environment', 'dev', '--ssm-home-region', HOME, '--region', 'us-west-2', '--work-dir', '@work'],
    notify: ['notify', '--summary-file', '@summaries', '--result', 'SUCCESS'],
  };
  /** [what, extra argv, extra env, expected stderr fragment]; applied to every command unless `only` says otherwise. */
  type Case = { what: string; args?: string[]; env?: Record<string, string>; expect: RegExp; only?: string[]; unprivileged?: boolean };
  const cases: Case[] = [
    { what: 'unknown option', args: ['--bogus', 'x'], expect: /unknown option for \w+: --bogus/ },
    { what: 'typo of a real option', args: ['--verbos'], expect: /--verbos \(did you mean --verbose\?\)/ },
    { what: 'bad choice', args: ['--log-format', 'xml'], expect: /--log-format "xml" is invalid: use one of text, json/ },
    { what: 'bad boolean after =', args: ['--verbose=maybe'], expect: /--verbose "maybe" is not a boolean/ },
    { what: 'bad boolean from the environment', env: { SSM_BACKUP_VERBOSE: 'garbage' }, expect: /SSM_BACKUP_VERBOSE "garbage" is not a boolean/ },
    {
      what: 'stray SSM_BACKUP_* variable',
      env: { SSM_BACKUP_FOO: '1' },
      expect: /environment variable SSM_BACKUP_FOO is not an option of any ssm-backup command/,
    },
    {
      what: 'typo of an option variable',
      env: { SSM_BACKUP_ALLOW_SHRINKK: 'true' },
      expect: /SSM_BACKUP_ALLOW_SHRINKK is not an option of any ssm-backup command \(did you mean SSM_BACKUP_ALLOW_SHRINK\?\)/,
    },
    { what: 'SSM_BACKUP_TMPDIR is not a setting', env: { SSM_BACKUP_TMPDIR: '/tmp' }, expect: /SSM_BACKUP_TMPDIR is not an option/ },
    { what: 'option given twice', args: ['--log-format', 'json', '--log-format', 'text'], expect: /--log-format is given more than once/ },
    { what: 'error file that is a directory', args: ['--error-file', '@root'], expect: /--error-file ".*" is a directory/ },
    { what: 'error file under a file', args: ['--error-file', '@root/a-file/e.json'], expect: /a-file is a file, not a directory/ },
    {
      what: 'error file in an unwritable directory',
      args: ['--error-file', '@root/locked/e.json'],
      expect: /locked is not writable by this user/,
      unprivileged: true,
    },
    { what: 'stray positional argument', args: ['extra'], expect: /unexpected argument "extra"/ },
    {
      what: 'bad environment name',
      args: ['--environment=-dev'],
      expect: /--environment "-dev" is invalid/,
      only: ['plan', 'backup', 'list', 'verify', 'diff', 'restore'],
    },
    {
      what: 'option without its value',
      args: ['--environment', '--verbose'],
      expect: /--environment needs a value/,
      only: ['plan', 'backup', 'list', 'verify', 'diff', 'restore'],
    },
    {
      what: 'bad home region',
      args: ['--ssm-home-region', 'mars-1'],
      expect: /--ssm-home-region contains an invalid region name "mars-1"/,
      only: ['plan', 'backup', 'list', 'verify', 'diff', 'restore'],
    },
    {
      what: 'bad home region from $AWS_REGION',
      args: [],
      env: { AWS_REGION: 'nowhere' },
      expect: /\$AWS_REGION contains an invalid region name/,
      only: ['list-noflag'],
    },
    { what: 'missing required option', args: [], expect: /--region is required/, only: ['list-noregion'] },
    { what: 'blank region list', args: ['--regions', ','], expect: /--regions "," has a blank item/, only: ['plan', 'backup'] },
    { what: 'empty region list', args: ['--regions', ''], expect: /--regions "" has a blank item/, only: ['plan', 'backup'] },
    {
      what: 'bad region in the list',
      args: ['--regions', 'us-west-2,Tokyo'],
      expect: /--regions contains an invalid region name "Tokyo"/,
      only: ['plan', 'backup'],
    },
    {
      what: 'an --output the AWS CLI has but we do not (yaml)',
      args: ['--output', 'yaml'],
      expect: /--output "yaml" is invalid: use one of table, json, text/,
      only: ['plan', 'backup', 'list', 'verify', 'diff', 'restore'],
    },
    {
      what: '--json with another --output',
      args: ['--json', '--output', 'text'],
      expect: /--json and --output text contradict each other: give one of them/,
      only: ['list', 'verify', 'diff'],
    },
    { what: 'typo --dryrun', args: ['--dryrun'], expect: /--dryrun \(did you mean --dry-run\?\)/, only: ['backup'] },
    { what: 'SSM_BACKUP_DRY_RUN=garbage', env: { SSM_BACKUP_DRY_RUN: 'garbage' }, expect: /SSM_BACKUP_DRY_RUN "garbage" is not a boolean/, only: ['backup'] },
    {
      what: 'bad number',
      args: ['--concurrency', 'abc'],
      expect: /--concurrency "abc" is invalid: use a whole number from 1 to 64/,
      only: ['backup', 'restore'],
    },
    { what: 'number out of range', args: ['--get-rate', '0'], expect: /--get-rate "0" is invalid/, only: ['backup', 'diff', 'restore'] },
    { what: 'work dir that is a file', args: ['--work-dir', '@root/a-file'], expect: /a-file is a file, not a directory/, only: ['backup', 'restore'] },
    { what: 'work dir under /proc', args: ['--work-dir', '/proc/x'], expect: /--work-dir "\/proc\/x" leads to \/proc/, only: ['backup', 'restore'] },
    { what: 'summary file that is a directory', args: ['--summary-file', '@root'], expect: /--summary-file ".*" is a directory/, only: ['backup', 'restore'] },
    {
      what: 'relative --path',
      args: ['--path', 'app'],
      expect: /--path "app" is invalid: use an absolute parameter path/,
      only: ['backup', 'diff', 'restore'],
    },
    { what: 'option of another command (diff --put-rate)', args: ['--put-rate', '10'], expect: /unknown option for diff: --put-rate/, only: ['diff'] },
    {
      what: '--prune with --names',
      args: ['--prune', '--names', '/app/a', '--apply'],
      expect: /--prune .* cannot be combined with --names/,
      only: ['restore'],
    },
    { what: 'bad --max-archive-mb', args: ['--max-archive-mb', '0'], expect: /--max-archive-mb "0" is invalid/, only: ['verify', 'diff', 'restore'] },
    { what: 'typo --name for --names', args: ['--name', '/app/a', '--overwrite', '--apply'], expect: /--name \(did you mean --names\?\)/, only: ['restore'] },
    { what: 'blank names', args: ['--names', ',', '--overwrite', '--apply'], expect: /--names "," has a blank item/, only: ['restore'] },
    { what: 'space-only names', args: ['--names', ' ', '--overwrite', '--apply'], expect: /--names " " has a blank item/, only: ['restore'] },
    { what: 'empty names', args: ['--names=', '--overwrite', '--apply'], expect: /--names "" has a blank item/, only: ['restore'] },
    { what: 'malformed key map', args: ['--kms-key-map', 'nonsense'], expect: /--kms-key-map entry "nonsense" is invalid/, only: ['restore', 'diff'] },
    {
      what: 'key map with two targets for one source',
      args: ['--kms-key-map', 'alias/a=alias/b,alias/a=alias/c'],
      expect: /--kms-key-map maps "alias\/a" to both "alias\/b" and "alias\/c": give one target per source key/,
      only: ['restore', 'diff'],
    },
    {
      what: 'key map variable with one source twice',
      env: { SSM_BACKUP_KMS_KEY_MAP: 'alias/a=alias/b,alias/a=alias/b' },
      expect: /SSM_BACKUP_KMS_KEY_MAP lists "alias\/a=alias\/b" twice: remove the duplicate/,
      only: ['restore', 'diff'],
    },
    { what: 'bad target region', args: ['--target-region', 'x'], expect: /--target-region contains an invalid region name "x"/, only: ['restore', 'diff'] },
    { what: 'missing summary file', args: ['--summary-file', '@root/none.json'], expect: /--summary-file ".*none.json" does not exist/, only: ['notify'] },
    { what: 'bad result', args: ['--result', 'GREEN'], expect: /--result "GREEN" is invalid: use one of/, only: ['notify'] },
    {
      what: 'unknown profile',
      args: ['--profile', 'no-such-profile-xyz'],
      expect: /--profile no-such-profile-xyz is not defined/,
      only: ['plan', 'backup', 'list', 'verify', 'diff', 'restore'],
    },
  ];

  const fill = (args: string[]) => args.map((a) => a.replace('@work', work).replace('@summaries', summaries).replace('@root', root));
  /** The base command line with the case's options replacing the base's own (an option given twice is a case of its own). */
  const commandLine = (baseArgs: string[], extra: string[]) => {
    const out = [...baseArgs];
    for (let i = 0; i < extra.length; i += 1) {
      const at = extra[i].startsWith('--') ? out.indexOf(extra[i].split('=')[0]) : -1;
      if (at > 0 && extra[i] !== '--log-format') out.splice(at, 2);
    }
    return fill([...out, ...extra]);
  };
  const variants: Record<string, string[]> = {
    ...base,
    'list-noflag': ['list', '--environment', 'dev', '--region', 'us-west-2'],
    'list-noregion': ['list', '--environment', 'dev', '--ssm-home-region', HOME],
  };

  for (const c of cases) {
    const targets = c.only ?? Object.keys(base);
    for (const name of targets) {
      it(`${name}: ${c.what} -> exit 2, one line, no request, no file`, async () => {
        const env = { SSM_HOME_REGION: '', AWS_PROFILE: '', ...c.env };
        if (!c.env?.AWS_REGION) Object.assign(env, { AWS_REGION: HOME });
        // Root may write anywhere: the unwritable-directory case runs the CLI as an unprivileged user (never skipped).
        const run = await (c.unprivileged ? runCliUnprivileged : runCli)(aws, commandLine(variants[name], c.args ?? []), env);
        expect(run.code, run.stderr).to.equal(2);
        const lines = run.stderr.split('\n').filter(Boolean);
        expect(lines, run.stderr).to.have.length(1);
        expect(lines[0]).to.match(c.expect);
        expect(run.stdout).to.equal('');
        expect(aws.stats().totalRequests, 'requests reached the local AWS').to.equal(0);
        expect(readdirSync(work), 'files written').to.deep.equal([]);
      });
    }
  }

  it('a valid command line of each command does reach AWS (the cases above are not vacuous)', async () => {
    const run = await runCli(aws, fill(base.plan), { SSM_HOME_REGION: '' });
    expect(run.code, run.stderr).to.equal(0);
    expect(aws.stats().totalRequests).to.be.greaterThan(0);
  });

  it('no command prints the hint once; --help is wrapped at word boundaries at 100 columns', async () => {
    const none = await runCli(aws, []);
    expect(none.code).to.equal(2);
    expect(none.stderr.split('\n').filter(Boolean)).to.have.length(1);
    for (const cmd of Object.keys(base)) {
      const help = await runCli(aws, [cmd, '--help']);
      expect(help.code).to.equal(0);
      const words = new Set(help.stdout.split(/\s+/));
      for (const line of help.stdout.split('\n')) expect(line.length, line).to.be.at.most(100);
      expect(help.stdout).to.contain('Examples:');
      expect(words.has('Jenki') || words.has('ns)'), 'a word broken in two').to.equal(false);
    }
  });

  it('a variable naming an option of another command of the same run (SSM_BACKUP_ALLOW_SHRINK in a job environment) leaves plan and notify working', async () => {
    const plan = await runCli(aws, fill(base.plan), { SSM_HOME_REGION: '', SSM_BACKUP_ALLOW_SHRINK: 'true', SSM_BACKUP_CHANNEL: '#x' });
    expect(plan.code, plan.stderr).to.equal(0);
    const notify = await runCli(aws, [...fill(base.notify), '--out-dir', path.join(work, 'report')], { SSM_BACKUP_ALLOW_SHRINK: 'true' });
    expect(notify.code, notify.stderr).to.equal(0);
    // The command that has the option still reads (and validates) it.
    const bad = await runCli(aws, [...fill(base.backup), '--regions', 'us-west-2'], { SSM_BACKUP_ALLOW_SHRINK: 'maybe' });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/SSM_BACKUP_ALLOW_SHRINK "maybe" is not a boolean/);
  });

  it('an environment boolean accepts true/false/1/0/yes/no in any case', async () => {
    for (const v of ['TRUE', 'yes', '1', 'False', 'NO', '0']) {
      const run = await runCli(aws, ['backup', '--environment', 'dev', '--ssm-home-region', HOME, '--regions', 'us-west-2', '--work-dir', work], {
        SSM_BACKUP_DRY_RUN: v,
      });
      expect(run.code, `${v}: ${run.stderr}`).to.equal(0);
      expect(run.stderr.includes('DRY RUN'), v).to.equal(['TRUE', 'yes', '1'].includes(v));
    }
  });
});
