/**
 * `npm run policies`: (re)writes the IAM policy templates in <repo>/iam/ from the functions the
 * stack uses (policyFiles.ts); test/policyFiles.test.ts fails when a committed file differs.
 * `npm run policies -- --scope FILE [--out DIR]`: writes the concrete documents for the regions,
 * buckets and keys in FILE (see iam/README.md) to DIR (default: the current directory); relative
 * paths are taken from the directory npm was started in (`npm --prefix pulumi run ...` from the root).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PolicyScopeFile, policyFileText, policyTemplates, renderPolicies } from "../policyFiles";

export const TEMPLATE_DIR = path.resolve(__dirname, "..", "..", "iam");

function option(argv: readonly string[], name: string): string | undefined {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
}

/** Where the user ran the command: npm runs scripts in the package directory and keeps the caller's in INIT_CWD. */
const CALLER_DIR = process.env.INIT_CWD ?? process.cwd();

/** `--scope FILE [--out DIR]` or nothing; anything else is a usage error. */
function usageProblem(argv: readonly string[]): string | undefined {
    const known = ["--scope", "--out"];
    for (let i = 0; i < argv.length; i += 2) {
        if (!known.includes(argv[i]) || argv[i + 1] === undefined || argv[i + 1].startsWith("--")) {
            return `usage: npm run policies [-- --scope FILE [--out DIR]] (got ${argv.join(" ")})`;
        }
    }
    return argv.includes("--out") && !argv.includes("--scope") ? "--out needs --scope (the templates always go to iam/)" : undefined;
}

function main(argv: readonly string[]): number {
    const usage = usageProblem(argv);
    if (usage) {
        process.stderr.write(`policies: ${usage}\n`);
        return 2;
    }
    const scopeOption = option(argv, "--scope");
    const scope = scopeOption === undefined ? undefined : path.resolve(CALLER_DIR, scopeOption);
    const out = scope ? path.resolve(CALLER_DIR, option(argv, "--out") ?? ".") : TEMPLATE_DIR;
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
