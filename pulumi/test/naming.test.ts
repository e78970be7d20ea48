import { expect } from "chai";
import { bucketTags, globalLogicalNames, keyTags, logicalNames, parameterTags, regionListValue } from "../naming";

describe("naming (Pulumi-only rules; the shared contract is tested in namingContract.test.ts)", () => {
    it("suffixes every per-region logical name with the region", () => {
        for (const [key, make] of Object.entries(logicalNames)) {
            expect(make("eu-west-1"), key).to.match(/-eu-west-1$/);
        }
        expect(logicalNames.bucket("us-west-2")).to.equal("ssm-backup-bucket-us-west-2");
        expect(logicalNames.regionalStore("us-west-2")).to.equal("ssm-backup-us-west-2");
    });

    it("gives every per-region logical name a distinct prefix (no collisions between kinds)", () => {
        const names = [...Object.values(logicalNames).map((make) => make("us-west-2")), ...Object.values(globalLogicalNames)];
        expect(new Set(names).size).to.equal(names.length);
        for (const name of Object.values(globalLogicalNames)) {
            expect(name, "global names carry no region").to.not.match(/-\d+$/);
        }
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
        expect(keyTags("dev", "us-west-2", "backup")).to.include({ ManagedBy: "Pulumi", Region: "us-west-2" });
        expect(keyTags("dev", "us-west-2", "dr").Purpose).to.equal("SSM Parameter Store Backup DR key");
    });

    it("stores the region list as a JSON array in config order", () => {
        expect(regionListValue(["us-west-2", "ap-northeast-1"])).to.equal('["us-west-2","ap-northeast-1"]');
        expect(JSON.parse(regionListValue(["a-b-1"]))).to.deep.equal(["a-b-1"]);
    });
});
