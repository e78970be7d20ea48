/**
 * `npm run release -- X.Y.Z`: checks that the commit checked out is release X.Y.Z, then creates the annotated tag
 * `vX.Y.Z` and moves the major tag `vX` to it (README, *Versions*). Tags only; pushing them is left to the maintainer.
 *
 * Refuses, in this order, with one line on stderr, exit code 2 and nothing changed:
 *   - an argument that is not MAJOR.MINOR.PATCH;
 *   - a working tree with uncommitted or untracked changes (what would be tagged is not what was checked);
 *   - an existing tag vX.Y.Z, or a newer release vX.* already tagged (vX would move backwards);
 *   - a version other than X.Y.Z in package.json or package-lock.json (the bundle embeds package.json's version:
 *     `ssm-backup --version` and every archive's tool version come from it, see scripts/build.mjs);
 *   - a CHANGELOG.md without the heading `## [X.Y.Z] - YYYY-MM-DD`;
 *   - a committed bundle that differs from a fresh build (`node scripts/build.mjs --check`), or whose `--version` is not
 *     X.Y.Z (ts/version.ts must print the version the bundler gives it);
 *   - a failing test run: `npm test`, or the shell command in RELEASE_TEST_COMMAND. That variable exists for this
 *     script's own test (test/scripts/release.test.ts), which cannot run the whole suite inside each scratch clone.
 * Paths are resolved from this file, so it works from any directory and acts on the repository it belongs to.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** A reason not to release; its message is the one line printed. */
class Refusal extends Error {}

function git(...args: string[]): { status: number; stdout: string } {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status ?? 1, stdout: r.stdout ?? '' };
}

function gitOrThrow(...args: string[]): string {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${(r.stderr ?? '').trim()}`);
  return r.stdout.trim();
}

type Version = [number, number, number];

function parseVersion(text: string | undefined): Version | undefined {
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(text ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

const newer = (a: Version, b: Version): boolean => (a[0] - b[0] || a[1] - b[1] || a[2] - b[2]) > 0;

function checkCleanTree(): void {
  const changed = git('status', '--porcelain').stdout.split('\n').filter(Boolean);
  if (changed.length)
    throw new Refusal(
      `the working tree has uncommitted or untracked changes (${changed.length}: ${changed
        .slice(0, 3)
        .map((l) => l.slice(3))
        .join(', ')}${changed.length > 3 ? ', ...' : ''}); commit or stash them, then release`,
    );
}

function checkTags(version: string, parsed: Version): void {
  if (git('rev-parse', '-q', '--verify', `refs/tags/v${version}`).status === 0)
    throw new Refusal(`tag v${version} already exists; a release tag is never moved: release a new version instead`);
  const later = gitOrThrow('tag', '--list', `v${parsed[0]}.*`)
    .split('\n')
    .map((t) => ({ tag: t, v: parseVersion(t.slice(1)) }))
    .filter((t): t is { tag: string; v: Version } => t.v !== undefined && newer(t.v, parsed));
  if (later.length) throw new Refusal(`${later[0].tag} is newer than ${version}: v${parsed[0]} would move backwards; release a version after it`);
}

function checkVersions(version: string): void {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  if (pkg.version !== version)
    throw new Refusal(`package.json has version ${pkg.version}, not ${version}: run \`npm version ${version} --no-git-tag-version\`, rebuild, commit`);
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { version?: string; packages?: Record<string, { version?: string }> };
  const lockVersions = [lock.version, lock.packages?.['']?.version];
  if (lockVersions.some((v) => v !== version))
    throw new Refusal(`package-lock.json has version ${lockVersions.join('/')}, not ${version}: run \`npm install --package-lock-only\` and commit it`);
}

function checkChangelog(version: string): void {
  const text = readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
  const heading = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm');
  if (!heading.test(text)) throw new Refusal(`CHANGELOG.md has no heading "## [${version}] - YYYY-MM-DD": move the Unreleased entries under it and commit`);
}

const BUNDLE = 'resources/ssm-multi-region-backup/ssm-backup.cjs';

function checkBundle(version: string): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Refusal(`the committed bundle ${BUNDLE} differs from a fresh build: run \`npm run build\` and commit it`);
  const printed = spawnSync(process.execPath, [path.join(ROOT, BUNDLE), '--version'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  if (printed !== version)
    throw new Refusal(`${BUNDLE} --version prints ${printed || 'nothing'}, not ${version}: ts/version.ts must return the version the bundler sets`);
}

function checkTests(): void {
  const command = process.env.RELEASE_TEST_COMMAND || 'npm test';
  // The suite's output goes to stderr so that stdout stays this script's own.
  const r = spawnSync('sh', ['-c', command], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status !== 0) throw new Refusal(`the test run (${command}) failed with exit code ${r.status ?? r.signal}: fix it before releasing`);
}

/** Creates vX.Y.Z on HEAD and moves vX; removes vX.Y.Z again when vX cannot be moved. Returns the line to print. */
function tag(version: string, major: number): string {
  const head = gitOrThrow('rev-parse', 'HEAD');
  const before = git('rev-parse', '-q', '--verify', `refs/tags/v${major}^{commit}`).stdout.trim();
  gitOrThrow('tag', '-a', `v${version}`, '-m', `ssm-multi-region-backup ${version}`, head);
  try {
    gitOrThrow('tag', '-f', `v${major}`, head);
  } catch (e) {
    git('tag', '-d', `v${version}`);
    throw e;
  }
  const moved = before ? `moved from ${before.slice(0, 12)}` : 'created';
  return `tagged v${version} (annotated) at ${head.slice(0, 12)}; v${major} ${moved}. Push: git push origin v${version} && git push -f origin v${major}`;
}

function release(argv: string[]): string {
  const version = argv.length === 1 ? argv[0] : undefined;
  const parsed = parseVersion(version);
  if (!version || !parsed) throw new Refusal(`usage: npm run release -- MAJOR.MINOR.PATCH (e.g. 2.0.1); got ${argv.length ? argv.join(' ') : 'nothing'}`);
  checkCleanTree();
  checkTags(version, parsed);
  checkVersions(version);
  checkChangelog(version);
  checkBundle(version);
  checkTests();
  return tag(version, parsed[0]);
}

try {
  console.log(release(process.argv.slice(2)));
} catch (e) {
  const refused = e instanceof Refusal;
  process.stderr.write(`release: ${refused ? 'refused: ' : ''}${(e as Error).message}\n`);
  process.exitCode = refused ? 2 : 1;
}
