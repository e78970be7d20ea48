/**
 * A backup run: per region, plan -> collect -> archive (format 1 or 2) -> upload -> drift and shrink guard -> move
 * latest.txt -> one region_summaries.json entry (contract/backup-summary.ts, written by `summary-file.ts`). `run.ts` runs
 * the regions; each region is one `RegionRun` (region-run.ts: options, logger, deadline, counters) through `region.ts`
 * (collect, dry run) and `publish.ts` (upload, index, drift, guard, latest.txt).
 */
export * from './drift.js';
export * from './encryption.js';
export * from './metrics.js';
export * from './region-run.js';
export * from './run.js';
export * from './summary-file.js';
