/**
 * Scenarios that run the real program several times with different stack config:
 * adding a region, optional settings, home/default region choices, and every
 * validation error stopping the program before anything is registered.
 */
import { expect } from "chai";
import { ENVIRONMENT_RULE } from "../../ts/contract/naming";
import { logicalNames } from "../naming";
import { ACCOUNT_ID, DEV_CONFIG, PROVIDER_TYPE, ProgramRun, StackConfig, TYPES, runProgram, runProgramExpectingError } from "./harness";

const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
const bucketFor = (region: string) => `jenkins-infra-ssm-backup-dev-${ACCOUNT_ID}-${region}`;

describe("adding a third region", () => {
    let two: ProgramRun;
    let three: ProgramRun;

    before(async () => {
        two = await runProgram(DEV_CONFIG);
        three = await runProgram({ ...DEV_CONFIG, regions: ["ap-northeast-1", "us-west-2", "eu-west-1"] });
    });

    it("adds exactly one more set of resources, all named for the new region", () => {
        const before = new Set(two.mocks.resources.map(key));
        const after = new Set(three.mocks.resources.map(key));
        const added = [...after].filter((k) => !before.has(k));
        const removed = [...before].filter((k) => !after.has(k));
        expect(removed, "no resource disappears or is renamed").to.deep.equal([]);
        expect(added.sort()).to.deep.equal(
            [
                `${TYPES.regionalStore}::ssm-backup-eu-west-1`,
                `${PROVIDER_TYPE}::aws-eu-west-1`,
                `${TYPES.bucket}::ssm-backup-bucket-eu-west-1`,
                `${TYPES.versioning}::ssm-backup-bucket-versioning-eu-west-1`,
                `${TYPES.encryption}::ssm-backup-bucket-encryption-eu-west-1`,
                `${TYPES.publicAccessBlock}::ssm-backup-bucket-public-access-block-eu-west-1`,
                `${TYPES.ownershipControls}::ssm-backup-bucket-ownership-eu-west-1`,
                `${TYPES.lifecycle}::ssm-backup-bucket-lifecycle-eu-west-1`,
                `${TYPES.policy}::ssm-backup-bucket-policy-eu-west-1`,
                `${TYPES.parameter}::ssm-backup-bucket-name-param-eu-west-1`,
                `${TYPES.kmsKey}::ssm-backup-kms-key-eu-west-1`,
                `${TYPES.kmsAlias}::ssm-backup-kms-alias-eu-west-1`,
                `${TYPES.parameter}::ssm-backup-kms-key-arn-param-eu-west-1`,
                `${TYPES.alarm}::ssm-backup-alarm-eu-west-1`,
            ].sort(),
        );
        expect(three.mocks.resources.length - two.mocks.resources.length).to.equal(14);
        expect(three.mocks.ofType(TYPES.bucket)).to.have.length(3);
    });

    it("leaves the existing regions' resources (names, parents and inputs) untouched", () => {
        for (const old of two.mocks.resources) {
            const now = three.mocks.named(old.name);
            expect(now.type).to.equal(old.type);
            expect(three.mocks.optionsOf(now).parent, old.name).to.equal(two.mocks.optionsOf(old).parent);
            if (old.inputs.name === "/jenkins/dev/backup/region-list") {
                continue; // the only intended change, checked below
            }
            expect(now.inputs, old.name).to.deep.equal(old.inputs);
        }
    });

    it("creates the new bucket, settings and parameter in the new region", () => {
        const bucket = three.mocks.named("ssm-backup-bucket-eu-west-1");
        expect(bucket.inputs.bucket).to.equal(bucketFor("eu-west-1"));
        expect(three.mocks.regionOf(bucket.provider)).to.equal("eu-west-1");
        const param = three.mocks.named("ssm-backup-bucket-name-param-eu-west-1");
        expect(param.inputs.name).to.equal("/jenkins/dev/backup/eu-west-1/s3-bucket-name");
        expect(param.inputs.insecureValue).to.equal(bucketFor("eu-west-1"));
        expect(three.mocks.regionOf(param.provider)).to.equal("eu-west-1");
    });

    it("appends the region to region-list and bucketMap", () => {
        const list = three.mocks.ofType(TYPES.parameter).find((p) => p.inputs.name === "/jenkins/dev/backup/region-list");
        expect(JSON.parse(list!.inputs.insecureValue)).to.deep.equal(["ap-northeast-1", "us-west-2", "eu-west-1"]);
        expect(three.outputs.bucketMap).to.deep.equal({
            "ap-northeast-1": bucketFor("ap-northeast-1"),
            "us-west-2": bucketFor("us-west-2"),
            "eu-west-1": bucketFor("eu-west-1"),
        });
        expect(three.outputs.bucketNameOutput).to.equal(two.outputs.bucketNameOutput);
    });

    it("removing it again (three -> two regions) only drops that region's set, whose bucket is protected and retained", () => {
        const remaining = new Set(two.mocks.resources.map(key));
        const dropped = three.mocks.resources.filter((r) => !remaining.has(key(r)));
        expect(dropped.every((r) => r.name.endsWith("-eu-west-1"))).to.equal(true);
        expect(dropped).to.have.length(14);
        for (const resource of dropped) {
            const options = three.mocks.optionsOf(resource);
            if (resource.type === TYPES.bucket || resource.type === TYPES.kmsKey) {
                expect(options.protect, resource.name).to.equal(true);
                expect(options.retainOnDelete, resource.name).to.equal(true);
            }
            if (resource.type.startsWith("aws:s3/")) {
                expect(options.retainOnDelete, resource.name).to.equal(true);
            }
        }
    });
});

describe("optional settings", () => {
    it("applies retentionDays / noncurrentVersionRetentionDays and Object Lock (GOVERNANCE) to every bucket", async () => {
        const run = await runProgram({
            ...DEV_CONFIG,
            retentionDays: 90,
            noncurrentVersionRetentionDays: 14,
            objectLock: true,
        });
        const regions = DEV_CONFIG.regions as string[];
        expect(run.mocks.ofType(TYPES.objectLock)).to.have.length(regions.length);
        for (const region of regions) {
            const lock = run.mocks.named(`ssm-backup-bucket-object-lock-${region}`);
            expect(lock.inputs).to.deep.equal({
                bucket: bucketFor(region),
                objectLockEnabled: "Enabled",
                rule: { defaultRetention: { mode: "GOVERNANCE", days: 90 } },
            });
            expect(run.mocks.regionOf(lock.provider)).to.equal(region);
            const options = run.mocks.optionsOf(lock);
            expect(options.retainOnDelete).to.equal(true);
            expect(options.dependencies.some((urn) => urn.endsWith(`::ssm-backup-bucket-versioning-${region}`))).to.equal(true);

            const rules: any[] = run.mocks.named(`ssm-backup-bucket-lifecycle-${region}`).inputs.rules;
            const byId = Object.fromEntries(rules.map((rule) => [rule.id, rule]));
            expect(byId["expire-backups"].expiration).to.deep.equal({ days: 90 });
            expect(byId["expire-noncurrent-versions"].noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 14 });

            // Object Lock is switched on by its own resource, never by the create-only bucket flag.
            expect(run.mocks.named(`ssm-backup-bucket-${region}`).inputs).to.not.have.property("objectLockEnabled");
        }
    });

    it("puts the metadata in an ssmHomeRegion outside the backup regions, changing nothing else", async () => {
        const base = await runProgram(DEV_CONFIG);
        const run = await runProgram({ ...DEV_CONFIG, ssmHomeRegion: "us-east-1" });
        const provider = run.mocks.named("aws-ssm-home-us-east-1");
        expect(provider.inputs.region).to.equal("us-east-1");
        for (const name of ["region-list", "default-region", "s3-bucket-name", "dr-kms-key-arns"]) {
            const param = run.mocks.ofType(TYPES.parameter).find((p) => p.inputs.name === `/jenkins/dev/backup/${name}`);
            expect(run.mocks.regionOf(param!.provider), name).to.equal("us-east-1");
            expect(param!.name.endsWith("-us-east-1"), param!.name).to.equal(true);
        }
        expect(run.mocks.ofType(TYPES.bucket)).to.have.length(2);
        const homeNames = (home: string) =>
            new Set([
                logicalNames.homeMetadata(home),
                logicalNames.homeProvider(home),
                logicalNames.regionListParameter(home),
                logicalNames.defaultRegionParameter(home),
                logicalNames.legacyBucketNameParameter(home),
                logicalNames.drKmsKeyArnsParameter(home),
            ]);
        const regional = (r: ProgramRun, home: string) =>
            r.mocks.resources
                .filter((x) => !homeNames(home).has(x.name))
                .map(key)
                .sort();
        expect(regional(run, "us-east-1")).to.deep.equal(regional(base, "ap-northeast-1"));
        expect(run.mocks.resources).to.have.length(base.mocks.resources.length);
    });

    it("follows defaultRegion for the legacy key and the single-region outputs", async () => {
        const run = await runProgram({ ...DEV_CONFIG, regions: ["ap-northeast-1", "us-west-2"], defaultRegion: "us-west-2" });
        expect(run.outputs.bucketNameOutput).to.equal(bucketFor("us-west-2"));
        expect(run.outputs.bucketArn).to.equal(`arn:aws:s3:::${bucketFor("us-west-2")}`);
        const legacy = run.mocks.ofType(TYPES.parameter).find((p) => p.inputs.name === "/jenkins/dev/backup/s3-bucket-name");
        expect(legacy!.inputs.insecureValue).to.equal(bucketFor("us-west-2"));
        const def = run.mocks.ofType(TYPES.parameter).find((p) => p.inputs.name === "/jenkins/dev/backup/default-region");
        expect(def!.inputs.insecureValue).to.equal("us-west-2");
        // ssmHomeRegion is still ap-northeast-1 from the dev config.
        expect(run.mocks.regionOf(legacy!.provider)).to.equal("ap-northeast-1");
    });

    it("keeps region-list in config order", async () => {
        const run = await runProgram({ ...DEV_CONFIG, regions: ["us-west-2", "ap-northeast-1"] });
        const list = run.mocks.ofType(TYPES.parameter).find((p) => p.inputs.name === "/jenkins/dev/backup/region-list");
        expect(list!.inputs.insecureValue).to.equal('["us-west-2","ap-northeast-1"]');
        expect(Object.keys(run.outputs.bucketMap)).to.deep.equal(["us-west-2", "ap-northeast-1"]);
    });

    it("supports a single region", async () => {
        const run = await runProgram({ ...DEV_CONFIG, regions: ["ap-northeast-1"] });
        expect(run.mocks.ofType(TYPES.bucket)).to.have.length(1);
        expect(run.outputs.bucketMap).to.deep.equal({ "ap-northeast-1": bucketFor("ap-northeast-1") });
    });
});

describe("validation errors stop the program before any resource is registered", () => {
    const cases: Array<[string, StackConfig, string]> = [
        ["no regions", { ...DEV_CONFIG, regions: [] }, "No regions configured"],
        ["regions unset", { ...DEV_CONFIG, regions: undefined }, "No regions configured"],
        ["defaultRegion outside regions", { ...DEV_CONFIG, defaultRegion: "eu-west-1" }, "defaultRegion must be included in regions."],
        [
            "duplicate region",
            { ...DEV_CONFIG, regions: ["ap-northeast-1", "us-west-2", "us-west-2"] },
            'Duplicate region "us-west-2" in regions: each region may appear only once.',
        ],
        [
            "malformed region",
            { ...DEV_CONFIG, regions: ["ap-northeast-1", "us-west"] },
            'Invalid region name "us-west" in regions: use AWS region names such as us-west-2.',
        ],
        [
            "malformed ssmHomeRegion",
            { ...DEV_CONFIG, ssmHomeRegion: "ap_northeast_1" },
            'ssmHomeRegion "ap_northeast_1" is not a valid AWS region name (expected e.g. "ap-northeast-1").',
        ],
        ["environment with capitals", { ...DEV_CONFIG, environment: "Dev" }, `environment "Dev" is invalid: use ${ENVIRONMENT_RULE} (for example dev).`],
        [
            "environment with a leading '-' (the engine refuses it too)",
            { ...DEV_CONFIG, environment: "-dev" },
            `environment "-dev" is invalid: use ${ENVIRONMENT_RULE} (for example dev).`,
        ],
        [
            "DR key region in another partition",
            { ...DEV_CONFIG, drKeyRegions: ["cn-northwest-1"] },
            "cn-northwest-1 is in partition aws-cn but ap-northeast-1 is in aws: " +
                "one stack covers one AWS partition (regions, drKeyRegions and ssmHomeRegion).",
        ],
        [
            "only one role ARN",
            { ...DEV_CONFIG, restoreRoleArn: "arn:aws:iam::123456789012:role/restore" },
            "backupRoleArn and restoreRoleArn must be set together (the key policies then name both roles).",
        ],
    ];

    for (const [label, config, message] of cases) {
        it(`${label}: ${message}`, async () => {
            const { error, mocks } = await runProgramExpectingError(config);
            expect(error.message).to.equal(message);
            expect(mocks.resources, "nothing registered").to.deep.equal([]);
            expect(mocks.calls, "nothing invoked").to.deep.equal([]);
        });
    }
});
