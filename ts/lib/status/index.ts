/**
 * The state of every region's backups at a glance (`status`): per region the archive latest.txt names and its age,
 * parameter count, format and encryption, the counts of the newest archives, the oldest archive and when the bucket
 * lifecycle expires it, archives left behind (refused), and a verdict OK / STALE / FAILING (`status.ts`); rendered as a
 * table, JSON or one HTML page (`render.ts`) and as an SVG chart of the parameter counts (`chart.ts`). Reads the
 * bucket listing and object metadata through lib/store only: never an archive body.
 */
export * from './accounts.js';
export * from './chart.js';
export * from './render.js';
export * from './status.js';
