/** Paging shared by SSM and the Resource Groups Tagging API, with the `pageSize` and `filterAfterPaging` options. */
import { AwsError } from './types.js';
import { makeToken, readToken } from './http-util.js';

export interface PagingOptions {
  /** Caps every page below the requested size. */
  pageSize?: number;
  /** Caps GetResources pages instead of `pageSize` when set. */
  resourcesPageSize?: number;
  /** Page over the unfiltered items, then filter the page (pages may be sparse or empty while a token follows). */
  filterAfterPaging?: boolean;
  /** A filtered DescribeParameters without a token answers an empty page and a token that starts at the first item. */
  emptyFirstPage?: boolean;
}

export interface PageRequest<T> {
  /** All items in their stable order (sorted by `key`). */
  items: readonly T[];
  key: (item: T) => string;
  /** Requested page size, already validated. */
  limit: number;
  token?: string;
  /** Keeps an item; applied before paging, or after it with `filterAfterPaging`. */
  filter?: (item: T) => boolean;
  /** Error thrown for a token this emulator did not make. */
  badToken: () => AwsError;
}

/**
 * One page and the token of the next one (undefined when none is left). The token is opaque (the last key of the
 * page, base64 with a salt). AWS documents that DescribeParameters and GetResources may return fewer items than
 * asked, even none, while more remain: `filterAfterPaging` reproduces that.
 */
export function pageOf<T>(req: PageRequest<T>, opts: PagingOptions): { page: T[]; next?: string } {
  const limit = Math.min(req.limit, opts.pageSize ?? Infinity);
  const keep = req.filter ?? (() => true);
  const base = opts.filterAfterPaging ? req.items : req.items.filter(keep);
  let start = 0;
  if (req.token !== undefined) {
    const after = readToken(req.token);
    if (after === undefined) throw req.badToken();
    start = base.findIndex((i) => req.key(i) > after);
    if (start < 0) start = base.length;
  }
  const slice = base.slice(start, start + limit);
  const more = start + limit < base.length;
  const page = opts.filterAfterPaging ? slice.filter(keep) : slice;
  return { page, next: more && slice.length > 0 ? makeToken(req.key(slice[slice.length - 1])) : undefined };
}

/** Validates an integer page size field: default when absent, ValidationException-style error outside [min, max]. */
export function pageLimit(value: unknown, field: string, def: number, max: number, error: (m: string) => AwsError, min = 1): number {
  if (value === undefined || value === null) return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw error(
      `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must have value ${n < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
    );
  }
  return n;
}
