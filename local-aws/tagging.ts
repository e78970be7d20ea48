/**
 * Resource Groups Tagging API (AWS JSON 1.1, `ResourceGroupsTaggingAPI_20170126.<Op>`): GetResources over the SSM
 * parameters of the request's region (the only resources this emulator can tag). Rules from the GetResources API
 * reference: ResourcesPerPage 1-100, TagFilters up to 50 keys with up to 20 values each (values OR, filters AND),
 * ResourceTypeFilters `service[:resourceType]`, ResourceARNList up to 100 ARNs and not together with
 * ResourceTypeFilters; without TagFilters the answer holds every resource that is tagged or ever was (untagged ones
 * with `Tags: []`), with TagFilters only those matching. A page may hold fewer resources than asked while a
 * PaginationToken follows; the last page has an empty PaginationToken.
 */
import { AwsError } from './types.js';
import type { StoredParameter } from './types.js';
import { pageLimit, pageOf, type PagingOptions } from './paging.js';
import type { SsmStore } from './ssm-store.js';

type Input = Record<string, unknown>;
interface TagFilter {
  Key: string;
  Values: string[];
}

const invalid = (m: string): AwsError => new AwsError('InvalidParameterException', m);

function tagFilters(v: unknown): TagFilter[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 50) throw invalid('TagFilters must be a list of at most 50 filters.');
  return v.map((f: unknown) => {
    const { Key, Values } = (f ?? {}) as { Key?: unknown; Values?: unknown };
    if (typeof Key !== 'string' || Key.length < 1 || Key.length > 128) throw invalid('Each TagFilter needs a Key of 1 to 128 characters.');
    const values = Values === undefined ? [] : Values;
    if (!Array.isArray(values) || values.length > 20 || values.some((x) => typeof x !== 'string'))
      throw invalid('TagFilter Values must be a list of at most 20 strings.');
    return { Key, Values: values as string[] };
  });
}

/** True when the resource type filters select SSM parameters (no filter selects everything). */
function selectsParameters(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (!Array.isArray(v) || v.length > 100 || v.some((x) => typeof x !== 'string' || !/^[a-z0-9-]+(:[A-Za-z0-9-]+)?$/.test(x))) {
    throw invalid('ResourceTypeFilters must be a list of service[:resourceType] strings.');
  }
  return v.length === 0 || v.includes('ssm') || v.includes('ssm:parameter');
}

function arnList(input: Input): Set<string> | undefined {
  const v = input.ResourceARNList;
  if (v === undefined || v === null) return undefined;
  if (input.ResourceTypeFilters !== undefined || input.TagFilters !== undefined)
    throw invalid('ResourceARNList cannot be combined with ResourceTypeFilters or TagFilters.');
  if (!Array.isArray(v) || v.length < 1 || v.length > 100) throw invalid('ResourceARNList must hold 1 to 100 ARNs.');
  return new Set(v.map(String));
}

function matches(p: StoredParameter, f: TagFilter): boolean {
  return p.Tags.some((t) => t.Key === f.Key && (f.Values.length === 0 || f.Values.includes(t.Value)));
}

/** GetResources for one region. */
export function getResources(store: SsmStore, region: string, input: Input, paging: PagingOptions): unknown {
  const filters = tagFilters(input.TagFilters);
  const wanted = selectsParameters(input.ResourceTypeFilters);
  const arns = arnList(input);
  const token = typeof input.PaginationToken === 'string' && input.PaginationToken !== '' ? input.PaginationToken : undefined;
  const mapping = (p: StoredParameter) => ({ ResourceARN: p.ARN, Tags: p.Tags.map((t) => ({ Key: t.Key, Value: t.Value })) });
  const byArn = (a: StoredParameter, b: StoredParameter) => (a.ARN < b.ARN ? -1 : a.ARN > b.ARN ? 1 : 0);
  if (arns) {
    // ResourceARNList is answered whole, never paged: the API reference forbids it beside ResourcesPerPage, TagsPerPage
    // or PaginationToken. Listed: those that are or were tagged (only those ARNs are looked up, no scan of the region).
    if (input.ResourcesPerPage !== undefined || input.TagsPerPage !== undefined || token !== undefined)
      throw invalid('ResourceARNList cannot be combined with ResourcesPerPage, TagsPerPage or PaginationToken.');
    const listed = [...arns]
      .map((arn) => store.get(region, store.normalizeName(region, arn)))
      .filter((p): p is StoredParameter => p !== undefined && arns.has(p.ARN) && store.everTaggedName(region, p.Name));
    return { PaginationToken: '', ResourceTagMappingList: listed.sort(byArn).map(mapping) };
  }
  const limit = pageLimit(input.ResourcesPerPage, 'resourcesPerPage', 50, 100, invalid);
  if (input.TagsPerPage !== undefined) pageLimit(input.TagsPerPage, 'tagsPerPage', 100, 500, invalid, 100);
  const keep = (p: StoredParameter): boolean => (filters.length > 0 ? filters.every((f) => matches(p, f)) : store.everTaggedName(region, p.Name));
  const { page, next } = pageOf(
    {
      items: wanted ? store.listByArn(region) : [],
      key: (p) => p.ARN,
      limit,
      token,
      filter: keep,
      badToken: () => invalid('The PaginationToken is not valid.'),
    },
    { ...paging, pageSize: paging.resourcesPageSize ?? paging.pageSize },
  );
  return { PaginationToken: next ?? '', ResourceTagMappingList: page.map(mapping) };
}

/** Handles a Resource Groups Tagging API operation. */
export function handleTagging(store: SsmStore, op: string, region: string, input: Input, paging: PagingOptions): unknown {
  if (op === 'GetResources') return getResources(store, region, input, paging);
  throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by local-aws`);
}

/** Fault `match` subjects of a tagging request: its resource type filters and tag keys. */
export function taggingSubjects(input: Input): string[] {
  const types = Array.isArray(input.ResourceTypeFilters) ? input.ResourceTypeFilters.map(String) : [];
  const keys = Array.isArray(input.TagFilters) ? input.TagFilters.map((f: { Key?: unknown }) => String(f?.Key ?? '')) : [];
  return [...types, ...keys];
}
