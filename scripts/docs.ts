// Writes the option tables in README.md from the engine's option table (ts/cli/options.ts, ts/cli/commands/*.ts), and
// test/fixtures/contract.json (for the Groovy tests) from ts/contract/. `npm run docs` rewrites both;
// test/cli/docs.test.ts and test/contract/contract.test.ts fail when they are not what this would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { commands } from '../ts/cli/cli.js';
import { markdownOptionTable } from '../ts/cli/help.js';
import { contractDescription } from '../ts/contract/index.js';

/** test/fixtures/contract.json: the contract as JSON, two-space indented, newline-terminated. */
export const renderContractJson = (): string => `${JSON.stringify(contractDescription(), null, 2)}\n`;

/** README.md with every `<!-- options:<command> -->...<!-- /options:<command> -->` block regenerated. */
export function renderReadme(text: string): string {
  let out = text;
  for (const c of commands) {
    const re = new RegExp(`(<!-- options:${c.name} -->\\n)[\\s\\S]*?(<!-- /options:${c.name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- options:${c.name} --> block`);
    out = out.replace(re, `$1${markdownOptionTable(c)}$2`);
  }
  return out;
}

if (process.argv[1]?.endsWith('docs.ts')) {
  const file = new URL('../README.md', import.meta.url);
  writeFileSync(file, renderReadme(readFileSync(file, 'utf8')));
  writeFileSync(new URL('../test/fixtures/contract.json', import.meta.url), renderContractJson());
}
