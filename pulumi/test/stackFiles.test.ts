/** The committed project and stack files: project name and stack config must validate. */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { RawBackupStackConfig, validateConfig } from "../config";
import { PROJECT } from "../naming";

const ROOT = path.resolve(__dirname, "..");

/** Reads the flat `config:` map of a Pulumi.<stack>.yaml (scalars and `[a, b]` lists). */
function readStackConfig(file: string): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const line of fs.readFileSync(path.join(ROOT, file), "utf8").split("\n")) {
        const match = /^ {2}([\w-]+):(\w+):\s*(.*?)\s*$/.exec(line);
        if (!match) {
            continue;
        }
        const [, namespace, key, rawValue] = match;
        expect(namespace, `${file}: ${line}`).to.equal(PROJECT);
        const value = rawValue.replace(/^"(.*)"$/, "$1");
        out[key] = value.startsWith("[")
            ? value
                  .slice(1, -1)
                  .split(",")
                  .map((item) => item.trim())
                  .filter(Boolean)
            : value;
    }
    return out;
}

describe("project and stack files", () => {
    it(`Pulumi.yaml names the project ${PROJECT} with the nodejs runtime`, () => {
        const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
        expect(text).to.match(new RegExp(`^name: ${PROJECT}$`, "m"));
        expect(text).to.match(/^runtime:\s*\n\s+name: nodejs$/m);
    });

    for (const [stack, environment] of [
        ["dev", "dev"],
        ["prod", "prod"],
    ] as const) {
        it(`Pulumi.${stack}.yaml validates`, () => {
            const raw = readStackConfig(`Pulumi.${stack}.yaml`) as RawBackupStackConfig;
            const config = validateConfig(raw);
            expect(config.environment).to.equal(environment);
            expect(config.regions).to.deep.equal(["ap-northeast-1", "us-west-2"]);
            expect(config.defaultRegion).to.equal("ap-northeast-1");
            expect(config.ssmHomeRegion).to.equal("ap-northeast-1");
            expect(config.projectName).to.equal("jenkins-infra");
        });
    }
});
