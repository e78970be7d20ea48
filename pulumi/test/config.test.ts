import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
    DEFAULT_ACCESS_LOG_RETENTION_DAYS,
    DEFAULT_NONCURRENT_VERSION_RETENTION_DAYS,
    DEFAULT_RETENTION_DAYS,
    RawBackupStackConfig,
    loadConfig,
    validateConfig,
} from "../config";
import { PROJECT } from "../naming";

const VALID: RawBackupStackConfig = {
    projectName: "jenkins-infra",
    environment: "dev",
    regions: '["ap-northeast-1","us-west-2"]',
    defaultRegion: "ap-northeast-1",
    ssmHomeRegion: "ap-northeast-1",
};

function errorOf(raw: RawBackupStackConfig): Error {
    try {
        validateConfig(raw);
    } catch (err) {
        expect(err).to.be.instanceOf(Error);
        // A RunError makes the Pulumi CLI print just the message, no stack trace.
        expect(pulumi.RunError.isInstance(err)).to.equal(true);
        return err as Error;
    }
    throw new Error(`expected validateConfig to throw for ${JSON.stringify(raw)}`);
}

describe("config validation (validateConfig)", () => {
    it("turns the documented dev config into one typed object with defaults", () => {
        expect(validateConfig(VALID)).to.deep.equal({
            projectName: "jenkins-infra",
            environment: "dev",
            regions: ["ap-northeast-1", "us-west-2"],
            defaultRegion: "ap-northeast-1",
            ssmHomeRegion: "ap-northeast-1",
            retentionDays: DEFAULT_RETENTION_DAYS,
            noncurrentVersionRetentionDays: DEFAULT_NONCURRENT_VERSION_RETENTION_DAYS,
            objectLock: false,
            drKeyRegions: [],
            accessLogs: false,
            accessLogRetentionDays: DEFAULT_ACCESS_LOG_RETENTION_DAYS,
            alarm: { topic: false },
            accounts: [],
            partition: "aws",
            dnsSuffix: "amazonaws.com",
        });
        expect(DEFAULT_ACCESS_LOG_RETENTION_DAYS).to.equal(90);
        expect(DEFAULT_RETENTION_DAYS).to.equal(30);
        expect(DEFAULT_NONCURRENT_VERSION_RETENTION_DAYS).to.equal(7);
    });

    it("accepts regions as an array, a JSON string, or comma-separated text", () => {
        const expected = ["ap-northeast-1", "us-west-2"];
        expect(validateConfig({ ...VALID, regions: ["ap-northeast-1", "us-west-2"] }).regions).to.deep.equal(expected);
        expect(validateConfig({ ...VALID, regions: "ap-northeast-1, us-west-2" }).regions).to.deep.equal(expected);
    });

    it("keeps the configured region order", () => {
        expect(validateConfig({ ...VALID, regions: '["us-west-2","ap-northeast-1"]' }).regions).to.deep.equal(["us-west-2", "ap-northeast-1"]);
    });

    it("defaults defaultRegion to the first region and ssmHomeRegion to defaultRegion", () => {
        const cfg = validateConfig({ ...VALID, defaultRegion: undefined, ssmHomeRegion: undefined });
        expect(cfg.defaultRegion).to.equal("ap-northeast-1");
        expect(cfg.ssmHomeRegion).to.equal("ap-northeast-1");
        const other = validateConfig({ ...VALID, defaultRegion: "us-west-2", ssmHomeRegion: "" });
        expect(other.ssmHomeRegion).to.equal("us-west-2");
    });

    it("allows an ssmHomeRegion outside the backup regions", () => {
        expect(validateConfig({ ...VALID, ssmHomeRegion: "us-east-1" }).ssmHomeRegion).to.equal("us-east-1");
    });

    it("parses the optional retention and Object Lock settings", () => {
        const cfg = validateConfig({
            ...VALID,
            retentionDays: "90",
            noncurrentVersionRetentionDays: 14,
            objectLock: "true",
        });
        expect(cfg.retentionDays).to.equal(90);
        expect(cfg.noncurrentVersionRetentionDays).to.equal(14);
        expect(cfg.objectLock).to.equal(true);
        expect(validateConfig({ ...VALID, objectLock: "false" }).objectLock).to.equal(false);
        expect(validateConfig({ ...VALID, objectLock: true }).objectLock).to.equal(true);
    });

    describe("errors (exact messages)", () => {
        it("No regions configured", () => {
            for (const regions of [undefined, "", "[]", [], "  "]) {
                expect(errorOf({ ...VALID, regions }).message, JSON.stringify(regions)).to.equal("No regions configured");
            }
        });

        it("defaultRegion must be included in regions.", () => {
            expect(errorOf({ ...VALID, defaultRegion: "eu-west-1" }).message).to.equal("defaultRegion must be included in regions.");
            expect(errorOf({ ...VALID, defaultRegion: "not a region" }).message).to.equal("defaultRegion must be included in regions.");
        });

        it("duplicate region", () => {
            expect(errorOf({ ...VALID, regions: '["ap-northeast-1","us-west-2","ap-northeast-1"]' }).message).to.equal(
                'Duplicate region "ap-northeast-1" in regions: each region may appear only once.',
            );
        });

        it("malformed region", () => {
            expect(errorOf({ ...VALID, regions: '["ap-northeast-1","US-WEST-2"]' }).message).to.equal(
                'Invalid region name "US-WEST-2" in regions: use AWS region names such as us-west-2.',
            );
            expect(errorOf({ ...VALID, regions: "ap-northeast-1,us_west_2" }).message).to.equal(
                'Invalid region name "us_west_2" in regions: use AWS region names such as us-west-2.',
            );
            expect(errorOf({ ...VALID, regions: '["ap-northeast-1", 5]' }).message).to.equal(
                'Invalid region name 5 in regions: expected a string like "ap-northeast-1".',
            );
        });

        it("regions that are not a list", () => {
            expect(errorOf({ ...VALID, regions: "[ap-northeast-1" }).message).to.equal(
                "regions must be a list of AWS region names, e.g. [ap-northeast-1, us-west-2] (got [ap-northeast-1).",
            );
            expect(errorOf({ ...VALID, regions: { a: 1 } }).message).to.equal("regions must be a list of AWS region names, e.g. [ap-northeast-1, us-west-2].");
        });

        it("ssmHomeRegion malformed", () => {
            expect(errorOf({ ...VALID, ssmHomeRegion: "tokyo" }).message).to.equal(
                'ssmHomeRegion "tokyo" is not a valid AWS region name (expected e.g. "ap-northeast-1").',
            );
        });

        it("environment not following the shared rule", () => {
            for (const environment of ["Dev", "dev_1", "dev env", "prod!", "-dev", "dev-", " dev"]) {
                expect(errorOf({ ...VALID, environment }).message).to.equal(
                    `environment "${environment}" is invalid: use 1-32 lowercase letters, digits and single '-', ` +
                        "starting and ending with a letter or digit (for example dev).",
                );
            }
            expect(errorOf({ ...VALID, environment: undefined }).message).to.equal("environment is required (pulumi config set environment <value>).");
        });

        it("projectName missing or not usable in a bucket name", () => {
            expect(errorOf({ ...VALID, projectName: undefined }).message).to.equal("projectName is required (pulumi config set projectName <value>).");
            expect(errorOf({ ...VALID, projectName: "Jenkins" }).message).to.equal(
                `projectName "Jenkins" is invalid: use lowercase letters, digits or '-', starting with a letter or digit (S3 bucket naming).`,
            );
            expect(errorOf({ ...VALID, projectName: "sthree-jenkins" }).message).to.equal(
                'projectName "sthree-jenkins" is invalid: S3 reserves bucket names starting with "sthree-".',
            );
        });

        it("bucket name longer than 63 characters", () => {
            expect(errorOf({ ...VALID, projectName: "a-very-long-jenkins-project-name" }).message).to.equal(
                "Bucket name for ap-northeast-1 would be 75 characters (S3 allows 63): shorten projectName or environment.",
            );
        });

        it("drKeyRegions: region names, no duplicates, same partition", () => {
            expect(errorOf({ ...VALID, drKeyRegions: '["eu-west-1","eu-west-1"]' }).message).to.equal(
                'Duplicate region "eu-west-1" in drKeyRegions: each region may appear only once.',
            );
            expect(errorOf({ ...VALID, drKeyRegions: "eu-west-1, frankfurt" }).message).to.equal(
                'Invalid region name "frankfurt" in drKeyRegions: use AWS region names such as us-west-2.',
            );
            expect(errorOf({ ...VALID, drKeyRegions: "cn-north-1" }).message).to.equal(
                "cn-north-1 is in partition aws-cn but ap-northeast-1 is in aws: " +
                    "one stack covers one AWS partition (regions, drKeyRegions and ssmHomeRegion).",
            );
            expect(errorOf({ ...VALID, ssmHomeRegion: "us-gov-west-1" }).message).to.match(
                /^us-gov-west-1 is in partition aws-us-gov but ap-northeast-1 is in aws/,
            );
        });

        it("role ARNs: IAM role ARNs of the regions' partition, both or neither", () => {
            const backupRoleArn = "arn:aws:iam::123456789012:role/ssm-backup";
            expect(errorOf({ ...VALID, backupRoleArn }).message).to.equal(
                "backupRoleArn and restoreRoleArn must be set together (the key policies then name both roles).",
            );
            expect(errorOf({ ...VALID, backupRoleArn, restoreRoleArn: "arn:aws:iam::123456789012:user/bob" }).message).to.equal(
                'restoreRoleArn "arn:aws:iam::123456789012:user/bob" is not an IAM role ARN (expected arn:aws:iam::123456789012:role/name).',
            );
            expect(errorOf({ ...VALID, backupRoleArn: "arn:aws-cn:iam::123456789012:role/x", restoreRoleArn: backupRoleArn }).message).to.equal(
                'backupRoleArn "arn:aws-cn:iam::123456789012:role/x" is in partition aws-cn but the regions are in aws.',
            );
        });

        it("accessLogs: flag, and the longer log bucket name must fit", () => {
            expect(errorOf({ ...VALID, accessLogs: "on" }).message).to.equal('accessLogs must be true or false (got "on").');
            const projectName = "jenkins-infra-ssm"; // 60 characters for ap-northeast-1, 65 for its log bucket
            expect(validateConfig({ ...VALID, projectName }).accessLogs).to.equal(false);
            expect(errorOf({ ...VALID, projectName, accessLogs: "true" }).message).to.equal(
                "Bucket name for ap-northeast-1 would be 65 characters (S3 allows 63): shorten projectName or environment.",
            );
            expect(errorOf({ ...VALID, accessLogRetentionDays: "-1" }).message).to.equal(
                'accessLogRetentionDays must be a positive whole number of days (got "-1").',
            );
        });

        it("retention days and objectLock", () => {
            expect(errorOf({ ...VALID, retentionDays: "0" }).message).to.equal('retentionDays must be a positive whole number of days (got "0").');
            expect(errorOf({ ...VALID, noncurrentVersionRetentionDays: "7.5" }).message).to.equal(
                'noncurrentVersionRetentionDays must be a positive whole number of days (got "7.5").',
            );
            expect(errorOf({ ...VALID, objectLock: "yes" }).message).to.equal('objectLock must be true or false (got "yes").');
        });
    });
});

describe("config loading (loadConfig from the stack config)", () => {
    afterEach(() => pulumi.runtime.setAllConfig({}));

    it("reads the project's namespace the way the CLI passes it (lists as JSON text)", () => {
        pulumi.runtime.setAllConfig({
            [`${PROJECT}:projectName`]: "jenkins-infra",
            [`${PROJECT}:environment`]: "prod",
            [`${PROJECT}:regions`]: '["us-west-2","ap-northeast-1"]',
            [`${PROJECT}:defaultRegion`]: "us-west-2",
            [`${PROJECT}:ssmHomeRegion`]: "ap-northeast-1",
            [`${PROJECT}:retentionDays`]: "45",
            [`${PROJECT}:objectLock`]: "true",
            [`${PROJECT}:drKeyRegions`]: '["eu-west-1"]',
            [`${PROJECT}:accessLogs`]: "true",
            [`${PROJECT}:accessLogRetentionDays`]: "400",
            [`${PROJECT}:backupRoleArn`]: "arn:aws:iam::123456789012:role/ssm-backup",
            [`${PROJECT}:restoreRoleArn`]: "arn:aws:iam::123456789012:role/ops/ssm-restore",
            [`${PROJECT}:alarmEmail`]: "oncall@example.com",
            // Structured config arrives as JSON text.
            [`${PROJECT}:accounts`]:
                '[{"accountId":"111111111111","externalId":"ext-1"},{"accountId":"222222222222","roleArn":"arn:aws:iam::222222222222:role/x"}]',
            // Another namespace must not leak in.
            "aws:region": "eu-west-1",
        });
        expect(loadConfig()).to.deep.equal({
            projectName: "jenkins-infra",
            environment: "prod",
            regions: ["us-west-2", "ap-northeast-1"],
            defaultRegion: "us-west-2",
            ssmHomeRegion: "ap-northeast-1",
            retentionDays: 45,
            noncurrentVersionRetentionDays: 7,
            objectLock: true,
            drKeyRegions: ["eu-west-1"],
            accessLogs: true,
            accessLogRetentionDays: 400,
            backupRoleArn: "arn:aws:iam::123456789012:role/ssm-backup",
            restoreRoleArn: "arn:aws:iam::123456789012:role/ops/ssm-restore",
            alarm: { topic: true, email: "oncall@example.com" },
            accounts: [
                { accountId: "111111111111", roleArn: "arn:aws:iam::111111111111:role/jenkins-ssm-backup-prod", externalId: "ext-1" },
                { accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/x" },
            ],
            partition: "aws",
            dnsSuffix: "amazonaws.com",
        });
    });

    it("stops with the validation message when regions are missing", () => {
        pulumi.runtime.setAllConfig({
            [`${PROJECT}:projectName`]: "jenkins-infra",
            [`${PROJECT}:environment`]: "dev",
        });
        expect(() => loadConfig()).to.throw("No regions configured");
    });
});
