/**
 * The IAM documents as files (iam/ at the repository root): committed templates equal what the
 * stack's own policy functions produce (drift fails here), their placeholders are the documented
 * ones, filling them in gives the stack's documents, and `--scope` renders the stack's documents.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { TEMPLATE_PLACEHOLDERS, policyFileText, policyTemplates, renderPolicies } from "../policyFiles";
import { ACCOUNT_ID, DEV_CONFIG, documentOf, runProgram } from "./harness";

const IAM_DIR = path.resolve(__dirname, "..", "..", "iam");
const SCRIPT = path.resolve(__dirname, "..", "scripts", "policies.ts");
const TSX = path.resolve(__dirname, "..", "node_modules", ".bin", "tsx");

function fill(text: string, values: Record<string, string>): unknown {
    return JSON.parse(text.replace(/\$\{(\w+)\}/g, (_, name: string) => values[name] ?? `<unfilled ${name}>`));
}

describe("IAM policy files (iam/)", () => {
    const templates = policyTemplates();

    it("commits exactly the generated templates (else: npm --prefix pulumi run policies)", () => {
        const committed = fs.readdirSync(IAM_DIR).filter((file) => file.endsWith(".json"));
        expect(committed.sort()).to.deep.equal(Object.keys(templates).sort());
        for (const [file, document] of Object.entries(templates)) {
            expect(fs.readFileSync(path.join(IAM_DIR, file), "utf8"), `${file} drifted: run npm --prefix pulumi run policies`).to.equal(
                policyFileText(document),
            );
        }
    });

    it("uses exactly the documented placeholders, each explained in iam/README.md", () => {
        const used = new Set<string>();
        for (const document of Object.values(templates)) {
            for (const match of JSON.stringify(document).matchAll(/\$\{(\w+)\}/g)) {
                used.add(match[1]);
            }
        }
        expect([...used].sort()).to.deep.equal(Object.keys(TEMPLATE_PLACEHOLDERS).sort());
        const readme = fs.readFileSync(path.join(IAM_DIR, "README.md"), "utf8");
        for (const name of used) {
            expect(readme, name).to.include(`\`\${${name}}\``);
        }
    });

    it("filled in, the templates are the stack's own documents for one region", async () => {
        const run = await runProgram({ ...DEV_CONFIG, regions: ["us-west-2"], defaultRegion: "us-west-2", ssmHomeRegion: "us-east-1" });
        const values = {
            Partition: "aws",
            DnsSuffix: "amazonaws.com",
            AccountId: ACCOUNT_ID,
            Environment: "dev",
            Region: "us-west-2",
            HomeRegion: "us-east-1",
            BucketName: run.outputs.bucketMap["us-west-2"],
            ArchiveKeyArn: run.outputs.kmsKeyMap["us-west-2"],
        };
        expect(fill(policyFileText(templates["backup-role-policy.json"]), values)).to.deep.equal(documentOf(run.outputs.backupRolePolicy));
        expect(fill(policyFileText(templates["restore-role-policy.json"]), values)).to.deep.equal(documentOf(run.outputs.restoreRolePolicy));
    });

    it("filled in, the backup-account templates are a member stack's documents and the backup account's bucket policy", async () => {
        const backupAccount = "999999999999";
        const one = { ...DEV_CONFIG, regions: ["us-west-2"], defaultRegion: "us-west-2", ssmHomeRegion: "us-east-1" };
        const member = await runProgram({ ...one, centralRoleArn: "arn:aws:iam::999999999999:role/jenkins", backupAccountId: backupAccount });
        const values = {
            Partition: "aws",
            DnsSuffix: "amazonaws.com",
            AccountId: ACCOUNT_ID,
            Environment: "dev",
            Region: "us-west-2",
            HomeRegion: "us-east-1",
            BackupBucketName: member.outputs.bucketMap["us-west-2"],
            ArchiveKeyArn: member.outputs.kmsKeyMap["us-west-2"],
        };
        expect(values.BackupBucketName).to.include(backupAccount);
        expect(fill(policyFileText(templates["backup-role-policy-backup-account.json"]), values)).to.deep.equal(documentOf(member.outputs.backupRolePolicy));
        expect(fill(policyFileText(templates["restore-role-policy-backup-account.json"]), values)).to.deep.equal(documentOf(member.outputs.restoreRolePolicy));
        const store = await runProgram({ ...one, memberAccounts: ["111111111111"] });
        expect(
            fill(policyFileText(templates["backup-account-bucket-policy.json"]), {
                Partition: "aws",
                Environment: "dev",
                BucketName: store.outputs.bucketMap["us-west-2"],
                MemberAccountId: "111111111111",
            }),
        ).to.deep.equal(JSON.parse(store.mocks.named("ssm-backup-bucket-policy-us-west-2").inputs.policy));
    });

    it("the trust templates are the member stack's trust policies", async () => {
        const central = "arn:aws:iam::999999999999:role/jenkins";
        const run = await runProgram({ ...DEV_CONFIG, centralRoleArn: central, externalId: "ext-42" });
        const trust = JSON.parse(run.mocks.named("ssm-backup-backup-role").inputs.assumeRolePolicy);
        expect(fill(policyFileText(templates["member-role-trust-policy.json"]), { CentralRoleArn: central, ExternalId: "ext-42" })).to.deep.equal(trust);
        const plain = await runProgram({ ...DEV_CONFIG, centralRoleArn: central });
        expect(fill(policyFileText(templates["member-role-trust-policy-no-external-id.json"]), { CentralRoleArn: central })).to.deep.equal(
            JSON.parse(plain.mocks.named("ssm-backup-backup-role").inputs.assumeRolePolicy),
        );
    });
});

describe("rendered policies (npm run policies -- --scope FILE)", () => {
    const drRegion = "eu-central-1";
    const config = { ...DEV_CONFIG, ssmHomeRegion: "us-east-1", drKeyRegions: [drRegion], accounts: '[{"accountId":"111111111111"}]' };

    it("equal the stack's documents for several regions and DR keys", async () => {
        const run = await runProgram(config);
        const rendered = renderPolicies({
            ...config,
            accountId: ACCOUNT_ID,
            archiveKeyArns: run.outputs.kmsKeyMap,
            drKeyArns: { [drRegion]: run.outputs.drKmsKeyArns[0] },
        });
        expect(rendered["backup-role-policy.json"]).to.deep.equal(documentOf(run.outputs.backupRolePolicy));
        expect(rendered["restore-role-policy.json"]).to.deep.equal(documentOf(run.outputs.restoreRolePolicy));
        expect(rendered["central-role-policy.json"]).to.deep.equal(JSON.parse(run.outputs.centralRolePolicy as string));
        expect(rendered["central-restore-role-policy.json"]).to.deep.equal(JSON.parse(run.outputs.centralRestoreRolePolicy as string));
        expect(rendered).to.not.have.property("backup-role-trust-policy.json");
    });

    it("render a member's documents for its backup account's buckets, and a backup account's bucket policies", async () => {
        const memberConfig = { ...config, accounts: undefined, centralRoleArn: "arn:aws:iam::999999999999:role/j", backupAccountId: "999999999999" };
        const member = await runProgram(memberConfig);
        const rendered = renderPolicies({
            ...memberConfig,
            accountId: ACCOUNT_ID,
            archiveKeyArns: member.outputs.kmsKeyMap,
            drKeyArns: { [drRegion]: member.outputs.drKmsKeyArns[0] },
        });
        expect(rendered["backup-role-policy.json"]).to.deep.equal(documentOf(member.outputs.backupRolePolicy));
        expect(rendered["restore-role-policy.json"]).to.deep.equal(documentOf(member.outputs.restoreRolePolicy));
        const storeConfig = { ...DEV_CONFIG, memberAccounts: ["111111111111", "222222222222"] };
        const store = await runProgram(storeConfig);
        const policies = renderPolicies({ ...storeConfig, accountId: ACCOUNT_ID });
        expect(Object.keys(policies)).to.deep.equal(["backup-account-bucket-policy-ap-northeast-1.json", "backup-account-bucket-policy-us-west-2.json"]);
        for (const region of ["ap-northeast-1", "us-west-2"]) {
            expect(policies[`backup-account-bucket-policy-${region}.json`]).to.deep.equal(
                JSON.parse(store.mocks.named(`ssm-backup-bucket-policy-${region}`).inputs.policy),
            );
        }
    });

    it("refuses a key ARN of another region or account, and a missing accountId", () => {
        const base = { ...DEV_CONFIG, regions: ["us-west-2"], defaultRegion: "us-west-2", ssmHomeRegion: "us-west-2" };
        const arn = `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        expect(() => renderPolicies({ ...base, accountId: ACCOUNT_ID, archiveKeyArns: { "us-west-2": arn.replace("us-west-2", "us-east-1") } })).to.throw(
            "archiveKeyArns.us-west-2 must be the key ARN arn:aws:kms:us-west-2:123456789012:key/<key id>",
        );
        expect(() => renderPolicies({ ...base, archiveKeyArns: { "us-west-2": arn } })).to.throw("accountId must be a 12-digit account id");
        expect(
            Object.keys(
                renderPolicies({ ...base, accountId: ACCOUNT_ID, archiveKeyArns: { "us-west-2": arn }, centralRoleArn: "arn:aws:iam::999999999999:role/j" }),
            ).sort(),
        ).to.deep.equal(["backup-role-policy.json", "backup-role-trust-policy.json", "restore-role-policy.json", "restore-role-trust-policy.json"]);
    });

    it("the script writes the rendered files, and exits 2 with one line on a bad scope", function () {
        this.timeout(60_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policies-"));
        try {
            const scope = path.join(dir, "scope.json");
            const arn = `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
            fs.writeFileSync(
                scope,
                JSON.stringify({
                    projectName: "jenkins-infra",
                    environment: "dev",
                    regions: ["us-west-2"],
                    accountId: ACCOUNT_ID,
                    archiveKeyArns: { "us-west-2": arn },
                }),
            );
            execFileSync(TSX, [SCRIPT, "--scope", scope, "--out", path.join(dir, "out")], { encoding: "utf8" });
            const written = JSON.parse(fs.readFileSync(path.join(dir, "out", "backup-role-policy.json"), "utf8"));
            expect(written.Statement.find((s: any) => s.Sid === "EncryptArchivesAndDescribeKeys").Resource).to.deep.equal([arn]);
            fs.writeFileSync(scope, JSON.stringify({ projectName: "jenkins-infra", environment: "Dev", regions: ["us-west-2"] }));
            const bad = spawnSync(TSX, [SCRIPT, "--scope", scope, "--out", path.join(dir, "bad")], { encoding: "utf8" });
            expect(bad.status).to.equal(2);
            expect(bad.stderr).to.match(/^policies: environment "Dev" is invalid/);
            expect(fs.existsSync(path.join(dir, "bad"))).to.equal(false);
            for (const args of [["--scope"], ["--out", dir], ["--scop", scope], ["--scope", scope, "--out"]]) {
                const usage = spawnSync(TSX, [SCRIPT, ...args], { encoding: "utf8" });
                expect(usage.status, args.join(" ")).to.equal(2);
                expect(usage.stderr, args.join(" ")).to.match(/^policies: (usage: npm run policies|--out needs --scope)/);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
