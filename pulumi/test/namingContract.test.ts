/**
 * The naming contract (../ts/contract/naming.ts) on the Pulumi side: the table the engine suite
 * feeds to its validators (test/engine/naming.test.ts) goes through validateConfig here, so
 * both sides accept and refuse the same environment and region names.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { RawBackupStackConfig, validateConfig } from "../config";

interface Table {
    environments: { accept: string[]; refuse: string[] };
    regions: { accept: string[]; refuse: string[] };
}
const TABLE: Table = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "test", "fixtures", "naming-contract.json"), "utf8"));

const BASE: RawBackupStackConfig = { projectName: "j", environment: "dev", regions: ["us-west-2"] };

/** "ok", or the validation message. */
function verdict(raw: RawBackupStackConfig): string {
    try {
        validateConfig(raw);
        return "ok";
    } catch (err) {
        expect((err as Error).name).to.equal("ConfigValidationError");
        return (err as Error).message;
    }
}

function accepted(raw: RawBackupStackConfig): boolean {
    return verdict(raw) === "ok";
}

/** Pulumi also refuses names whose buckets would exceed 63 characters: a bucket rule, not a name rule. */
const BUCKET_TOO_LONG = /^Bucket name for \S+ would be \d+ characters \(S3 allows 63\)/;

/** A region alone, as regions, as drKeyRegions and as ssmHomeRegion (all of one partition). */
function regionAccepted(region: string): boolean[] {
    return [
        accepted({ ...BASE, regions: [region] }),
        accepted({ ...BASE, regions: JSON.stringify([region]) }),
        accepted({ ...BASE, regions: [region], drKeyRegions: [region] }),
        accepted({ ...BASE, regions: [region], ssmHomeRegion: region }),
    ];
}

describe("naming contract (Pulumi side: validateConfig)", () => {
    it("the table is not empty on any side", () => {
        for (const list of [TABLE.environments.accept, TABLE.environments.refuse, TABLE.regions.accept, TABLE.regions.refuse]) {
            expect(list.length).to.be.greaterThan(5);
        }
    });

    it("accepts exactly the good environments", () => {
        for (const environment of TABLE.environments.accept) {
            const result = verdict({ ...BASE, environment });
            expect(result === "ok" || BUCKET_TOO_LONG.test(result), `${environment}: ${result}`).to.equal(true);
        }
        expect(verdict({ ...BASE, environment: "a".repeat(32) })).to.match(BUCKET_TOO_LONG);
        for (const environment of TABLE.environments.refuse) {
            // Refused by the environment rule itself ("" as missing), never by a later check.
            expect(verdict({ ...BASE, environment }), JSON.stringify(environment)).to.match(/^environment (".*" is invalid: use 1-32 lowercase|is required)/);
        }
    });

    it("accepts exactly the good regions, wherever a region is configured", () => {
        for (const region of TABLE.regions.accept) {
            expect(regionAccepted(region), region).to.deep.equal([true, true, true, true]);
        }
        for (const region of TABLE.regions.refuse) {
            expect(regionAccepted(region), JSON.stringify(region)).to.deep.equal([false, false, false, false]);
        }
    });

    it("refuses the environment '-dev' that the engine refuses (and 'dev-')", () => {
        expect(() => validateConfig({ ...BASE, environment: "-dev" })).to.throw(
            `environment "-dev" is invalid: use 1-32 lowercase letters, digits and single '-', starting and ending with a letter or digit (for example dev).`,
        );
        expect(accepted({ ...BASE, environment: "dev-" })).to.equal(false);
    });
});
