/**
 * The inputs of a backup (`BackupOptions`, every reference resolved) and one object per region run (`RegionRun`): its
 * options, logger, deadline and counters, passed to each step instead of long parameter lists or module-level maps.
 */
import type { Logger, Progress } from '../support/index.js';
import type { PlanWithKeys } from '../config/index.js';
import type { AwsClientFactory } from '../aws/index.js';
import type { GuardOptions } from './drift.js';

export interface BackupOptions {
  plan: PlanWithKeys;
  /** Regions to back up (default: all in the plan), in order. */
  regions?: string[];
  path: string;
  nameContains?: string;
  dryRun: boolean;
  includeTags: boolean;
  /** Record each parameter's labels (GetParameterHistory per parameter). */
  includeLabels?: boolean;
  concurrency: number;
  failFast: boolean;
  /** Refuse (exit 2, before anything is written) when a region has no client-side encryption key. */
  requireClientEncryption?: boolean;
  /** Regions backed up at the same time (default 1: one after another, in list order). */
  parallelRegions?: number;
  /** The shrink guard (--max-shrink, --allow-shrink, --allow-empty). */
  guard: GuardOptions;
  workDir: string;
  summaryFile: string;
  /** Also write this run's entries alone to this file after every change (--summary-fragment; merge-summaries joins them). */
  summaryFragment?: string;
  /** Keep the summary file's entries of regions this run does not back up (--plan-file: one run per region of a build). */
  mergeSummary?: boolean;
  /** Seconds a region may take (--region-timeout); then its AWS work stops and it is TIMED_OUT. */
  regionTimeoutSec?: number;
  /** Put CloudWatch metrics after each region (default true; --no-metrics). Never in a dry run. */
  metrics?: boolean;
  /** Throttled attempts so far (shown in progress lines). */
  throttles?: () => number;
  logger: Logger;
  now?: () => Date;
}

/** One region of a backup run. */
export class RegionRun {
  readonly log: Logger;
  readonly bucket: string | null;
  readonly started = performance.now();
  /** Warnings of this region (plan warnings that concern it first), reported in its summary. */
  readonly warnings: string[];
  /** The collect progress: what the region had done when its deadline stopped it. */
  collected?: Progress;
  /** Clients of this run only: every call stops when the run is stopped (its deadline). */
  readonly aws: AwsClientFactory;
  private readonly controller = new AbortController();
  /** Set when the region's deadline fired: the failure that follows is reported once, as TIMED_OUT. */
  deadlineReached = false;

  constructor(
    aws: AwsClientFactory,
    readonly region: string,
    readonly accountId: string | null,
    readonly opts: BackupOptions,
  ) {
    this.aws = aws.withSignal(this.controller.signal);
    this.log = opts.logger.forRegion(region);
    this.bucket = opts.plan.buckets[region] ?? null;
    this.warnings = [...(opts.plan.regionWarnings?.[region] ?? [])];
  }

  /** Stops every AWS call of the run at once (waiting for its pace, retrying or in flight) with `reason`. */
  stop(reason: Error): void {
    this.deadlineReached = true;
    this.controller.abort(reason);
  }

  /** Seconds since the region started, to the hundredth. */
  elapsed(): number {
    return Math.round((performance.now() - this.started) / 10) / 100;
  }

  /** The region's S3 client. */
  s3() {
    return this.aws.s3(this.region);
  }
}
