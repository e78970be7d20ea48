/**
 * Multi-account pieces through the real program on mocks: a member stack's roles (trust,
 * permissions, key policies) and a central stack's accounts parameter; plus their validation.
 */
import { expect } from "chai";
import { ADVANCED_PARAMETER_MAX_BYTES, AccountEntry, accountsParameterValue } from "../accounts";
import { validateConfig } from "../config";
import { ACCOUNT_ID, DEV_CONFIG, PROVIDER_TYPE, ProgramRun, TYPES, runProgram, runProgramExpectingError } from "./harness";

const CENTRAL = "arn:aws:iam::999999999999:role/jenkins-backup";
const CENTRAL_RESTORE = "arn:aws:iam::999999999999:role/jenkins-restore";
const backupRoleArn = `arn:aws:iam::${ACCOUNT_ID}:role/jenkins-ssm-backup-dev`;
const restoreRoleArn = `arn:aws:iam::${ACCOUNT_ID}:role/jenkins-ssm-restore-dev`;

function trust(principal: string, externalId?: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AssumedByCentralJenkinsRole",
                Effect: "Allow",
                Principal: { AWS: principal },
                Action: ["sts:AssumeRole"],
                ...(externalId ? { Condition: { StringEquals: { "sts:ExternalId": externalId } } } : {}),
            },
        ],
    };
}

describe("member stack (centralRoleArn, centralRestoreRoleArn, externalId)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({
            ...DEV_CONFIG,
            drKeyRegions: ["eu-central-1"],
            centralRoleArn: CENTRAL,
            centralRestoreRoleArn: CENTRAL_RESTORE,
            externalId: "backup-dev-7f3a",
        });
    });

    it("creates the backup and restore roles, trusting only the central roles with the external id", () => {
        const backup = run.mocks.named("ssm-backup-backup-role");
        const restore = run.mocks.named("ssm-backup-restore-role");
        expect(backup.inputs.name).to.equal("jenkins-ssm-backup-dev");
        expect(restore.inputs.name).to.equal("jenkins-ssm-restore-dev");
        expect(JSON.parse(backup.inputs.assumeRolePolicy)).to.deep.equal(trust(CENTRAL, "backup-dev-7f3a"));
        expect(JSON.parse(restore.inputs.assumeRolePolicy)).to.deep.equal(trust(CENTRAL_RESTORE, "backup-dev-7f3a"));
        expect(backup.inputs.maxSessionDuration).to.equal(3600);
        expect(run.outputs.memberRoleArns).to.deep.equal({ backup: backupRoleArn, restore: restoreRoleArn });
    });

    it("creates them through the aws-iam provider (home region), under the MemberRoles component", () => {
        const provider = run.mocks.named("aws-iam");
        expect(provider.type).to.equal(PROVIDER_TYPE);
        expect(provider.inputs.region).to.equal("ap-northeast-1");
        for (const name of ["ssm-backup-backup-role", "ssm-backup-restore-role", "ssm-backup-backup-role-policy", "ssm-backup-restore-role-policy"]) {
            const resource = run.mocks.named(name);
            expect(run.mocks.regionOf(resource.provider), name).to.equal("ap-northeast-1");
            expect(run.mocks.optionsOf(resource).parent, name).to.match(/MemberRoles::ssm-backup-member-roles$/);
        }
    });

    it("attaches exactly the exported backup and restore policies as inline policies", () => {
        const backupPolicy = run.mocks.named("ssm-backup-backup-role-policy").inputs;
        const restorePolicy = run.mocks.named("ssm-backup-restore-role-policy").inputs;
        expect(backupPolicy).to.deep.equal({ role: "jenkins-ssm-backup-dev", name: "ssm-backup", policy: run.outputs.backupRolePolicy });
        expect(restorePolicy).to.deep.equal({ role: "jenkins-ssm-restore-dev", name: "ssm-backup", policy: run.outputs.restoreRolePolicy });
        expect(JSON.parse(backupPolicy.policy).Statement.map((s: any) => s.Sid)).to.include("PutBackupMetrics");
    });

    it("names the created roles in every archive and DR key policy", () => {
        const keys = run.mocks.ofType(TYPES.kmsKey);
        expect(keys).to.have.length(3);
        for (const key of keys) {
            const statements = JSON.parse(key.inputs.policy).Statement;
            expect(
                statements.map((s: any) => [s.Sid, s.Principal.AWS]),
                key.name,
            ).to.deep.equal([
                ["KeyAdministrationByAccount", `arn:aws:iam::${ACCOUNT_ID}:root`],
                ["BackupRoleEncrypt", backupRoleArn],
                ["BackupRoleDecryptNameIndexes", backupRoleArn],
                ["RestoreRoleDecrypt", restoreRoleArn],
            ]);
        }
    });

    it("writes no accounts parameter (that is the central stack's)", () => {
        expect(run.mocks.resources.filter((r) => r.name.startsWith("ssm-backup-accounts-param"))).to.deep.equal([]);
        expect(run.outputs.accountsParameter).to.equal(undefined);
        expect(run.outputs.centralRolePolicy).to.equal(undefined);
        expect(run.outputs.centralRestoreRolePolicy).to.equal(undefined);
    });

    it("without externalId the trust has no condition, and the restore role trusts centralRoleArn", async () => {
        const plain = await runProgram({ ...DEV_CONFIG, centralRoleArn: CENTRAL });
        expect(JSON.parse(plain.mocks.named("ssm-backup-backup-role").inputs.assumeRolePolicy)).to.deep.equal(trust(CENTRAL));
        expect(JSON.parse(plain.mocks.named("ssm-backup-restore-role").inputs.assumeRolePolicy)).to.deep.equal(trust(CENTRAL));
    });

    it("a single-account stack creates no role and exports no member role ARNs", async () => {
        const single = await runProgram(DEV_CONFIG);
        expect(single.mocks.ofType(TYPES.role)).to.deep.equal([]);
        expect(single.mocks.ofType(TYPES.memberRoles)).to.deep.equal([]);
        expect(single.outputs.memberRoleArns).to.deep.equal({});
    });
});

describe("central stack (accounts)", () => {
    const accounts = [
        { accountId: "111111111111", externalId: "ext-111" },
        { accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/team/ssm-backup" },
    ];
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({ ...DEV_CONFIG, ssmHomeRegion: "us-east-1", accounts: JSON.stringify(accounts) });
    });

    it("writes /jenkins/dev/backup/accounts (String, Standard tier) in the home region, roleArn defaulting to the member backup role", () => {
        const parameter = run.mocks.named("ssm-backup-accounts-param-us-east-1");
        expect(run.mocks.regionOf(parameter.provider)).to.equal("us-east-1");
        expect(parameter.inputs).to.include({ name: "/jenkins/dev/backup/accounts", type: "String", tier: "Standard" });
        expect(JSON.parse(parameter.inputs.insecureValue)).to.deep.equal([
            { accountId: "111111111111", roleArn: "arn:aws:iam::111111111111:role/jenkins-ssm-backup-dev", externalId: "ext-111" },
            { accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/team/ssm-backup" },
        ]);
        expect(run.outputs.accountsParameter).to.equal("/jenkins/dev/backup/accounts");
    });

    it("exports the central role's policy: sts:AssumeRole on exactly those roles", () => {
        expect(JSON.parse(run.outputs.centralRolePolicy as string)).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AssumeMemberBackupRoles",
                    Effect: "Allow",
                    Action: ["sts:AssumeRole"],
                    Resource: ["arn:aws:iam::111111111111:role/jenkins-ssm-backup-dev", "arn:aws:iam::222222222222:role/team/ssm-backup"],
                },
            ],
        });
    });

    it("exports the central restore identity's policy: sts:AssumeRole on each listed account's restore role", () => {
        // restore, verify and diff --account / --target-account assume jenkins-ssm-restore-<env> (they decrypt and write)
        expect(JSON.parse(run.outputs.centralRestoreRolePolicy as string)).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AssumeMemberRestoreRoles",
                    Effect: "Allow",
                    Action: ["sts:AssumeRole"],
                    Resource: ["arn:aws:iam::111111111111:role/jenkins-ssm-restore-dev", "arn:aws:iam::222222222222:role/jenkins-ssm-restore-dev"],
                },
            ],
        });
    });

    it("without accounts (or with []) writes no parameter", async () => {
        for (const value of [undefined, "[]"]) {
            const plain = await runProgram({ ...DEV_CONFIG, accounts: value });
            expect(plain.mocks.ofType(TYPES.parameter).map((p) => p.inputs.name)).to.not.include("/jenkins/dev/backup/accounts");
            expect(plain.outputs.accountsParameter).to.equal(undefined);
        }
    });

    it("uses the Advanced tier past 4 KB and refuses a list past 8 KB", () => {
        const many = (n: number): AccountEntry[] =>
            Array.from({ length: n }, (_, i) => {
                const accountId = String(100000000000 + i);
                return { accountId, roleArn: `arn:aws:iam::${accountId}:role/jenkins-ssm-backup-dev`, externalId: "x".repeat(20) };
            });
        expect(accountsParameterValue(many(10)).tier).to.equal("Standard");
        expect(accountsParameterValue(many(40)).tier).to.equal("Advanced");
        expect(() => accountsParameterValue(many(100))).to.throw(`more than an SSM parameter holds (${ADVANCED_PARAMETER_MAX_BYTES})`);
    });
});

describe("multi-account config errors", () => {
    const VALID = { projectName: "p", environment: "dev", regions: "us-west-2" };
    const list = (...entries: unknown[]) => JSON.stringify(entries);
    for (const [name, raw, message] of [
        [
            "a central role that is not a role ARN",
            { centralRoleArn: "arn:aws:iam::999999999999:user/jenkins" },
            'centralRoleArn "arn:aws:iam::999999999999:user/jenkins" is not an IAM role ARN',
        ],
        [
            "a central role in another partition",
            { centralRoleArn: "arn:aws-cn:iam::999999999999:role/j" },
            "is in partition aws-cn but the regions are in aws.",
        ],
        [
            "an external id with a space",
            { centralRoleArn: CENTRAL, externalId: "a b" },
            "externalId must be 2-1224 letters, digits or _+=,.@:/- (the STS ExternalId rule).",
        ],
        ["a one-character external id", { centralRoleArn: CENTRAL, externalId: "a" }, "externalId must be 2-1224"],
        ["an external id without central role", { externalId: "abc" }, "centralRestoreRoleArn, externalId and backupAccountId need centralRoleArn"],
        ["role ARNs next to centralRoleArn", { centralRoleArn: CENTRAL, backupRoleArn: CENTRAL, restoreRoleArn: CENTRAL }, "cannot be set with centralRoleArn"],
        ["accounts that are not a list", { accounts: '{"accountId":"111111111111"}' }, "accounts must be a list of {accountId, roleArn?, externalId?}"],
        ["accounts that are not JSON", { accounts: "[{accountId: 1" }, "accounts must be a list of"],
        ["an entry that is not an object", { accounts: list("111111111111") }, "accounts[0] must be an object {accountId, roleArn?, externalId?}."],
        [
            "an 11-digit account id",
            { accounts: list({ accountId: "11111111111" }) },
            'accounts[0].accountId must be a 12-digit account id written as a string (quote it in YAML), got "11111111111".',
        ],
        ["an account id as a number", { accounts: '[{"accountId":111111111111}]' }, "got 111111111111."],
        [
            "a duplicate account",
            { accounts: list({ accountId: "111111111111" }, { accountId: "111111111111", externalId: "zz" }) },
            "Duplicate account 111111111111 in accounts",
        ],
        [
            "a roleArn of another account",
            { accounts: list({ accountId: "111111111111", roleArn: "arn:aws:iam::222222222222:role/r" }) },
            "is in account 222222222222, not 111111111111",
        ],
        [
            "a roleArn in another partition",
            { accounts: list({ accountId: "111111111111", roleArn: "arn:aws-us-gov:iam::111111111111:role/r" }) },
            "is in partition aws-us-gov",
        ],
        [
            "a malformed roleArn",
            { accounts: list({ accountId: "111111111111", roleArn: "arn:aws:iam::111111111111:r" }) },
            'accounts[0].roleArn "arn:aws:iam::111111111111:r" is not an IAM role ARN',
        ],
        [
            "a bad external id in an entry",
            { accounts: list({ accountId: "111111111111", externalId: "no spaces please" }) },
            "accounts[0].externalId must be 2-1224",
        ],
        [
            "an unknown field (a typo would silently drop the external id)",
            { accounts: list({ accountId: "111111111111", externalID: "abc" }) },
            "accounts[0] has unknown field(s) externalID",
        ],
    ] as const) {
        it(`refuses ${name}`, () => {
            expect(() => validateConfig({ ...VALID, ...raw })).to.throw(message);
        });
    }

    it("stops the program before anything is registered", async () => {
        const { error, mocks } = await runProgramExpectingError({ ...DEV_CONFIG, accounts: list({ accountId: "12345" }) });
        expect(error.message).to.match(/^accounts\[0\]\.accountId must be a 12-digit account id/);
        expect(mocks.resources).to.deep.equal([]);
    });
});

describe("member stack: inline policy size", () => {
    const many = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1"];
    const more = [...many, "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-south-1", "sa-east-1", "ca-central-1"];
    const VALID = { projectName: "jenkins-infra", environment: "prod", centralRoleArn: CENTRAL };

    it("accepts 10 regions with 2 DR keys", () => {
        expect(validateConfig({ ...VALID, regions: many, drKeyRegions: ["ap-east-1", "me-south-1"] }).member).to.not.equal(undefined);
    });

    it("refuses regions whose restore policy IAM would not take inline (10,240 characters), naming the role and size", () => {
        expect(() => validateConfig({ ...VALID, regions: more, drKeyRegions: ["ap-east-1", "me-south-1", "af-south-1", "il-central-1"] })).to.throw(
            /^the restore role's policy would be \d+ characters, more than IAM allows inline \(10240\): split regions\/drKeyRegions across environments\.$/,
        );
    });

    it("leaves a stack without member roles alone (its documents are only exported)", () => {
        expect(
            validateConfig({ ...VALID, centralRoleArn: undefined, regions: more, drKeyRegions: ["ap-east-1", "me-south-1", "af-south-1", "il-central-1"] })
                .regions,
        ).to.have.length(18);
    });
});
