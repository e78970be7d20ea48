/**
 * Summary fragments (Jenkins across agents, issue 21): each branch's `backup --summary-fragment F` writes its own
 * units' entries to F; `merge-summaries` joins the fragments into the one summary file, so the engine stays the only
 * writer of its format. An entry a branch left "running" (its engine was killed) is kept as what it is, FAILED
 * `interrupted`, without the process id that only meant something on that agent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { usageError } from '../support/index.js';
import type { RegionSummary } from '../../contract/index.js';
import { updateSummaryFile } from './summary-file.js';

function readFragment(file: string): Record<string, RegionSummary & { runningPid?: number }> {
  if (!existsSync(file)) throw usageError(`summary fragment ${file} does not exist: its branch wrote none (it did not start); rerun it or leave it out`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw usageError(`summary fragment ${file} is not JSON: pass files written by backup --summary-fragment`);
  }
  const ok =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((e) => e !== null && typeof e === 'object' && typeof (e as { status?: unknown }).status === 'string');
  if (!ok) throw usageError(`summary fragment ${file} is not a summary object (key -> {status, ...}): pass files written by backup --summary-fragment`);
  return parsed as Record<string, RegionSummary & { runningPid?: number }>;
}

/**
 * Merges `fragments` (in order) into `summaryFile` under its lock; a key in two fragments is refused (exit 2, nothing
 * written): two branches must never have backed up the same unit. Returns the merged summaries.
 */
export async function mergeSummaryFragments(fragments: string[], summaryFile: string): Promise<Record<string, RegionSummary>> {
  const merged: Record<string, RegionSummary> = {};
  const from: Record<string, string> = {};
  for (const file of fragments) {
    for (const [key, entry] of Object.entries(readFragment(file))) {
      if (from[key]) throw usageError(`${key} is in two summary fragments (${from[key]} and ${file}): each unit belongs to one branch`);
      from[key] = file;
      const { runningPid, ...rest } = entry;
      merged[key] = runningPid === undefined ? entry : rest;
    }
  }
  return (await updateSummaryFile<RegionSummary>(summaryFile, Object.keys(merged), (s) => Object.assign(s, merged))) as Record<string, RegionSummary>;
}
