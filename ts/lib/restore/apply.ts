import { withoutUndefined, type EncryptedSpool, type BackupParameter } from '../archive/index.js';
import {
  PutParameterCommand,
  GetParameterCommand,
  AddTagsToResourceCommand,
  RemoveTagsFromResourceCommand,
  DeleteParametersCommand,
  LabelParameterVersionCommand,
  type PutParameterCommandInput,
  type SSMClient,
  type ParameterTier,
  type ParameterType,
} from '@aws-sdk/client-ssm';
import { awsErrorCode, describeValueCallError, type Logger, startProgress } from '../support/index.js';
import { missingTags, extraTagKeys, missingLabels, sendableTags, type ParameterDigest, type PlannedItem, type LiveFacts, type RestorePlan } from './plan.js';
import { readSpool } from './source.js';
import { STANDARD_MAX_BYTES } from './validate.js';
import type { SummaryFile } from './summary.js';

/** PutParameter wants Policies as one JSON array of the policy documents DescribeParameters shows as PolicyText. */
export function policiesParam(p: BackupParameter): string | undefined {
  if (!p.Policies?.length) return undefined;
  return JSON.stringify(p.Policies.map((x) => JSON.parse(x.PolicyText ?? 'null')));
}

/** The PutParameter request for one parameter: every field; Tags only on create (SSM refuses Tags with Overwrite), reserved `aws:` tags never. */
export function putRequest(p: BackupParameter, overwrite: boolean): PutParameterCommandInput {
  const policies = policiesParam(p);
  const needsAdvanced = policies !== undefined || p.Tier === 'Advanced' || Buffer.byteLength(p.Value, 'utf8') > STANDARD_MAX_BYTES;
  // On update a Standard tier is not sent: an Advanced parameter cannot be downgraded and keeps its tier.
  const tier = needsAdvanced ? 'Advanced' : overwrite ? undefined : p.Tier;
  return {
    Name: p.Name,
    Type: p.Type as ParameterType,
    Value: p.Value,
    Description: p.Description,
    Tier: tier as ParameterTier | undefined,
    AllowedPattern: p.AllowedPattern,
    DataType: p.DataType,
    Policies: policies,
    KeyId: p.Type === 'SecureString' ? p.KeyId : undefined,
    Overwrite: overwrite || undefined,
    Tags: !overwrite && sendableTags(p.Tags).length ? sendableTags(p.Tags) : undefined,
  };
}

export interface ApplyOptions {
  /** The spool of selected parameters (values) written while the archive was read. */
  spool: EncryptedSpool;
  exactTags: boolean;
  concurrency: number;
  logger: Logger;
  live: Map<string, LiveFacts>;
  summary: SummaryFile;
  throttles?: () => number;
  /** How long an aws:ec2:image write is polled for (GetParameter) before it is reported pending, in ms. Default 60 s. */
  confirmMs?: number;
}

/**
 * Writes the plan: creates and updates (values read back from the spool, one at a time), then --prune deletes.
 * PutParameter is paced by the client factory's put limiter (adaptive on throttles, SDK retries); a failing
 * parameter is recorded by error code and field (never the service's text) and the rest go on. Every answer is
 * recorded in the summary file as it lands.
 */
export async function applyRestore(ssm: SSMClient, plan: RestorePlan, opts: ApplyOptions): Promise<void> {
  const work = new Map(plan.items.filter((i) => i.action === 'create' || i.action === 'update').map((i) => [i.name, i]));
  const deletes = plan.items.filter((i) => i.action === 'delete').map((i) => i.name);
  const progress = startProgress(opts.logger, 'Restoring', { total: work.size + deletes.length, unit: 'parameters', throttles: opts.throttles });
  try {
    const inflight = new Set<Promise<void>>();
    for await (const p of readSpool(opts.spool)) {
      const item = work.get(p.Name);
      if (!item) continue;
      const task = writeTracked(ssm, item, asPlanned(p, item.desired), opts).finally(() => {
        inflight.delete(task);
        progress.add();
      });
      inflight.add(task);
      if (inflight.size >= Math.max(1, opts.concurrency)) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    for (let i = 0; i < deletes.length; i += DELETE_BATCH) {
      await deleteBatch(ssm, deletes.slice(i, i + DELETE_BATCH), opts);
      progress.add(Math.min(DELETE_BATCH, deletes.length - i));
    }
  } finally {
    progress.stop();
  }
}

/** The spooled parameter (it holds the value) with the KeyId the plan decided: the key is mapped once, before the plan. */
function asPlanned(p: BackupParameter, desired: ParameterDigest | undefined): BackupParameter {
  if (!desired || desired.KeyId === p.KeyId) return p;
  const out = withoutUndefined(p, 'KeyId');
  if (desired.KeyId !== undefined) out.KeyId = desired.KeyId;
  return out;
}

/** DeleteParameters takes at most 10 names a call (API reference). */
const DELETE_BATCH = 10;

async function writeTracked(ssm: SSMClient, item: PlannedItem, desired: BackupParameter, opts: ApplyOptions): Promise<void> {
  opts.summary.sent(item.name);
  try {
    const confirmed = await writeOne(ssm, item, desired, opts);
    if (!confirmed) {
      opts.summary.pending(item.name);
      opts.logger.warn(
        `${item.name}: aws:ec2:image accepted but not visible within ${Math.round((opts.confirmMs ?? CONFIRM_MS) / 1000)}s: pending (AWS validates the AMI asynchronously and drops the write when the AMI is not available in this region)`,
      );
      return;
    }
    opts.summary.landed(item.action === 'create' ? 'created' : 'updated', item.name);
  } catch (err) {
    const error = describeValueCallError(err);
    opts.summary.failed(item.name, error);
    opts.logger.warn(`Could not ${item.action} ${item.name}: ${error}`);
  }
}

/** Writes one parameter; false when an aws:ec2:image write was not confirmed in time (pending). */
async function writeOne(ssm: SSMClient, item: PlannedItem, desired: BackupParameter, opts: ApplyOptions): Promise<boolean> {
  const live = opts.live.get(item.name);
  if (item.action === 'create') {
    const { Version } = await ssm.send(new PutParameterCommand(putRequest(desired, false)));
    if (!(await confirmImage(ssm, desired, Version ?? 1, opts))) return false;
    await attachLabels(ssm, item.name, desired.Labels ?? [], Version);
    return true;
  }
  let version = live?.Version;
  if (item.fields.some((f) => f !== 'Tags' && f !== 'Labels')) {
    version = (await ssm.send(new PutParameterCommand(putRequest(desired, true)))).Version;
    if (!(await confirmImage(ssm, desired, version ?? (live?.Version ?? 0) + 1, opts))) return false;
  }
  const add = missingTags(desired.Tags, live?.Tags);
  if (add.length) await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: item.name, Tags: add }));
  const remove = opts.exactTags ? extraTagKeys(desired.Tags, live?.Tags) : [];
  if (remove.length) await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: item.name, TagKeys: remove }));
  // A new version carries no labels: all of the archive's; the live version already carries some: the missing ones.
  await attachLabels(ssm, item.name, version !== live?.Version ? (desired.Labels ?? []) : missingLabels(desired.Labels, live?.Labels), version);
  return true;
}

const CONFIRM_MS = 60_000;
const CONFIRM_EVERY_MS = 1000;

/**
 * aws:ec2:image values are validated by AWS after PutParameter answered 200 (PutParameter reference, DataType): the
 * write is confirmed by GetParameter showing `version` or a later one, polled until `opts.confirmMs`. Other data types
 * are confirmed by PutParameter's answer. ParameterNotFound means not yet; any other error fails the parameter.
 */
async function confirmImage(ssm: SSMClient, p: BackupParameter, version: number, opts: ApplyOptions): Promise<boolean> {
  if (p.DataType !== 'aws:ec2:image') return true;
  const until = Date.now() + (opts.confirmMs ?? CONFIRM_MS);
  for (;;) {
    try {
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: p.Name }));
      if ((Parameter?.Version ?? 0) >= version) return true;
    } catch (err) {
      if (awsErrorCode(err) !== 'ParameterNotFound') throw err;
    }
    const left = until - Date.now();
    if (left <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(CONFIRM_EVERY_MS, left)));
  }
}

/**
 * Re-attaches the archive's labels to a version with one LabelParameterVersion; a label held by another version moves
 * (API reference of LabelParameterVersion). Labels the service refuses (InvalidLabels) fail the parameter by code.
 */
async function attachLabels(ssm: SSMClient, name: string, labels: string[], version: number | undefined): Promise<void> {
  if (labels.length === 0) return;
  const out = await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: labels }));
  if (out.InvalidLabels?.length) throw Object.assign(new Error('labels refused'), { name: 'InvalidLabels' });
}

async function deleteBatch(ssm: SSMClient, names: string[], opts: ApplyOptions): Promise<void> {
  for (const n of names) opts.summary.sent(n);
  try {
    const out = await ssm.send(new DeleteParametersCommand({ Names: names }));
    // InvalidParameters: already gone, which is what --prune wants.
    for (const n of [...(out.DeletedParameters ?? []), ...(out.InvalidParameters ?? [])]) opts.summary.landed('deleted', n);
  } catch (err) {
    const error = describeValueCallError(err);
    for (const n of names) opts.summary.failed(n, error);
    opts.logger.warn(`Could not delete ${names[0]}${names.length > 1 ? ` and ${names.length - 1} more` : ''}: ${error}`);
  }
}
