/**
 * `npm run policies`: (re)writes the IAM policy templates in <repo>/iam/ from the functions the
 * stack uses (policyFiles.ts); test/policyFiles.test.ts fails when a committed file differs.
 * `npm run policies -- --scope FILE [--out DIR]`: writes the concrete documents for the regions,
 * buckets and keys in FILE (see iam/README.md) to DIR (default: the current directory).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PolicyScopeFile, policyFileText, policyTemplates, renderPolicies } from "../policyFiles";

export const TEMPLATE_DIR = path.resolve(__dirname, "..", "..", "iam");

function option(argv: readonly string[], name: string): string | undefined {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
}

function main(argv: readonly string[]): number {
    const scope = option(argv, "--scope");
    const out = scope ? path.resolve(option(argv, "--out") ?? ".") : TEMPLATE_DIR;
    let documents;
    try {
        documents = scope ? renderPolicies(JSON.parse(fs.readFileSync(scope, "utf8")) as PolicyScopeFile) : policyTemplates();
    } catch (err) {
        process.stderr.write(`policies: ${(err as Error).message}\n`);
        return 2;
    }
    fs.mkdirSync(out, { recursive: true });
    for (const [file, document] of Object.entries(documents)) {
        fs.writeFileSync(path.join(out, file), policyFileText(document));
        process.stdout.write(`wrote ${path.join(out, file)}\n`);
    }
    return 0;
}

process.exitCode = main(process.argv.slice(2));
