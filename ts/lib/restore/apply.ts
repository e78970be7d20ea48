import pLimit from 'p-limit';
import { PutParameterCommand, AddTagsToResourceCommand, LabelParameterVersionCommand, type PutParameterCommandInput, type SSMClient, type ParameterTier, type ParameterType } from '@aws-sdk/client-ssm';
import type { BackupParameter } from '../parameter.js';
import { describeAwsError } from '../errors.js';
import type { Logger } from '../log.js';
import { missingTags, missingLabels, type PlannedItem } from './plan.js';

export interface ApplyOutcome {
  created: string[];
  updated: string[];
  failed: { name: string; error: string }[];
}

const STANDARD_MAX_BYTES = 4096;

/** PutParameter wants Policies as one JSON array of the policy documents DescribeParameters shows as PolicyText. */
export function policiesParam(p: BackupParameter): string | undefined {
  if (!p.Policies?.length) return undefined;
  return JSON.stringify(p.Policies.map((x) => JSON.parse(x.PolicyText ?? 'null')));
}

/** The PutParameter request for one parameter: every field; Tags only on create (SSM refuses Tags with Overwrite). */
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
    Tags: !overwrite && p.Tags?.length ? p.Tags : undefined,
  };
}

/**
 * Writes the plan's creates and updates. PutParameter is paced by the client factory's put limiter
 * (adaptive on throttles, SDK retries); one failing parameter is recorded and the rest go on.
 */
export async function applyRestore(ssm: SSMClient, items: PlannedItem[], opts: { concurrency: number; logger: Logger; live: Map<string, BackupParameter> }): Promise<ApplyOutcome> {
  const out: ApplyOutcome = { created: [], updated: [], failed: [] };
  const work = items.filter((i) => i.action === 'create' || i.action === 'update');
  const limit = pLimit(Math.max(1, opts.concurrency));
  const started = performance.now();
  let done = 0;
  await Promise.all(work.map((item) => limit(async () => {
    try {
      await writeOne(ssm, item, opts.live.get(item.name));
      (item.action === 'create' ? out.created : out.updated).push(item.name);
    } catch (err) {
      const error = describeAwsError(err, [item.desired.Value]);
      out.failed.push({ name: item.name, error });
      opts.logger.warn(`Could not ${item.action} ${item.name}: ${error}`);
    }
    done += 1;
    if (done % 100 === 0) opts.logger.info(`Restored ${done}/${work.length} (${(done / ((performance.now() - started) / 1000)).toFixed(1)}/s)`);
  })));
  for (const list of [out.created, out.updated]) list.sort();
  out.failed.sort((a, b) => a.name.localeCompare(b.name));
  return out;
}

async function writeOne(ssm: SSMClient, item: PlannedItem, live: BackupParameter | undefined): Promise<void> {
  let version = live?.Version;
  if (item.action === 'create') {
    version = (await ssm.send(new PutParameterCommand(putRequest(item.desired, false)))).Version;
  } else {
    if (item.fields.some((f) => f !== 'Tags' && f !== 'Labels')) version = (await ssm.send(new PutParameterCommand(putRequest(item.desired, true)))).Version;
    const tags = missingTags(item.desired.Tags, live?.Tags);
    if (tags.length) await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: item.name, Tags: tags }));
  }
  await attachLabels(ssm, item, version, item.action === 'create' ? undefined : live);
}

/**
 * Re-attaches the archive's labels to the version just written (or, when only labels differ, to the live version) with
 * one LabelParameterVersion; a label held by another version moves (API reference of LabelParameterVersion). Labels
 * the service refuses (InvalidLabels) fail the parameter.
 */
async function attachLabels(ssm: SSMClient, item: PlannedItem, version: number | undefined, live: BackupParameter | undefined): Promise<void> {
  const wanted = version !== live?.Version ? (item.desired.Labels ?? []) : missingLabels(item.desired.Labels, live?.Labels);
  if (wanted.length === 0) return;
  const out = await ssm.send(new LabelParameterVersionCommand({ Name: item.name, ParameterVersion: version, Labels: wanted }));
  if (out.InvalidLabels?.length) throw new Error(`LabelParameterVersion refused labels ${out.InvalidLabels.join(', ')}`);
}
