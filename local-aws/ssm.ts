/** SSM (AWS JSON 1.1) operation handlers, table-driven. */
import { AwsError } from './types.js';
import type { StoredParameter, Tag } from './types.js';
import { makeToken, readToken } from './http-util.js';
import { validateName, type PutInput, type SsmStore } from './ssm-store.js';

type Input = Record<string, unknown>;
interface Ctx {
  store: SsmStore;
  region: string;
}
interface OpDef {
  handle(ctx: Ctx, input: Input): unknown;
  /** Strings a fault's `match` is tested against. */
  subjects?(ctx: Ctx, input: Input): string[];
}
interface Filter {
  Key: string;
  Option?: string;
  Values?: string[];
}

const validation = (message: string): AwsError => new AwsError('ValidationException', message);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const epoch = (d: Date): number => d.getTime() / 1000;

function maxResults(input: Input, max: number): number {
  const v = input.MaxResults;
  if (v === undefined || v === null) return 10;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw validation(`1 validation error detected: Value '${String(v)}' at 'maxResults' failed to satisfy constraint: Member must have value ${n < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`);
  return n;
}

function paginate<T extends { Name: string }>(items: T[], input: Input, max: number): { page: T[]; NextToken?: string } {
  const limit = maxResults(input, max);
  let start = 0;
  const token = str(input.NextToken);
  if (token !== undefined) {
    const after = readToken(token);
    if (after === undefined) throw new AwsError('InvalidNextToken', 'The specified token isn\'t valid.');
    start = items.findIndex((p) => p.Name > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { page, NextToken: more && page.length > 0 ? makeToken(page[page.length - 1].Name) : undefined };
}

function toParameter(ctx: Ctx, p: StoredParameter, decrypt: boolean, selector?: string): Record<string, unknown> {
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

function toMetadata(p: StoredParameter): Record<string, unknown> {
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

/** Looks a parameter up by name, ARN or `name:version` selector. */
function lookup(ctx: Ctx, ref: string): { p?: StoredParameter; selector?: string } {
  let name = ctx.store.normalizeName(ctx.region, ref);
  let selector: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > 0 && !name.startsWith('arn:')) {
    selector = name.slice(colon);
    name = name.slice(0, colon);
  }
  const p = ctx.store.get(ctx.region, name);
  if (p && selector !== undefined && selector !== `:${p.Version}`) {
    throw new AwsError('ParameterVersionNotFound', `Systems Manager could not find version ${selector.slice(1)} of ${name}. Verify the version and try again.`);
  }
  return { p, selector };
}

function readFilters(input: Input, allowed: string[]): Filter[] {
  const raw = input.ParameterFilters;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw validation('ParameterFilters must be a list');
  return raw.map((f: unknown) => {
    const filter = f as Partial<Filter>;
    const key = str(filter?.Key) ?? '';
    if (!allowed.includes(key) && !key.startsWith('tag:')) throw new AwsError('InvalidFilterKey', `The following filter key is not valid: ${key}. Valid filter keys include: [${allowed.join(', ')}].`);
    const option = str(filter.Option);
    const values = strList(filter.Values);
    if (key === 'Path' && option !== undefined && !['Recursive', 'OneLevel'].includes(option)) throw new AwsError('InvalidFilterOption', `The following filter option is not valid: ${option}. Valid options include: [Recursive, OneLevel].`);
    if (key === 'Name' && option !== undefined && !['Equals', 'BeginsWith', 'Contains'].includes(option)) throw new AwsError('InvalidFilterOption', `The following filter option is not valid: ${option}. Valid options include: [Equals, BeginsWith, Contains].`);
    if (values.length > 50) throw new AwsError('InvalidFilterValue', 'A filter can have a maximum of 50 values.');
    return { Key: key, Option: option, Values: values };
  });
}

function inPath(name: string, path: string, recursive: boolean): boolean {
  const base = path === '/' ? '' : path.replace(/\/$/, '');
  if (!name.startsWith(`${base}/`)) return false;
  return recursive || !name.slice(base.length + 1).includes('/');
}

function matchesFilter(p: StoredParameter, f: Filter): boolean {
  const values = f.Values ?? [];
  const cmp = (actual: string | undefined, v: string): boolean => {
    if (actual === undefined) return false;
    if (f.Option === 'BeginsWith') return actual.startsWith(v);
    if (f.Option === 'Contains') return actual.includes(v);
    return actual === v;
  };
  switch (f.Key) {
    case 'Name':
      return values.some((v) => cmp(p.Name, v) || (!v.startsWith('/') && f.Option !== 'Contains' && cmp(p.Name, `/${v}`)));
    case 'Path':
      return values.some((v) => inPath(p.Name, v, f.Option === 'Recursive'));
    case 'Type':
      return values.some((v) => cmp(p.Type, v));
    case 'KeyId':
      return values.some((v) => cmp(p.KeyId, v));
    case 'Tier':
      return values.some((v) => cmp(p.Tier, v));
    case 'DataType':
      return values.some((v) => cmp(p.DataType, v));
    case 'Label':
      return false;
    default: {
      const tag = p.Tags.find((t) => t.Key === f.Key.slice(4));
      return tag !== undefined && (values.length === 0 || values.includes(tag.Value));
    }
  }
}

function names(input: Input, field: 'Names', max: number): string[] {
  const list = strList(input[field]);
  if (list.length < 1 || list.length > max) throw validation(`1 validation error detected: Value at '${field.toLowerCase()}' failed to satisfy constraint: Member must have length ${list.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`);
  return [...new Set(list)];
}

function resource(ctx: Ctx, input: Input): StoredParameter {
  const type = str(input.ResourceType);
  if (type !== 'Parameter') throw new AwsError('InvalidResourceType', `The resource type ${String(type)} is not supported by local-aws (only Parameter).`);
  const p = ctx.store.get(ctx.region, ctx.store.normalizeName(ctx.region, str(input.ResourceId) ?? ''));
  if (!p) throw new AwsError('InvalidResourceId', 'The resource ID is not valid. Verify that you entered the correct ID and try again.');
  return p;
}

const byName = (input: Input): string[] => [str(input.Name), ...strList(input.Names), str(input.Path), str(input.ResourceId)].filter((x): x is string => x !== undefined);

const nameSubjects = (_ctx: Ctx, input: Input): string[] => byName(input);

export const SSM_OPERATIONS: Record<string, OpDef> = {
  GetParameter: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const ref = str(input.Name) ?? '';
      const { p, selector } = lookup(ctx, ref);
      if (!p) throw new AwsError('ParameterNotFound', `Parameter ${ref} not found.`);
      return { Parameter: toParameter(ctx, p, input.WithDecryption === true, selector) };
    },
  },
  GetParameters: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const Parameters: unknown[] = [];
      const InvalidParameters: string[] = [];
      for (const ref of names(input, 'Names', 10)) {
        const { p, selector } = lookup(ctx, ref);
        if (p) Parameters.push(toParameter(ctx, p, input.WithDecryption === true, selector));
        else InvalidParameters.push(ref);
      }
      return { Parameters, InvalidParameters };
    },
  },
  GetParametersByPath: {
    subjects: (ctx, input) => [...byName(input), ...byPath(ctx, input).map((p) => p.Name)],
    handle(ctx, input) {
      const { page, NextToken } = paginate(byPath(ctx, input), input, 10);
      return { Parameters: page.map((p) => toParameter(ctx, p, input.WithDecryption === true)), ...(NextToken ? { NextToken } : {}) };
    },
  },
  DescribeParameters: {
    subjects: (_ctx, input) => readFilters(input, ['Name', 'Path', 'Type', 'KeyId', 'Tier', 'DataType', 'Label']).flatMap((f) => f.Values ?? []),
    handle(ctx, input) {
      if (input.Filters !== undefined && input.ParameterFilters !== undefined) throw validation('You can use either Filters or ParameterFilters in a single request, but not both.');
      const legacy = Array.isArray(input.Filters) ? (input.Filters as Filter[]).map((f) => ({ Key: f.Key, Option: f.Key === 'Name' ? 'BeginsWith' : 'Equals', Values: strList(f.Values) })) : [];
      const filters = [...legacy, ...readFilters(input, ['Name', 'Path', 'Type', 'KeyId', 'Tier', 'DataType', 'Label'])];
      const all = ctx.store.list(ctx.region).filter((p) => filters.every((f) => matchesFilter(p, f)));
      const { page, NextToken } = paginate(all, input, 50);
      return { Parameters: page.map(toMetadata), ...(NextToken ? { NextToken } : {}) };
    },
  },
  PutParameter: {
    subjects: nameSubjects,
    handle(ctx, input) {
      return ctx.store.put(ctx.region, input as unknown as PutInput);
    },
  },
  DeleteParameter: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const name = ctx.store.normalizeName(ctx.region, str(input.Name) ?? '');
      if (!ctx.store.delete(ctx.region, name)) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
      return {};
    },
  },
  DeleteParameters: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const DeletedParameters: string[] = [];
      const InvalidParameters: string[] = [];
      for (const ref of names(input, 'Names', 10)) {
        if (ctx.store.delete(ctx.region, ctx.store.normalizeName(ctx.region, ref))) DeletedParameters.push(ref);
        else InvalidParameters.push(ref);
      }
      return { DeletedParameters, InvalidParameters };
    },
  },
  ListTagsForResource: {
    subjects: nameSubjects,
    handle: (ctx, input) => ({ TagList: resource(ctx, input).Tags }),
  },
  AddTagsToResource: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const p = resource(ctx, input);
      const add = Array.isArray(input.Tags) ? (input.Tags as Tag[]) : [];
      const merged = new Map(p.Tags.map((t) => [t.Key, t.Value]));
      for (const t of add) {
        if (typeof t?.Key !== 'string' || !t.Key || typeof t.Value !== 'string') throw validation('Each tag needs a Key and a Value.');
        merged.set(t.Key, t.Value);
      }
      if (merged.size > 50) throw new AwsError('TooManyTagsError', 'The Tag limit of 50 has been exceeded.');
      p.Tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
      return {};
    },
  },
  RemoveTagsFromResource: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const p = resource(ctx, input);
      const remove = new Set(strList(input.TagKeys));
      p.Tags = p.Tags.filter((t) => !remove.has(t.Key));
      return {};
    },
  },
};

function byPath(ctx: Ctx, input: Input): StoredParameter[] {
  const path = str(input.Path);
  if (path === undefined || !path.startsWith('/')) throw validation('The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".');
  if (path !== '/') validateName(path.replace(/\/$/, ''));
  const filters = readFilters(input, ['Type', 'KeyId', 'Label']);
  return ctx.store.list(ctx.region).filter((p) => inPath(p.Name, path, input.Recursive === true) && filters.every((f) => matchesFilter(p, f)));
}

/** Parameters named by a request (for KMS-decrypt fault messages). */
export function requestedParameters(store: SsmStore, region: string, op: string, input: Input): StoredParameter[] {
  const ctx = { store, region };
  if (op === 'GetParametersByPath') return byPath(ctx, input);
  return byName(input).map((n) => lookup(ctx, n).p).filter((p): p is StoredParameter => p !== undefined);
}

export function handleSsm(store: SsmStore, op: string, region: string, input: Input): unknown {
  const def = SSM_OPERATIONS[op];
  if (!def) throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by local-aws`);
  return def.handle({ store, region }, input);
}

export function ssmSubjects(store: SsmStore, op: string, region: string, input: Input): string[] {
  try {
    return SSM_OPERATIONS[op]?.subjects?.({ store, region }, input) ?? [];
  } catch {
    return byName(input);
  }
}
