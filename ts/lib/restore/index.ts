/**
 * A restore: source (the archive chosen and validated, values spooled) -> live state (SSM now) -> plan (create, update,
 * unchanged, differs, delete) -> KMS check -> apply (writes paced, each confirmed write recorded) -> restore_summary.json
 * (contract/restore-summary.ts). `diff` is the plan without writes.
 */
export * from './apply.js';
export * from './diff.js';
export * from './live.js';
export * from './notes.js';
export * from './plan.js';
export * from './run.js';
export * from './source.js';
export * from './summary.js';
export * from './validate.js';
