import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';

/** Writes text atomically (temp file + rename, parent directory created) so a reader never sees half a file. */
export function writeTextAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}

/** Writes JSON atomically (see writeTextAtomic). */
export function writeJsonAtomic(file: string, data: unknown): void {
  writeTextAtomic(file, JSON.stringify(data, null, 2) + '\n');
}
