import pLimit from 'p-limit';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type AwsClientFactory, ssmReader, selectionFilters, type SsmReader, taggingReader } from '../aws/index.js';
import { collectParameters, sweepOrFallBack } from '../collect/index.js';
import { mergeParameter, type BackupParameter } from '../archive/index.js';
import { EngineError, awsErrorCode, describeAwsError, type Logger, startProgress } from '../support/index.js';
import { digestParameter, liveFacts, type LiveFacts, type ParameterDigest, type PlannedItem } from './plan.js';

/** Common path of the selected names ('/' when they share none), so live reading stays as narrow as the selection. */
export function commonPath(names: string[]): string {
  if (names.length === 0) return '/';
  const parts = names.map((n) => n.split('/').slice(0, -1));
  const first = parts[0];
  let i = 0;
  while (i < first.length && parts.every((p) => p[i] === first[i])) i += 1;
  const prefix = first.slice(0, i).join('/');
  return prefix.startsWith('/') && prefix.length > 1 ? prefix : '/';
}

export interface LiveOptions {
  logger: Logger;
  /** Names whose tags are read too (ListTagsForResource, one call each). */
  tagsFor?: string[];
  /** Names whose current version's labels are read too (GetParameterHistory, one call each; only names that exist live). */
  labelsFor?: string[];
  /** Throttled attempts so far, for progress lines. */
  throttles?: () => number;
  /**
   * The selected archive entries by name, as a restore writes them (KeyId mapped: desiredParameter). Each live
   * parameter is compared with its entry as it arrives and only its LiveFacts are kept.
   */
  archive: Map<string, ParameterDigest>;
}

/**
 * Live parameters under a path in one region, by name, as LiveFacts (each compared with the archive's entry as it
 * arrives; values hashed, never kept): everything below `path` (DescribeParameters Path Recursive + GetParameters at
 * the client's Get* pacing, as backup reads) and `path` itself, which a Path filter does not return. Tags of the
 * `tagsFor` names as backup reads them (one GetResources sweep alongside the listing, ListTagsForResource per name
 * when that is cheaper or the Tagging API is not available), then labels of the `labelsFor` names that exist live.
 * Progress at INFO.
 */
export async function readLive(aws: AwsClientFactory, region: string, path: string, opts: LiveOptions): Promise<Map<string, LiveFacts>> {
  const reader = ssmReader(aws.ssm(region));
  const live = new Map<string, LiveFacts>();
  const wantTags = new Set(opts.tagsFor ?? []);
  // ARNs of the names whose tags are wanted: the sweep is keyed by ARN.
  const arns = new Map<string, string>();
  const add = (p: BackupParameter) => {
    const want = opts.archive.get(p.Name);
    // Only names the archive holds are digested (a value hash each); the others are only-live.
    live.set(p.Name, liveFacts(want, want && digestParameter(p)));
    if (p.ARN !== undefined && wantTags.has(p.Name)) arns.set(p.Name, p.ARN);
  };
  // Tags as backup reads them: one GetResources sweep of the region alongside the listing, unless it would cost more
  // calls than one ListTagsForResource per wanted name, or the Tagging API is not available here.
  const sweep =
    wantTags.size > 0
      ? sweepOrFallBack(taggingReader(aws.tagging(region)), {
          region,
          logger: opts.logger,
          phase: 'Tag sweep',
          throttles: opts.throttles,
          tooCostly: (pages) => pages >= wantTags.size,
        })
      : Promise.resolve(undefined);
  sweep.catch(() => undefined); // awaited below
  const progress = startProgress(opts.logger, 'Reading live parameters', { unit: 'parameters', throttles: opts.throttles });
  try {
    await collectParameters(reader, {
      region,
      filters: selectionFilters(path),
      includeTags: false,
      concurrency: 8,
      logger: opts.logger,
      sink: async (ps) => {
        for (const p of ps) add(p);
        progress.add(ps.length);
      },
    });
    const top = path.replace(/\/+$/, '');
    if (top) await readOne(reader, region, top, add);
    const index = (await sweep)?.index;
    const tagged = [...wantTags].filter((n) => live.get(n)?.fields !== undefined);
    // From the sweep by ARN (absent: no tags); one by one without a sweep, or for a name that came without an ARN.
    const oneByOne = index ? tagged.filter((n) => !arns.has(n)) : tagged;
    if (index) for (const name of tagged) if (arns.has(name)) (live.get(name) as LiveFacts).Tags = index.get(arns.get(name) as string) ?? [];
    const limit = pLimit(4);
    await Promise.all(
      oneByOne.map((name) =>
        limit(async () => {
          try {
            (live.get(name) as LiveFacts).Tags = await reader.tags(name);
          } catch (err) {
            throw new EngineError('region', `ListTagsForResource failed for ${name} in ${region}: ${describeAwsError(err)}`, { region, cause: err });
          }
        }),
      ),
    );
    await Promise.all(
      (opts.labelsFor ?? [])
        .filter((n) => live.get(n)?.Version !== undefined)
        .map((name) =>
          limit(async () => {
            const p = live.get(name) as LiveFacts;
            try {
              const labels = await reader.labels(name, p.Version as number);
              if (labels?.length) p.Labels = [...labels].sort();
            } catch (err) {
              throw new EngineError('region', `GetParameterHistory failed for ${name} in ${region}: ${describeAwsError(err)}`, { region, cause: err });
            }
          }),
        ),
    );
  } finally {
    progress.stop();
  }
  return live;
}

/** The parameter named exactly `name` (a path can be a parameter too: /app beside /app/child). */
async function readOne(reader: SsmReader, region: string, name: string, add: (p: BackupParameter) => void): Promise<void> {
  try {
    const value = await reader.getOne(name);
    if (!value) return;
    add(mergeParameter(value, await reader.describeOne(name)));
  } catch (err) {
    if (awsErrorCode(err) === 'ValidationException') return; // a path that cannot be a parameter name (reserved prefix)
    throw new EngineError('region', `Cannot read ${name} in ${region}: ${describeAwsError(err)}`, { region, cause: err });
  }
}

const usedBy = (names: string[]) => `${names.length}: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}`;

/**
 * Every KMS key the restore would write with must exist in the target region and be enabled (DescribeKey
 * KeyMetadata.Enabled; KMS refuses Encrypt with a disabled key or one pending deletion). Checked before any write; a
 * missing or unusable key names the parameters using it and the --kms-key-map fix.
 */
export async function checkKeys(kms: KMSClient, region: string, items: PlannedItem[], targetAccountId?: string): Promise<string[]> {
  const byKey = new Map<string, string[]>();
  for (const it of items) {
    if ((it.action !== 'create' && it.action !== 'update') || it.desired?.Type !== 'SecureString') continue;
    const key = it.desired.KeyId as string;
    byKey.set(key, [...(byKey.get(key) ?? []), it.name]);
  }
  const problems: string[] = [];
  const missing: string[] = [];
  for (const [key, names] of byKey) {
    try {
      const meta = (await kms.send(new DescribeKeyCommand({ KeyId: key }))).KeyMetadata;
      // KMS refuses Encrypt with a key that is not enabled (Disabled, PendingDeletion, ...): PutParameter would fail
      // on it after other names were written. DescribeKey's Enabled is false in every state but Enabled.
      // Restoring into another member account (--target-account): a key of any other account (the archive's, whose
      // key policy may let the target describe and use it) would put the target's secrets under a key it does not own.
      const owner = meta?.AWSAccountId ?? /^arn:aws[\w-]*:kms:[^:]*:(\d{12}):/.exec(key)?.[1];
      if (targetAccountId && owner && owner !== targetAccountId) {
        missing.push(key);
        problems.push(`KMS key ${key} belongs to account ${owner}, not the target account ${targetAccountId} (used by ${usedBy(names)})`);
      } else if (meta?.Enabled === false) {
        missing.push(key);
        problems.push(
          `KMS key ${key} is ${meta.KeyState ?? 'not enabled'} in ${region}, so SSM cannot encrypt with it (used by ${usedBy(names)}; enable it or map another key)`,
        );
      }
    } catch (err) {
      const code = awsErrorCode(err);
      const why = code === 'NotFoundException' ? 'does not exist' : `cannot be checked (${describeAwsError(err)})`;
      missing.push(key);
      problems.push(`KMS key ${key} ${why} in ${region} (used by ${usedBy(names)})`);
    }
  }
  if (problems.length) {
    throw new EngineError(
      'config',
      `${problems.join('; ')}: map ${missing.length > 1 ? 'each' : 'it'} with --kms-key-map ${missing.map((k) => `${k}=alias/<key in ${region}>`).join(',')}; nothing was written`,
      { region },
    );
  }
  return [...byKey.keys()];
}
