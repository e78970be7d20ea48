/**
 * CloudWatch metrics of a region's backup (contract/metrics.ts): one PutMetricData per region that ran, in the
 * region's own CloudWatch, namespace `SSMParameterBackup`, dimensions Environment and Region (and AccountId for a member account's unit). Never fails a backup:
 * a refused or failed put comes back as a warning line (the region's summary lists it; the build is UNSTABLE).
 */
import { PutMetricDataCommand, type MetricDatum, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import { METRIC_NAMESPACE, METRICS, type MetricName, type RegionSummary } from '../../contract/index.js';
import type { AwsClientFactory } from '../aws/index.js';
import { describeAwsError } from '../support/index.js';

/**
 * The data points of one region's outcome (pure). SKIPPED regions did not run: none. BackupSuccess is 1 only for
 * SUCCESS; ParameterCount, ArchiveBytes and drift (names compared with a previous archive) only when known (a failed region puts BackupSuccess 0 and its duration).
 */
export function regionMetrics(environment: string, region: string, s: RegionSummary, at: Date): MetricDatum[] {
  if (s.status === 'SKIPPED' || s.dryRun) return [];
  const ok = s.status === 'SUCCESS';
  // Drift counts only when names were compared with a previous archive (a first backup "adds" nothing).
  const drift = s.drift?.comparedWith === 'index' && s.drift.previousArchive ? s.drift : undefined;
  const values: [MetricName, number | null | undefined][] = [
    ['BackupSuccess', ok ? 1 : 0],
    ['DurationSeconds', s.executionTimeSec],
    ['ParameterCount', ok ? s.parameterCount : undefined],
    ['ArchiveBytes', s.archiveBytes],
    ['DriftAdded', drift?.added],
    ['DriftRemoved', drift?.removed],
    ['DriftChanged', drift?.changed],
  ];
  const Dimensions = [
    { Name: 'Environment', Value: environment },
    { Name: 'Region', Value: region },
    // A member account's unit (multi-account run): the member stack's alarm names the account too.
    ...(s.accountId ? [{ Name: 'AccountId', Value: s.accountId }] : []),
  ];
  return values
    .filter((v): v is [MetricName, number] => typeof v[1] === 'number' && Number.isFinite(v[1]))
    .map(([MetricName, Value]) => ({ MetricName, Value, Unit: METRICS[MetricName] as StandardUnit, Dimensions, Timestamp: at }));
}

/** How long a region's PutMetricData may take, retries included: metrics never hold up a backup for long. */
export const METRICS_TIMEOUT_MS = 10_000;

/** Puts the region's metrics; resolves to a warning line when CloudWatch did not take them in time, else undefined. */
export async function putRegionMetrics(
  aws: AwsClientFactory,
  environment: string,
  region: string,
  s: RegionSummary,
  at = new Date(),
): Promise<string | undefined> {
  const MetricData = regionMetrics(environment, region, s, at);
  if (!MetricData.length) return undefined;
  try {
    await aws
      .cloudwatch(region)
      .send(new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData }), { abortSignal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
    return undefined;
  } catch (err) {
    const why =
      (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError'
        ? `no answer within ${METRICS_TIMEOUT_MS / 1000} s`
        : describeAwsError(err);
    return `CloudWatch metrics not put (${why}); the backup itself is unaffected, but the alarm on ${METRIC_NAMESPACE}/BackupSuccess sees no success from this run (--no-metrics turns them off)`;
  }
}
