/**
 * A backup run: per region, plan -> collect -> archive (format 1 or 2) -> upload -> drift and shrink guard -> move
 * latest.txt -> one region_summaries.json entry (contract/backup-summary.ts, written by `summary-file.ts`). `run.ts` runs
 * the regions; each region is one `RegionRun` (region-run.ts: options, logger, deadline, counters) through `region.ts`
 * (collect, dry run) and `publish.ts` (upload, index, drift, guard, latest.txt). Multi-account runs (`accounts.ts`) assume
 * each member's role, read its plan and run its account x region units through the same runner (`runUnits`);
 * `fragments.ts` joins the summary fragments of branches on several agents (merge-summaries).
 */
export * from './accounts.js';
export * from './drift.js';
export * from './fragments.js';
export * from './encryption.js';
export * from './metrics.js';
export * from './plan-file.js';
export * from './region-run.js';
export * from './run.js';
export * from './summary-file.js';
export { lockSummaryFile } from './summary-lock.js';
