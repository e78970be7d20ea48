/**
 * The emulator's options, declared once: `startLocalAws(opts)`, `setOptions`, `POST /__local/options` and the CLI
 * flags (`--latency-ms`, ...) are all derived from this table.
 */
import type { LocalAwsOptions } from './types.js';

type Kind = 'number' | 'boolean' | 'string';

export interface OptionDef {
  name: keyof LocalAwsOptions;
  /** CLI flag without the leading dashes. */
  flag: string;
  kind: Kind;
}

export const OPTION_DEFS: OptionDef[] = [
  { name: 'latencyMs', flag: 'latency-ms', kind: 'number' },
  { name: 'getTps', flag: 'get-tps', kind: 'number' },
  { name: 'describeTps', flag: 'describe-tps', kind: 'number' },
  { name: 'putTps', flag: 'put-tps', kind: 'number' },
  { name: 'tagTps', flag: 'tag-tps', kind: 'number' },
  { name: 'getResourcesTps', flag: 'get-resources-tps', kind: 'number' },
  { name: 'labelTps', flag: 'label-tps', kind: 'number' },
  { name: 'historyTps', flag: 'history-tps', kind: 'number' },
  { name: 'pageSize', flag: 'page-size', kind: 'number' },
  { name: 'resourcesPageSize', flag: 'resources-page-size', kind: 'number' },
  { name: 'filterAfterPaging', flag: 'filter-after-paging', kind: 'boolean' },
  { name: 'emptyFirstPage', flag: 'empty-first-page', kind: 'boolean' },
  { name: 'accountId', flag: 'account-id', kind: 'string' },
  { name: 'refuseChecksums', flag: 'refuse-checksums', kind: 'boolean' },
];

/** Converts one option value (from JSON or a CLI string); throws Error naming the option when it is malformed. */
export function optionValue(def: OptionDef, v: unknown): number | boolean | string {
  if (def.kind === 'boolean') {
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw new Error(`${def.name} needs true or false, got ${String(v)}`);
  }
  if (def.kind === 'string') {
    if (typeof v !== 'string' || v === '') throw new Error(`${def.name} needs a non-empty string`);
    return v;
  }
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new Error(`${def.name} needs a non-negative number, got ${String(v)}`);
  if ((def.name === 'pageSize' || def.name === 'resourcesPageSize') && (!Number.isInteger(n) || n < 1))
    throw new Error(`${def.name} needs an integer >= 1, got ${String(v)}`);
  return n;
}

/** Applies a partial change: unknown names throw, `undefined`/`null` remove the option. */
export function mergeOptions(current: LocalAwsOptions, change: Record<string, unknown>): LocalAwsOptions {
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(change)) {
    const def = OPTION_DEFS.find((d) => d.name === k);
    if (!def) throw new Error(`unknown option ${k} (known: ${OPTION_DEFS.map((d) => d.name).join(', ')})`);
    if (v === undefined || v === null) delete next[k];
    else next[k] = optionValue(def, v);
  }
  return next as LocalAwsOptions;
}
