import pLimit from 'p-limit';
import type { Tag } from '@aws-sdk/client-ssm';
import { ARNS_PER_CALL, PAGED_ARN_LIST, isTaggingUnavailable, type TaggingReader, type SsmReader } from '../aws/index.js';
import type { BackupParameter } from '../archive/index.js';
import { EngineError, awsErrorCode, describeAwsError, type Logger, startProgress } from '../support/index.js';

/** Parameters held back (in memory, in order) while the tag sweep has not finished; beyond this the collector waits. */
export const HOLD_MAX = 5000;

export interface TagJoinOptions {
  region: string;
  ssm: SsmReader;
  /** The Tagging API of the region; undefined: ListTagsForResource per parameter from the start. */
  tagging?: TaggingReader;
  logger: Logger;
  throttles?: () => number;
  /** Parameters selected so far and whether DescribeParameters is done: lets a sweep that costs more than per-parameter reads stop. */
  selection?: () => { count: number; complete: boolean };
  holdMax?: number;
  sink: (params: BackupParameter[]) => Promise<void>;
}

class SweepAbandoned extends Error {}

/**
 * Joins tags to collected parameters by ARN. The sweep (GetResources over `ssm:parameter`, 100 a page) starts with the
 * region and runs alongside DescribeParameters; batches that arrive before it ends are held, in order, up to `holdMax`
 * parameters. A parameter absent from the sweep has no tags (GetResources lists every parameter that is or was tagged).
 * Falls back to ListTagsForResource per parameter, paced by the client factory's `tag` limiter, when the Tagging API is
 * denied or unavailable (warned once), or when a selection is so small that the sweep would cost more calls than
 * reading the selection's tags one by one. Any other sweep failure fails the region.
 */
export class TagJoin {
  private index?: Map<string, Tag[]>;
  private perParameter = false;
  private settled = false;
  private readonly ready: Promise<void>;
  private held: BackupParameter[][] = [];
  private heldCount = 0;
  /** Names of the parameters joined from the sweep (the strings the parameters hold: no copy per parameter). */
  private readonly joined = new Set<string>();
  /** `arn:<partition>:ssm:<region>:<account>:parameter`, from the first joined parameter's ARN. */
  private arnPrefix?: string;
  /** GetResources pages the first sweep read. */
  private sweepPages = 0;

  constructor(private readonly opts: TagJoinOptions) {
    this.ready = opts.tagging
      ? this.sweep(opts.tagging)
      : Promise.resolve().then(() => {
          this.perParameter = true;
        });
    this.ready.catch(() => undefined); // observed by flush()
  }

  /** How tags were read: `sweep` (GetResources) or `per-parameter` (ListTagsForResource). */
  get mode(): 'sweep' | 'per-parameter' {
    return this.perParameter ? 'per-parameter' : 'sweep';
  }

  /** Receives collected batches in order; forwards them with tags once the sweep is done. */
  async push(params: BackupParameter[]): Promise<void> {
    if (this.settled) return this.forward(params);
    this.held.push(params);
    this.heldCount += params.length;
    if (this.heldCount >= (this.opts.holdMax ?? HOLD_MAX)) await this.flush();
  }

  /** Waits for the sweep and forwards everything held. */
  async flush(): Promise<void> {
    await this.ready;
    this.settled = true;
    for (const batch of this.held.splice(0)) await this.forward(batch);
    this.heldCount = 0;
  }

  /**
   * After the collection: sweeps again and names the collected parameters whose tags changed since the first sweep
   * (tagged, retagged or untagged while the backup ran). The archive keeps the tags of the first sweep.
   */
  async changedSince(): Promise<string[]> {
    if (this.perParameter || !this.opts.tagging || !this.index) return [];
    const first = this.index;
    const key = (t: Tag[] | undefined) => JSON.stringify((t ?? []).map((x) => [x.Key, x.Value]).sort());
    // Listed first and gone now: deleted after it was read (GetResources keeps listing untagged parameters with Tags: []),
    // not retagged; the next backup shows it removed.
    const differs = (arn: string, now: Map<string, Tag[]>) => (!first.has(arn) || now.has(arn)) && key(first.get(arn)) !== key(now.get(arn));
    const changed = new Set<string>();
    const names = [...this.joined];
    // By ARN list, four calls at a time, when that takes at most a quarter more calls than the sweep did (a selection,
    // or a region whose parameters are mostly tagged): about a third of a sweep's time, whose pages come one by one.
    if (this.arnPrefix !== undefined && Math.ceil(names.length / ARNS_PER_CALL) <= Math.ceil(this.sweepPages * 1.25)) {
      const tagging = this.opts.tagging;
      const progress = startProgress(this.opts.logger, 'Tag check', { total: names.length, unit: 'parameters', throttles: this.opts.throttles });
      const limit = pLimit(4);
      try {
        const chunks: string[][] = [];
        for (let i = 0; i < names.length; i += ARNS_PER_CALL) chunks.push(names.slice(i, i + ARNS_PER_CALL));
        await Promise.all(
          chunks.map((chunk) =>
            limit(async () => {
              const arns = chunk.map((n) => this.arnOf(n));
              const now = await tagging.byArns(arns);
              chunk.forEach((name, i) => {
                if (differs(arns[i], now)) changed.add(name);
              });
              progress.add(chunk.length);
            }),
          ),
        );
        return [...changed].sort();
      } catch (err) {
        if ((err as Error)?.name !== PAGED_ARN_LIST) throw err;
        this.opts.logger.debug('Tag check: GetResources paged an ARN-list answer; sweeping the region instead');
        changed.clear();
      } finally {
        progress.stop();
      }
    }
    const { index: now } = await sweepTags(this.opts.tagging, this.opts.logger, 'Tag check', this.opts.throttles);
    for (const arn of new Set([...first.keys(), ...now.keys()])) {
      if (!differs(arn, now)) continue;
      const name = this.joinedName(arn);
      if (name !== undefined) changed.add(name);
    }
    return [...changed].sort();
  }

  /** The ARN of a joined parameter: the account's parameter ARN prefix, then the name (a flat name gets a "/"). */
  private arnOf(name: string): string {
    return `${this.arnPrefix}${name.startsWith('/') ? '' : '/'}${name}`;
  }

  /**
   * The joined parameter a parameter ARN names (`arn:...:parameter/a/b` is /a/b, `arn:...:parameter/a` is /a or the
   * flat name a; ARN format from the Parameter Store IAM reference), undefined when no joined parameter has it.
   */
  private joinedName(arn: string): string | undefined {
    const at = arn.indexOf(':parameter/');
    if (at < 0) return undefined;
    const tail = arn.slice(at + ':parameter/'.length);
    if (this.joined.has(`/${tail}`)) return `/${tail}`;
    return this.joined.has(tail) ? tail : undefined;
  }

  private async sweep(tagging: TaggingReader): Promise<void> {
    const swept = await sweepOrFallBack(tagging, { ...this.opts, phase: 'Tag sweep', tooCostly: (pages) => this.tooCostly(pages) });
    this.index = swept?.index;
    this.sweepPages = swept?.pages ?? 0;
    if (!swept) this.perParameter = true;
  }

  /** `pages` of sweep already exceed one ListTagsForResource per selected parameter (selection fully described). */
  private tooCostly(pages: number): boolean {
    const sel = this.opts.selection?.();
    return sel !== undefined && sel.complete && pages >= Math.max(1, sel.count);
  }

  private async forward(params: BackupParameter[]): Promise<void> {
    if (this.perParameter) {
      const limit = pLimit(4);
      await Promise.all(
        params.map((p) =>
          limit(async () => {
            p.Tags = await this.readOne(p.Name);
          }),
        ),
      );
    } else {
      for (const p of params) {
        p.Tags = (p.ARN !== undefined ? this.index?.get(p.ARN) : undefined) ?? [];
        if (p.ARN === undefined) continue;
        this.joined.add(p.Name);
        const at = p.ARN.indexOf(':parameter/');
        if (at > 0) this.arnPrefix ??= p.ARN.slice(0, at + ':parameter'.length);
      }
    }
    await this.opts.sink(params);
  }

  private async readOne(name: string): Promise<Tag[]> {
    try {
      return await this.opts.ssm.tags(name);
    } catch (err) {
      throw new EngineError('region', `ListTagsForResource failed for ${name}: ${describeAwsError(err)}`, { region: this.opts.region, cause: err });
    }
  }
}

/**
 * sweepTags, or undefined when the caller should read tags per parameter (ListTagsForResource) instead: the sweep got
 * costlier than that (`tooCostly(pages read)`, asked after each page but the last; said at INFO) or the Tagging API is denied or unavailable
 * in the region (warned once). Any other failure throws a region error.
 */
export async function sweepOrFallBack(
  tagging: TaggingReader,
  opts: { region: string; logger: Logger; phase: string; throttles?: () => number; tooCostly?: (pages: number) => boolean },
): Promise<{ index: Map<string, Tag[]>; pages: number } | undefined> {
  const { region, logger } = opts;
  let pages = 0;
  try {
    return await sweepTags(tagging, logger, opts.phase, opts.throttles, (read) => {
      pages = read;
      return opts.tooCostly?.(read) ?? false;
    });
  } catch (err) {
    if (err instanceof SweepAbandoned) {
      logger.info(
        `Tags: the selection is small next to the region's tagged parameters (${pages} GetResources pages read); reading its tags with ListTagsForResource instead`,
      );
    } else if (isTaggingUnavailable(err)) {
      logger.warn(
        `Tags: the Resource Groups Tagging API is not available in ${region} (${awsErrorCode(err) ?? 'unreachable'}); falling back to ListTagsForResource, one call per parameter (paced by --tag-rate)`,
      );
    } else {
      throw new EngineError('region', `GetResources (${opts.phase.toLowerCase()}) failed in ${region}: ${describeAwsError(err)}`, { region, cause: err });
    }
    return undefined;
  }
}

/**
 * ARN -> tags of every SSM parameter of the region that is or was tagged, paging GetResources to the end, with a
 * progress line on long sweeps, and the number of pages read. `stop(pages read)` (asked after each page that has a
 * next one) abandons the sweep with SweepAbandoned.
 */
export async function sweepTags(
  reader: TaggingReader,
  logger: Logger,
  phase: string,
  throttles?: () => number,
  stop?: (pages: number) => boolean,
): Promise<{ index: Map<string, Tag[]>; pages: number }> {
  const index = new Map<string, Tag[]>();
  let pages = 0;
  const progress = startProgress(logger, phase, { unit: 'tagged parameters', throttles });
  try {
    let token: string | undefined;
    do {
      const page = await reader.sweepPage(token);
      pages += 1;
      for (const item of page.items) index.set(item.arn, item.tags);
      progress.add(page.items.length);
      token = page.nextToken;
      if (token && stop?.(pages)) throw new SweepAbandoned();
    } while (token);
  } finally {
    progress.stop();
  }
  return { index, pages };
}
