/** SSM request helpers and response shapes shared by the operation tables (ssm.ts, ssm-history.ts). */
import { AwsError } from './types.js';
import type { StoredParameter } from './types.js';
import type { PagingOptions } from './paging.js';
import type { SsmStore } from './ssm-store.js';
import type { ParameterVersion } from './ssm-versions.js';

export type Input = Record<string, unknown>;

export interface Ctx {
  store: SsmStore;
  region: string;
  paging: PagingOptions;
}

export interface OpDef {
  handle(ctx: Ctx, input: Input): unknown;
  /** Strings a fault's `match` is tested against. */
  subjects?(ctx: Ctx, input: Input): string[];
}

export interface Filter {
  Key: string;
  Option?: string;
  Values?: string[];
}

export const validation = (message: string): AwsError => new AwsError('ValidationException', message);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
export const epoch = (d: Date): number => d.getTime() / 1000;
export const invalidToken = (): AwsError => new AwsError('InvalidNextToken', "The specified token isn't valid.");

/** A parameter as one of its versions: the current parameter, or a version of its history with Name/ARN/Tags. */
export function atVersion(p: StoredParameter, v: ParameterVersion | undefined): StoredParameter {
  return v ? { ...v, Name: p.Name, ARN: p.ARN, Tags: p.Tags } : p;
}

/** The `Parameter` shape of GetParameter(s)/GetParametersByPath. */
export function toParameter(ctx: Ctx, p: StoredParameter, decrypt: boolean, selector?: string): Record<string, unknown> {
  return {
    Name: p.Name,
    Type: p.Type,
    Value: p.Type === 'SecureString' && !decrypt ? ctx.store.cipherText(ctx.region, p) : p.Value,
    Version: p.Version,
    ...(selector !== undefined ? { Selector: selector } : {}),
    LastModifiedDate: epoch(p.LastModifiedDate),
    ARN: p.ARN,
    DataType: p.DataType,
  };
}

/** The `ParameterMetadata` shape of DescribeParameters (no labels: AWS does not return them there). */
export function toMetadata(p: StoredParameter): Record<string, unknown> {
  return {
    Name: p.Name,
    ARN: p.ARN,
    Type: p.Type,
    ...(p.KeyId !== undefined ? { KeyId: p.KeyId } : {}),
    LastModifiedDate: epoch(p.LastModifiedDate),
    LastModifiedUser: p.LastModifiedUser,
    ...(p.Description !== undefined ? { Description: p.Description } : {}),
    ...(p.AllowedPattern !== undefined ? { AllowedPattern: p.AllowedPattern } : {}),
    Version: p.Version,
    Tier: p.Tier,
    Policies: p.Policies,
    DataType: p.DataType,
  };
}

/**
 * Looks a parameter up by name, ARN, `name:version` or `name:label` selector. `p` is the parameter at the selected
 * version (undefined when the name is unknown); an unknown version or label throws ParameterVersionNotFound.
 */
export function lookup(ctx: Ctx, ref: string): { p?: StoredParameter; selector?: string } {
  let name = ctx.store.normalizeName(ctx.region, ref);
  let selector: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > 0 && !name.startsWith('arn:')) {
    selector = name.slice(colon);
    name = name.slice(0, colon);
  }
  const p = ctx.store.get(ctx.region, name);
  if (!p || selector === undefined) return { p, selector };
  return { p: atVersion(p, ctx.store.versions.select(ctx.region, p.Name, selector)), selector };
}

/** Parses ParameterFilters, allowing `allowed` keys (and `tag:` keys when `tags`). */
export function readFilters(input: Input, allowed: string[], tags: boolean): Filter[] {
  const raw = input.ParameterFilters;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw validation('ParameterFilters must be a list');
  return raw.map((f: unknown) => {
    const filter = f as Partial<Filter>;
    const key = str(filter?.Key) ?? '';
    if (!allowed.includes(key) && !(tags && key.startsWith('tag:')))
      throw new AwsError('InvalidFilterKey', `The following filter key is not valid: ${key}. Valid filter keys include: [${allowed.join(', ')}].`);
    const option = str(filter.Option);
    const values = strList(filter.Values);
    const options =
      key === 'Path' ? ['Recursive', 'OneLevel'] : key === 'Name' ? ['Equals', 'BeginsWith', 'Contains'] : key === 'Label' ? ['Equals'] : undefined;
    if (options && option !== undefined && !options.includes(option))
      throw new AwsError('InvalidFilterOption', `The following filter option is not valid: ${option}. Valid options include: [${options.join(', ')}].`);
    if (values.length > 50) throw new AwsError('InvalidFilterValue', 'A filter can have a maximum of 50 values.');
    return { Key: key, Option: option, Values: values };
  });
}

/** `dup` is the single-level parameter `/dup` (see canonicalName): paths and name filters compare slashed forms, as moto does. */
const slashed = (name: string): string => (name.startsWith('/') ? name : `/${name}`);

export function inPath(parameterName: string, path: string, recursive: boolean): boolean {
  const name = slashed(parameterName);
  const base = path === '/' ? '' : path.replace(/\/$/, '');
  if (!name.startsWith(`${base}/`)) return false;
  return recursive || !name.slice(base.length + 1).includes('/');
}

/** One ParameterFilter against a parameter (Label is resolved by the caller, with the history). */
export function matchesFilter(p: StoredParameter, f: Filter): boolean {
  const values = f.Values ?? [];
  const cmp = (actual: string | undefined, v: string): boolean => {
    if (actual === undefined) return false;
    if (f.Option === 'BeginsWith') return actual.startsWith(v);
    if (f.Option === 'Contains') return actual.includes(v);
    return actual === v;
  };
  const field: Record<string, string | undefined> = { Type: p.Type, KeyId: p.KeyId, Tier: p.Tier, DataType: p.DataType };
  switch (f.Key) {
    case 'Name':
      // `dup` and `/dup` name one parameter (canonicalName): Equals and BeginsWith compare the slashed forms.
      return values.some((v) => (f.Option === 'Contains' ? cmp(p.Name, v) : cmp(slashed(p.Name), slashed(v))));
    case 'Path':
      return values.some((v) => inPath(p.Name, v, f.Option === 'Recursive'));
    case 'Type':
    case 'KeyId':
    case 'Tier':
    case 'DataType':
      return values.some((v) => cmp(field[f.Key], v));
    default: {
      const tag = p.Tags.find((t) => t.Key === f.Key.slice(4));
      return tag !== undefined && (values.length === 0 || values.includes(tag.Value));
    }
  }
}

/** The `Names` member: 1..max names, duplicates removed. */
export function names(input: Input, max: number): string[] {
  const list = strList(input.Names);
  if (list.length < 1 || list.length > max)
    throw validation(
      `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length ${list.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`,
    );
  return [...new Set(list)];
}

/** Names, paths and resource ids a request carries (fault `match` subjects). */
export const byName = (input: Input): string[] =>
  [str(input.Name), ...strList(input.Names), str(input.Path), str(input.ResourceId)].filter((x): x is string => x !== undefined);
