/**
 * Standalone local AWS emulator.
 *   node --import tsx local-aws/cli.ts [--port 0] [--seed seed.json] [--latency-ms N] [--get-tps N]
 *        [--describe-tps N] [--put-tps N] [--tag-tps N] [--account-id ID] [--max-lifetime-sec 900] [--no-stdin-watch]
 * Prints one JSON line {"endpoint":"http://127.0.0.1:PORT"} when ready. Stops on SIGTERM/SIGINT, when stdin
 * closes (unless --no-stdin-watch), or after --max-lifetime-sec (0 = never).
 */
import { readFileSync } from 'node:fs';
import { startLocalAws, type LocalAwsOptions } from './index.js';
import type { SeedDocument } from './admin.js';

function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) args.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === '--no-stdin-watch' || a === '--help') args.set(a.slice(2), 'true');
    else args.set(a.slice(2), argv[++i] ?? '');
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.has('help')) {
    console.error('usage: node --import tsx local-aws/cli.ts [--port 0] [--seed seed.json] [--latency-ms N] [--get-tps N] [--describe-tps N] [--put-tps N] [--tag-tps N] [--account-id ID] [--max-lifetime-sec 900] [--no-stdin-watch]');
    return;
  }
  const num = (name: string): number | undefined => {
    const v = args.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number, got ${v}`);
    return n;
  };
  const opts: LocalAwsOptions = { latencyMs: num('latency-ms'), getTps: num('get-tps'), describeTps: num('describe-tps'), putTps: num('put-tps'), tagTps: num('tag-tps'), accountId: args.get('account-id') };
  for (const k of Object.keys(opts) as (keyof LocalAwsOptions)[]) if (opts[k] === undefined) delete opts[k];
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
