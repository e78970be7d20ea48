/**
 * scripts/release.ts on scratch clones of this repository's HEAD: every refusal (one line, exit 2, no tag made, tree
 * unchanged) and the success path (annotated vX.Y.Z, vX moved). The clone borrows node_modules through a symlink
 * (ignored by .gitignore) for tsx and esbuild; RELEASE_TEST_COMMAND stands in for `npm test`.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GIT_ENV = { GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.com' };
const VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const MAJOR = VERSION.split('.')[0];

describe('npm run release (scripts/release.ts) on a scratch clone', function () {
  this.timeout(60_000);
  let dir: string;
  let clone: string;

  const git = (...args: string[]): string => {
    const r = spawnSync('git', args, { cwd: clone, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const commitAll = (message: string): void => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
  };
  /** Runs the clone's own release script from one of its subdirectories (it resolves the repository from its own path). */
  const release = (args: string[], testCommand = 'true') =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(clone, 'scripts/release.ts'), ...args], {
      cwd: path.join(clone, 'docs'),
      encoding: 'utf8',
      env: { ...process.env, ...GIT_ENV, RELEASE_TEST_COMMAND: testCommand },
    });
  const state = (): string =>
    `${git('tag', '--list', '--format=%(refname:short) %(objectname)')}\n${git('status', '--porcelain')}\n${git('rev-parse', 'HEAD')}`;

  /** Expects one refusal line matching `pattern`, exit 2, and tags, tree and HEAD as they were. */
  function expectRefusal(args: string[], pattern: RegExp, testCommand?: string): void {
    const before = state();
    const r = release(args, testCommand);
    expect(r.status, r.stderr).to.equal(2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('release:'));
    expect(lines, r.stderr).to.have.length(1);
    expect(lines[0])
      .to.match(/^release: refused: /)
      .and.match(pattern);
    expect(r.stdout).to.equal('');
    expect(state()).to.equal(before);
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ssm-backup-release-'));
    clone = path.join(dir, 'repo');
    const r = spawnSync('git', ['clone', '-q', '--shared', REPO, clone], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git clone: ${r.stderr}`);
    symlinkSync(path.join(REPO, 'node_modules'), path.join(clone, 'node_modules'));
    for (const t of git('tag', '--list').split('\n').filter(Boolean)) git('tag', '-d', t);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an argument that is not MAJOR.MINOR.PATCH', () => {
    for (const args of [[], ['2.0'], ['v2.0.0'], ['2.0.0-rc.1'], ['2.0.0', '2.0.1']]) expectRefusal(args, /usage: npm run release -- MAJOR\.MINOR\.PATCH/);
  });

  it('refuses a dirty working tree: a changed tracked file or an untracked file', () => {
    appendFileSync(path.join(clone, 'README.md'), '\nlocal edit\n');
    expectRefusal([VERSION], /uncommitted or untracked changes \(1: README\.md\)/);
    git('checkout', 'README.md');
    writeFileSync(path.join(clone, 'notes.txt'), 'x');
    expectRefusal([VERSION], /uncommitted or untracked changes \(1: notes\.txt\)/);
  });

  it('refuses a version already tagged, and one older than a release already tagged in its major', () => {
    git('tag', '-a', `v${VERSION}`, '-m', 'earlier');
    expectRefusal([VERSION], new RegExp(`tag v${VERSION.replace(/\./g, '\\.')} already exists`));
    git('tag', '-d', `v${VERSION}`);
    git('tag', '-a', `v${MAJOR}.99.0`, '-m', 'later');
    expectRefusal([VERSION], new RegExp(`v${MAJOR}\\.99\\.0 is newer than .*would move backwards`));
  });

  it('refuses a version other than the one in package.json, and a package-lock.json that disagrees', () => {
    expectRefusal([`${MAJOR}.98.0`], new RegExp(`package\\.json has version ${VERSION.replace(/\./g, '\\.')}, not ${MAJOR}\\.98\\.0`));
    const lockFile = path.join(clone, 'package-lock.json');
    const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
    lock.packages[''].version = '0.0.1';
    writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
    commitAll('lock out of step');
    expectRefusal([VERSION], /package-lock\.json has version .*0\.0\.1, not /);
  });

  it('refuses a CHANGELOG without a dated heading for the version', () => {
    const file = path.join(clone, 'CHANGELOG.md');
    const heading = new RegExp(`^## \\[${VERSION.replace(/\./g, '\\.')}\\] - .*$`, 'm');
    expect(readFileSync(file, 'utf8')).to.match(heading);
    writeFileSync(file, readFileSync(file, 'utf8').replace(heading, `## [${VERSION}]`));
    commitAll('undated entry');
    expectRefusal([VERSION], new RegExp(`CHANGELOG\\.md has no heading "## \\[${VERSION.replace(/\./g, '\\.')}\\] - YYYY-MM-DD"`));
  });

  it('refuses a committed bundle that differs from a fresh build', () => {
    appendFileSync(path.join(clone, 'resources/ssm-multi-region-backup/ssm-backup.cjs'), '\n// edited by hand\n');
    commitAll('hand-edited bundle');
    expectRefusal([VERSION], /committed bundle .*differs from a fresh build: run `npm run build`/);
  });

  it('refuses a bundle that reports another version (built from a ts/version.ts that ignores package.json)', () => {
    writeFileSync(path.join(clone, 'ts/version.ts'), "export const TOOL_VERSION: string = '0.0.7';\n");
    const build = spawnSync(process.execPath, [path.join(clone, 'scripts/build.mjs')], { cwd: clone, encoding: 'utf8' });
    expect(build.status, build.stderr).to.equal(0);
    commitAll('hard-coded version');
    expectRefusal([VERSION], /ssm-backup\.cjs --version prints 0\.0\.7, not .*ts\/version\.ts must return the version the bundler sets/);
  });

  it('refuses when the test run fails, after every other check passed', () => {
    expectRefusal([VERSION], /the test run \(echo suite failed >&2; exit 3\) failed with exit code 3/, 'echo suite failed >&2; exit 3');
  });

  it('tags vX.Y.Z (annotated) on HEAD and moves vX to it, running the tests in the repository root', () => {
    const head = git('rev-parse', 'HEAD');
    git('tag', `v${MAJOR}`, 'HEAD~1');
    const r = release([VERSION], `test -f CHANGELOG.md && echo ran in the repository >&2`);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.contain('ran in the repository');
    expect(r.stdout).to.match(new RegExp(`^tagged v${VERSION.replace(/\./g, '\\.')} \\(annotated\\) at ${head.slice(0, 12)}; v${MAJOR} moved from `));
    expect(git('cat-file', '-t', `v${VERSION}`)).to.equal('tag');
    expect(git('rev-parse', `v${VERSION}^{commit}`)).to.equal(head);
    expect(git('rev-parse', `v${MAJOR}^{commit}`)).to.equal(head);
    expect(git('status', '--porcelain')).to.equal('');
  });
});
