/**
 * What every folder uses: typed errors with category and region (`errors.ts`), the logger (`log.ts`), progress lines,
 * atomic files, private temp directories (`secure-temp.ts`) and peak memory.
 */
export * from './errors.js';
export * from './files.js';
export * from './log.js';
export * from './memory.js';
export * from './progress.js';
export * from './secure-temp.js';
export * from './format.js';
