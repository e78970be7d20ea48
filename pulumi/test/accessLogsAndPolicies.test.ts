/**
 * Optional access log buckets and the exported backup/restore IAM policy documents, through the
 * real program on mocks.
 */
import { expect } from "chai";
import { ACCOUNT_ID, DEV_CONFIG, documentOf, ProgramRun, TYPES, runProgram } from "./harness";

const REGIONS = ["ap-northeast-1", "us-west-2"];
const A = ACCOUNT_ID;
const bucketArn = (region: string) => `arn:aws:s3:::jenkins-infra-ssm-backup-dev-${A}-${region}`;
const logBucket = (region: string) => `jenkins-infra-ssm-backup-logs-dev-${A}-${region}`;
const keyArn = (region: string, name: string) => `arn:aws:kms:${region}:${A}:key/key-${name}`;

describe("access logs", () => {
    it("are off by default: no log bucket, no logging, empty accessLogBucketMap", async () => {
        const run = await runProgram(DEV_CONFIG);
        expect(run.mocks.resources.filter((r) => r.name.includes("access-logs") || r.type === TYPES.bucketLogging)).to.deep.equal([]);
        expect(run.outputs.accessLogBucketMap).to.deep.equal({});
    });

    describe("accessLogs: true", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram({ ...DEV_CONFIG, accessLogs: true, accessLogRetentionDays: 180 });
        });

        it("creates a protected, retained log bucket per region, in that region", () => {
            for (const region of REGIONS) {
                const bucket = run.mocks.named(`ssm-backup-access-logs-${region}`);
                expect(bucket.inputs.bucket).to.equal(logBucket(region));
                expect(run.mocks.regionOf(bucket.provider)).to.equal(region);
                expect(run.mocks.optionsOf(bucket)).to.include({ protect: true, retainOnDelete: true });
                expect(bucket.inputs).to.not.have.property("forceDestroy");
            }
            expect(run.outputs.accessLogBucketMap).to.deep.equal(Object.fromEntries(REGIONS.map((region) => [region, logBucket(region)])));
        });

        it("hardens it: SSE-S3, public access blocked, ACLs off, logs expire after accessLogRetentionDays", () => {
            for (const region of REGIONS) {
                const id = logBucket(region);
                expect(run.mocks.named(`ssm-backup-access-logs-encryption-${region}`).inputs).to.deep.equal({
                    bucket: id,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                });
                expect(run.mocks.named(`ssm-backup-access-logs-public-access-block-${region}`).inputs).to.include({
                    bucket: id,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                });
                expect(run.mocks.named(`ssm-backup-access-logs-ownership-${region}`).inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
                expect(run.mocks.named(`ssm-backup-access-logs-lifecycle-${region}`).inputs.rules).to.deep.equal([
                    { id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: 180 } },
                ]);
            }
        });

        it("lets only S3 log delivery for this account's backup bucket write, over TLS only", () => {
            for (const region of REGIONS) {
                const policy = JSON.parse(run.mocks.named(`ssm-backup-access-logs-policy-${region}`).inputs.policy);
                const arn = `arn:aws:s3:::${logBucket(region)}`;
                expect(policy.Statement).to.deep.equal([
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [arn, `${arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                    {
                        Sid: "AllowS3ServerAccessLogDelivery",
                        Effect: "Allow",
                        Principal: { Service: "logging.s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: `${arn}/s3-access-logs/*`,
                        Condition: { ArnLike: { "aws:SourceArn": bucketArn(region) }, StringEquals: { "aws:SourceAccount": A } },
                    },
                ]);
            }
        });

        it("turns on the backup bucket's logging into it (aws.s3.BucketLogging, not retained)", () => {
            for (const region of REGIONS) {
                const logging = run.mocks.named(`ssm-backup-bucket-logging-${region}`);
                expect(logging.type).to.equal(TYPES.bucketLogging);
                expect(logging.inputs).to.deep.equal({
                    bucket: `jenkins-infra-ssm-backup-dev-${A}-${region}`,
                    targetBucket: logBucket(region),
                    targetPrefix: "s3-access-logs/",
                });
                expect(run.mocks.regionOf(logging.provider)).to.equal(region);
                expect(run.mocks.optionsOf(logging).retainOnDelete).to.equal(false);
            }
        });
    });
});

describe("IAM policy documents (outputs)", () => {
    let run: ProgramRun;
    let backup: any;
    let restore: any;
    const sid = (doc: any, id: string) => doc.Statement.find((s: any) => s.Sid === id);
    const backupKeys = REGIONS.map((r) => keyArn(r, `ssm-backup-kms-key-${r}`));
    const drKeys = [keyArn("eu-central-1", "ssm-backup-dr-kms-key-eu-central-1")];

    before(async () => {
        run = await runProgram({ ...DEV_CONFIG, ssmHomeRegion: "us-east-1", drKeyRegions: ["eu-central-1"] });
        backup = documentOf(run.outputs.backupRolePolicy);
        restore = documentOf(run.outputs.restoreRolePolicy);
    });

    it("backup role: exactly these statements, actions and resources", () => {
        expect(backup.Version).to.equal("2012-10-17");
        expect(backup.Statement.map((s: any) => [s.Sid, s.Effect, s.Action, s.Resource, s.Condition])).to.deep.equal([
            ["DescribeParameters", "Allow", ["ssm:DescribeParameters"], "*", undefined],
            [
                "ReadParameters",
                "Allow",
                ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:ListTagsForResource"],
                [
                    `arn:aws:ssm:ap-northeast-1:${A}:parameter/*`,
                    `arn:aws:ssm:us-west-2:${A}:parameter/*`,
                    `arn:aws:ssm:us-east-1:${A}:parameter/jenkins/dev/backup/*`,
                ],
                undefined,
            ],
            ["FindTaggedParameters", "Allow", ["tag:GetResources"], "*", undefined],
            [
                "DecryptSecureStringsViaSsm",
                "Allow",
                ["kms:Decrypt"],
                [`arn:aws:kms:ap-northeast-1:${A}:key/*`, `arn:aws:kms:us-west-2:${A}:key/*`],
                { StringEquals: { "kms:ViaService": ["ssm.ap-northeast-1.amazonaws.com", "ssm.us-west-2.amazonaws.com"] } },
            ],
            ["EncryptArchivesAndDescribeKeys", "Allow", ["kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"], [...backupKeys, ...drKeys], undefined],
            ["DecryptNameIndexes", "Allow", ["kms:Decrypt"], [...backupKeys, ...drKeys], { StringEquals: { "kms:EncryptionContext:content": "name-index" } }],
            [
                "WriteArchivesAndLatestPointer",
                "Allow",
                ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                REGIONS.map((r) => `${bucketArn(r)}/*`),
                undefined,
            ],
            [
                "ListArchivesAndReadBucketSetup",
                "Allow",
                [
                    "s3:GetBucketLocation",
                    "s3:GetBucketObjectLockConfiguration",
                    "s3:GetBucketPolicy",
                    "s3:GetBucketPublicAccessBlock",
                    "s3:GetBucketVersioning",
                    "s3:GetLifecycleConfiguration",
                    "s3:ListBucket",
                ],
                REGIONS.map(bucketArn),
                undefined,
            ],
            ["CallerIdentity", "Allow", ["sts:GetCallerIdentity"], "*", undefined],
            ["PutBackupMetrics", "Allow", ["cloudwatch:PutMetricData"], "*", { StringEquals: { "cloudwatch:namespace": "SSMParameterBackup" } }],
        ]);
    });

    it("backup role: every read `ssm-backup check` makes, read-only (Get/Describe), on exactly its own buckets and keys", () => {
        // The calls of ts/lib/check/bucket.ts and keys.ts, as IAM actions (Service Authorization Reference).
        const checkReads = [
            "s3:GetBucketLocation",
            "s3:GetBucketVersioning",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetBucketPolicy",
            "s3:GetLifecycleConfiguration",
            "s3:GetBucketObjectLockConfiguration",
            "kms:DescribeKey",
        ];
        for (const action of checkReads) {
            const granting = backup.Statement.filter((s: any) => s.Action.includes(action));
            expect(granting, action).to.have.length(1);
            expect(granting[0].Resource, action).to.deep.equal(action.startsWith("s3:") ? REGIONS.map(bucketArn) : [...backupKeys, ...drKeys]);
            // Nothing else that statement grants writes (the archive writes have their own object-level statement).
            expect(
                granting[0].Action.filter((a: string) => !/^(s3:(Get|List)|kms:(Describe|Encrypt|GenerateDataKey))/.test(a)),
                action,
            ).to.deep.equal([]);
        }
    });

    it("backup role: no write to parameters, no Decrypt of archives, nothing on other buckets", () => {
        const actions: string[] = backup.Statement.flatMap((s: any) => s.Action);
        expect(actions.filter((a) => /^ssm:(Put|Delete|AddTags|RemoveTags|Label)/.test(a))).to.deep.equal([]);
        expect(actions.some((a) => a.includes("*"))).to.equal(false);
        expect(sid(backup, "EncryptArchivesAndDescribeKeys").Action).to.not.include("kms:Decrypt");
    });

    it("restore role: exactly these statements, actions and resources (backup + DR regions)", () => {
        const targets = ["ap-northeast-1", "us-west-2", "eu-central-1"];
        const params = targets.map((r) => `arn:aws:ssm:${r}:${A}:parameter/*`);
        const anyKey = targets.map((r) => `arn:aws:kms:${r}:${A}:key/*`);
        expect(restore.Statement.map((s: any) => [s.Sid, s.Action, s.Resource, s.Condition])).to.deep.equal([
            ["DescribeParameters", ["ssm:DescribeParameters"], "*", undefined],
            [
                "ReadParameters",
                ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:ListTagsForResource"],
                [...params, `arn:aws:ssm:us-east-1:${A}:parameter/jenkins/dev/backup/*`],
                undefined,
            ],
            ["FindTaggedParameters", ["tag:GetResources"], "*", undefined],
            [
                "WriteParameters",
                [
                    "ssm:AddTagsToResource",
                    "ssm:DeleteParameter",
                    "ssm:DeleteParameters",
                    "ssm:LabelParameterVersion",
                    "ssm:PutParameter",
                    "ssm:RemoveTagsFromResource",
                ],
                params,
                undefined,
            ],
            [
                "SecureStringKeysViaSsm",
                ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                anyKey,
                { StringEquals: { "kms:ViaService": targets.map((r) => `ssm.${r}.amazonaws.com`) } },
            ],
            ["DescribeTargetKeys", ["kms:DescribeKey"], anyKey, undefined],
            ["DecryptArchives", ["kms:Decrypt"], [...backupKeys, ...drKeys], undefined],
            ["ReadArchives", ["s3:GetObject"], REGIONS.map((r) => `${bucketArn(r)}/*`), undefined],
            ["ListArchives", ["s3:ListBucket"], REGIONS.map(bucketArn), undefined],
            ["CallerIdentity", ["sts:GetCallerIdentity"], "*", undefined],
        ]);
        expect(restore.Statement.every((s: any) => s.Effect === "Allow")).to.equal(true);
    });

    it("uses the partition and DNS suffix of the regions (aws-cn)", async () => {
        const cn = await runProgram({ ...DEV_CONFIG, regions: ["cn-north-1"], defaultRegion: "cn-north-1", ssmHomeRegion: "cn-north-1" });
        const doc = documentOf(cn.outputs.backupRolePolicy);
        expect(sid(doc, "ReadParameters").Resource).to.deep.equal([`arn:aws-cn:ssm:cn-north-1:${A}:parameter/*`]);
        expect(sid(doc, "DecryptSecureStringsViaSsm").Condition).to.deep.equal({
            StringEquals: { "kms:ViaService": ["ssm.cn-north-1.amazonaws.com.cn"] },
        });
        const key = cn.mocks.ofType(TYPES.kmsKey)[0];
        expect(JSON.parse(key.inputs.policy).Statement[0].Principal).to.deep.equal({ AWS: `arn:aws-cn:iam::${A}:root` });
    });
});
