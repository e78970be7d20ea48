import { mkdtempSync, rmSync, chmodSync, readdirSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from './log.js';

/**
 * Private temporary directories (0700) for the encrypted spool, under `os.tmpdir()` (`$TMPDIR`, else /tmp).
 * Names carry the owning process id, `ssm-backup-<pid>-XXXXXX`, so a later run can tell a directory left
 * by a killed run from one in use. Every directory is registered so that a signal handler can remove them
 * synchronously before the process exits.
 */
const PREFIX = 'ssm-backup-';
const OURS = /^ssm-backup-(\d+)-[A-Za-z0-9]{6}$/;
/** Spool directories of engines before the pid was in the name; they held values in clear (parameters.json). */
const LEGACY = /^ssm-backup-[A-Za-z0-9]{6}$/;
const live = new Set<string>();

/** Creates `$TMPDIR/ssm-backup-<pid>-XXXXXX` (0700) and registers it for removal on exit and signals. */
export function makePrivateDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), `${PREFIX}${process.pid}-`));
  chmodSync(dir, 0o700);
  live.add(dir);
  return dir;
}

export function removePrivateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** Removes every private directory still alive (signal handlers, process exit). */
export function removeAllPrivateDirs(): void {
  for (const dir of [...live]) removePrivateDir(dir);
}

/** Runs `fn` with a private directory that is removed afterwards, on success or failure. */
export async function withPrivateDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = makePrivateDir();
  try {
    return await fn(dir);
  } finally {
    removePrivateDir(dir);
  }
}

/** True when a process with this id exists (signal 0 checks without sending; EPERM means it exists, owned by another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes spool directories that earlier runs left in `os.tmpdir()` when they were killed (SIGKILL, OOM,
 * power loss): only real directories (not symlinks) named `ssm-backup-<pid>-XXXXXX`, owned by this user,
 * whose process no longer exists. One INFO line per removed directory. A directory of the older naming
 * (`ssm-backup-XXXXXX`, no pid) cannot be told from one in use, so it is named in a WARN line, not removed.
 * Never throws: a directory that cannot be read or removed is a WARN line.
 */
export function removeStaleSpoolDirs(logger: Logger): void {
  const root = tmpdir();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (err) {
    logger.warn(`Cannot list ${root} to remove spool directories of killed runs: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const pidMatch = OURS.exec(name);
    if (!pidMatch && !LEGACY.test(name)) continue;
    const dir = path.join(root, name);
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || live.has(dir)) continue;
      if (!pidMatch) {
        logger.warn(`${dir} was left by an older engine and may hold parameter values in clear; remove it (rm -rf) once no older backup runs`);
        continue;
      }
      const pid = Number(pidMatch[1]);
      if (pid !== process.pid && processExists(pid)) continue;
      rmSync(dir, { recursive: true, force: true });
      logger.info(`Removed ${dir}, the encrypted spool of an earlier run (pid ${pid}) that no longer runs`);
    } catch (err) {
      logger.warn(`Cannot remove stale spool directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
}
