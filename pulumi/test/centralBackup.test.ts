/**
 * Central backup account (issue 21) through the real program on mocks: the backup account's
 * stack (`memberAccounts`: buckets with per-member grants) and a member stack that sends its
 * archives there (`backupAccountId`); plus their validation and size limits.
 */
import { expect } from "chai";
import { bucketName } from "../../ts/contract/naming";
import { accountsParameterValue } from "../accounts";
import { BUCKET_POLICY_MAX_BYTES, backupAccountBucketName, backupAccountBucketPolicyDocument, memberBucketName } from "../backupAccount";
import { validateConfig } from "../config";
import { inlinePolicyProblem } from "../iamPolicies";
import { ACCOUNT_ID, DEV_CONFIG, ProgramRun, TYPES, documentOf, runProgram } from "./harness";

const CENTRAL = "arn:aws:iam::999999999999:role/jenkins-backup";
const BACKUP_ACCOUNT = "999999999999";
const MEMBERS = ["111111111111", "222222222222"];
const REGIONS = ["ap-northeast-1", "us-west-2"];
const bucketIn = (account: string, region: string) => bucketName("jenkins-infra", "dev", account, region);
const role = (account: string, kind: "backup" | "restore") => `arn:aws:iam::${account}:role/jenkins-ssm-${kind}-dev`;

describe("backup account stack (memberAccounts)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({ ...DEV_CONFIG, memberAccounts: MEMBERS });
    });

    it("makes one bucket per region named with the backup account's own id, hardened like every backup bucket", () => {
        expect(run.mocks.ofType(TYPES.bucket).map((b) => b.inputs.bucket)).to.deep.equal(REGIONS.map((r) => bucketIn(ACCOUNT_ID, r)));
        for (const region of REGIONS) {
            const bucket = bucketIn(ACCOUNT_ID, region);
            expect(run.mocks.named(`ssm-backup-bucket-ownership-${region}`).inputs).to.deep.equal({ bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
            expect(run.mocks.named(`ssm-backup-bucket-versioning-${region}`).inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
            expect(run.mocks.named(`ssm-backup-bucket-public-access-block-${region}`).inputs.restrictPublicBuckets).to.equal(true);
            expect(run.mocks.named(`ssm-backup-bucket-lifecycle-${region}`).inputs.rules.map((rule: any) => rule.id)).to.include("expire-backups");
            expect(run.mocks.regionOf(run.mocks.named(`ssm-backup-bucket-${region}`).provider)).to.equal(region);
            expect(run.mocks.optionsOf(run.mocks.named(`ssm-backup-bucket-${region}`)).protect).to.equal(true);
        }
        expect(run.mocks.ofType(TYPES.objectLock)).to.deep.equal([]);
    });

    it("makes no KMS key, SSM parameter, role, alarm or topic (archives are encrypted under the members' keys)", () => {
        for (const type of [TYPES.kmsKey, TYPES.parameter, TYPES.role, TYPES.rolePolicy, TYPES.alarm, TYPES.topic, TYPES.regionalStore, TYPES.homeMetadata]) {
            expect(run.mocks.ofType(type), type).to.deep.equal([]);
        }
    });

    it("writes a bucket policy granting each member role its own prefix and denying every member role deletes and reconfiguration", () => {
        const bucket = bucketIn(ACCOUNT_ID, "us-west-2");
        const arn = `arn:aws:s3:::${bucket}`;
        const statements = JSON.parse(run.mocks.named("ssm-backup-bucket-policy-us-west-2").inputs.policy).Statement;
        expect(statements.slice(0, 2).map((s: any) => s.Sid)).to.deep.equal(["DenyInsecureTransport", "DenyPutObjectWithoutSSES3"]);
        const perMember = (id: string) => [
            {
                Sid: `MemberBackupRoleWritesOwnPrefix${id}`,
                Effect: "Allow",
                Principal: { AWS: role(id, "backup") },
                Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                Resource: `${arn}/${id}/*`,
            },
            {
                Sid: `MemberRestoreRoleReadsOwnPrefix${id}`,
                Effect: "Allow",
                Principal: { AWS: role(id, "restore") },
                Action: ["s3:GetObject"],
                Resource: `${arn}/${id}/*`,
            },
            {
                Sid: `MemberRolesListOwnPrefix${id}`,
                Effect: "Allow",
                Principal: { AWS: [role(id, "backup"), role(id, "restore")] },
                Action: ["s3:ListBucket"],
                Resource: arn,
                Condition: { StringLike: { "s3:prefix": `${id}/*` } },
            },
        ];
        expect(statements.slice(2)).to.deep.equal([
            ...perMember(MEMBERS[0]),
            ...perMember(MEMBERS[1]),
            {
                Sid: "DenyMemberRolesDeleteOrReconfigure",
                Effect: "Deny",
                Principal: { AWS: MEMBERS.flatMap((id) => [role(id, "backup"), role(id, "restore")]) },
                Action: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration"],
                Resource: [arn, `${arn}/*`],
            },
        ]);
    });

    it("exports the buckets and nothing a backup account does not have", () => {
        expect(run.outputs.bucketMap).to.deep.equal(Object.fromEntries(REGIONS.map((r) => [r, bucketIn(ACCOUNT_ID, r)])));
        expect(run.outputs.bucketNameOutput).to.equal(bucketIn(ACCOUNT_ID, "ap-northeast-1"));
        expect(run.outputs.kmsKeyMap).to.deep.equal({});
        expect(run.outputs.backupRolePolicy).to.equal(undefined);
        expect(run.outputs.ssmBackupBucketParameter).to.equal(undefined);
        expect(run.outputs.alarmMap).to.deep.equal({});
    });

    it("adds Object Lock and access logs when configured", async () => {
        const locked = await runProgram({ ...DEV_CONFIG, memberAccounts: MEMBERS, objectLock: true, accessLogs: true });
        expect(locked.mocks.ofType(TYPES.objectLock)).to.have.length(2);
        expect(Object.keys(locked.outputs.accessLogBucketMap)).to.deep.equal(REGIONS);
    });

    it("refuses a backup account that lists itself as a member", () => {
        const config = validateConfig({ ...DEV_CONFIG, memberAccounts: MEMBERS });
        expect(backupAccountBucketName(config, config.backupAccount!, ACCOUNT_ID, "us-west-2")).to.equal(bucketIn(ACCOUNT_ID, "us-west-2"));
        expect(() => backupAccountBucketName(config, config.backupAccount!, MEMBERS[1], "us-west-2")).to.throw(
            "memberAccounts lists 222222222222, the backup account this stack runs in",
        );
    });

    it("refuses more members than a 20 KB bucket policy holds, and accepts the most that fit", () => {
        const ids = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
        const base = { projectName: "jenkins-infra", environment: "prod", regions: ["ap-northeast-1"] };
        const fits = (n: number) => {
            const arn = `arn:aws:s3:::${bucketName("jenkins-infra", "prod", "0".repeat(12), "ap-northeast-1")}`;
            return (
                JSON.stringify(backupAccountBucketPolicyDocument(arn, { partition: "aws", environment: "prod", memberAccountIds: ids(n) })).length <=
                BUCKET_POLICY_MAX_BYTES
            );
        };
        let most = 1;
        while (fits(most + 1)) {
            most += 1;
        }
        expect(most).to.be.greaterThan(5);
        expect(validateConfig({ ...base, memberAccounts: ids(most) }).backupAccount?.memberAccountIds).to.have.length(most);
        expect(() => validateConfig({ ...base, memberAccounts: ids(most + 1) })).to.throw(/more than S3 allows \(20480\): split the members/);
    });
});

describe("member stack with backupAccountId", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({ ...DEV_CONFIG, drKeyRegions: ["eu-central-1"], centralRoleArn: CENTRAL, backupAccountId: BACKUP_ACCOUNT });
    });

    it("creates no bucket or bucket setup of its own", () => {
        for (const type of [
            TYPES.bucket,
            TYPES.versioning,
            TYPES.encryption,
            TYPES.publicAccessBlock,
            TYPES.ownershipControls,
            TYPES.lifecycle,
            TYPES.policy,
        ]) {
            expect(run.mocks.ofType(type), type).to.deep.equal([]);
        }
    });

    it("writes the backup account's bucket of each region into /jenkins/dev/backup/{region}/s3-bucket-name and the legacy key", () => {
        for (const region of REGIONS) {
            const parameter = run.mocks.named(`ssm-backup-bucket-name-param-${region}`);
            expect(parameter.inputs.name).to.equal(`/jenkins/dev/backup/${region}/s3-bucket-name`);
            expect(parameter.inputs.insecureValue).to.equal(bucketIn(BACKUP_ACCOUNT, region));
            expect(run.mocks.regionOf(parameter.provider)).to.equal(region);
        }
        expect(run.mocks.named("ssm-backup-legacy-bucket-name-param-ap-northeast-1").inputs.insecureValue).to.equal(bucketIn(BACKUP_ACCOUNT, "ap-northeast-1"));
        expect(run.outputs.bucketMap).to.deep.equal(Object.fromEntries(REGIONS.map((r) => [r, bucketIn(BACKUP_ACCOUNT, r)])));
        expect(run.outputs.bucketArn).to.equal(`arn:aws:s3:::${bucketIn(BACKUP_ACCOUNT, "ap-northeast-1")}`);
    });

    it("keeps its keys, alarms, roles and metadata", () => {
        expect(run.mocks.ofType(TYPES.kmsKey)).to.have.length(3);
        expect(run.mocks.ofType(TYPES.alarm)).to.have.length(2);
        expect(run.mocks.ofType(TYPES.role)).to.have.length(2);
        expect(run.mocks.named("ssm-backup-region-list-param-ap-northeast-1").inputs.insecureValue).to.equal(JSON.stringify(REGIONS));
    });

    it("grants its roles objects under its own prefix and the listing only with that prefix, and no bucket setup reads", () => {
        const arns = REGIONS.map((r) => `arn:aws:s3:::${bucketIn(BACKUP_ACCOUNT, r)}`);
        const list = { Effect: "Allow", Action: ["s3:ListBucket"], Resource: arns, Condition: { StringLike: { "s3:prefix": `${ACCOUNT_ID}/*` } } };
        const backup = documentOf(run.outputs.backupRolePolicy).Statement;
        const restore = documentOf(run.outputs.restoreRolePolicy).Statement;
        const sid = (statements: any[], id: string) => statements.find((s) => s.Sid === id);
        expect(sid(backup, "WriteArchivesAndLatestPointer").Resource).to.deep.equal(arns.map((arn) => `${arn}/${ACCOUNT_ID}/*`));
        expect(sid(backup, "ListArchivesAndReadBucketSetup")).to.deep.equal({ Sid: "ListArchivesAndReadBucketSetup", ...list });
        expect(sid(restore, "ReadArchives").Resource).to.deep.equal(arns.map((arn) => `${arn}/${ACCOUNT_ID}/*`));
        expect(sid(restore, "ListArchives")).to.deep.equal({ Sid: "ListArchives", ...list });
        const s3Resources = [...backup, ...restore]
            .filter((s) => [s.Action].flat().some((a: string) => a.startsWith("s3:")))
            .flatMap((s) => [s.Resource].flat());
        expect(s3Resources.filter((r: string) => !r.includes(bucketIn(BACKUP_ACCOUNT, "")))).to.deep.equal([]);
        expect(run.mocks.named("ssm-backup-backup-role-policy").inputs.policy).to.equal(run.outputs.backupRolePolicy);
    });

    it("refuses a backup account that is the member itself", () => {
        const config = validateConfig({ ...DEV_CONFIG, centralRoleArn: CENTRAL, backupAccountId: BACKUP_ACCOUNT });
        expect(memberBucketName(config, BACKUP_ACCOUNT, ACCOUNT_ID, "us-west-2")).to.equal(bucketIn(BACKUP_ACCOUNT, "us-west-2"));
        expect(() => memberBucketName(config, BACKUP_ACCOUNT, BACKUP_ACCOUNT, "us-west-2")).to.throw(
            "backupAccountId 999999999999 is the account this stack runs in",
        );
    });

    it("sizes the inline policies with the prefixed resources (a region set that fits without a backup account may not fit with one)", () => {
        const all = [
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "eu-central-1",
            "eu-north-1",
            "eu-south-1",
            "ap-northeast-1",
        ];
        const more = [
            ...all,
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-south-1",
            "sa-east-1",
            "ca-central-1",
            "me-south-1",
            "ap-east-1",
            "af-south-1",
        ];
        const size = (regions: string[], centralBackup: boolean) =>
            inlinePolicyProblem({
                projectName: "jenkins-infra",
                environment: "prod",
                partition: "aws",
                dnsSuffix: "amazonaws.com",
                homeRegion: regions[0],
                regions,
                drKeyRegions: [],
                centralBackup,
            });
        const n = [...Array(more.length).keys()].find((i) => size(more.slice(0, i + 1), true) !== undefined);
        expect(n, "some region count exceeds the limit with a backup account").to.not.equal(undefined);
        const regions = more.slice(0, (n as number) + 1);
        expect(size(regions, false)).to.equal(undefined);
        expect(() =>
            validateConfig({ projectName: "jenkins-infra", environment: "prod", regions, centralRoleArn: CENTRAL, backupAccountId: BACKUP_ACCOUNT }),
        ).to.throw(/policy would be \d+ characters, more than IAM allows inline/);
    });
});

describe("central stack: accounts with backupAccountId", () => {
    it("writes backupAccountId into the accounts parameter as given", async () => {
        const accounts = [{ accountId: "111111111111", backupAccountId: BACKUP_ACCOUNT }, { accountId: "222222222222" }];
        const run = await runProgram({ ...DEV_CONFIG, accounts: JSON.stringify(accounts) });
        expect(JSON.parse(run.mocks.named("ssm-backup-accounts-param-ap-northeast-1").inputs.insecureValue)).to.deep.equal([
            { accountId: "111111111111", roleArn: role("111111111111", "backup"), backupAccountId: BACKUP_ACCOUNT },
            { accountId: "222222222222", roleArn: role("222222222222", "backup") },
        ]);
        expect(accountsParameterValue([{ accountId: "1", roleArn: "r", externalId: "e", backupAccountId: "b" }]).value).to.equal(
            '[{"accountId":"1","roleArn":"r","externalId":"e","backupAccountId":"b"}]',
        );
    });
});

describe("central backup account config errors", () => {
    const VALID = { projectName: "p", environment: "dev", regions: "us-west-2" };
    const list = (...entries: unknown[]) => JSON.stringify(entries);
    for (const [name, raw, message] of [
        ["memberAccounts that are not a list", { memberAccounts: '"111111111111"' }, "memberAccounts must be a list of 12-digit account ids"],
        ["memberAccounts that are not JSON", { memberAccounts: "[1111" }, "memberAccounts must be a list of 12-digit account ids"],
        ["an empty memberAccounts list", { memberAccounts: "[]" }, "memberAccounts must be a list of 12-digit account ids"],
        [
            "an 11-digit member",
            { memberAccounts: list("11111111111") },
            'memberAccounts[0] must be a 12-digit account id written as a string (quote it in YAML), got "11111111111".',
        ],
        ["a member as a number", { memberAccounts: "[111111111111]" }, "memberAccounts[0] must be a 12-digit account id written as a string"],
        ["a duplicate member", { memberAccounts: list("111111111111", "111111111111") }, "Duplicate account 111111111111 in memberAccounts"],
        [
            "member-stack settings in a backup account",
            { memberAccounts: list("111111111111"), centralRoleArn: CENTRAL, drKeyRegions: "eu-west-1" },
            "centralRoleArn, drKeyRegions cannot be set with memberAccounts: a backup account stack makes only the buckets",
        ],
        [
            "accounts in a backup account",
            { memberAccounts: list("111111111111"), accounts: list({ accountId: "222222222222" }) },
            "accounts cannot be set with memberAccounts",
        ],
        ["an alarm in a backup account", { memberAccounts: list("111111111111"), backupAlarm: "true" }, "backupAlarm cannot be set with memberAccounts"],
        ["an alarm email in a backup account", { memberAccounts: list("111111111111"), alarmEmail: "a@b.c" }, "alarmEmail cannot be set with memberAccounts"],
        ["backupAccountId without centralRoleArn", { backupAccountId: BACKUP_ACCOUNT }, "backupAccountId need centralRoleArn"],
        [
            "an 11-digit backupAccountId",
            { centralRoleArn: CENTRAL, backupAccountId: "99999999999" },
            'backupAccountId must be a 12-digit account id written as a string (quote it in YAML), got "99999999999".',
        ],
        ["a backupAccountId as a number", { centralRoleArn: CENTRAL, backupAccountId: 999999999999 }, "got 999999999999."],
        [
            "accessLogs with backupAccountId",
            { centralRoleArn: CENTRAL, backupAccountId: BACKUP_ACCOUNT, accessLogs: "true" },
            "accessLogs and objectLock cannot be set with backupAccountId",
        ],
        [
            "objectLock with backupAccountId",
            { centralRoleArn: CENTRAL, backupAccountId: BACKUP_ACCOUNT, objectLock: true },
            "accessLogs and objectLock cannot be set with backupAccountId",
        ],
        [
            "an accounts entry whose backupAccountId is bad",
            { accounts: list({ accountId: "111111111111", backupAccountId: "9" }) },
            'accounts[0].backupAccountId must be a 12-digit account id written as a string (quote it in YAML), got "9".',
        ],
        [
            "an accounts entry backing up into itself",
            { accounts: list({ accountId: "111111111111", backupAccountId: "111111111111" }) },
            "accounts[0].backupAccountId is the account itself",
        ],
        ["an accounts entry without accountId", { accounts: list({ backupAccountId: BACKUP_ACCOUNT }) }, "accounts[0].accountId is required"],
    ] as const) {
        it(`refuses ${name}`, () => {
            expect(() => validateConfig({ ...VALID, ...raw })).to.throw(message);
        });
    }

    it("keeps backupAlarm: false and accepts the keys a backup account uses", () => {
        const config = validateConfig({ ...VALID, memberAccounts: list("111111111111"), backupAlarm: "false", objectLock: "true", retentionDays: "90" });
        expect(config.backupAccount).to.deep.equal({ partition: "aws", environment: "dev", memberAccountIds: ["111111111111"] });
        expect(config.alarm).to.equal(undefined);
        expect(config.objectLock).to.equal(true);
    });
});
