import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
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
        });
        expect(DEFAULT_RETENTION_DAYS).to.equal(30);
        expect(DEFAULT_NONCURRENT_VERSION_RETENTION_DAYS).to.equal(7);
    });

    it("accepts regions as an array, a JSON string, or comma-separated text", () => {
        const expected = ["ap-northeast-1", "us-west-2"];
        expect(validateConfig({ ...VALID, regions: ["ap-northeast-1", "us-west-2"] }).regions).to.deep.equal(expected);
        expect(validateConfig({ ...VALID, regions: "ap-northeast-1, us-west-2" }).regions).to.deep.equal(expected);
    });

    it("keeps the configured region order", () => {
        expect(validateConfig({ ...VALID, regions: '["us-west-2","ap-northeast-1"]' }).regions).to.deep.equal([
            "us-west-2",
            "ap-northeast-1",
        ]);
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
            expect(errorOf({ ...VALID, defaultRegion: "eu-west-1" }).message).to.equal(
                "defaultRegion must be included in regions.",
            );
            expect(errorOf({ ...VALID, defaultRegion: "not a region" }).message).to.equal(
                "defaultRegion must be included in regions.",
            );
        });

        it("duplicate region", () => {
            expect(errorOf({ ...VALID, regions: '["ap-northeast-1","us-west-2","ap-northeast-1"]' }).message).to.equal(
                'Duplicate region "ap-northeast-1" in regions: each region may appear only once.',
            );
        });

        it("malformed region", () => {
            expect(errorOf({ ...VALID, regions: '["ap-northeast-1","US-WEST-2"]' }).message).to.equal(
                'Invalid region name "US-WEST-2" in regions: expected an AWS region like "ap-northeast-1".',
            );
            expect(errorOf({ ...VALID, regions: "ap-northeast-1,us_west_2" }).message).to.equal(
                'Invalid region name "us_west_2" in regions: expected an AWS region like "ap-northeast-1".',
            );
            expect(errorOf({ ...VALID, regions: '["ap-northeast-1", 5]' }).message).to.equal(
                'Invalid region name 5 in regions: expected a string like "ap-northeast-1".',
            );
        });

        it("regions that are not a list", () => {
            expect(errorOf({ ...VALID, regions: "[ap-northeast-1" }).message).to.equal(
                "regions must be a list of AWS region names, e.g. [ap-northeast-1, us-west-2] (got [ap-northeast-1).",
            );
            expect(errorOf({ ...VALID, regions: { a: 1 } }).message).to.equal(
                "regions must be a list of AWS region names, e.g. [ap-northeast-1, us-west-2].",
            );
        });

        it("ssmHomeRegion malformed", () => {
            expect(errorOf({ ...VALID, ssmHomeRegion: "tokyo" }).message).to.equal(
                'ssmHomeRegion "tokyo" is not a valid AWS region name (expected e.g. "ap-northeast-1").',
            );
        });

        it("environment not matching [a-z0-9-]+", () => {
            for (const environment of ["Dev", "dev_1", "dev env", "prod!"]) {
                expect(errorOf({ ...VALID, environment }).message).to.equal(
                    `environment must match [a-z0-9-]+ (got "${environment}").`,
                );
            }
            expect(errorOf({ ...VALID, environment: undefined }).message).to.equal(
                "environment is required (pulumi config set environment <value>).",
            );
        });

        it("projectName missing or not usable in a bucket name", () => {
            expect(errorOf({ ...VALID, projectName: undefined }).message).to.equal(
                "projectName is required (pulumi config set projectName <value>).",
            );
            expect(errorOf({ ...VALID, projectName: "Jenkins" }).message).to.equal(
                'projectName must match [a-z0-9][a-z0-9-]* (S3 bucket naming) (got "Jenkins").',
            );
        });

        it("bucket name longer than 63 characters", () => {
            expect(errorOf({ ...VALID, projectName: "a-very-long-jenkins-project-name" }).message).to.equal(
                "Bucket name for ap-northeast-1 would be 75 characters (S3 allows 63): shorten projectName or environment.",
            );
        });

        it("retention days and objectLock", () => {
            expect(errorOf({ ...VALID, retentionDays: "0" }).message).to.equal(
                'retentionDays must be a positive whole number of days (got "0").',
            );
            expect(errorOf({ ...VALID, noncurrentVersionRetentionDays: "7.5" }).message).to.equal(
                'noncurrentVersionRetentionDays must be a positive whole number of days (got "7.5").',
            );
            expect(errorOf({ ...VALID, objectLock: "yes" }).message).to.equal(
                'objectLock must be true or false (got "yes").',
            );
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
