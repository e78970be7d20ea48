// Bundles the engine (ts/main.ts -> ts/cli/) into the single committed file Jenkins loads with libraryResource.
// `node scripts/build.mjs --check` builds to memory and fails when the committed bundle differs.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outfile = path.join(root, 'resources/ssm-multi-region-backup/ssm-backup.cjs');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

export async function bundle() {
  const result = await build({
    entryPoints: [path.join(root, 'ts/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
    define: { __TOOL_VERSION__: JSON.stringify(pkg.version) },
    banner: { js: '#!/usr/bin/env node\n// GENERATED FILE: built from ts/ by `npm run build`; do not edit. Source: https://github.com/ (see README).' },
  });
  return result.outputFiles[0].text;
}

const text = await bundle();
if (process.argv.includes('--check')) {
  const committed = existsSync(outfile) ? readFileSync(outfile, 'utf8') : '';
  if (committed !== text) {
    console.error(`${path.relative(root, outfile)} differs from a fresh build: run \`npm run build\` and commit the result`);
    process.exit(1);
  }
  console.log(`${path.relative(root, outfile)} matches a fresh build (${text.length} bytes)`);
} else {
  writeFileSync(outfile, text, { mode: 0o755 });
  console.log(`wrote ${path.relative(root, outfile)} (${text.length} bytes)`);
}
