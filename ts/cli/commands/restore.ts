import { RESTORE_SUMMARY_FILE } from '../../contract/index.js';
import path from 'node:path';
import { defineCommand } from '../run-command.js';
import { outputOption, outputFormat, jsonText, textRecords } from '../output.js';
import { globalOptions, awsOptions, environmentOptions, type OptionValues } from '../options.js';
import { homeRegionFrom } from '../home-region.js';
import { runRestore, regionBucket, describeFields, indexOpener, type RestorePlan } from '../../lib/restore/index.js';
import { chooseArchive } from '../../lib/store/index.js';
import { usageError } from '../../lib/support/index.js';
import { accountOptions, checkAccountOption, checkTargetAccountOption, targetAccountOptions, withAccount } from '../accounts.js';
import { DEFAULT_MAX_ARCHIVE_MB } from '../../lib/archive/index.js';

/** Where the archive comes from: shared by restore, verify and diff. */
export const sourceOptions = {
  ...globalOptions,
  ...awsOptions,
  ...environmentOptions,
  ...accountOptions,
  region: { kind: 'region', required: true, describe: 'Region whose bucket holds the archive' },
  archive: {
    kind: 'string',
    default: 'latest',
    describe: 'Object key of the archive (see ssm-backup list), or latest (what latest.txt points at); it must belong to --environment and --region',
  },
  'max-archive-mb': {
    kind: 'integer',
    default: DEFAULT_MAX_ARCHIVE_MB,
    min: 1,
    max: 65536,
    describe: 'Refuse an archive that decompresses to more than this many MB (decompression bombs)',
  },
  'require-client-encryption': {
    kind: 'boolean',
    default: false,
    describe: 'Read only format 2 (encrypted, authenticated) archives, even where the region has no backup key configured',
  },
  'allow-unencrypted-archive': {
    kind: 'string',
    describe:
      'Object key of the one format 1 or legacy archive to accept where only format 2 is (the region has a backup key, or --require-client-encryption): an archive made before the key existed',
  },
} as const;

/**
 * What restore, verify and diff hand the library from sourceOptions: the identity the archive must belong to, which
 * archive, and the limits and downgrade rule it is read under.
 */
export function archiveSource(o: OptionValues<typeof sourceOptions>) {
  return {
    environment: o.environment,
    homeRegion: homeRegionFrom(o),
    region: o.region,
    archive: o.archive,
    maxArchiveMb: o.maxArchiveMb,
    requireClientEncryption: o.requireClientEncryption,
    allowUnencryptedArchive: o.allowUnencryptedArchive,
  };
}

/** Reading live state: shared by restore and diff. */
export const liveOptions = {
  'get-rate': { kind: 'number', default: 40, min: 0.1, max: 10000, describe: 'Max SSM Get* requests/s for reading live parameters (AWS default quota 40)' },
} as const;

export const restoreOptions = {
  ...sourceOptions,
  ...outputOption('table'),
  'as-of': {
    kind: 'date',
    describe:
      'Restore from the newest archive created at or before this time: ISO-8601 date-time with a zone (2026-11-28T13:00:00Z) or a date (end of that day, UTC); instead of --archive',
  },
  ...liveOptions,
  'target-region': { kind: 'region', defaultDescription: '--region', describe: 'Region to restore into; another region is the disaster-recovery path' },
  ...targetAccountOptions,
  path: { kind: 'parameter-path', default: '/', describe: 'Restore only parameters under this path, recursively' },
  names: { kind: 'list', describe: 'Comma-separated parameter names to restore (all must be in the archive)' },
  overwrite: {
    kind: 'boolean',
    default: false,
    describe: "Update parameters that differ from the archive (the old job's FORCE_OVERWRITE); without it they are skipped",
  },
  'exact-tags': {
    kind: 'boolean',
    default: false,
    describe: 'When updating, also remove live tags the archive does not hold (archives made with --include-tags); without it tags are only added',
  },
  prune: {
    kind: 'boolean',
    default: false,
    describe: 'Delete live parameters under --path that the archive does not hold (shown in the plan; deleted only with --apply). Not with --names',
  },
  'include-config': {
    kind: 'boolean',
    default: false,
    describe:
      "Also restore the tool's own configuration (/jenkins/<env>/backup/...) held in the archive; without it those keys are kept aside (an old region list would drop regions added since)",
  },
  'image-confirm-seconds': {
    kind: 'integer',
    default: 60,
    min: 1,
    max: 3600,
    describe: 'How long an aws:ec2:image write is checked for with GetParameter (AWS validates AMIs after answering) before it is reported pending',
  },
  'kms-key-map': { kind: 'key-map', describe: 'FROM=TO,... KMS keys for SecureStrings in the target region, e.g. alias/app-secrets=alias/dr-secrets' },
  apply: { kind: 'boolean', default: false, describe: 'Write to SSM. Without it the restore only plans and changes nothing' },
  'put-rate': {
    kind: 'number',
    default: 3,
    min: 0.1,
    max: 10000,
    describe: 'Max PutParameter requests/s (AWS default quota 3; raise it if your account has a higher throughput quota)',
  },
  concurrency: { kind: 'integer', default: 4, min: 1, max: 64, describe: 'Writes in flight (they are also paced to --put-rate)' },
  'work-dir': { kind: 'dir-out', default: './ssm-backup-work', describe: 'Where restore_summary.json is written (names only, never values)' },
  'summary-file': { kind: 'file-out', defaultDescription: '<work-dir>/restore_summary.json', describe: 'Restore summary JSON' },
} as const;

/** One line per parameter that is (or would be) written or skipped for differing; names and field names only. */
export function formatPlan(plan: RestorePlan, applied: boolean, failed: Set<string> = new Set()): string {
  const verb = { create: applied ? 'created' : 'create', update: applied ? 'updated' : 'update', differs: 'skipped', delete: applied ? 'deleted' : 'delete' };
  const lines = plan.items
    .filter((i) => i.action !== 'unchanged' && !failed.has(i.name))
    .map((i) => {
      const what = verb[i.action as keyof typeof verb];
      const note = i.action === 'differs' ? ' (differs; --overwrite updates it)' : '';
      return `${what.padEnd(7)}  ${i.name}${i.fields.length ? `  ${describeFields(i.fields)}` : ''}${note}`;
    });
  const c = plan.counts;
  lines.push(`create=${c.create} update=${c.update} unchanged=${c.unchanged} differs-not-overwritten=${c.differs}${c.delete ? ` delete=${c.delete}` : ''}`);
  return lines.join('\n') + '\n';
}

export const restoreCommand = defineCommand({
  name: 'restore',
  failureMessage: 'Some parameters failed or are pending: see restore_summary.json (failed, pending)',
  describe: 'Restore parameters from an archive (plans by default; --apply writes; deletes only with --prune)',
  options: restoreOptions,
  examples: [
    ['ssm-backup restore --environment prod --region us-west-2', 'Plan a restore of the latest archive; writes nothing'],
    ['ssm-backup restore --environment prod --region us-west-2 --names /app/db/url --overwrite --apply', 'Put one parameter back as it was'],
    [
      'ssm-backup restore --environment prod --region us-west-2 --as-of 2026-11-27T09:00:00Z --names /app/db/url',
      'Plan putting back one parameter as it was before a given time',
    ],
    [
      'ssm-backup restore --environment prod --region us-west-2 --target-region us-east-1 --kms-key-map alias/app=alias/app-dr --apply',
      'Disaster recovery into another region',
    ],
    [
      'ssm-backup restore --environment prod --account 111111111111 --region us-west-2 --target-account 222222222222 --kms-key-map alias/app=alias/app',
      "Plan putting one member account's archive into another member account (each through its restore role)",
    ],
  ],
  clientOptions: (o) => ({ putRate: o.putRate, getRate: o.getRate }),
  check: (o) => {
    checkAccountOption(o);
    checkTargetAccountOption(o);
    outputFormat(o);
    if (o.asOf !== undefined && o.archive !== 'latest') throw usageError('--as-of and --archive both choose the archive: pass only one of them');
    if (o.prune && o.names) throw usageError('--prune deletes what the archive lacks under --path: it cannot be combined with --names');
  },
  run: withAccount('restore', 'restore', async ({ aws, logger, io }, o, accounts) => {
    const source = archiveSource(o);
    let archive = o.archive;
    if (o.asOf !== undefined || o.names?.length) {
      const bucket = await regionBucket(aws, source);
      archive = await chooseArchive(
        aws.s3(o.region),
        {
          bucket,
          environment: o.environment,
          region: o.region,
          archive: o.archive,
          asOf: o.asOf,
          names: o.names,
          opener: indexOpener(aws, o.environment, o.region),
        },
        logger.forRegion(o.region),
      );
    }
    const result = await runRestore(
      aws,
      {
        ...source,
        archive,
        targetRegion: o.targetRegion ?? o.region,
        path: o.path,
        names: o.names,
        overwrite: o.overwrite,
        exactTags: o.exactTags,
        prune: o.prune,
        keyMap: o.kmsKeyMap ?? new Map(),
        apply: o.apply,
        concurrency: o.concurrency,
        logger,
        summaryFile: o.summaryFile ?? path.join(o.workDir, RESTORE_SUMMARY_FILE),
        includeConfig: o.includeConfig,
        confirmMs: o.imageConfirmSeconds * 1000,
        accountIds: accounts.accountIds,
      },
      accounts.target,
    );
    const s = result.summary;
    const failed = new Set([...s.failed.map((f) => f.name), ...s.pending]);
    const format = outputFormat(o);
    // json: the restore summary (contract/restore-summary.ts); text: one `action<TAB>name<TAB>fields` a line, then
    // `kept<TAB>name`, `pending<TAB>name`, `failed<TAB>name<TAB>error`
    if (format === 'json') io.stdout(jsonText(s));
    else if (format === 'text')
      io.stdout(
        textRecords([
          ...result.plan.items.filter((i) => i.action !== 'unchanged' && !failed.has(i.name)).map((i) => [i.action, i.name, i.fields.join(',')]),
          ...s.keptAside.map((n) => ['kept', n]),
          ...s.pending.map((n) => ['pending', n]),
          ...s.failed.map((f) => ['failed', f.name, f.error]),
        ]),
      );
    else {
      io.stdout(formatPlan(result.plan, o.apply, failed));
      for (const n of s.keptAside) io.stdout(`kept     ${n}  (the tool's configuration: not written without --include-config)\n`);
      for (const n of s.pending) io.stdout(`PENDING  ${n}  (aws:ec2:image not confirmed by GetParameter: not created or updated as far as SSM shows)\n`);
      for (const f of s.failed) io.stdout(`FAILED   ${f.name}  ${f.error}\n`);
    }
    return result.exitCode;
  }),
});
