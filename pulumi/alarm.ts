/**
 * The per-region alarm "no successful SSM backup in 26 h" (issue 23) and its optional SNS topic.
 *
 * The engine puts `BackupSuccess` (1 or 0) in namespace `SSMParameterBackup` after each region,
 * with dimensions `Environment` and `Region` (and `AccountId` when it runs across accounts).
 * The alarm sums it per hour over the last 26 hours: ALARM when every one of those 26 hourly
 * sums is below 1 or missing, that is when no run succeeded in 26 hours (a daily job plus two
 * hours of slack). Why hours rather than one 86,400 s period: PutMetricAlarm allows
 * Period x EvaluationPeriods up to 7 days once Period is at least 3,600 s (CloudWatch API
 * reference, PutMetricAlarm, Period), so 26 x 3,600 s is valid, while a single daily period
 * could only say "nothing in the last 24 h" and would fire whenever a nightly run starts a few
 * minutes later than the day before. `treatMissingData: breaching`: a job that never ran
 * puts no data at all, and that is exactly the silent failure the alarm is for.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BackupStackConfig } from "./config";
import { METRIC_NAMESPACE } from "./iamPolicies";
import { logicalNames } from "./naming";

export const BACKUP_SUCCESS_METRIC = "BackupSuccess";
export const ALARM_PERIOD_SECONDS = 3600;
export const ALARM_WINDOW_HOURS = 26;

/** Alarm name (unique per account and region): `ssm-backup-{env}-no-successful-backup`. */
export function alarmName(environment: string): string {
    return `ssm-backup-${environment}-no-successful-backup`;
}

/** Dimensions the engine puts `BackupSuccess` with; `AccountId` only when the job runs across accounts. */
export function alarmDimensions(environment: string, region: string, accountId?: string): Record<string, string> {
    return { Environment: environment, Region: region, ...(accountId === undefined ? {} : { AccountId: accountId }) };
}

/** The alarm's settings (pure), without actions. */
export function backupAlarmSettings(environment: string, region: string, accountId?: string) {
    return {
        name: alarmName(environment),
        alarmDescription: `No successful SSM Parameter Store backup of ${environment} in ${region} in ${ALARM_WINDOW_HOURS} h (managed by Pulumi)`,
        namespace: METRIC_NAMESPACE,
        metricName: BACKUP_SUCCESS_METRIC,
        dimensions: alarmDimensions(environment, region, accountId),
        statistic: "Sum",
        period: ALARM_PERIOD_SECONDS,
        evaluationPeriods: ALARM_WINDOW_HOURS,
        datapointsToAlarm: ALARM_WINDOW_HOURS,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
    };
}

export interface BackupAlarm {
    readonly alarm: aws.cloudwatch.MetricAlarm;
    readonly topic?: aws.sns.Topic;
    readonly subscription?: aws.sns.TopicSubscription;
}

/**
 * The alarm of one region, through that region's provider (`opts`), with an SNS topic in the
 * same region when `alarm.topic` (alarm and OK actions go to it) and an email subscription
 * when `alarm.email`. `accountId` is set in member stacks (the engine adds the dimension then).
 */
export function backupAlarm(
    region: string,
    config: BackupStackConfig,
    accountId: pulumi.Input<string> | undefined,
    opts: pulumi.CustomResourceOptions,
): BackupAlarm | undefined {
    const settings = config.alarm;
    if (!settings) {
        return undefined;
    }
    let topic: aws.sns.Topic | undefined;
    let subscription: aws.sns.TopicSubscription | undefined;
    if (settings.topic) {
        topic = new aws.sns.Topic(
            logicalNames.alarmTopic(region),
            { name: alarmName(config.environment), tags: { Environment: config.environment, ManagedBy: "Pulumi", Region: region } },
            opts,
        );
        if (settings.email) {
            subscription = new aws.sns.TopicSubscription(
                logicalNames.alarmEmail(region),
                { topic: topic.arn, protocol: "email", endpoint: settings.email },
                opts,
            );
        }
    }
    const actions = topic ? [topic.arn] : [];
    const dimensions = pulumi.output(accountId).apply((id) => alarmDimensions(config.environment, region, id));
    const alarm = new aws.cloudwatch.MetricAlarm(
        logicalNames.alarm(region),
        { ...backupAlarmSettings(config.environment, region), dimensions, alarmActions: actions, okActions: actions },
        opts,
    );
    return { alarm, topic, subscription };
}
