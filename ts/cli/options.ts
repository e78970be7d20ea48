import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import leven from 'leven';
import { usageError } from '../lib/support/index.js';
import { validateEnvironment, validateRegionName } from '../lib/config/index.js';
import type { KeyMap } from '../lib/restore/index.js';

/**
 * The option table: every engine option is declared once here (name, type, default, help text, environment
 * variable, validation). yargs' parser and help, the TypeScript option types of each command, the README option
 * tables (`npm run docs`) and the Groovy conformance test are all derived from it.
 *
 * Environment variables: `SSM_BACKUP_<NAME>` (upper snake case of the option name) sets an option of the command
 * being run; argv wins over the environment. A `SSM_BACKUP_*` variable that names no option of that command is a
 * usage error (exit 2) before anything runs.
 */
export type OptionKind =
  | 'string'
  | 'boolean'
  | 'number'
  | 'integer'
  | 'list'
  | 'key-map'
  | 'date'
  | 'choice'
  | 'region'
  | 'environment'
  | 'parameter-path'
  | 'file-out'
  | 'dir-out'
  | 'file-in';

export interface OptionSpec {
  kind: OptionKind;
  describe: string;
  default?: string | number | boolean;
  /** Shown in --help instead of the default value (e.g. "$AWS_REGION"). */
  defaultDescription?: string;
  required?: boolean;
  choices?: readonly string[];
  /** Inclusive bounds for number/integer. */
  min?: number;
  max?: number;
  /** Lists: the syntax of each item (regions, KMS key pairs, ...). */
  item?: 'region' | 'string';
}

export type OptionTable = Record<string, OptionSpec>;

type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;
type ValueOf<S extends OptionSpec> = S['kind'] extends 'boolean'
  ? boolean
  : S['kind'] extends 'number' | 'integer'
    ? number
    : S['kind'] extends 'list'
      ? string[]
      : S['kind'] extends 'key-map'
        ? KeyMap
        : S['kind'] extends 'date'
          ? Date
          : S extends { choices: readonly (infer C)[] }
            ? C
            : string;
type Present<S extends OptionSpec> = S extends { default: unknown } ? true : S extends { required: true } ? true : false;

/** The typed, validated values of a table: camel-cased names; optional unless defaulted or required. */
export type OptionValues<T extends OptionTable> = {
  [K in keyof T & string as CamelCase<K>]: Present<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

export const camelCase = (name: string): string => name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
export const envName = (name: string): string => `SSM_BACKUP_${name.replace(/-/g, '_').toUpperCase()}`;

// ---------------------------------------------------------------------------------------------------------------
// Shared option groups

export const globalOptions = {
  'log-format': { kind: 'choice', choices: ['text', 'json'] as const, default: 'text', describe: 'Log line format (logs go to stderr)' },
  verbose: { kind: 'boolean', default: false, describe: 'Debug logs and stack traces' },
  'error-file': { kind: 'file-out', describe: 'On failure, write {exitCode, category, message, region} as JSON here (for Jenkins)' },
} as const satisfies OptionTable;

export const awsOptions = {
  profile: {
    kind: 'string',
    defaultDescription: '$AWS_PROFILE',
    describe: 'Named profile from ~/.aws/config and ~/.aws/credentials (its region is the home region when none is given)',
  },
} as const satisfies OptionTable;

export const environmentOptions = {
  environment: {
    kind: 'environment',
    required: true,
    describe: 'Environment name: 1-32 of a-z, 0-9 and -, starting with a letter or digit (reads /jenkins/{environment}/backup/...)',
  },
  'ssm-home-region': {
    kind: 'region',
    defaultDescription: "$SSM_HOME_REGION, $AWS_REGION, the profile's region",
    describe: 'Region holding region-list and default-region',
  },
} as const satisfies OptionTable;

export const regionListOptions = {
  regions: { kind: 'list', item: 'region', describe: 'Comma-separated regions, overriding /jenkins/{environment}/backup/region-list' },
} as const satisfies OptionTable;

// ---------------------------------------------------------------------------------------------------------------
// Validation: every value is checked before a command runs; a bad one is a usage error naming where it came from.

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/** `true/false/1/0/yes/no` in any case; anything else is a usage error. */
export function parseBoolean(raw: string, source: string): boolean {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw usageError(`${source} "${raw}" is not a boolean: use true or false (also 1/0, yes/no)`);
}

/** A comma-separated list; blank items (`a,,b`, `,`, ``) are refused, never read as "everything". */
export function parseList(raw: string, source: string): string[] {
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw usageError(`${source} "${raw}" has a blank item: give comma-separated values without empty entries, or leave the option out`);
  return items;
}

/**
 * `FROM=TO,...` (KMS key ids, aliases or ARNs) into the map a restore applies, e.g. `alias/app=alias/dr,1234=alias/dr2`.
 * Parsed once, here; lib/restore maps each parameter's key once with it (mapKeyId). A source given twice is refused
 * (usage error), whether with two targets (which one was meant?) or the same one.
 */
export function parseKeyMap(raw: string, source: string): KeyMap {
  const map = new Map<string, string>();
  for (const pair of parseList(raw, source)) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1 || pair.indexOf('=', eq + 1) >= 0)
      throw usageError(`${source} entry "${pair}" is invalid: use FROM=TO, e.g. alias/app-secrets=alias/dr-secrets`);
    const [from, to] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
    const before = map.get(from);
    if (before === to) throw usageError(`${source} lists "${from}=${to}" twice: remove the duplicate`);
    if (before !== undefined) throw usageError(`${source} maps "${from}" to both "${before}" and "${to}": give one target per source key`);
    map.set(from, to);
  }
  return map;
}

/**
 * Whether the calendar date and the clock time `raw` starts with exist: Date.parse rolls 2026-02-30 over to 2 March
 * and takes hour 24, so the fields are checked against the date they make (ISO 8601: months 01-12, days of the month,
 * hours 00-23, minutes and seconds 00-59; a zone offset up to 23:59).
 */
function realDate(raw: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?[^+-]*(?:[+-](\d{2}):(\d{2}))?)?/i.exec(raw);
  if (!m) return false;
  const [y, mo, d, h = 0, mi = 0, s = 0, zh = 0, zm = 0] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x)));
  const day = new Date(Date.UTC(y!, mo! - 1, d!));
  const sameDay = day.getUTCFullYear() === y && day.getUTCMonth() === mo! - 1 && day.getUTCDate() === d;
  return sameDay && h! <= 23 && mi! <= 59 && s! <= 59 && zh! <= 23 && zm! <= 59;
}

/**
 * An ISO-8601 date-time with a zone (`2026-11-28T13:00:00Z`, `...+09:00`) or a date (`2026-11-28`, meaning the end of
 * that day in UTC). A time without zone is refused (its zone would be a guess).
 */
export function parseDate(raw: string, source: string): Date {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(raw);
  const t = date ? Date.parse(`${raw}T23:59:59.999Z`) : withZone ? Date.parse(raw) : NaN;
  if (!Number.isNaN(t) && realDate(raw)) return new Date(t);
  const hint = /T/.test(raw) && !withZone ? ' with a zone (Z or +hh:mm)' : '';
  throw usageError(`${source} "${raw}" is not an ISO-8601 date or date-time${hint}: use for example 2026-11-28 (end of that day, UTC) or 2026-11-28T13:00:00Z`);
}

function parseNumber(raw: string | number, spec: OptionSpec, source: string): number {
  // Plain decimal only: Number() would also take ' 4', '0x10', '1e3' and ''.
  const n = typeof raw === 'number' ? raw : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  const whole = spec.kind === 'integer';
  const range = spec.max !== undefined ? `from ${spec.min ?? 0} to ${spec.max}` : `of ${spec.min ?? 0} or more`;
  const what = whole ? `a whole number ${range}` : `a number ${range}`;
  if (!Number.isFinite(n) || (whole && !Number.isInteger(n)) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    throw usageError(`${source} "${raw}" is invalid: use ${what}`);
  }
  return n;
}

/** A file the engine will write: not a directory, and its directory exists or can be created, and is writable. */
export function checkWritableFile(file: string, source: string): string {
  const st = statOrUndefined(file);
  if (st?.isDirectory()) throw usageError(`${source} "${file}" is a directory: give a file path`);
  if (st && !st.isFile()) throw usageError(`${source} "${file}" exists and is not a regular file (a FIFO, socket or device): give a file path`);
  checkCreatableDir(path.dirname(path.resolve(file)), source, file);
  return file;
}

/** A directory the engine will write into: a directory, or creatable under a writable one. */
export function checkWritableDir(dir: string, source: string): string {
  checkCreatableDir(path.resolve(dir), source, dir);
  return dir;
}

function checkCreatableDir(dir: string, source: string, given: string): void {
  let existing = dir;
  for (let st = statOrUndefined(existing); !st; st = statOrUndefined(existing)) existing = path.dirname(existing);
  // Where the path really leads (symlinks resolved): /proc, /sys and /dev hold no files of ours.
  const real = path.join(realpathSync(existing), path.relative(existing, dir));
  const pseudo = /^\/(proc|sys|dev)(\/|$)/.exec(real);
  if (pseudo) throw usageError(`${source} "${given}" leads to /${pseudo[1]}, which holds no files: choose a directory in the workspace`);
  if (!statSync(existing).isDirectory()) throw usageError(`${source} "${given}": ${existing} is a file, not a directory: choose another path`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw usageError(`${source} "${given}": ${existing} is not writable by this user: choose a writable directory`);
  }
}

function statOrUndefined(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** Checks one raw value (argv or environment) against its spec; returns the typed value. */
export function validateValue(_name: string, spec: OptionSpec, raw: unknown, source: string): unknown {
  if (Array.isArray(raw)) throw usageError(`${source} is given more than once: give it once${spec.kind === 'list' ? ' with comma-separated values' : ''}`);
  if (typeof raw === 'boolean' && spec.kind !== 'boolean')
    throw usageError(`${source} takes a value (--no-... is for on/off options only): give ${source} <value> or leave it out`);
  if (spec.kind === 'boolean') return typeof raw === 'boolean' ? raw : parseBoolean(String(raw), source);
  if (spec.kind === 'number' || spec.kind === 'integer') return parseNumber(raw as string | number, spec, source);
  const text = String(raw);
  if (spec.kind !== 'list' && text.trim() === '') throw usageError(`${source} is empty: give a value or leave the option out`);
  switch (spec.kind) {
    case 'choice':
      if (!spec.choices?.includes(text)) throw usageError(`${source} "${text}" is invalid: use one of ${spec.choices?.join(', ')}`);
      return text;
    case 'list': {
      const items = parseList(text, source);
      if (spec.item === 'region') items.forEach((r) => validateRegionName(r, source, 'usage'));
      const dup = items.find((x, i) => items.indexOf(x) !== i);
      if (dup !== undefined) throw usageError(`${source} lists "${dup}" twice: remove the duplicate`);
      return items;
    }
    case 'key-map':
      return parseKeyMap(text, source);
    case 'date':
      return parseDate(text, source);
    case 'region':
      return validateRegionName(text, source, 'usage');
    case 'environment':
      return validateEnvironment(text, source);
    case 'parameter-path':
      // Parameter Store hierarchy syntax (PutParameter: a-zA-Z0-9_.- and /), no empty level, no trailing / but for the root.
      if (!/^\/([a-zA-Z0-9_.-]+(\/[a-zA-Z0-9_.-]+)*)?$/.test(text) || text.length > 2048) {
        throw usageError(`${source} "${text}" is invalid: use an absolute parameter path such as /app (letters, digits, _ . - and single /, no trailing /)`);
      }
      return text;
    case 'file-out':
      return checkWritableFile(text, source);
    case 'dir-out':
      return checkWritableDir(text, source);
    case 'file-in': {
      const st = statOrUndefined(text);
      if (!st?.isFile()) throw usageError(`${source} "${text}" ${st ? 'is not a regular file' : 'does not exist'}: give the path of an existing file`);
      try {
        accessSync(text, constants.R_OK);
      } catch {
        throw usageError(`${source} "${text}" is not readable by this user`);
      }
      return text;
    }
    default:
      return text;
  }
}

/** "did you mean --dry-run?" for an unknown option. */
export function suggest(unknown: string, known: string[]): string | undefined {
  const longer = known.filter((k) => k.startsWith(unknown));
  if (unknown.length >= 3 && longer.length === 1) return longer[0];
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const d = leven(unknown, k);
    if (d < bestScore) [best, bestScore] = [k, d];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(unknown.length / 3)) ? best : undefined;
}
