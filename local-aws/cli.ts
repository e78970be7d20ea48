/**
 * Standalone local AWS emulator.
 *   node --import tsx local-aws/cli.ts [--port 0] [--seed seed.json] [--max-lifetime-sec 900] [--no-stdin-watch]
 *        [one flag per option of options.ts: --latency-ms N --get-tps N ... --filter-after-paging --account-id ID]
 * Prints one JSON line {"endpoint":"http://127.0.0.1:PORT"} when ready. Stops on SIGTERM/SIGINT, when stdin
 * closes (unless --no-stdin-watch), or after --max-lifetime-sec (0 = never).
 */
import { readFileSync } from 'node:fs';
import { startLocalAws } from './index.js';
import { OPTION_DEFS, mergeOptions } from './options.js';
import type { SeedDocument } from './admin.js';

function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) args.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === '--no-stdin-watch' || a === '--help' || a === '--filter-after-paging') args.set(a.slice(2), 'true');
    else args.set(a.slice(2), argv[++i] ?? '');
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.has('help')) {
    const flags = OPTION_DEFS.map((d) => (d.kind === 'boolean' ? `[--${d.flag}]` : `[--${d.flag} ${d.kind === 'number' ? 'N' : 'ID'}]`)).join(' ');
    console.error(`usage: node --import tsx local-aws/cli.ts [--port 0] [--seed seed.json] [--max-lifetime-sec 900] [--no-stdin-watch] ${flags}`);
    return;
  }
  const num = (name: string): number | undefined => {
    const v = args.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number, got ${v}`);
    return n;
  };
  const known = new Set(['port', 'seed', 'max-lifetime-sec', 'no-stdin-watch', ...OPTION_DEFS.map((d) => d.flag)]);
  for (const k of args.keys()) if (!known.has(k)) throw new Error(`unknown flag --${k} (see --help)`);
  const opts = mergeOptions({}, Object.fromEntries(OPTION_DEFS.filter((d) => args.has(d.flag)).map((d) => [d.name, args.get(d.flag)])));
  const aws = await startLocalAws(opts, num('port') ?? 0);
  const seed = args.get('seed');
  if (seed) aws.seed(JSON.parse(readFileSync(seed, 'utf8')) as SeedDocument);

  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    console.error(`local-aws: stopping (${why})`);
    void aws.stop().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (!args.has('no-stdin-watch')) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('close', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.resume();
  }
  const lifetime = num('max-lifetime-sec') ?? 900;
  if (lifetime > 0) setTimeout(() => stop('max lifetime reached'), lifetime * 1000).unref();
  process.stdout.write(`${JSON.stringify({ endpoint: aws.endpoint })}\n`);
}

main().catch((e: unknown) => {
  console.error(`local-aws: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
