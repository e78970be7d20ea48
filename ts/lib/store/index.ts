/**
 * The backup bucket: every object key (`layout.ts`: archives by day, name indexes, latest.txt) and every S3 call. Archive
 * listing, latest pointer and archive download (`archives.ts`), object metadata and the name index's shape (`facts.ts`),
 * writing and reading name indexes, encrypted for format 2 (`sealed-index.ts`), the previous archive for drift and the
 * guard (`previous.ts`), listing-only questions (`history.ts`), conditional upload and pointer move (`upload.ts`),
 * and when the bucket lifecycle expires an archive (`lifecycle.ts`).
 */
export * from './archives.js';
export * from './facts.js';
export * from './history.js';
export * from './layout.js';
export * from './lifecycle.js';
export * from './previous.js';
export * from './sealed-index.js';
export * from './upload.js';
