import pLimit from 'p-limit';
import type { ParameterMetadata, ParameterStringFilter, Parameter } from '@aws-sdk/client-ssm';
import { type SsmReader, type TaggingReader, isThrottle } from '../aws/index.js';
import { TagJoin } from './tags.js';
import { startProgress, type Progress, EngineError, describeAwsError, localErrorText, type Logger } from '../support/index.js';
import { mergeParameter, type BackupParameter } from '../archive/index.js';

export interface CollectOptions {
  region: string;
  filters: ParameterStringFilter[];
  includeTags: boolean;
  /** Reads tags with one GetResources sweep of the region (see TagJoin); without it, ListTagsForResource per parameter. */
  tagging?: TaggingReader;
  /** Records the labels of each parameter's collected version (GetParameterHistory per parameter). */
  includeLabels?: boolean;
  /** Whether `filters` select part of the region (a --path or a name filter): lets a costly tag sweep give way. */
  selective?: boolean;
  /** Throttled attempts so far, for progress lines. */
  throttles?: () => number;
  /** GetParameters batches in flight at once. */
  concurrency: number;
  logger: Logger;
  /** Receives parameters in DescribeParameters order; awaited (backpressure). */
  sink: (params: BackupParameter[]) => Promise<void>;
  /** Counts collected parameters; its total follows the names described so far. */
  progress?: Progress;
}

export interface CollectResult {
  described: number;
  collected: number;
  /** Names described but deleted before they could be read (re-checked): not in the backup. */
  vanished: string[];
  /** How tags were read, when they were. */
  tagMode?: 'sweep' | 'per-parameter';
  /**
   * The tag check (a second sweep naming the parameters whose tags changed while the backup ran; the archive holds the
   * tags read first). Started when the collection ends and left running, so it overlaps the upload: await it before
   * moving latest.txt. Rejects (a region failure) when the check cannot run.
   */
  tagCheck?: Promise<string[]>;
}

const GET_BATCH = 10;
/** Batches (of GET_BATCH names) listed ahead of their GetParameters call at most: 2,000 names of metadata. */
const WINDOW_BATCHES = 200;

/**
 * Pages DescribeParameters and, while the next page is read, fetches values in batches of 10
 * with bounded concurrency. Proves completeness: every described name is either collected or
 * re-checked and found deleted; anything else fails the region.
 */
export async function collectParameters(ssm: SsmReader, opts: CollectOptions): Promise<CollectResult> {
  const limit = pLimit(Math.max(1, opts.concurrency));
  // Batches listed ahead of the Get* calls: names only until fetched, and fetched batches leave the window after every
  // page. The listing runs ahead of the Get* quota (up to WINDOW_BATCHES x 10 names) instead of waiting for it.
  const windowSize = Math.max(opts.concurrency * 2, WINDOW_BATCHES);
  const window: { task: Promise<{ params: BackupParameter[]; vanished: string[] }>; settled: boolean }[] = [];
  const result: CollectResult = { described: 0, collected: 0, vanished: [] };
  let failed = false;
  let describedAll = false;
  const tagJoin = opts.includeTags
    ? new TagJoin({
        region: opts.region,
        ssm,
        tagging: opts.tagging,
        logger: opts.logger,
        throttles: opts.throttles,
        sink: opts.sink,
        selection: opts.selective ? () => ({ count: result.described, complete: describedAll }) : undefined,
      })
    : undefined;
  const sink = tagJoin ? (p: BackupParameter[]) => tagJoin.push(p) : opts.sink;
  const labels = opts.includeLabels ? startProgress(opts.logger, 'Labels', { unit: 'parameters', throttles: opts.throttles }) : undefined;
  const batchOpts = { ...opts, labels };

  const drainOne = async () => {
    const batch = await (window.shift() as (typeof window)[number]).task;
    result.collected += batch.params.length;
    opts.progress?.add(batch.params.length);
    result.vanished.push(...batch.vanished);
    if (batch.params.length > 0) await sink(batch.params);
  };

  // Names wait here until they fill a GetParameters batch of 10: filtered listings come in sparse pages (AWS filters
  // each page after paging), and a batch per page would spend up to twice the Get* quota on half-empty calls.
  let pending: ParameterMetadata[] = [];
  const dispatch = async (chunk: ParameterMetadata[]) => {
    const task = limit(() => (failed ? Promise.resolve({ params: [], vanished: [] }) : fetchBatch(ssm, chunk, batchOpts)));
    const entry = { task, settled: false };
    task.then(
      () => {
        entry.settled = true;
      },
      () => {
        entry.settled = true;
        failed = true;
      },
    );
    window.push(entry);
    while (window.length >= windowSize) await drainOne();
  };
  try {
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ssm.describePage(opts.filters, token);
      // Pages may be short or empty while a NextToken follows (AWS filters after paging); a repeated token would loop.
      if (page.nextToken !== undefined && page.nextToken === token) throw regionError(opts.region, 'DescribeParameters returned the same NextToken twice');
      token = page.nextToken;
      pages += 1;
      const items = page.items.filter((m) => m.Name);
      result.described += items.length;
      opts.progress?.setTotal(result.described);
      labels?.setTotal(result.described);
      pending = pending.concat(items);
      while (pending.length >= GET_BATCH || (!token && pending.length > 0)) {
        const chunk = pending.slice(0, GET_BATCH);
        pending = pending.slice(GET_BATCH);
        await dispatch(chunk);
      }
      // Fetched batches (values) go to the sink at once, in order; the rest stay names.
      while (window.length > 0 && window[0].settled) await drainOne();
      if (pages % 20 === 0) opts.logger.debug(`described ${result.described} parameters (${pages} pages), collected ${result.collected}`);
    } while (token);
    describedAll = true;
    while (window.length > 0) await drainOne();
    await tagJoin?.flush();
  } catch (err) {
    failed = true;
    await Promise.allSettled(window.map((e) => e.task));
    if (err instanceof EngineError) throw err;
    // A local failure (the sink's disk) is not an AWS answer: say what it is, not which call was running.
    const local = localErrorText(err);
    throw local
      ? new EngineError('region', `Collecting ${opts.region} failed on the local disk: ${local}`, { region: opts.region, cause: err })
      : new EngineError('region', `DescribeParameters failed in ${opts.region}: ${describeAwsError(err)}`, { region: opts.region, cause: err });
  } finally {
    labels?.stop();
  }
  if (result.collected + result.vanished.length !== result.described) {
    throw new EngineError(
      'integrity',
      `Incomplete backup in ${opts.region}: described ${result.described} parameters but collected ${result.collected} (${result.vanished.length} deleted meanwhile)`,
      { region: opts.region },
    );
  }
  if (tagJoin) {
    result.tagMode = tagJoin.mode;
    result.tagCheck = checkTags(tagJoin, opts);
    result.tagCheck.catch(() => undefined); // awaited by the caller; not an unhandled rejection meanwhile
  }
  return result;
}

/** Names the parameters whose tags changed during the backup (a second sweep) and warns once; rejects if the check cannot run. */
async function checkTags(tagJoin: TagJoin, opts: CollectOptions): Promise<string[]> {
  let changed: string[];
  try {
    changed = await tagJoin.changedSince();
  } catch (err) {
    throw regionError(opts.region, `GetResources (tag check) failed in ${opts.region}: ${describeAwsError(err)}`, err);
  }
  if (changed.length === 0) return [];
  opts.logger.warn(
    `Tags of ${changed.length} parameter(s) changed while the backup ran; the archive holds the tags read first (the next backup records the new ones): ${changed.slice(0, 10).join(', ')}${changed.length > 10 ? ', ...' : ''}`,
  );
  return changed;
}

async function fetchBatch(
  ssm: SsmReader,
  chunk: ParameterMetadata[],
  opts: CollectOptions & { labels?: Progress },
): Promise<{ params: BackupParameter[]; vanished: string[] }> {
  const names = chunk.map((m) => m.Name as string);
  let got: { found: Parameter[]; invalid: string[] };
  try {
    got = await ssm.getBatch(names);
  } catch (err) {
    if (isThrottle(err)) throw regionError(opts.region, `GetParameters kept being throttled after all retries (${names[0]} ...)`, err);
    got = await isolateFailure(ssm, names, opts.region, err);
  }
  const byName = new Map(got.found.map((p) => [p.Name as string, p]));
  const vanished: string[] = [];
  for (const name of got.invalid) {
    // Described a moment ago, not returned now: deleted meanwhile, or a transient miss. Re-check.
    const again = await ssm.getOne(name);
    if (again) byName.set(name, again);
    else if (await ssm.describeOne(name)) throw regionError(opts.region, `Parameter ${name} is described but cannot be read`);
    else {
      vanished.push(name);
      opts.logger.warn(`Parameter ${name} was deleted during the backup; it is not in the archive`);
    }
  }
  const params: BackupParameter[] = [];
  for (const meta of chunk) {
    const read = byName.get(meta.Name as string);
    if (!read) continue;
    const pair = await matchingPair(ssm, read, meta, opts.region);
    if (!pair) {
      vanished.push(meta.Name as string);
      opts.logger.warn(`Parameter ${meta.Name} was deleted during the backup; it is not in the archive`);
      continue;
    }
    const { value, current } = pair;
    const param = mergeParameter(value, current);
    if (opts.labels) await addLabels(ssm, param, opts);
    params.push(param);
  }
  return { params, vanished };
}

const REREAD_ATTEMPTS = 3;
const epoch = (d: Date | string | undefined): number | undefined => (d === undefined ? undefined : new Date(d).getTime());

/** The value read and the metadata described are of the same parameter version (Version, Type, LastModifiedDate). */
export function sameVersion(value: Parameter, meta: ParameterMetadata): boolean {
  const agree = <T>(a: T | undefined, b: T | undefined) => a === undefined || b === undefined || a === b;
  return agree(value.Version, meta.Version) && agree(value.Type, meta.Type) && agree(epoch(value.LastModifiedDate), epoch(meta.LastModifiedDate));
}

/**
 * The value read with the metadata of that same version. A parameter overwritten, or deleted and re-created (even
 * as another Type, with Version back at 1), between DescribeParameters and GetParameters is described again; when
 * it changed once more, it is read again, up to 3 times. Undefined when it was deleted meanwhile.
 */
async function matchingPair(
  ssm: SsmReader,
  value: Parameter,
  meta: ParameterMetadata,
  region: string,
): Promise<{ value: Parameter; current: ParameterMetadata } | undefined> {
  const name = meta.Name as string;
  let current: ParameterMetadata | undefined = meta;
  for (let attempt = 0; attempt < REREAD_ATTEMPTS; attempt += 1) {
    if (current && sameVersion(value, current)) return { value, current };
    const described = await ssm.describeOne(name);
    if (described && sameVersion(value, described)) return { value, current: described };
    const reread = await ssm.getOne(name);
    if (!reread) return undefined;
    [value, current] = [reread, described];
  }
  if (current && sameVersion(value, current)) return { value, current };
  throw regionError(region, `Parameter ${name} kept changing while it was read (${REREAD_ATTEMPTS} attempts); run the backup again`);
}

/** Labels of the collected version (none recorded when the parameter has none, or that version left the history). */
async function addLabels(ssm: SsmReader, p: BackupParameter, opts: CollectOptions & { labels?: Progress }): Promise<void> {
  if (p.Version === undefined) return;
  try {
    const labels = await ssm.labels(p.Name, p.Version);
    if (labels?.length) p.Labels = [...labels].sort();
  } catch (err) {
    if (isThrottle(err)) throw regionError(opts.region, `GetParameterHistory kept being throttled after all retries (${p.Name})`, err);
    throw regionError(opts.region, `GetParameterHistory failed for ${p.Name}: ${describeAwsError(err)}`, err);
  } finally {
    opts.labels?.add(1);
  }
}

/** A batch failed with a non-retryable error (AccessDenied, KMS decrypt denied): find and name the parameter. */
async function isolateFailure(ssm: SsmReader, names: string[], region: string, batchErr: unknown): Promise<never> {
  for (const name of names) {
    try {
      await ssm.getOne(name);
    } catch (err) {
      throw regionError(region, `Cannot read parameter ${name}: ${describeAwsError(err)}`, err);
    }
  }
  throw regionError(region, `GetParameters failed for ${names[0]}..${names[names.length - 1]}: ${describeAwsError(batchErr)}`, batchErr);
}

const regionError = (region: string, message: string, cause?: unknown) => new EngineError('region', message, { region, cause });
