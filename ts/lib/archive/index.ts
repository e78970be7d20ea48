/**
 * The archive formats, streams only (never S3): format 1 (`format1.ts`: tar.gz holding backup.json and manifest.json),
 * format 2 (`format2.ts`: the format 1 document gzipped and encrypted with the AWS Encryption SDK, `envelope.ts`), the
 * streaming backup.json reader (`document.ts`), the reader of every format (`read.ts`), and the encrypted spool of values
 * on disk (`spool.ts`). `BackupParameter` (`parameter.ts`) is one entry of backup.json.
 */
export * from './document.js';
export * from './envelope.js';
export * from './format1.js';
export * from './format2.js';
export * from './parameter.js';
export * from './read.js';
export * from './spool.js';
