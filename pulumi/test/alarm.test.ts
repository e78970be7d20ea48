/** The per-region "no successful SSM backup in 26 h" alarm and its optional SNS topic, through the real program on mocks. */
import { expect } from "chai";
import { ALARM_PERIOD_SECONDS, ALARM_WINDOW_HOURS, alarmDimensions } from "../alarm";
import { validateConfig } from "../config";
import { ACCOUNT_ID, DEV_CONFIG, ProgramRun, TYPES, runProgram, runProgramExpectingError } from "./harness";

const REGIONS = ["ap-northeast-1", "us-west-2"];
const topicArn = (region: string) => `arn:aws:sns:${region}:${ACCOUNT_ID}:ssm-backup-dev-no-successful-backup`;

function alarmIn(run: ProgramRun, region: string) {
    return run.mocks.named(`ssm-backup-alarm-${region}`);
}

describe("backup alarm (default: on, no topic)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(DEV_CONFIG);
    });

    it("creates one alarm per region, through that region's provider", () => {
        expect(run.mocks.ofType(TYPES.alarm).map((a) => a.name)).to.have.members(REGIONS.map((r) => `ssm-backup-alarm-${r}`));
        for (const region of REGIONS) {
            expect(run.mocks.regionOf(alarmIn(run, region).provider)).to.equal(region);
        }
    });

    it("alarms when BackupSuccess summed per hour is below 1 in each of the last 26 hours, missing data breaching", () => {
        for (const region of REGIONS) {
            const { alarmActions, okActions, ...settings } = alarmIn(run, region).inputs;
            expect(settings).to.deep.equal({
                name: "ssm-backup-dev-no-successful-backup",
                alarmDescription: `No successful SSM Parameter Store backup of dev in ${region} in 26 h (managed by Pulumi)`,
                namespace: "SSMParameterBackup",
                metricName: "BackupSuccess",
                dimensions: { Environment: "dev", Region: region },
                statistic: "Sum",
                period: 3600,
                evaluationPeriods: 26,
                datapointsToAlarm: 26,
                comparisonOperator: "LessThanThreshold",
                threshold: 1,
                treatMissingData: "breaching",
            });
            expect(alarmActions).to.deep.equal([]);
            expect(okActions).to.deep.equal([]);
        }
        expect(run.mocks.ofType(TYPES.topic)).to.deep.equal([]);
    });

    it("stays within PutMetricAlarm's window rule (period >= 1 h: period x evaluation periods <= 7 days) and covers 26 h", () => {
        expect(ALARM_PERIOD_SECONDS).to.be.at.least(3600);
        expect(ALARM_PERIOD_SECONDS * ALARM_WINDOW_HOURS)
            .to.equal(26 * 3600)
            .and.to.be.at.most(604_800);
    });

    it("exports the alarm ARNs per region and no topics", () => {
        expect(run.outputs.alarmMap).to.deep.equal(
            Object.fromEntries(REGIONS.map((r) => [r, `arn:aws:cloudwatch:${r}:${ACCOUNT_ID}:alarm:ssm-backup-dev-no-successful-backup`])),
        );
        expect(run.outputs.alarmTopicMap).to.deep.equal({});
    });
});

describe("backup alarm options", () => {
    it("backupAlarm: false creates no alarm and exports none", async () => {
        const run = await runProgram({ ...DEV_CONFIG, backupAlarm: false });
        expect(run.mocks.ofType(TYPES.alarm)).to.deep.equal([]);
        expect(run.outputs.alarmMap).to.deep.equal({});
    });

    it("alarmTopic: true adds a topic per region that receives the alarm and OK actions, without subscription", async () => {
        const run = await runProgram({ ...DEV_CONFIG, alarmTopic: true });
        for (const region of REGIONS) {
            const topic = run.mocks.named(`ssm-backup-alarm-topic-${region}`);
            expect(run.mocks.regionOf(topic.provider)).to.equal(region);
            expect(topic.inputs.name).to.equal("ssm-backup-dev-no-successful-backup");
            expect(alarmIn(run, region).inputs.alarmActions).to.deep.equal([topicArn(region)]);
            expect(alarmIn(run, region).inputs.okActions).to.deep.equal([topicArn(region)]);
        }
        expect(run.mocks.ofType(TYPES.topicSubscription)).to.deep.equal([]);
        expect(run.outputs.alarmTopicMap).to.deep.equal(Object.fromEntries(REGIONS.map((r) => [r, topicArn(r)])));
    });

    it("alarmEmail subscribes the address to each region's topic (and implies the topic)", async () => {
        const run = await runProgram({ ...DEV_CONFIG, alarmEmail: "oncall@example.com" });
        for (const region of REGIONS) {
            const subscription = run.mocks.named(`ssm-backup-alarm-email-${region}`);
            expect(subscription.inputs).to.deep.equal({ topic: topicArn(region), protocol: "email", endpoint: "oncall@example.com" });
            expect(run.mocks.regionOf(subscription.provider)).to.equal(region);
        }
        expect(run.mocks.ofType(TYPES.topic)).to.have.length(REGIONS.length);
    });

    it("adds the AccountId dimension in a member stack (the engine adds it when it runs across accounts)", async () => {
        const run = await runProgram({ ...DEV_CONFIG, centralRoleArn: "arn:aws:iam::999999999999:role/jenkins" });
        for (const region of REGIONS) {
            expect(alarmIn(run, region).inputs.dimensions).to.deep.equal({ Environment: "dev", Region: region, AccountId: ACCOUNT_ID });
        }
        expect(alarmDimensions("dev", "us-west-2")).to.deep.equal({ Environment: "dev", Region: "us-west-2" });
    });

    const VALID = { projectName: "p", environment: "dev", regions: "us-west-2" };
    for (const [name, raw, message] of [
        ["a malformed alarmEmail", { alarmEmail: "oncall" }, 'alarmEmail "oncall" is not an email address.'],
        [
            "alarmTopic without the alarm",
            { backupAlarm: "false", alarmTopic: "true" },
            "alarmTopic and alarmEmail need backupAlarm (the topic receives the alarm's notifications).",
        ],
        [
            "alarmEmail without the alarm",
            { backupAlarm: "false", alarmEmail: "a@b.co" },
            "alarmTopic and alarmEmail need backupAlarm (the topic receives the alarm's notifications).",
        ],
        ["backupAlarm not a flag", { backupAlarm: "yes" }, 'backupAlarm must be true or false (got "yes").'],
    ] as const) {
        it(`refuses ${name}`, () => {
            expect(() => validateConfig({ ...VALID, ...raw })).to.throw(message);
        });
    }

    it("stops the program on a bad alarm setting before anything is registered", async () => {
        const { error, mocks } = await runProgramExpectingError({ ...DEV_CONFIG, alarmTopic: "maybe" });
        expect(error.message).to.equal('alarmTopic must be true or false (got "maybe").');
        expect(mocks.resources).to.deep.equal([]);
    });
});
