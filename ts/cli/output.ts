/**
 * What a command prints on stdout, as the AWS CLI's `--output` chooses it: `table` for people (aligned, with a header
 * and notes), `json` for programs (the whole result), `text` for shell pipelines (one record a line, fields separated
 * by tabs, no header: `cut -f`, `awk -F'\t'`). Logs always go to stderr. `--json` (2.0) stays as `--output json`.
 */
import { usageError } from '../lib/support/index.js';

export type OutputFormat = 'table' | 'json' | 'text';

const DESCRIBE = 'What stdout gets: table (for people), json (for programs) or text (tab-separated records, no header)';

/** The --output option with a command's own default (plan prints JSON unless told otherwise). */
export function outputOption<D extends OutputFormat>(fallback: D) {
  return { output: { kind: 'choice', choices: ['table', 'json', 'text'] as const, defaultDescription: fallback, describe: DESCRIBE } } as const;
}

/** `--json`, kept for scripts written for 2.0: the same as `--output json`. */
export const jsonAlias = { json: { kind: 'boolean', default: false, describe: 'The same as --output json (kept from 2.0)' } } as const;

/** The format asked for; `--json` with another --output is a contradiction (exit 2), never a guess. */
export function outputFormat(o: { output?: OutputFormat; json?: boolean }, fallback: OutputFormat = 'table'): OutputFormat {
  if (o.json && o.output && o.output !== 'json') throw usageError(`--json and --output ${o.output} contradict each other: give one of them`);
  return o.json ? 'json' : (o.output ?? fallback);
}

/** JSON as every command prints it: two-space indented, newline-terminated. */
export const jsonText = (data: unknown): string => JSON.stringify(data, null, 2) + '\n';

/** Tab-separated records (null and undefined print as empty fields; tabs and newlines inside a field become spaces). */
export function textRecords(rows: (string | number | boolean | null | undefined)[][]): string {
  if (!rows.length) return '';
  return rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c).replace(/[\t\r\n]+/g, ' '))).join('\t')).join('\n') + '\n';
}
