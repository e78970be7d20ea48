import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Private temporary directories (0700) for plaintext that must touch disk. Every directory is
 * registered so that a signal handler can remove them synchronously before the process exits.
 */
const live = new Set<string>();

export function makePrivateDir(prefix = 'ssm-backup-'): string {
  const dir = mkdtempSync(path.join(process.env.SSM_BACKUP_TMPDIR || tmpdir(), prefix));
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
export async function withPrivateDir<T>(fn: (dir: string) => Promise<T>, prefix?: string): Promise<T> {
  const dir = makePrivateDir(prefix);
  try {
    return await fn(dir);
  } finally {
    removePrivateDir(dir);
  }
}
