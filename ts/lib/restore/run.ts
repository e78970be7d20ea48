import path from 'node:path';
import type { AwsClientFactory } from '../aws/index.js';
import { withPrivateDir, type Logger, EngineError } from '../support/index.js';
import { type LoadedArchive, getIndex } from '../store/index.js';
import { isBackupConfigurationName } from '../../contract/naming.js';
import { commonPath, readLive, checkKeys } from './live.js';
import { applyRestore } from './apply.js';
import { readSelected, type SourceOptions, type SelectedArchive } from './source.js';
import {
  planRestore,
  desiredParameter,
  checkKeyMapUse,
  underPath,
  describeFields,
  type KeyMap,
  type ParameterDigest,
  type RestorePlan,
  type Selection,
} from './plan.js';
import { SummaryFile, type RestoreSummary } from './summary.js';
import { writeCountOf } from '../../contract/index.js';

export { regionBucket, type SourceOptions } from './source.js';
export type { RestoreSummary } from './summary.js';

export interface RestoreOptions extends SourceOptions, Selection {
  targetRegion: string;
  overwrite: boolean;
  exactTags: boolean;
  /** --prune: delete live parameters under --path that the archive lacks (apply only; always planned first). */
  prune: boolean;
  keyMap: KeyMap;
  apply: boolean;
  concurrency: number;
  summaryFile: string;
  logger: Logger;
  /** --include-config: also write the tool's own configuration (/jenkins/{env}/backup/...) found in the selection. */
  includeConfig?: boolean;
  /** --image-confirm-seconds, in ms: how long an aws:ec2:image write is polled for before it is reported pending. */
  confirmMs?: number;
  /** The account the archive is read from and the account written (--account / --target-account), recorded in the summary. */
  accountIds?: { source: string; target: string };
}

export interface RestoreResult {
  summary: RestoreSummary;
  plan: RestorePlan;
  exitCode: number;
}

/** Names whose live tags must be read: archive entries that hold a tag list (all of them with --exact-tags). */
const tagNames = (selected: ParameterDigest[], exact: boolean) =>
  selected.filter((p) => (exact ? p.Tags !== undefined : (p.Tags?.length ?? 0) > 0)).map((p) => p.Name);

/**
 * Plans (and with `apply`, writes) a restore. Order: read and validate the whole archive (values spooled to a
 * private 0600 file when applying), read live state, plan, check KMS keys, then write. Nothing is written before
 * every check passed. The summary file is written in both modes and kept true while writes land.
 */
/**
 * --prune deletes what the archive lacks, so the archive must have been made to hold everything under --path. The
 * selection it was made with is read from its own backup.json (`selection_path`, `selection_name_contains`): inside the
 * encrypted, signed payload of a format 2 archive, so a bucket writer cannot widen it. A format 2 archive made before
 * the selection was recorded there has no authenticated scope: refused. Format 1 and legacy archives authenticate
 * nothing; for them the name index is still read when backup.json does not say. Refused (exit 2, before any write)
 * when the scope is unknown, a name filter, or a path that does not cover --path.
 */
async function checkPruneScope(aws: AwsClientFactory, opts: RestoreOptions, source: SelectedArchive): Promise<string> {
  const { bucket, key, header, format } = source.archive;
  const path = opts.path ?? '/';
  const refuse = (why: string) =>
    new EngineError('config', `--prune refused: ${why}; nothing was written. Restore without --prune, or choose an archive that covers --path ${path}`, {
      region: opts.region,
    });
  let selection: { path: string; nameContains: string | null } | undefined;
  if (typeof header.selection_path === 'string')
    selection = { path: header.selection_path, nameContains: typeof header.selection_name_contains === 'string' ? header.selection_name_contains : null };
  else if (format === 'v2')
    throw refuse(`the archive ${key} was made before its selection was recorded inside the encrypted payload, so its scope is not authenticated`);
  else selection = (await getIndex(aws.s3(opts.region), bucket, key).catch(() => undefined))?.selection;
  if (!selection) throw refuse(`the archive ${key} has no name index, so what it was made to hold is unknown`);
  if (selection.nameContains)
    throw refuse(`the archive ${key} was made with --name-contains ${selection.nameContains}: it does not hold everything under any path`);
  if (!underPath(path, selection.path)) throw refuse(`the archive ${key} was made with --path ${selection.path}, which does not cover --path ${path}`);
  return selection.path;
}

/**
 * `aws` reads the archive (its bucket and KMS keys); `target` reads and writes the live parameters of
 * `opts.targetRegion` and checks its KMS keys: another member account's clients with --target-account, else `aws`.
 */
export async function runRestore(aws: AwsClientFactory, opts: RestoreOptions, target: AwsClientFactory = aws): Promise<RestoreResult> {
  const started = performance.now();
  const throttles = () => aws.stats.throttles;
  return withPrivateDir(async (dir) => {
    const spoolFile = opts.apply ? path.join(dir, 'selected.spool') : undefined;
    const source = await readSelected(aws, { ...opts, spoolFile, throttles });
    const spool = source.spool;
    const log = opts.logger.forRegion(opts.targetRegion);
    const keptAside = keepConfigAside(source, opts.includeConfig === true, log);
    const heldBelow = opts.prune ? await checkPruneScope(aws, opts, source) : undefined;
    // Each parameter's KMS key is mapped once, here; live comparison, plan and apply use these entries.
    const desired = source.selected.map((p) => desiredParameter(p, opts.keyMap));
    const keyMapNote = checkKeyMapUse(source.selected, opts.keyMap, opts.apply);
    if (keyMapNote) log.warn(keyMapNote);
    const livePath = opts.names ? commonPath(opts.names) : (opts.path ?? '/');
    const live = await readLive(target, opts.targetRegion, livePath, {
      archive: new Map(desired.map((p) => [p.Name, p])),
      logger: log,
      tagsFor: tagNames(source.selected, opts.exactTags),
      labelsFor: source.selected.filter((p) => p.Labels?.length).map((p) => p.Name),
      throttles,
    });
    const plan = planRestore(desired, live, {
      overwrite: opts.overwrite,
      exactTags: opts.exactTags,
      pruneUnder: opts.prune ? (opts.path ?? '/') : undefined,
      // The tool's configuration (of any environment) is never pruned: it may be newer than any archive.
      pruneKeep: isBackupConfigurationName,
      pruneHeldBelow: heldBelow,
    });
    const c = plan.counts;
    log.info(
      `Plan: create=${c.create} update=${c.update} unchanged=${c.unchanged} differs-not-overwritten=${c.differs}${opts.prune ? ` delete=${c.delete}` : ''}${opts.apply ? '' : ' (PLAN ONLY: nothing written; pass --apply)'}`,
    );
    const crossAccount = opts.accountIds && opts.accountIds.source !== opts.accountIds.target ? opts.accountIds.target : undefined;
    const keys = await checkKeys(target.kms(opts.targetRegion), opts.targetRegion, plan.items, crossAccount);
    if (crossAccount && opts.prune && plan.counts.delete)
      log.warn(
        `--prune deletes ${plan.counts.delete} parameter(s) of account ${crossAccount} under ${opts.path ?? '/'} that the archive of account ${opts.accountIds!.source} does not hold`,
      );
    if (keys.length) log.info(`KMS keys present in ${opts.targetRegion}: ${keys.join(', ')}`);
    const tracker = new SummaryFile(opts.summaryFile, {
      ...baseSummary(opts, source, plan),
      keptAside,
      notes: keyMapNote ? [keyMapNote, ...source.notes] : source.notes,
    });
    const summary = tracker.summary;
    if (!opts.apply || !spool) {
      summary.executionTimeSec = Math.round((performance.now() - started) / 10) / 100;
      tracker.close(true);
      return { summary, plan, exitCode: 0 };
    }
    const writeStart = performance.now();
    let complete = false;
    try {
      await applyRestore(target.ssm(opts.targetRegion), plan, {
        spool,
        exactTags: opts.exactTags,
        concurrency: opts.concurrency,
        logger: log,
        live,
        summary: tracker,
        throttles,
        confirmMs: opts.confirmMs,
      });
      complete = true;
    } finally {
      const written = summary.created.length + summary.updated.length + summary.deleted.length;
      const secs = (performance.now() - writeStart) / 1000;
      summary.parametersPerSec = written ? Math.round((written / secs) * 100) / 100 : undefined;
      summary.counts = {
        ...summary.counts,
        created: summary.created.length,
        updated: summary.updated.length,
        deleted: summary.deleted.length,
        failed: summary.failed.length,
        pending: summary.pending.length,
      };
      summary.executionTimeSec = Math.round((performance.now() - started) / 10) / 100;
      tracker.close(complete);
    }
    log.info(
      `Restored: created=${summary.created.length} updated=${summary.updated.length}${opts.prune ? ` deleted=${summary.deleted.length}` : ''} skipped=${summary.skipped.length} failed=${summary.failed.length}${summary.pending.length ? ` pending=${summary.pending.length}` : ''}${summary.parametersPerSec ? ` (${summary.parametersPerSec} parameters/s)` : ''}`,
    );
    if (summary.failed.length)
      log.error(`${summary.failed.length} parameter(s) failed; run the same restore again to finish the rest (see ${path.basename(opts.summaryFile)})`);
    if (summary.pending.length)
      log.error(`${summary.pending.length} aws:ec2:image parameter(s) not confirmed (pending): check that their AMIs exist in ${opts.targetRegion}`);
    return { summary, plan, exitCode: summary.failed.length || summary.pending.length ? 1 : 0 };
  });
}

/**
 * The tool's own configuration (/jenkins/{env}/backup/..., any environment) is not restored unless --include-config
 * asks: an old region list written back would silently drop regions added since that backup. Those entries leave the
 * selection here (so they are neither planned nor written) and their names are returned, sorted.
 */
function keepConfigAside(source: SelectedArchive, include: boolean, log: Logger): string[] {
  if (include) return [];
  const aside = source.selected.filter((p) => isBackupConfigurationName(p.Name)).map((p) => p.Name);
  if (aside.length === 0) return [];
  source.selected = source.selected.filter((p) => !isBackupConfigurationName(p.Name));
  log.warn(`Kept aside (the tool's own configuration; --include-config restores it): ${aside.join(', ')}`);
  return aside.sort();
}

function baseSummary(opts: RestoreOptions, source: SelectedArchive, plan: RestorePlan): RestoreSummary {
  const names = (a: string) => plan.items.filter((i) => i.action === a).map((i) => i.name);
  const differs = Object.fromEntries(plan.items.filter((i) => i.action === 'differs' || i.action === 'update').map((i) => [i.name, describeFields(i.fields)]));
  const archive: LoadedArchive = source.archive;
  const planned = { create: names('create'), update: names('update'), unchanged: names('unchanged'), differs, delete: names('delete') };
  return {
    mode: opts.apply ? 'apply' : 'plan',
    environment: opts.environment,
    sourceRegion: opts.region,
    targetRegion: opts.targetRegion,
    ...(opts.accountIds ? { sourceAccountId: opts.accountIds.source, targetAccountId: opts.accountIds.target } : {}),
    archive: { bucket: archive.bucket, key: archive.key, format: archive.format, verified: archive.verified, parameterCount: archive.parameterCount },
    overwrite: opts.overwrite,
    exactTags: opts.exactTags,
    prune: opts.prune,
    counts: { ...plan.counts },
    created: [],
    updated: [],
    deleted: [],
    skipped: [...names('unchanged'), ...names('differs')].sort(),
    failed: [],
    inFlight: [],
    pending: [],
    keptAside: [],
    notes: [],
    planned,
    writeCount: writeCountOf(planned),
    complete: !opts.apply,
    executionTimeSec: 0,
  };
}
