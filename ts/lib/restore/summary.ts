import { writeJsonAtomic } from '../support/index.js';

import type { RestoreSummary } from '../../contract/index.js';

export type { RestoreSummary } from '../../contract/index.js';

/**
 * Keeps restore_summary.json true while writes land: each confirmed write is recorded at once and the file is
 * rewritten at most every `intervalMs` (atomic), and once more synchronously when the process exits (SIGTERM and
 * SIGINT end through process.exit in main.ts), so after an interruption the file lists exactly what SSM confirmed.
 */
export class SummaryFile {
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<string>();
  private readonly onExit = () => this.flush();

  constructor(
    readonly file: string,
    readonly summary: RestoreSummary,
    private readonly intervalMs = 1000,
  ) {
    process.on('exit', this.onExit);
    this.flush();
  }

  sent(name: string): void {
    this.inFlight.add(name);
  }

  landed(list: 'created' | 'updated' | 'deleted', name: string): void {
    this.inFlight.delete(name);
    this.summary[list].push(name);
    this.changed();
  }

  /** Accepted by SSM but not confirmed (aws:ec2:image): neither created nor updated. */
  pending(name: string): void {
    this.inFlight.delete(name);
    this.summary.pending.push(name);
    this.changed();
  }

  failed(name: string, error: string): void {
    this.inFlight.delete(name);
    this.summary.failed.push({ name, error });
    this.changed();
  }

  /** Writes the file now. */
  flush(): void {
    this.summary.inFlight = [...this.inFlight].sort();
    this.last = Date.now();
    writeJsonAtomic(this.file, this.summary);
  }

  /** Final write (lists sorted, complete: true); stops listening for exit. */
  close(complete: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    process.off('exit', this.onExit);
    for (const list of [this.summary.created, this.summary.updated, this.summary.deleted, this.summary.pending]) list.sort();
    this.summary.failed.sort((a, b) => a.name.localeCompare(b.name));
    this.summary.complete = complete;
    this.flush();
  }

  private changed(): void {
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
      this.timer.unref();
    }
  }
}
