// Writes the option tables in README.md from the engine's option table (ts/cli/options.ts, ts/cli/commands/*.ts).
// `npm run docs` rewrites them; test/cli/docs.test.ts fails when README.md is not what this would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { commands } from '../ts/cli/cli.js';
import { markdownOptionTable } from '../ts/cli/help.js';

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
}
