/**
 * AWS access: the region-aware client factory (retries, timeouts, expected bucket owner, call counters), client-side
 * pacing (`pacing.ts`, AIMD token bucket) and narrow SSM and Tagging readers the rest of the engine calls.
 */
export * from './assume-role.js';
export * from './bucket-owner.js';
export * from './bucket-region.js';
export * from './clients.js';
export * from './key-prefix.js';
export * from './pacing.js';
export * from './ssm.js';
export * from './tagging.js';
