/**
 * The lock of the summary file: `<file>.lock` (a directory, proper-lockfile) plus `<file>.lock.owner`
 * (`{pid, host}` of the holder, written right after the lock is taken). Its directory is created first, so the
 * CLI works from any directory. A lock held by a live process is waited for, with a progress line every
 * LOCK_PROGRESS_MS; a lock whose owner is a dead process of this host (kill -9, a crashed agent step) is taken
 * over at once. A lock without an owner file, or owned by another host, is taken over only when proper-lockfile
 * finds it stale (its holder refreshes it; 30 s without a refresh).
 */
import { mkdirSync, readFileSync, rmSync, rmdirSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { writeJsonAtomic, EngineError, type Logger } from '../support/index.js';

/** How often a process waiting for a live holder says so. */
export const LOCK_PROGRESS_MS = 5_000;
/** How long a lock may be waited for before the run gives up (a live holder changes the file in milliseconds). */
export const LOCK_WAIT_MAX_MS = 10 * 60_000;

interface Owner {
  pid: number;
  host: string;
}

const ownerFile = (file: string) => `${file}.lock.owner`;

function readOwner(file: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(ownerFile(file), 'utf8')) as Owner;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live process of this machine (EPERM: alive, another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `file`; resolves to its release. Throws EngineError 'region' after LOCK_WAIT_MAX_MS. */
export async function lockSummaryFile(file: string, log?: Logger, waitMaxMs = LOCK_WAIT_MAX_MS): Promise<() => Promise<void>> {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const lockPath = `${file}.lock`;
  const started = Date.now();
  let lastSaid = started;
  for (let delay = 10; ; delay = Math.min(250, delay * 2)) {
    try {
      const release = await lockfile.lock(file, { realpath: false, lockfilePath: lockPath, stale: 30_000, retries: 0 });
      writeJsonAtomic(ownerFile(file), { pid: process.pid, host: hostname() } satisfies Owner);
      return async () => {
        rmSync(ownerFile(file), { force: true });
        await release();
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    }
    const owner = readOwner(file);
    if (owner && owner.host === hostname() && owner.pid !== process.pid && !processAlive(owner.pid)) {
      log?.warn(`Took over the lock ${lockPath}: its owner, process ${owner.pid}, is no longer running`);
      rmSync(ownerFile(file), { force: true });
      try {
        rmdirSync(lockPath);
      } catch {
        // another waiter took it over first
      }
      continue;
    }
    const waited = Date.now() - started;
    if (waited > waitMaxMs)
      throw new EngineError('region', `Gave up waiting for the lock ${lockPath} after ${Math.round(waited / 1000)} s: ${holder(owner)} still holds it`);
    if (Date.now() - lastSaid >= LOCK_PROGRESS_MS) {
      lastSaid = Date.now();
      log?.info(`Waiting for the lock ${lockPath} (${Math.round(waited / 1000)} s so far): ${holder(owner)} is changing the summary file`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

function holder(owner: Owner | undefined): string {
  return owner ? `process ${owner.pid} on ${owner.host}` : 'another process';
}
