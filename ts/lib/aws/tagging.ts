import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { Tag } from '@aws-sdk/client-ssm';
import { awsErrorCode } from '../support/index.js';

/** One GetResources page: parameter ARN -> its tags (`[]` for a parameter that was tagged once and is not now). */
export interface TagPage {
  items: { arn: string; tags: Tag[] }[];
  nextToken?: string;
}

/** Narrow Resource Groups Tagging API reads the collector needs. */
export interface TaggingReader {
  /** One page of every SSM parameter of the region that is or was tagged (GetResources, 100 a page). */
  sweepPage(nextToken?: string): Promise<TagPage>;
  /**
   * The tags of up to 100 parameters by ARN (GetResources with ResourceARNList: no paging, so calls can run side by
   * side). Like the sweep, a parameter never tagged is absent.
   */
  byArns(arns: string[]): Promise<Map<string, Tag[]>>;
}

/** Error name of byArns when the service pages an ARN-list answer (the caller then sweeps instead). */
export const PAGED_ARN_LIST = 'PagedArnListAnswer';

/** GetResources' ResourceARNList limit (API reference: 1-100 ARNs, not combined with paging or filters). */
export const ARNS_PER_CALL = 100;

const tagList = (tags: { Key?: string; Value?: string }[] | undefined): Tag[] => (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));

/** GetResources' page size limit (API reference: ResourcesPerPage 1-100). */
export const RESOURCES_PER_PAGE = 100;

export function taggingReader(client: ResourceGroupsTaggingAPIClient): TaggingReader {
  return {
    async sweepPage(nextToken) {
      const out = await client.send(
        new GetResourcesCommand({
          ResourceTypeFilters: ['ssm:parameter'],
          ResourcesPerPage: RESOURCES_PER_PAGE,
          PaginationToken: nextToken || undefined,
        }),
      );
      const items = (out.ResourceTagMappingList ?? []).filter((m) => m.ResourceARN).map((m) => ({ arn: m.ResourceARN as string, tags: tagList(m.Tags) }));
      // The last page carries an empty PaginationToken (API reference of GetResources).
      return { items, nextToken: out.PaginationToken || undefined };
    },
    async byArns(arns) {
      if (arns.length < 1 || arns.length > ARNS_PER_CALL) throw new RangeError(`byArns takes 1-${ARNS_PER_CALL} ARNs, got ${arns.length}`);
      const out = await client.send(new GetResourcesCommand({ ResourceARNList: arns }));
      // The API reference answers an ARN list whole; a paged answer would silently lack tags, so it is an error.
      if (out.PaginationToken) throw Object.assign(new Error('GetResources paged a ResourceARNList answer'), { name: PAGED_ARN_LIST });
      return new Map((out.ResourceTagMappingList ?? []).filter((m) => m.ResourceARN).map((m) => [m.ResourceARN as string, tagList(m.Tags)]));
    },
  };
}

/**
 * Errors that mean "this account cannot use the Tagging API here" rather than "the call failed": denied by IAM or an
 * SCP, or the operation/endpoint unknown. The collector then falls back to ListTagsForResource per parameter.
 */
const UNAVAILABLE = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'UnknownOperationException',
  'InvalidAction',
  'OptInRequired',
]);

export function isTaggingUnavailable(err: unknown): boolean {
  const code = awsErrorCode(err);
  if (code !== undefined && UNAVAILABLE.has(code)) return true;
  const sys = (err as { code?: string })?.code;
  return sys === 'ENOTFOUND' || sys === 'ECONNREFUSED';
}
