/**
 * The plan of a run, read before the first write: environment, home region, region list (SSM, or --regions),
 * region -> bucket, and the client-side encryption keys (key configuration). `resolvePlan` is pure; `loadPlan` reads SSM
 * through lib/aws. The SSM key names themselves are the contract's (contract/naming.ts).
 */
export * from './accounts.js';
export * from './key-config.js';
export * from './plan.js';
