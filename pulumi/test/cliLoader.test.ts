/**
 * The Pulumi CLI cannot be installed here, so this runs index.ts through the same TypeScript
 * loader the CLI's Node.js language host uses (ts-node with type checking, tsconfig.json
 * merged over its defaults), in a child process, against mocks.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { PROJECT } from "../naming";

const LOADER = path.join(__dirname, "support", "cli-loader.cjs");

function load(config: Record<string, string>): any {
    const stdout = execFileSync(process.execPath, [LOADER, JSON.stringify(config)], {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
        timeout: 120_000,
    });
    return JSON.parse(stdout.trim().split("\n").pop() as string);
}

describe("index.ts through the Pulumi CLI's TypeScript loader (child process)", function () {
    this.timeout(120_000);

    it("type-checks, compiles and runs with the dev config", () => {
        const result = load({
            [`${PROJECT}:projectName`]: "jenkins-infra",
            [`${PROJECT}:environment`]: "dev",
            [`${PROJECT}:regions`]: '["ap-northeast-1","us-west-2"]',
            [`${PROJECT}:defaultRegion`]: "ap-northeast-1",
            [`${PROJECT}:ssmHomeRegion`]: "ap-northeast-1",
            [`${PROJECT}:drKeyRegions`]: '["eu-central-1"]',
            [`${PROJECT}:accessLogs`]: "true",
        });
        expect(result.ok, JSON.stringify(result)).to.equal(true);
        // The shared naming module (../ts/contract/naming.ts, in the root's "type": "module" package) loads too.
        expect(result.exports).to.include.members(["kmsKeyMap", "drKmsKeyArns", "backupRolePolicy", "restoreRolePolicy"]);
        expect(result.typescript).to.match(/^5\./);
        expect(result.bucketMap).to.deep.equal({
            "ap-northeast-1": "jenkins-infra-ssm-backup-dev-123456789012-ap-northeast-1",
            "us-west-2": "jenkins-infra-ssm-backup-dev-123456789012-us-west-2",
        });
        expect(result.bucketNameOutput).to.equal("jenkins-infra-ssm-backup-dev-123456789012-ap-northeast-1");
        expect(result.ssmBackupBucketParameter).to.equal("/jenkins/dev/backup/s3-bucket-name");
    });

    it("stops with the plain validation message (a RunError: no stack trace in the CLI)", () => {
        const result = load({
            [`${PROJECT}:projectName`]: "jenkins-infra",
            [`${PROJECT}:environment`]: "Dev",
            [`${PROJECT}:regions`]: '["ap-northeast-1"]',
        });
        expect(result).to.deep.equal({
            ok: false,
            name: "ConfigValidationError",
            message:
                `environment "Dev" is invalid: use 1-32 lowercase letters, digits and single '-', ` +
                "starting and ending with a letter or digit (for example dev).",
            runError: true,
        });
    });
});
