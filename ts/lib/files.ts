import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';

/** Writes JSON atomically (temp file + rename, parent directory created) so a reader never sees half a file. */
export function writeJsonAtomic(file: string, data: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, file);
}
