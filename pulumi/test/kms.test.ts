/**
 * Archive encryption keys, DR keys and their SSM parameters, through the real program on mocks.
 */
import { expect } from "chai";
import { KEY_ADMIN_ACTIONS } from "../kms";
import { ACCOUNT_ID, DEV_CONFIG, ProgramRun, TYPES, runProgram } from "./harness";

const REGIONS = ["ap-northeast-1", "us-west-2"];
const ROOT = `arn:aws:iam::${ACCOUNT_ID}:root`;
const BACKUP_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/ssm-backup`;
const RESTORE_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/ssm-restore`;
const keyArn = (region: string, name: string) => `arn:aws:kms:${region}:${ACCOUNT_ID}:key/key-${name}`;

describe("KMS keys (dev config plus two DR regions)", () => {
    let run: ProgramRun;

    before(async () => {
        run = await runProgram({ ...DEV_CONFIG, drKeyRegions: ["eu-central-1", "us-west-2"] });
    });

    it("creates one archive key per region and one DR key per DR region, each through a provider of its region", () => {
        const keys = run.mocks.ofType(TYPES.kmsKey);
        expect(keys.map((k) => [k.name, run.mocks.regionOf(k.provider)])).to.have.deep.members([
            ["ssm-backup-kms-key-ap-northeast-1", "ap-northeast-1"],
            ["ssm-backup-kms-key-us-west-2", "us-west-2"],
            ["ssm-backup-dr-kms-key-eu-central-1", "eu-central-1"],
            ["ssm-backup-dr-kms-key-us-west-2", "us-west-2"],
        ]);
        expect(run.mocks.named("aws-dr-eu-central-1").inputs.region).to.equal("eu-central-1");
        expect(run.mocks.optionsOf(run.mocks.named("ssm-backup-dr-kms-key-eu-central-1")).parent).to.match(
            new RegExp(`::${TYPES.drKey}::ssm-backup-dr-eu-central-1$`),
        );
    });

    it("symmetric keys with rotation on and a 30-day deletion window, protected and retained", () => {
        for (const key of run.mocks.ofType(TYPES.kmsKey)) {
            expect(key.inputs, key.name).to.include({
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
            });
            expect(key.inputs.tags).to.include({ Environment: "dev", ManagedBy: "Pulumi", Region: run.mocks.regionOf(key.provider) });
            expect(run.mocks.optionsOf(key)).to.include({ protect: true, retainOnDelete: true });
        }
    });

    it("aliases from the naming contract, pointing at their key, deleted with it (not retained)", () => {
        const aliases = run.mocks.ofType(TYPES.kmsAlias);
        expect(aliases.map((a) => [a.name, a.inputs.name, a.inputs.targetKeyId, run.mocks.regionOf(a.provider)])).to.have.deep.members([
            ["ssm-backup-kms-alias-ap-northeast-1", "alias/jenkins/dev/backup", "key-ssm-backup-kms-key-ap-northeast-1", "ap-northeast-1"],
            ["ssm-backup-kms-alias-us-west-2", "alias/jenkins/dev/backup", "key-ssm-backup-kms-key-us-west-2", "us-west-2"],
            ["ssm-backup-dr-kms-alias-eu-central-1", "alias/jenkins/dev/backup-dr", "key-ssm-backup-dr-kms-key-eu-central-1", "eu-central-1"],
            ["ssm-backup-dr-kms-alias-us-west-2", "alias/jenkins/dev/backup-dr", "key-ssm-backup-dr-kms-key-us-west-2", "us-west-2"],
        ]);
        for (const alias of aliases) {
            expect(run.mocks.optionsOf(alias)).to.include({ protect: false, retainOnDelete: false });
        }
    });

    it("without role ARNs the key policy is the AWS default (account root kms:*), so IAM policies decide", () => {
        for (const key of run.mocks.ofType(TYPES.kmsKey)) {
            expect(JSON.parse(key.inputs.policy)).to.deep.equal({
                Version: "2012-10-17",
                Statement: [{ Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" }],
            });
        }
    });

    it("writes /jenkins/dev/backup/{region}/kms-key-arn (String, the key ARN) in each backup region", () => {
        for (const region of REGIONS) {
            const param = run.mocks.named(`ssm-backup-kms-key-arn-param-${region}`);
            expect(param.inputs).to.include({
                name: `/jenkins/dev/backup/${region}/kms-key-arn`,
                type: "String",
                insecureValue: keyArn(region, `ssm-backup-kms-key-${region}`),
            });
            expect(run.mocks.regionOf(param.provider)).to.equal(region);
        }
    });

    it("writes /jenkins/dev/backup/dr-kms-key-arns (JSON array in drKeyRegions order) in the home region", () => {
        const param = run.mocks.named("ssm-backup-dr-kms-key-arns-param-ap-northeast-1");
        expect(param.inputs.name).to.equal("/jenkins/dev/backup/dr-kms-key-arns");
        expect(param.inputs.type).to.equal("String");
        expect(JSON.parse(param.inputs.insecureValue)).to.deep.equal([
            keyArn("eu-central-1", "ssm-backup-dr-kms-key-eu-central-1"),
            keyArn("us-west-2", "ssm-backup-dr-kms-key-us-west-2"),
        ]);
        expect(run.mocks.regionOf(param.provider)).to.equal("ap-northeast-1");
    });

    it("exports kmsKeyMap and drKmsKeyArns", () => {
        expect(run.outputs.kmsKeyMap).to.deep.equal({
            "ap-northeast-1": keyArn("ap-northeast-1", "ssm-backup-kms-key-ap-northeast-1"),
            "us-west-2": keyArn("us-west-2", "ssm-backup-kms-key-us-west-2"),
        });
        expect(run.outputs.drKmsKeyArns).to.deep.equal([
            keyArn("eu-central-1", "ssm-backup-dr-kms-key-eu-central-1"),
            keyArn("us-west-2", "ssm-backup-dr-kms-key-us-west-2"),
        ]);
    });
});

describe("KMS keys without DR regions, with role ARNs", () => {
    let run: ProgramRun;

    before(async () => {
        run = await runProgram({ ...DEV_CONFIG, backupRoleArn: BACKUP_ROLE, restoreRoleArn: RESTORE_ROLE });
    });

    it("writes dr-kms-key-arns as [] and creates no DR key", () => {
        expect(run.mocks.ofType(TYPES.drKey)).to.deep.equal([]);
        expect(run.mocks.ofType(TYPES.kmsKey)).to.have.length(2);
        expect(run.mocks.named("ssm-backup-dr-kms-key-arns-param-ap-northeast-1").inputs.insecureValue).to.equal("[]");
        expect(run.outputs.drKmsKeyArns).to.deep.equal([]);
    });

    it("key policy: root administers only; backup role Encrypt + GenerateDataKey; restore role Decrypt", () => {
        for (const key of run.mocks.ofType(TYPES.kmsKey)) {
            expect(JSON.parse(key.inputs.policy)).to.deep.equal({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "KeyAdministrationByAccount", Effect: "Allow", Principal: { AWS: ROOT }, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
                    {
                        Sid: "BackupRoleEncrypt",
                        Effect: "Allow",
                        Principal: { AWS: BACKUP_ROLE },
                        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
                        Resource: "*",
                    },
                    {
                        Sid: "BackupRoleDecryptNameIndexes",
                        Effect: "Allow",
                        Principal: { AWS: BACKUP_ROLE },
                        Action: ["kms:Decrypt"],
                        Resource: "*",
                        Condition: { StringEquals: { "kms:EncryptionContext:content": "name-index" } },
                    },
                    { Sid: "RestoreRoleDecrypt", Effect: "Allow", Principal: { AWS: RESTORE_ROLE }, Action: ["kms:Decrypt"], Resource: "*" },
                ],
            });
        }
        // Administration never includes using the key.
        for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*", "kms:*"]) {
            expect(KEY_ADMIN_ACTIONS as readonly string[]).to.not.include(action);
        }
        expect(KEY_ADMIN_ACTIONS.some((a) => /^kms:(Encrypt|Decrypt|GenerateDataKey|ReEncrypt)/.test(a))).to.equal(false);
    });
});
