/**
 * The CloudWatch metrics the engine puts after each region of a backup (issue 23), read by the Pulumi alarm
 * (pulumi/alarm.ts: `BackupSuccess` summed per hour) and by people on dashboards. Namespace, metric names, units and
 * dimension names are the contract; test/contract/metrics.test.ts checks the Pulumi side spells them the same.
 */

/** CloudWatch namespace of every metric (the IAM grant of cloudwatch:PutMetricData is conditioned on it). */
export const METRIC_NAMESPACE = 'SSMParameterBackup';

/** Dimension names, in the order they are put. `AccountId` is added once runs span accounts. */
export const METRIC_DIMENSIONS = ['Environment', 'Region'] as const;

/**
 * Each metric and its CloudWatch unit (StandardUnit). BackupSuccess: 1 when the region's archive is in the bucket and
 * latest.txt names it, 0 for any other outcome of a region that ran. The drift metrics are put only when names were
 * compared; ArchiveBytes only when an archive was uploaded.
 */
export const METRICS = {
  BackupSuccess: 'Count',
  ParameterCount: 'Count',
  DurationSeconds: 'Seconds',
  ArchiveBytes: 'Bytes',
  DriftAdded: 'Count',
  DriftRemoved: 'Count',
  DriftChanged: 'Count',
} as const;

export type MetricName = keyof typeof METRICS;
