/**
 * A backup run: per region, plan -> collect -> archive (format 1 or 2) -> upload -> drift and shrink guard -> move
 * latest.txt -> one region_summaries.json entry (contract/backup-summary.ts, written by `summary-file.ts`).
 */
export * from './drift.js';
export * from './encryption.js';
export * from './run.js';
export * from './summary-file.js';
