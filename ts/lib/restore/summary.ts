import { writeJsonAtomic } from '../support/files.js';

/** restore_summary.json: names and field names only, never values. */
export interface RestoreSummary {
  mode: 'plan' | 'apply';
  environment: string;
  sourceRegion: string;
  targetRegion: string;
  archive: { bucket: string; key: string; format: string; verified: boolean; parameterCount: number };
  overwrite: boolean;
  exactTags: boolean;
  prune: boolean;
  counts: Record<string, number>;
  /** Confirmed by SSM, in the order the answers came. */
  created: string[];
  updated: string[];
  deleted: string[];
  skipped: string[];
  failed: { name: string; error: string }[];
  /** Sent and not answered yet: after an interruption these may or may not have been written. */
  inFlight: string[];
  planned: { create: string[]; update: string[]; unchanged: string[]; differs: Record<string, string>; delete: string[] };
  /** false while writes are going on (or when the run was interrupted). */
  complete: boolean;
  executionTimeSec: number;
  parametersPerSec?: number;
}

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
    for (const list of [this.summary.created, this.summary.updated, this.summary.deleted]) list.sort();
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
