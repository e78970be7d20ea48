import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic, usageError, humanDuration, type Logger } from '../support/index.js';
import { lockSummaryFile, processAlive } from './summary-lock.js';

/**
 * The one summary file of a run (`region_summaries.json`): `{region: RegionSummary}` in plan order. The engine is
 * its only author: every `backup` run, whether it backs up all regions or (as the Jenkins step does) one region
 * per run, merges its regions into it. Jenkins only reads it.
 */
import { FAILED_STATUSES, type RegionStatus } from '../../contract/index.js';

export { FAILED_STATUSES, type RegionStatus };

/** A region nobody started (yet): fail-fast, a run that ended early, an abort. */
export function notStarted(why: string): { status: 'SKIPPED'; parameterCount: 0; artifactPath: null; executionTimeSec: 0; failureMessage: string } {
  return { status: 'SKIPPED', parameterCount: 0, artifactPath: null, executionTimeSec: 0, failureMessage: why };
}

/**
 * The summaries to start from: those of the summary file when it exists (an earlier run of the same build), every
 * plan region present, in plan order. A file that is not a summary object is refused (exit 2): it is never
 * overwritten on a doubt.
 */
export function startingSummaries<S extends { status: string }>(file: string, planRegions: string[]): Record<string, S | ReturnType<typeof notStarted>> {
  let existing: Record<string, S> = {};
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    try {
      const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      existing = parsed as Record<string, S>;
    } catch {
      throw usageError(`--summary-file ${file} exists but is not a region summary object: remove it or choose another file`);
    }
  }
  const out: Record<string, S | ReturnType<typeof notStarted>> = {};
  for (const r of planRegions) out[r] = existing[r] ?? notStarted('not started');
  return out;
}

/**
 * What a region's entry says while it runs: a run that is killed (abort, Jenkins timeout, kill -9) leaves it so.
 * `runningPid` tells a region still running (its process alive, e.g. a parallel branch) from one that was killed.
 */
export function runningEntry(region: string) {
  return {
    status: 'FAILED' as const,
    parameterCount: 0 as const,
    artifactPath: null,
    executionTimeSec: 0 as const,
    failureCategory: 'interrupted' as const,
    failureMessage: `${region} did not finish: the engine was stopped (build aborted, Jenkins timeout or killed); latest.txt was not moved by it`,
    runningPid: process.pid,
  };
}

/** Whether an entry is a region still being backed up by a live process (not a failure). */
function stillRunning(entry: { status: string; failureCategory?: string; runningPid?: number }): boolean {
  return entry.failureCategory === 'interrupted' && typeof entry.runningPid === 'number' && processAlive(entry.runningPid);
}

/**
 * Read-modify-write of the summary file under an exclusive lock (summary-lock.ts: its directory created first, a
 * live holder waited for with progress lines, a dead one's lock taken over): parallel Jenkins branches, or parallel
 * regions of one run, each change only their own regions' entries and never lose another's. The file is replaced
 * atomically; readers never see half of it. Returns the summaries as written.
 */
export async function updateSummaryFile<S extends { status: string }>(
  file: string,
  planRegions: string[],
  change: (summaries: Record<string, S | ReturnType<typeof notStarted>>) => void,
  log?: Logger,
): Promise<Record<string, S | ReturnType<typeof notStarted>>> {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true }); // its lock sits beside it
  const release = await lockSummaryFile(file, log);
  try {
    const summaries = startingSummaries<S>(file, planRegions);
    change(summaries);
    writeJsonAtomic(file, summaries);
    return summaries;
  } finally {
    await release();
  }
}

/** The first region of `summaries` other than `region` that failed or timed out, if any. */
export function firstFailure(
  summaries: Record<string, { status: string; failureCategory?: string; runningPid?: number }>,
  except: string[] = [],
): string | undefined {
  return Object.keys(summaries).find(
    (r) => !except.includes(r) && FAILED_STATUSES.includes(summaries[r].status as RegionStatus) && !stillRunning(summaries[r]),
  );
}

/** The failure message of a region stopped at its deadline: what was done, and that nothing moved. */
export function timedOutMessage(timeoutSec: number, elapsedSec: number, collected: number): string {
  return `Stopped at the region deadline (--region-timeout ${timeoutSec}s) after ${humanDuration(elapsedSec)}, ${collected} parameters collected; latest.txt not moved, temporary files removed`;
}
