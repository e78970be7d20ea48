/** SSM (AWS JSON 1.1) operation handlers, table-driven. */
import { AwsError } from './types.js';
import type { StoredParameter, Tag } from './types.js';
import { pageLimit, pageOf, type PagingOptions } from './paging.js';
import { makeToken } from './http-util.js';
import { validateName, refuseReservedTagKeys, type PutInput, type SsmStore } from './ssm-store.js';
import { HISTORY_OPERATIONS } from './ssm-history.js';
import {
  atVersion,
  byName,
  inPath,
  invalidToken,
  lookup,
  matchesFilter,
  names,
  readFilters,
  str,
  strList,
  toMetadata,
  toParameter,
  validation,
  type Ctx,
  type Filter,
  type Input,
  type OpDef,
} from './ssm-shapes.js';

const DESCRIBE_KEYS = ['Name', 'Path', 'Type', 'KeyId', 'Tier', 'DataType'];

function resource(ctx: Ctx, input: Input): StoredParameter {
  const type = str(input.ResourceType);
  if (type !== 'Parameter') throw new AwsError('InvalidResourceType', `The resource type ${String(type)} is not supported by local-aws (only Parameter).`);
  const p = ctx.store.get(ctx.region, ctx.store.normalizeName(ctx.region, str(input.ResourceId) ?? ''));
  if (!p) throw new AwsError('InvalidResourceId', 'The resource ID is not valid. Verify that you entered the correct ID and try again.');
  return p;
}

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
      for (const ref of names(input, 10)) {
        const found = selected(ctx, ref);
        if (found.p) Parameters.push(toParameter(ctx, found.p, input.WithDecryption === true, found.selector));
        else InvalidParameters.push(ref);
      }
      return { Parameters, InvalidParameters };
    },
  },
  GetParametersByPath: {
    subjects: (ctx, input) => [...byName(input), ...byPath(ctx, input).map((p) => p.Name)],
    handle(ctx, input) {
      const { page, next } = pathPage(ctx, input);
      return { Parameters: page.map((p) => toParameter(ctx, p, input.WithDecryption === true)), ...(next ? { NextToken: next } : {}) };
    },
  },
  DescribeParameters: {
    subjects: (_ctx, input) => readFilters(input, DESCRIBE_KEYS, true).flatMap((f) => f.Values ?? []),
    handle(ctx, input) {
      if (input.Filters !== undefined) throw validation('local-aws does not emulate the legacy Filters member of DescribeParameters; use ParameterFilters.');
      const filters = readFilters(input, DESCRIBE_KEYS, true);
      const limit = pageLimit(input.MaxResults, 'maxResults', 10, 50, validation);
      const filter = (p: StoredParameter): boolean => filters.every((f) => matchesFilter(p, f));
      // API reference of DescribeParameters: "The number of items returned, however, can be between zero and the value
      // of MaxResults" with a NextToken; AWS does so even for `Name Equals` (aws-sdk-ruby #2012, boto3 #1632).
      if (ctx.paging.emptyFirstPage && filters.length > 0 && input.NextToken === undefined) return { Parameters: [], NextToken: makeToken('') };
      const { page, next } = pageOf(
        { items: ctx.store.list(ctx.region), key: (p) => p.Name, limit, token: str(input.NextToken), filter, badToken: invalidToken },
        ctx.paging,
      );
      return { Parameters: page.map(toMetadata), ...(next ? { NextToken: next } : {}) };
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
      for (const ref of names(input, 10)) {
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
      refuseReservedTagKeys(add.map((t) => t?.Key));
      const merged = new Map(p.Tags.map((t) => [t.Key, t.Value]));
      for (const t of add) {
        if (typeof t?.Key !== 'string' || !t.Key || typeof t.Value !== 'string') throw validation('Each tag needs a Key and a Value.');
        merged.set(t.Key, t.Value);
      }
      if (merged.size > 50) throw new AwsError('TooManyTagsError', 'The Tag limit of 50 has been exceeded.');
      ctx.store.setTags(
        ctx.region,
        p,
        [...merged].map(([Key, Value]) => ({ Key, Value })),
      );
      return {};
    },
  },
  RemoveTagsFromResource: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const p = resource(ctx, input);
      const remove = new Set(strList(input.TagKeys));
      refuseReservedTagKeys([...remove]);
      ctx.store.setTags(
        ctx.region,
        p,
        p.Tags.filter((t) => !remove.has(t.Key)),
      );
      return {};
    },
  },
  ...HISTORY_OPERATIONS,
};

/** GetParameters: an unknown version or label puts the name in InvalidParameters. */
function selected(ctx: Ctx, ref: string): ReturnType<typeof lookup> {
  try {
    return lookup(ctx, ref);
  } catch (e) {
    if (e instanceof AwsError && e.code === 'ParameterVersionNotFound') return {};
    throw e;
  }
}

interface PathQuery {
  items: StoredParameter[];
  filter: (p: StoredParameter) => boolean;
  /** With a Label filter: the labelled version of a parameter (GetParametersByPath returns that version). */
  labelled?: (p: StoredParameter) => StoredParameter;
}

function pathQuery(ctx: Ctx, input: Input): PathQuery {
  const path = str(input.Path);
  if (path === undefined || !path.startsWith('/'))
    throw validation('The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".');
  if (path !== '/') validateName(path.replace(/\/$/, ''));
  const filters = readFilters(input, ['Type', 'KeyId', 'Label'], false);
  const labels = filters.filter((f) => f.Key === 'Label').flatMap((f) => f.Values ?? []);
  const others: Filter[] = filters.filter((f) => f.Key !== 'Label');
  const labelledVersion = (p: StoredParameter) => ctx.store.versions.list(ctx.region, p.Name).find((v) => v.Labels.some((l) => labels.includes(l)));
  const items = ctx.store.list(ctx.region).filter((p) => inPath(p.Name, path, input.Recursive === true));
  const hasLabel = filters.some((f) => f.Key === 'Label');
  return {
    items,
    filter: (p) => others.every((f) => matchesFilter(p, f)) && (!hasLabel || labelledVersion(p) !== undefined),
    labelled: hasLabel ? (p) => atVersion(p, labelledVersion(p)) : undefined,
  };
}

function pathPage(ctx: Ctx, input: Input): { page: StoredParameter[]; next?: string } {
  const q = pathQuery(ctx, input);
  const limit = pageLimit(input.MaxResults, 'maxResults', 10, 10, validation);
  const { page, next } = pageOf(
    { items: q.items, key: (p) => p.Name, limit, token: str(input.NextToken), filter: q.filter, badToken: invalidToken },
    ctx.paging,
  );
  return { page: q.labelled ? page.map(q.labelled) : page, next };
}

function byPath(ctx: Ctx, input: Input): StoredParameter[] {
  const q = pathQuery(ctx, input);
  return q.items.filter(q.filter).map(q.labelled ?? ((p) => p));
}

/** Parameters named by a request (whenDecrypting faults fire only for SecureStrings among them). */
export function requestedParameters(store: SsmStore, region: string, op: string, input: Input): StoredParameter[] {
  const ctx = { store, region, paging: {} };
  if (op === 'GetParametersByPath') return byPath(ctx, input);
  return byName(input)
    .map((n) => lookup(ctx, n).p)
    .filter((p): p is StoredParameter => p !== undefined);
}

export function handleSsm(store: SsmStore, op: string, region: string, input: Input, paging: PagingOptions = {}): unknown {
  const def = SSM_OPERATIONS[op];
  if (!def) throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by local-aws`);
  return def.handle({ store, region, paging }, input);
}

export function ssmSubjects(store: SsmStore, op: string, region: string, input: Input): string[] {
  try {
    return SSM_OPERATIONS[op]?.subjects?.({ store, region, paging: {} }, input) ?? [];
  } catch {
    return byName(input);
  }
}
