/**
 * Collecting a region's parameters: listing (DescribeParameters), values (GetParameters, in windows), tags (the Tagging
 * API sweep, else ListTagsForResource) and labels (GetParameterHistory), paced by lib/aws. Produces `BackupParameter`s
 * (lib/archive/parameter.ts); never touches S3.
 */
export * from './collect.js';
export * from './tags.js';
