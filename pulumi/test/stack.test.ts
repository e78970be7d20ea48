/**
 * The real program (index.ts) run against Pulumi mocks with the documented dev config:
 * every bucket setting, the policy, the SSM parameters and their providers, and outputs.
 */
import { expect } from "chai";
import { ssmParameterNames } from "../../ts/contract/naming";
import { logicalNames } from "../naming";
import { ACCOUNT_ID, CALLER_IDENTITY_TOKEN, DEV_CONFIG, PROVIDER_TYPE, ProgramRun, RecordedResource, TYPES, runProgram } from "./harness";

const REGIONS = ["ap-northeast-1", "us-west-2"];
const HOME = "ap-northeast-1";
const bucketFor = (region: string) => `jenkins-infra-ssm-backup-dev-${ACCOUNT_ID}-${region}`;

/** The one resource of `type` whose logical name ends with the region. */
function inRegion(run: ProgramRun, type: string, region: string): RecordedResource[] {
    return run.mocks.ofType(type).filter((resource) => resource.name.endsWith(`-${region}`));
}

describe("program with the dev stack config", () => {
    let run: ProgramRun;

    before(async () => {
        run = await runProgram(DEV_CONFIG);
    });

    describe("structure", () => {
        it("creates one RegionalBackupStore component per region", () => {
            const stores = run.mocks.ofType(TYPES.regionalStore);
            expect(stores.map((store) => store.name)).to.have.members(REGIONS.map((r) => `ssm-backup-${r}`));
            expect(stores).to.have.length(REGIONS.length);
            for (const store of stores) {
                expect(store.custom).to.equal(false);
            }
        });

        it("creates one explicit aws.Provider per region plus one for the SSM home region", () => {
            const providers = run.mocks.ofType(PROVIDER_TYPE);
            expect(providers.map((p) => [p.name, p.inputs.region])).to.have.deep.members([
                ["aws-ap-northeast-1", "ap-northeast-1"],
                ["aws-us-west-2", "us-west-2"],
                [`aws-ssm-home-${HOME}`, HOME],
            ]);
        });

        it("creates every AWS resource through the explicit provider of its own region", () => {
            const awsResources = run.mocks.resources.filter((r) => r.type.startsWith("aws:"));
            expect(awsResources).to.have.length(REGIONS.length * 12 + 4);
            for (const resource of awsResources) {
                const region = run.mocks.regionOf(resource.provider);
                expect(region, `${resource.name} has no explicit provider`).to.be.a("string");
                expect(resource.name.endsWith(`-${region}`), `${resource.name} vs provider ${region}`).to.equal(true);
            }
        });

        it("parents every per-region resource to its region's component, and the metadata to the home component", () => {
            const perRegion = [
                logicalNames.provider,
                logicalNames.bucket,
                logicalNames.versioning,
                logicalNames.encryption,
                logicalNames.publicAccessBlock,
                logicalNames.ownershipControls,
                logicalNames.lifecycle,
                logicalNames.policy,
                logicalNames.bucketNameParameter,
                logicalNames.kmsKey,
                logicalNames.kmsAlias,
                logicalNames.kmsKeyArnParameter,
            ];
            for (const region of REGIONS) {
                for (const make of perRegion) {
                    expect(run.mocks.optionsOf(run.mocks.named(make(region))).parent, make(region)).to.match(
                        new RegExp(`::${TYPES.regionalStore}::ssm-backup-${region}$`),
                    );
                }
            }
            for (const make of [
                logicalNames.homeProvider,
                logicalNames.regionListParameter,
                logicalNames.defaultRegionParameter,
                logicalNames.legacyBucketNameParameter,
                logicalNames.drKmsKeyArnsParameter,
            ]) {
                expect(run.mocks.optionsOf(run.mocks.named(make(HOME))).parent, make(HOME)).to.match(
                    new RegExp(`::${TYPES.homeMetadata}::ssm-backup-home-${HOME}$`),
                );
            }
        });

        it("looks the account id up with each region's provider", () => {
            const calls = run.mocks.calls.filter((call) => call.token === CALLER_IDENTITY_TOKEN);
            expect(calls.map((call) => run.mocks.regionOf(call.provider))).to.have.members(REGIONS);
        });
    });

    describe("buckets", () => {
        it("creates exactly one bucket per region, named by the naming rule", () => {
            const buckets = run.mocks.ofType(TYPES.bucket);
            expect(buckets).to.have.length(REGIONS.length);
            for (const region of REGIONS) {
                const [bucket] = inRegion(run, TYPES.bucket, region);
                expect(bucket.name).to.equal(`ssm-backup-bucket-${region}`);
                expect(bucket.inputs.bucket).to.equal(bucketFor(region));
                expect(run.mocks.regionOf(bucket.provider)).to.equal(region);
            }
        });

        it("tags every bucket", () => {
            for (const region of REGIONS) {
                const [bucket] = inRegion(run, TYPES.bucket, region);
                expect(bucket.inputs.tags).to.deep.equal({
                    Environment: "dev",
                    ManagedBy: "Pulumi",
                    Region: region,
                    Purpose: "SSM Parameter Store Backup",
                    DataClassification: "Confidential",
                });
            }
        });

        it("never lets Pulumi destroy a bucket: protect + retainOnDelete, no forceDestroy", () => {
            for (const bucket of run.mocks.ofType(TYPES.bucket)) {
                expect(bucket.inputs).to.not.have.property("forceDestroy");
                const options = run.mocks.optionsOf(bucket);
                expect(options.protect, bucket.name).to.equal(true);
                expect(options.retainOnDelete, bucket.name).to.equal(true);
            }
        });

        it("uses no deprecated inline bucket arguments", () => {
            for (const bucket of run.mocks.ofType(TYPES.bucket)) {
                expect(Object.keys(bucket.inputs).sort()).to.deep.equal(["bucket", "tags"]);
            }
        });

        it("keeps the bucket configuration in AWS if a region is removed (retainOnDelete)", () => {
            for (const type of [TYPES.versioning, TYPES.encryption, TYPES.publicAccessBlock, TYPES.ownershipControls, TYPES.lifecycle, TYPES.policy]) {
                for (const resource of run.mocks.ofType(type)) {
                    expect(run.mocks.optionsOf(resource).retainOnDelete, resource.name).to.equal(true);
                }
            }
        });
    });

    describe("bucket settings (per bucket)", () => {
        for (const region of REGIONS) {
            describe(region, () => {
                const one = (type: string): RecordedResource => {
                    const found = inRegion(run, type, region);
                    expect(found, `${type} in ${region}`).to.have.length(1);
                    expect(found[0].inputs.bucket).to.equal(bucketFor(region));
                    expect(run.mocks.regionOf(found[0].provider)).to.equal(region);
                    return found[0];
                };

                it("versioning is enabled", () => {
                    expect(one(TYPES.versioning).inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
                });

                it("default encryption is SSE-S3 (AES256) with bucket key", () => {
                    expect(one(TYPES.encryption).inputs.rules).to.deep.equal([
                        { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true },
                    ]);
                });

                it("public access block has all four switches on", () => {
                    const pab = one(TYPES.publicAccessBlock).inputs;
                    expect(pab).to.include({
                        blockPublicAcls: true,
                        blockPublicPolicy: true,
                        ignorePublicAcls: true,
                        restrictPublicBuckets: true,
                    });
                });

                it("object ownership is BucketOwnerEnforced", () => {
                    expect(one(TYPES.ownershipControls).inputs.rule).to.deep.equal({
                        objectOwnership: "BucketOwnerEnforced",
                    });
                });

                it("lifecycle expires backups after 30 days, noncurrent versions after 7, aborts multipart uploads", () => {
                    const lifecycle = one(TYPES.lifecycle);
                    const rules: any[] = lifecycle.inputs.rules;
                    for (const rule of rules) {
                        expect(rule.status, rule.id).to.equal("Enabled");
                        expect(rule.filter, rule.id).to.deep.equal({});
                    }
                    const byId = Object.fromEntries(rules.map((rule) => [rule.id, rule]));
                    expect(byId["expire-backups"].expiration).to.deep.equal({ days: 30 });
                    expect(byId["expire-noncurrent-versions"].noncurrentVersionExpiration).to.deep.equal({
                        noncurrentDays: 7,
                    });
                    expect(byId["abort-incomplete-multipart-uploads"].abortIncompleteMultipartUpload).to.deep.equal({
                        daysAfterInitiation: 7,
                    });
                    expect(byId["remove-expired-delete-markers"].expiration).to.deep.equal({
                        expiredObjectDeleteMarker: true,
                    });
                    const deps = run.mocks.optionsOf(lifecycle).dependencies;
                    expect(deps.some((urn) => urn.endsWith(`::${logicalNames.versioning(region)}`))).to.equal(true);
                });

                it("Object Lock is off by default", () => {
                    expect(inRegion(run, TYPES.objectLock, region)).to.have.length(0);
                });

                it("policy denies non-TLS requests and PutObject without SSE AES256", () => {
                    const policy = one(TYPES.policy);
                    const doc = JSON.parse(policy.inputs.policy);
                    const arn = `arn:aws:s3:::${bucketFor(region)}`;
                    expect(doc.Version).to.equal("2012-10-17");
                    expect(doc.Statement).to.have.length(2);
                    const [tls, sse] = doc.Statement;
                    expect(tls).to.deep.equal({
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [arn, `${arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    });
                    expect(sse).to.deep.equal({
                        Sid: "DenyPutObjectWithoutSSES3",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:PutObject",
                        Resource: `${arn}/*`,
                        Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "AES256" } },
                    });
                    const deps = run.mocks.optionsOf(policy).dependencies;
                    expect(deps.some((urn) => urn.endsWith(`::${logicalNames.publicAccessBlock(region)}`))).to.equal(true);
                });
            });
        }
    });

    describe("SSM parameters", () => {
        const parameter = (name: string): RecordedResource => {
            const found = run.mocks.ofType(TYPES.parameter).filter((p) => p.inputs.name === name);
            expect(found, name).to.have.length(1);
            expect(found[0].inputs.type).to.equal("String");
            return found[0];
        };

        it("writes /jenkins/dev/backup/{region}/s3-bucket-name in each region, via that region's provider", () => {
            for (const region of REGIONS) {
                const param = parameter(ssmParameterNames("dev").regionBucket(region));
                expect(param.name).to.equal(`ssm-backup-bucket-name-param-${region}`);
                expect(param.inputs.insecureValue).to.equal(bucketFor(region));
                expect(run.mocks.regionOf(param.provider)).to.equal(region);
                expect(param.provider).to.match(new RegExp(`::aws-${region}::aws-${region}_id$`));
            }
        });

        it("writes region-list (JSON array, config order) in the home region", () => {
            const param = parameter("/jenkins/dev/backup/region-list");
            expect(JSON.parse(param.inputs.insecureValue)).to.deep.equal(REGIONS);
            expect(run.mocks.regionOf(param.provider)).to.equal(HOME);
        });

        it("writes default-region in the home region", () => {
            const param = parameter("/jenkins/dev/backup/default-region");
            expect(param.inputs.insecureValue).to.equal("ap-northeast-1");
            expect(run.mocks.regionOf(param.provider)).to.equal(HOME);
        });

        it("writes the legacy key /jenkins/dev/backup/s3-bucket-name = default region's bucket, in the home region", () => {
            const param = parameter("/jenkins/dev/backup/s3-bucket-name");
            expect(param.inputs.insecureValue).to.equal(bucketFor("ap-northeast-1"));
            expect(run.mocks.regionOf(param.provider)).to.equal(HOME);
        });

        it("writes no other parameters", () => {
            // s3-bucket-name + kms-key-arn per region; region-list, default-region, legacy key, dr-kms-key-arns.
            expect(run.mocks.ofType(TYPES.parameter)).to.have.length(REGIONS.length * 2 + 4);
        });
    });

    describe("outputs", () => {
        it("bucketMap covers every region", () => {
            expect(run.outputs.bucketMap).to.deep.equal({
                "ap-northeast-1": bucketFor("ap-northeast-1"),
                "us-west-2": bucketFor("us-west-2"),
            });
        });

        it("keeps the single-region outputs for existing consumers", () => {
            expect(run.outputs.bucketNameOutput).to.equal(bucketFor("ap-northeast-1"));
            expect(run.outputs.bucketArn).to.equal(`arn:aws:s3:::${bucketFor("ap-northeast-1")}`);
            expect(run.outputs.ssmBackupBucketParameter).to.equal("/jenkins/dev/backup/s3-bucket-name");
        });

        it("exports exactly the documented outputs", () => {
            expect(Object.keys(run.program).sort()).to.deep.equal(
                [
                    "bucketArn",
                    "bucketMap",
                    "bucketNameOutput",
                    "ssmBackupBucketParameter",
                    "kmsKeyMap",
                    "drKmsKeyArns",
                    "accessLogBucketMap",
                    "backupRolePolicy",
                    "restoreRolePolicy",
                    "alarmMap",
                    "alarmTopicMap",
                    "memberRoleArns",
                    "accountsParameter",
                    "centralRolePolicy",
                    "centralRestoreRolePolicy",
                ].sort(),
            );
        });
    });
});
