import { expect } from "chai";
import {
    MAX_BUCKET_NAME_LENGTH,
    bucketName,
    bucketNameLength,
    bucketTags,
    isValidRegion,
    logicalNames,
    parameterTags,
    regionListValue,
    ssmParameterNames,
} from "../naming";

describe("naming", () => {
    it("builds bucket names as {projectName}-ssm-backup-{environment}-{accountId}-{region}", () => {
        expect(bucketName("jenkins-infra", "dev", "123456789012", "ap-northeast-1")).to.equal(
            "jenkins-infra-ssm-backup-dev-123456789012-ap-northeast-1",
        );
        expect(bucketName("jenkins-infra", "prod", "123456789012", "us-west-2")).to.equal(
            "jenkins-infra-ssm-backup-prod-123456789012-us-west-2",
        );
    });

    it("computes the final bucket-name length with a 12-digit account id", () => {
        const expected = "jenkins-infra-ssm-backup-dev-123456789012-ap-northeast-1".length;
        expect(bucketNameLength("jenkins-infra", "dev", "ap-northeast-1")).to.equal(expected);
        expect(expected).to.be.at.most(MAX_BUCKET_NAME_LENGTH);
    });

    it("accepts real AWS region names", () => {
        for (const region of [
            "ap-northeast-1",
            "us-west-2",
            "us-east-1",
            "eu-central-2",
            "ap-southeast-4",
            "il-central-1",
            "me-central-1",
            "ca-west-1",
            "mx-central-1",
            "us-gov-west-1",
            "cn-north-1",
            "us-iso-east-1",
            "us-isob-east-1",
        ]) {
            expect(isValidRegion(region), region).to.equal(true);
        }
    });

    it("rejects malformed region names", () => {
        for (const region of [
            "",
            "AP-NORTHEAST-1",
            "us-west",
            "us_west_2",
            "us-west-2 ",
            " us-west-2",
            "uswest2",
            "us-west-2a",
            "useast-1",
            "us-west-2/",
            "tokyo",
        ]) {
            expect(isValidRegion(region), JSON.stringify(region)).to.equal(false);
        }
    });

    it("suffixes every per-region logical name with the region", () => {
        for (const [key, make] of Object.entries(logicalNames)) {
            expect(make("eu-west-1"), key).to.match(/-eu-west-1$/);
        }
        expect(logicalNames.bucket("us-west-2")).to.equal("ssm-backup-bucket-us-west-2");
        expect(logicalNames.regionalStore("us-west-2")).to.equal("ssm-backup-us-west-2");
    });

    it("gives every per-region logical name a distinct prefix (no collisions between kinds)", () => {
        const names = Object.values(logicalNames).map((make) => make("us-west-2"));
        expect(new Set(names).size).to.equal(names.length);
    });

    it("names the SSM parameters the engine reads", () => {
        expect(ssmParameterNames.regionalBucketName("dev", "us-west-2")).to.equal(
            "/jenkins/dev/backup/us-west-2/s3-bucket-name",
        );
        expect(ssmParameterNames.regionList("dev")).to.equal("/jenkins/dev/backup/region-list");
        expect(ssmParameterNames.defaultRegion("dev")).to.equal("/jenkins/dev/backup/default-region");
        expect(ssmParameterNames.legacyBucketName("dev")).to.equal("/jenkins/dev/backup/s3-bucket-name");
    });

    it("tags buckets with the five required tags", () => {
        expect(bucketTags("dev", "us-west-2")).to.deep.equal({
            Environment: "dev",
            ManagedBy: "Pulumi",
            Region: "us-west-2",
            Purpose: "SSM Parameter Store Backup",
            DataClassification: "Confidential",
        });
        expect(parameterTags("dev", "us-west-2")).to.include({ ManagedBy: "Pulumi", Region: "us-west-2" });
    });

    it("stores the region list as a JSON array in config order", () => {
        expect(regionListValue(["us-west-2", "ap-northeast-1"])).to.equal('["us-west-2","ap-northeast-1"]');
        expect(JSON.parse(regionListValue(["a-b-1"]))).to.deep.equal(["a-b-1"]);
    });
});
